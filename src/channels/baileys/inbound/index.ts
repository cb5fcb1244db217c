// The inbound side of the WhatsApp Web channel: every Baileys socket event, mapped and handed to core.
// Baileys does not await `process` handlers, so batches are chained here: each is handled, in order, after the last.
import type { BaileysEventMap } from 'baileys';
import type { BaileysSocket } from '../socket.js';
import type { InboundContext } from './context.js';
import { distinctPairs, mappingPairs } from './event-mapping.js';
import { handleDeletes, handleReceipts, handleUpdates, handleUpsert } from './messages.js';
import {
  handleCalls, handleChats, handleContacts, handleGroups, handleHistory, handleLabelAssociation, handleLabelEdit, handleParticipants, handlePresence,
} from './sync.js';

export type { InboundContext } from './context.js';

type Events = Partial<BaileysEventMap>;

/** Subscribes to the socket's events; returns the unbind. */
export function bindInbound(ev: Pick<BaileysSocket['ev'], 'process'>, ctx: InboundContext): () => void {
  let chain: Promise<void> = Promise.resolve();
  const stop = ev.process((events) => {
    chain = chain.then(() => handleBatch(ctx, events));
    return chain;
  });
  return stop;
}

/**
 * One Baileys batch, in dependency order: identities and contacts before the messages that name them, chats before
 * their messages, messages before the updates that refer to them. A failing event is logged and the rest still run.
 */
export async function handleBatch(ctx: InboundContext, events: Events): Promise<void> {
  const needsSettings = events['messages.upsert'] || events['messaging-history.set'] || events.call;
  const settings = needsSettings ? await ctx.settings() : undefined;
  const steps: [keyof BaileysEventMap, () => Promise<void>][] = [];
  const add = <K extends keyof BaileysEventMap>(name: K, run: (data: BaileysEventMap[K]) => Promise<void>) => {
    const data = events[name];
    if (data !== undefined) steps.push([name, () => run(data as BaileysEventMap[K])]);
  };
  add('lid-mapping.update', async (m) => {
    const pairs = distinctPairs(mappingPairs([m]));
    if (pairs.length > 0) await ctx.events.report({ kind: 'identities', pairs });
  });
  add('messaging-history.set', (h) => handleHistory(ctx, h, settings!));
  add('contacts.upsert', (c) => handleContacts(ctx, 'upsert', c));
  add('contacts.update', (c) => handleContacts(ctx, 'update', c));
  add('chats.upsert', (c) => handleChats(ctx, 'upsert', c));
  add('chats.update', (c) => handleChats(ctx, 'update', c));
  add('chats.delete', async (jids) => ctx.events.report({ kind: 'chatsDeleted', remoteJids: jids }));
  add('groups.upsert', (g) => handleGroups(ctx, 'upsert', g));
  add('groups.update', (g) => handleGroups(ctx, 'update', g));
  add('group-participants.update', (u) => handleParticipants(ctx, u));
  add('messages.upsert', (u) => handleUpsert(ctx, u, settings!));
  add('messages.update', (u) => handleUpdates(ctx, u));
  add('message-receipt.update', (r) => handleReceipts(ctx, r));
  add('messages.delete', (d) => handleDeletes(ctx, d));
  // `messages.reaction` is not handled: every reaction also arrives as a `reactionMessage` upsert, which is what
  // Evolution emits (MESSAGES_UPSERT); handling both would announce each reaction twice.
  add('presence.update', (p) => handlePresence(ctx, p));
  add('labels.edit', (l) => handleLabelEdit(ctx, l));
  add('labels.association', (a) => handleLabelAssociation(ctx, a));
  add('call', (c) => handleCalls(ctx, c, settings!));
  for (const [name, run] of steps) {
    try {
      await run();
    } catch (error) {
      ctx.logger.error({ instance: ctx.instance.name, event: name, err: error }, 'handling a WhatsApp event failed');
    }
  }
}
