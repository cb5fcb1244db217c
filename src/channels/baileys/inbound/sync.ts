// Everything besides message traffic: history sync, chats, contacts, identities, presence, groups, labels, calls.
import type { BaileysEventMap } from 'baileys';
import type { InstanceSettings } from '../../../domain/instance.js';
import type { InboundMessage } from '../../../domain/message.js';
import type { InboundContext } from './context.js';
import { callInfo, chatPatch, contactPairs, contactPatch, distinctPairs, keyPairs, labelInfo, mappingPairs, pairOf, participantInfo, presenceReport } from './event-mapping.js';
import { classifyUpsert } from './message-mapping.js';

/**
 * A history chunk. Identities are always learned (they are not conversation data); messages, chats and contacts
 * only when the instance syncs full history (`syncFullHistory`), as in Evolution.
 */
export async function handleHistory(ctx: InboundContext, history: BaileysEventMap['messaging-history.set'], settings: InstanceSettings): Promise<void> {
  const pairs = distinctPairs([
    ...mappingPairs(history.lidPnMappings ?? []),
    ...contactPairs(history.contacts),
    ...history.messages.flatMap((m) => keyPairs(m.key)),
  ]);
  if (pairs.length > 0) await ctx.events.report({ kind: 'identities', pairs });
  if (!settings.syncFullHistory) {
    ctx.logger.debug({ instance: ctx.instance.name, messages: history.messages.length }, 'history chunk ignored: syncFullHistory is off');
    return;
  }
  const messages: InboundMessage[] = [];
  for (const raw of history.messages) {
    const kind = classifyUpsert(raw);
    if (kind.kind !== 'message') continue;
    if (settings.groupsIgnore && kind.message.key.remoteJid.endsWith('@g.us')) continue;
    messages.push(kind.message);
  }
  await ctx.events.report({
    kind: 'history',
    messages,
    chats: history.chats.map(chatPatch).filter((c) => c !== undefined),
    contacts: history.contacts.map(contactPatch).filter((c) => c !== undefined),
    progress: history.progress ?? null,
    isLatest: history.isLatest === true,
  });
}

export async function handleContacts(ctx: InboundContext, action: 'upsert' | 'update', contacts: BaileysEventMap['contacts.update']): Promise<void> {
  const pairs = distinctPairs(contactPairs(contacts));
  if (pairs.length > 0) await ctx.events.report({ kind: 'identities', pairs });
  const patches = contacts.map(contactPatch).filter((c) => c !== undefined);
  if (patches.length > 0) await ctx.events.report({ kind: 'contacts', action, contacts: patches });
}

export async function handleChats(ctx: InboundContext, action: 'upsert' | 'update', chats: BaileysEventMap['chats.update']): Promise<void> {
  const patches = chats.map(chatPatch).filter((c) => c !== undefined);
  if (patches.length > 0) await ctx.events.report({ kind: 'chats', action, chats: patches });
}

export async function handleGroups(ctx: InboundContext, action: 'upsert' | 'update', groups: BaileysEventMap['groups.update']): Promise<void> {
  const withId = groups.filter((g): g is typeof g & { id: string } => typeof g.id === 'string');
  for (const g of withId) ctx.onGroupChanged?.(g.id);
  const pairs = distinctPairs(withId.flatMap((g) => [pairOf(g.owner, g.ownerPn), pairOf(g.author, g.authorPn), ...contactPairs(g.participants ?? [])]).filter((p) => p !== undefined));
  if (pairs.length > 0) await ctx.events.report({ kind: 'identities', pairs });
  if (withId.length > 0) await ctx.events.report({ kind: 'groups', action, groups: withId.map((g) => ({ ...g })) });
}

export async function handleParticipants(ctx: InboundContext, update: BaileysEventMap['group-participants.update']): Promise<void> {
  ctx.onGroupChanged?.(update.id);
  const pairs = distinctPairs([pairOf(update.author, update.authorPn), ...contactPairs(update.participants)].filter((p) => p !== undefined));
  if (pairs.length > 0) await ctx.events.report({ kind: 'identities', pairs });
  await ctx.events.report({ kind: 'groupParticipants', groupJid: update.id, author: update.author || null, action: update.action, participants: update.participants.map(participantInfo) });
}

export async function handlePresence(ctx: InboundContext, update: BaileysEventMap['presence.update']): Promise<void> {
  await ctx.events.report({ kind: 'presence', chatJid: update.id, presences: presenceReport(update) });
}

export async function handleLabelEdit(ctx: InboundContext, label: BaileysEventMap['labels.edit']): Promise<void> {
  await ctx.events.report({ kind: 'labelEdited', label: labelInfo(label) });
}

export async function handleLabelAssociation(ctx: InboundContext, { association, type }: BaileysEventMap['labels.association']): Promise<void> {
  await ctx.events.report({
    kind: 'labelAssociation',
    type,
    chatId: association.chatId,
    labelId: association.labelId,
    ...('messageId' in association ? { messageId: association.messageId } : {}),
  });
}

/**
 * Calls: announced, and with `rejectCall` an offered call is rejected and, with `msgCall`, the caller gets that text
 * (Evolution's behaviour). The event is stored first, so a failing rejection still leaves the CALL event.
 */
export async function handleCalls(ctx: InboundContext, calls: BaileysEventMap['call'], settings: InstanceSettings): Promise<void> {
  for (const call of calls) {
    const pair = pairOf(call.from, call.callerPn);
    if (pair !== undefined) await ctx.events.report({ kind: 'identities', pairs: [pair] });
    await ctx.events.report({ kind: 'call', call: callInfo(call) });
    if (!settings.rejectCall || call.status !== 'offer') continue;
    const socket = ctx.socket();
    if (socket === undefined) continue;
    try {
      await socket.rejectCall(call.id, call.from);
      if (settings.msgCall.trim() !== '') await socket.sendMessage(call.from, { text: settings.msgCall });
      ctx.logger.info({ instance: ctx.instance.name, callId: call.id }, 'call rejected');
    } catch (error) {
      ctx.logger.warn({ instance: ctx.instance.name, callId: call.id, err: error }, 'rejecting a call failed');
    }
  }
}
