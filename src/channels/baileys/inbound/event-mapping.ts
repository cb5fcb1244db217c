// Baileys' non-message events → Parley's channel reports: message updates and receipts, chats, contacts, groups,
// presence, labels, calls and LID ↔ phone-number pairs. Pure functions.
import { isLidUser, isPnUser, jidNormalizedUser, proto, type BaileysEventMap, type Chat, type ChatUpdate, type Contact, type GroupParticipant, type LIDMapping, type MessageUserReceiptUpdate, type WACallEvent, type WAMessageKey, type WAMessageUpdate } from 'baileys';
import type { CallInfo, ChatPatch, ContactPatch, GroupParticipantInfo, IdentityPairReport, LabelInfo, PresenceInfo } from '../../../domain/channel-report.js';
import type { MessageContent, MessageKey, StatusUpdate } from '../../../domain/message.js';
import { mapContent, mapKey, seconds, statusName, toPlainJson } from './message-mapping.js';

/** `ProtocolMessage.Type.MESSAGE_EDIT`: the `type` of the protocol message MESSAGES_EDITED carries. */
const MESSAGE_EDIT = proto.Message.ProtocolMessage.Type.MESSAGE_EDIT;

/** The LID ↔ PN pair two JIDs of one user make, when one is a LID and the other a phone number. */
export function pairOf(a: string | null | undefined, b: string | null | undefined): IdentityPairReport | undefined {
  if (!a || !b) return undefined;
  const [x, y] = [jidNormalizedUser(a), jidNormalizedUser(b)];
  if (isLidUser(x) && isPnUser(y)) return { lid: x, pn: y };
  if (isPnUser(x) && isLidUser(y)) return { lid: y, pn: x };
  return undefined;
}

/** Pairs a message key reveals (`remoteJidAlt`, `participantAlt`). */
export function keyPairs(key: WAMessageKey | null | undefined): IdentityPairReport[] {
  return [pairOf(key?.remoteJid, key?.remoteJidAlt), pairOf(key?.participant, key?.participantAlt)].filter((p) => p !== undefined);
}

export function contactPairs(contacts: Partial<Contact>[]): IdentityPairReport[] {
  return contacts.flatMap((c) => [pairOf(c.id, c.lid), pairOf(c.id, c.phoneNumber), pairOf(c.lid, c.phoneNumber)]).filter((p) => p !== undefined);
}

export function mappingPairs(mappings: LIDMapping[]): IdentityPairReport[] {
  return mappings.map((m) => pairOf(m.lid, m.pn)).filter((p) => p !== undefined);
}

/** Distinct pairs (by LID), the last one winning. */
export function distinctPairs(pairs: IdentityPairReport[]): IdentityPairReport[] {
  return [...new Map(pairs.map((p) => [p.lid, p])).values()];
}

/** What one `messages.update` entry means. */
export type MessageUpdateKind =
  | { kind: 'status'; update: StatusUpdate }
  | { kind: 'edit'; key: MessageKey; content: MessageContent; protocol: Record<string, unknown>; timestamp: number }
  | { kind: 'revoke'; key: MessageKey }
  | { kind: 'pollUpdates'; key: MessageKey; pollUpdates: proto.IPollUpdate[] }
  | { kind: 'ignored' };

export function classifyUpdate({ key: rawKey, update }: WAMessageUpdate, nowSeconds: number): MessageUpdateKind[] {
  const key = mapKey(rawKey);
  if (key === undefined) return [{ kind: 'ignored' }];
  const kinds: MessageUpdateKind[] = [];
  if (update.message === null && update.messageStubType === proto.WebMessageInfo.StubType.REVOKE) kinds.push({ kind: 'revoke', key });
  const edited = update.message?.editedMessage?.message;
  const mapped = edited ? mapContent(edited) : undefined;
  if (mapped !== undefined) {
    const timestamp = update.messageTimestamp ? seconds(update.messageTimestamp) : nowSeconds;
    // Evolution's MESSAGES_EDITED carries WhatsApp's protocol message: the edited message's key and the new content.
    const protocol = { key, type: MESSAGE_EDIT, editedMessage: toPlainJson(edited), timestampMs: timestamp * 1000 };
    kinds.push({ kind: 'edit', key, content: mapped.content, protocol, timestamp });
  }
  if (update.pollUpdates && update.pollUpdates.length > 0) kinds.push({ kind: 'pollUpdates', key, pollUpdates: update.pollUpdates });
  const status = statusName(update.status);
  if (status !== undefined) {
    kinds.push({ kind: 'status', update: { keyId: key.id, remoteJid: key.remoteJid, fromMe: key.fromMe, participant: key.participant ?? null, status, timestamp: nowSeconds } });
  }
  return kinds.length > 0 ? kinds : [{ kind: 'ignored' }];
}

/** A per-participant receipt (groups, mostly): played beats read beats delivered. */
export function receiptUpdate({ key: rawKey, receipt }: MessageUserReceiptUpdate): StatusUpdate | undefined {
  const key = mapKey(rawKey);
  if (key === undefined) return undefined;
  const [status, at] = receipt.playedTimestamp
    ? (['PLAYED', receipt.playedTimestamp] as const)
    : receipt.readTimestamp
      ? (['READ', receipt.readTimestamp] as const)
      : (['DELIVERY_ACK', receipt.receiptTimestamp] as const);
  return { keyId: key.id, remoteJid: key.remoteJid, fromMe: key.fromMe, participant: receipt.userJid ?? null, status, timestamp: seconds(at) };
}

/** A chat of `chats.upsert` / `chats.update` / history: only what Baileys said. */
export function chatPatch(chat: Chat | ChatUpdate): ChatPatch | undefined {
  if (!chat.id) return undefined;
  const patch: ChatPatch = { remoteJid: chat.id };
  if (chat.name !== undefined) patch.name = chat.name ?? null;
  if (typeof chat.unreadCount === 'number') patch.unreadMessages = Math.max(0, chat.unreadCount);
  if (typeof chat.archived === 'boolean') patch.archived = chat.archived;
  const last = seconds(chat.conversationTimestamp ?? chat.lastMessageRecvTimestamp ?? undefined);
  if (last > 0) patch.lastMessageAt = last;
  return patch;
}

/** A contact: its own name beats what we saved; `imgUrl: 'changed'` means "fetch it again" and is not a URL. */
export function contactPatch(contact: Partial<Contact>): ContactPatch | undefined {
  if (!contact.id) return undefined;
  const patch: ContactPatch = { remoteJid: contact.id };
  const name = contact.notify ?? contact.name ?? contact.verifiedName;
  if (name) patch.pushName = name;
  if (contact.imgUrl === null) patch.profilePicUrl = null;
  else if (typeof contact.imgUrl === 'string' && contact.imgUrl !== 'changed') patch.profilePicUrl = contact.imgUrl;
  return patch;
}

export function presenceReport(update: BaileysEventMap['presence.update']): Record<string, PresenceInfo> {
  const presences: Record<string, PresenceInfo> = {};
  for (const [jid, p] of Object.entries(update.presences)) {
    presences[jid] = { lastKnownPresence: p.lastKnownPresence, ...(p.lastSeen !== undefined ? { lastSeen: p.lastSeen } : {}) };
  }
  return presences;
}

export function participantInfo(p: GroupParticipant): GroupParticipantInfo {
  return {
    jid: p.id,
    ...(p.phoneNumber ? { phoneNumber: p.phoneNumber } : {}),
    ...(p.lid ? { lid: p.lid } : {}),
    ...(p.name || p.notify ? { name: (p.name ?? p.notify)! } : {}),
    ...(p.imgUrl !== undefined ? { imgUrl: p.imgUrl } : {}),
    ...(p.admin !== undefined ? { admin: p.admin } : {}),
  };
}

export function callInfo(c: WACallEvent): CallInfo {
  return {
    id: c.id,
    from: c.from,
    ...(c.callerPn ? { callerPn: c.callerPn } : {}),
    chatId: c.chatId,
    date: c.date instanceof Date ? c.date.getTime() : Number(c.date),
    isVideo: c.isVideo === true,
    isGroup: c.isGroup === true,
    ...(c.groupJid ? { groupJid: c.groupJid } : {}),
    status: c.status,
    offline: c.offline,
    ...(c.latencyMs !== undefined ? { latencyMs: c.latencyMs } : {}),
  };
}

export function labelInfo(l: BaileysEventMap['labels.edit']): LabelInfo {
  return { labelId: l.id, name: l.name, color: l.color, predefinedId: l.predefinedId ?? null, deleted: l.deleted };
}
