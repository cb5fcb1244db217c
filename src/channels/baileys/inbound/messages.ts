// Message traffic: upserts (live `notify` and offline/own `append` alike), updates (acks, edits, revokes, poll
// votes), per-participant receipts and deletes — mapped and handed to core, which dedupes by key id and stores.
import { isJidGroup, isJidStatusBroadcast, type BaileysEventMap, type WAMessage, type WAMessageKey } from 'baileys';
import type { InstanceSettings } from '../../../domain/instance.js';
import type { InboundMessage, MessageKey, StatusUpdate } from '../../../domain/message.js';
import type { InboundContext } from './context.js';
import { classifyUpdate, distinctPairs, keyPairs, receiptUpdate } from './event-mapping.js';
import { withReceivedMedia } from './media.js';
import { mapKey } from './message-mapping.js';
import { classifyUpsert } from './message-mapping.js';
import { decryptVote, votesFromUpdates } from './polls.js';

const nowSeconds = (ctx: InboundContext) => Math.floor((ctx.clock?.now() ?? new Date()).getTime() / 1000);

/** Group chats are dropped before anything is stored when the instance ignores groups. */
const ignored = (settings: InstanceSettings, jid: string | null | undefined) => settings.groupsIgnore && isJidGroup(jid ?? undefined) === true;

export async function handleUpsert(ctx: InboundContext, upsert: BaileysEventMap['messages.upsert'], settings: InstanceSettings): Promise<void> {
  const pairs = distinctPairs(upsert.messages.flatMap((m) => keyPairs(m.key)));
  if (pairs.length > 0) await ctx.events.report({ kind: 'identities', pairs });
  const received: { message: InboundMessage; withMedia?: WAMessage }[] = [];
  const toRead: WAMessageKey[] = [];
  for (const raw of upsert.messages) {
    if (ignored(settings, raw.key.remoteJid)) continue;
    const kind = classifyUpsert(raw);
    switch (kind.kind) {
      case 'message': {
        received.push({ message: kind.message, ...(kind.hasMedia ? { withMedia: raw } : {}) });
        if (upsert.type === 'notify' && !raw.key.fromMe && wantsRead(settings, raw.key.remoteJid)) toRead.push(raw.key);
        break;
      }
      case 'undecryptable':
        await ctx.events.report({ kind: 'undecryptable', message: kind.message, stubParameters: kind.stubParameters });
        break;
      case 'pollVote': {
        const pollId = kind.vote.pollCreationMessageKey?.id;
        const poll = pollId ? await ctx.events.findMessage(pollId) : undefined;
        const me = ctx.socket()?.user?.id;
        const vote = poll !== undefined && me !== undefined ? decryptVote(raw, kind.vote, poll, me) : undefined;
        if (vote !== undefined) await ctx.events.report(vote);
        else ctx.logger.warn({ instance: ctx.instance.name, pollId, keyId: raw.key.id }, 'poll vote could not be decrypted (poll not stored or no secret)');
        break;
      }
      case 'ignored':
        ctx.logger.debug({ instance: ctx.instance.name, keyId: raw.key.id, reason: kind.reason }, 'upsert not stored');
        break;
    }
  }
  await deliver(ctx, received);
  // Read receipts only after the messages are stored: a crash in between must not mark unseen messages read.
  const socket = ctx.socket();
  if (toRead.length > 0 && socket !== undefined) {
    await socket.readMessages(toRead).catch((error: unknown) => ctx.logger.warn({ instance: ctx.instance.name, err: error }, 'sending read receipts failed'));
  }
}

/**
 * Hands messages to core in order. Media is downloaded just before its message goes, and each media message goes
 * on its own, so a batch (an offline backlog) never holds more than one media in memory.
 */
async function deliver(ctx: InboundContext, received: { message: InboundMessage; withMedia?: WAMessage }[]): Promise<void> {
  let run: InboundMessage[] = [];
  for (const { message, withMedia } of received) {
    if (withMedia === undefined) {
      run.push(message);
      continue;
    }
    if (run.length > 0) await ctx.events.received(run);
    run = [];
    await ctx.events.received([await withReceivedMedia(ctx, withMedia, message)]);
  }
  if (run.length > 0) await ctx.events.received(run);
}

/** `readMessages` marks chats read; `readStatus` marks status posts (stories) seen. */
function wantsRead(settings: InstanceSettings, jid: string | null | undefined): boolean {
  return isJidStatusBroadcast(jid ?? '') ? settings.readStatus : settings.readMessages;
}

export async function handleUpdates(ctx: InboundContext, updates: BaileysEventMap['messages.update']): Promise<void> {
  const statuses: StatusUpdate[] = [];
  const revoked: MessageKey[] = [];
  const me = ctx.socket()?.user?.id;
  for (const entry of updates) {
    for (const kind of classifyUpdate(entry, nowSeconds(ctx))) {
      switch (kind.kind) {
        case 'status':
          statuses.push(kind.update);
          break;
        case 'edit':
          await ctx.events.report({ kind: 'messageEdited', key: kind.key, content: kind.content, protocol: kind.protocol, timestamp: kind.timestamp });
          break;
        case 'revoke':
          revoked.push(kind.key);
          break;
        case 'pollUpdates': {
          const poll = await ctx.events.findMessage(kind.key.id);
          if (poll === undefined || me === undefined) break;
          for (const vote of votesFromUpdates(kind.key, poll, kind.pollUpdates, me)) await ctx.events.report(vote);
          break;
        }
        case 'ignored':
          break;
      }
    }
  }
  if (revoked.length > 0) await ctx.events.report({ kind: 'messagesDeleted', keys: revoked });
  if (statuses.length > 0) await ctx.events.statusChanged(statuses);
}

export async function handleReceipts(ctx: InboundContext, receipts: BaileysEventMap['message-receipt.update']): Promise<void> {
  const updates = receipts.map(receiptUpdate).filter((u) => u !== undefined);
  if (updates.length > 0) await ctx.events.statusChanged(updates);
}

/** Deletes synced from the phone. Clearing a whole chat (`{jid, all}`) is logged only: WhatsApp gives no keys. */
export async function handleDeletes(ctx: InboundContext, deleted: BaileysEventMap['messages.delete']): Promise<void> {
  if ('all' in deleted) {
    ctx.logger.info({ instance: ctx.instance.name, jid: deleted.jid }, 'chat cleared on the phone');
    return;
  }
  const keys = deleted.keys.map(mapKey).filter((k) => k !== undefined);
  if (keys.length > 0) await ctx.events.report({ kind: 'messagesDeleted', keys });
}
