// Stores what a live channel reports besides messages and statuses (edits, deletes, poll votes, syncs, identities,
// presence, groups, labels, calls): each report in one transaction with its events, so nothing is announced that is
// not stored and nothing stored goes unannounced. History sync is chunked (see `history`).
import type { Logger } from 'pino';
import { aggregatePollVotes, pollOptions, type ChannelReport, type ChatPatch, type ContactPatch } from '../domain/channel-report.js';
import type { Chat, Contact } from '../domain/chat.js';
import type { NewEvent } from '../domain/events.js';
import type { Instance } from '../domain/instance.js';
import type { Message, MessageKey } from '../domain/message.js';
import type { Clock } from '../ports/clock.js';
import type { WhatsAppEventData } from '../ports/event-data.js';
import type { Repositories, Store } from '../ports/store.js';
import { toMessage } from './inbound.js';

/** At most this many items per history transaction and per MESSAGES_SET / CHATS_SET / CONTACTS_SET event. */
export const HISTORY_BATCH = 500;

/** Counters the host exports (Prometheus); optional so tests and tools need none. */
export interface ChannelReportMetrics {
  decryptFailure(instance: Instance): void;
  historyChunk(instance: Instance, stored: { messages: number; chats: number; contacts: number }, progress: number | null): void;
}

type Report<K extends ChannelReport['kind']> = Extract<ChannelReport, { kind: K }>;

/** Where a poll's current votes live in its stored content: voter JID → chosen option names. */
const POLL_VOTES = 'pollVotes';

export class ChannelReports {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly data: WhatsAppEventData,
    private readonly metrics?: ChannelReportMetrics,
  ) {}

  async handle(instance: Instance, report: ChannelReport): Promise<void> {
    switch (report.kind) {
      case 'history':
        return this.history(instance, report);
      case 'undecryptable':
        return this.undecryptable(instance, report);
      case 'identities':
        if (report.pairs.length > 0) await this.store.identities.remember(instance.id, report.pairs, this.clock.now());
        return;
      default:
        return this.store.transaction(async (tx) => {
          const events = await this.apply(tx, instance, report);
          if (events.length > 0) await tx.outbox.append(events, this.clock.now());
        });
    }
  }

  /** The stored state change of a report and its events (without `history`, `undecryptable`, `identities`). */
  private async apply(tx: Repositories, instance: Instance, report: ChannelReport): Promise<NewEvent[]> {
    const now = this.clock.now();
    const base = { instanceId: instance.id, instanceName: instance.name, sender: instance.ownerJid };
    switch (report.kind) {
      case 'messageEdited': {
        const events: NewEvent[] = [{ ...base, chatKey: report.key.remoteJid, event: 'MESSAGES_EDITED', data: this.data.messageEdited(report.protocol) }];
        const stored = await tx.messages.findByKeyId(instance.id, report.key.id);
        if (stored === undefined) return events;
        await tx.messages.updateContent(instance.id, report.key.id, report.content, now);
        await tx.messages.advanceStatus(instance.id, report.key.id, 'EDITED', now);
        await tx.messageUpdates.insert(instance.id, { ...updateOf(stored.key), status: 'EDITED', timestamp: report.timestamp }, now);
        events.push({ ...base, chatKey: report.key.remoteJid, event: 'MESSAGES_UPDATE', data: this.data.messageChanged({ ...stored, message: report.content, status: 'EDITED' }, 'EDITED') });
        return events;
      }
      case 'messagesDeleted': {
        const events: NewEvent[] = [];
        for (const key of report.keys) {
          const stored = await tx.messages.findByKeyId(instance.id, key.id);
          if (stored !== undefined && (await tx.messages.advanceStatus(instance.id, key.id, 'DELETED', now))) {
            await tx.messageUpdates.insert(instance.id, { ...updateOf(stored.key), status: 'DELETED', timestamp: Math.floor(now.getTime() / 1000) }, now);
          }
          events.push({ ...base, chatKey: key.remoteJid, event: 'MESSAGES_DELETE', data: this.data.messageDeleted(stored?.key ?? key) });
        }
        return events;
      }
      case 'pollVote':
        return this.pollVote(tx, instance, report);
      case 'chats': {
        const changed = await this.upsertChats(tx, instance, report.chats);
        const chats = [...changed.created, ...changed.changed];
        if (chats.length === 0) return [];
        return [{ ...base, event: report.action === 'upsert' ? 'CHATS_UPSERT' : 'CHATS_UPDATE', data: report.action === 'upsert' ? this.data.chatsUpsert(chats) : this.data.chatsUpdate(chats) }];
      }
      case 'chatsDeleted':
        await tx.chats.delete(instance.id, report.remoteJids);
        return report.remoteJids.length === 0 ? [] : [{ ...base, event: 'CHATS_DELETE', data: this.data.chatsDelete(report.remoteJids) }];
      case 'contacts': {
        const contacts = await this.upsertContacts(tx, instance, report.contacts);
        if (contacts.length === 0) return [];
        return [{ ...base, event: report.action === 'upsert' ? 'CONTACTS_UPSERT' : 'CONTACTS_UPDATE', data: this.data.contacts(contacts, await this.alternatives(tx, instance, contacts)) }];
      }
      case 'presence':
        return [{ ...base, chatKey: report.chatJid, event: 'PRESENCE_UPDATE', data: this.data.presence(report.chatJid, report.presences) }];
      case 'groups':
        return report.groups.length === 0 ? [] : [{ ...base, event: report.action === 'upsert' ? 'GROUPS_UPSERT' : 'GROUP_UPDATE', data: this.data.groups(report.groups) }];
      case 'groupParticipants':
        return [{ ...base, chatKey: report.groupJid, event: 'GROUP_PARTICIPANTS_UPDATE', data: this.data.groupParticipants(report.groupJid, report.author, report.action, report.participants) }];
      case 'labelEdited':
        await tx.labels.upsert(instance.id, report.label, now);
        return [{ ...base, event: 'LABELS_EDIT', data: this.data.label(instance.name, report.label) }];
      case 'labelAssociation':
        // Message labels are announced but not stored (Evolution keeps none either).
        if (report.messageId === undefined) {
          if (report.type === 'add') await tx.labels.associate(instance.id, report.chatId, report.labelId);
          else await tx.labels.dissociate(instance.id, report.chatId, report.labelId);
        }
        return [{ ...base, chatKey: report.chatId, event: 'LABELS_ASSOCIATION', data: this.data.labelAssociation(instance.name, report.type, report.chatId, report.labelId) }];
      case 'call':
        return [{ ...base, chatKey: report.call.chatId, event: 'CALL', data: this.data.call(report.call) }];
      default:
        return [];
    }
  }

  /** Records one voter's current choice on the stored poll and announces the aggregated result. */
  private async pollVote(tx: Repositories, instance: Instance, report: Report<'pollVote'>): Promise<NewEvent[]> {
    const poll = await tx.messages.findByKeyId(instance.id, report.pollKey.id);
    if (poll === undefined) {
      this.logger.warn({ instance: instance.name, pollId: report.pollKey.id }, 'poll vote for a poll that is not stored; ignored');
      return [];
    }
    const votes = { ...((poll.message[POLL_VOTES] ?? {}) as Record<string, string[]>) };
    if (report.options.length === 0) delete votes[report.voter];
    else votes[report.voter] = report.options;
    const content = { ...poll.message, [POLL_VOTES]: votes };
    await tx.messages.updateContent(instance.id, poll.key.id, content, this.clock.now());
    const aggregated = aggregatePollVotes(pollOptions(poll.message), votes);
    return [
      {
        instanceId: instance.id,
        instanceName: instance.name,
        sender: instance.ownerJid,
        chatKey: poll.key.remoteJid,
        event: 'MESSAGES_UPDATE',
        data: this.data.pollUpdate({ ...poll, message: content }, report.voter, aggregated),
      },
    ];
  }

  /** Announced and counted, never stored: WhatsApp re-sends it under the same id, and that copy must not be deduped. */
  private async undecryptable(instance: Instance, report: Report<'undecryptable'>): Promise<void> {
    this.metrics?.decryptFailure(instance);
    this.logger.warn({ instance: instance.name, keyId: report.message.key.id, remoteJid: report.message.key.remoteJid, reason: report.stubParameters[0] }, 'message could not be decrypted');
    const message = toMessage(instance, report.message);
    await this.store.transaction((tx) =>
      tx.outbox.append(
        [{ instanceId: instance.id, instanceName: instance.name, sender: instance.ownerJid, chatKey: message.key.remoteJid, event: 'MESSAGES_UPSERT', data: this.data.undecryptable(message, report.stubParameters) }],
        this.clock.now(),
      ),
    );
  }

  /**
   * One history chunk, in transactions of at most HISTORY_BATCH items, each with its one MESSAGES_SET / CHATS_SET /
   * CONTACTS_SET event, so a 50 000-message history is neither one transaction per message nor one giant event.
   * Media of history messages is not downloaded (Evolution does not either).
   */
  private async history(instance: Instance, report: Report<'history'>): Promise<void> {
    const base = { instanceId: instance.id, instanceName: instance.name, sender: instance.ownerJid };
    // Chats that only appear through their messages still need a row (findChats lists chats with messages).
    const chats = new Map<string, ChatPatch>(report.chats.map((c) => [c.remoteJid, { ...c }]));
    for (const m of report.messages) {
      const chat = chats.get(m.key.remoteJid) ?? { remoteJid: m.key.remoteJid };
      chat.lastMessageAt = Math.max(chat.lastMessageAt ?? 0, m.messageTimestamp);
      chats.set(m.key.remoteJid, chat);
    }
    const stored = { messages: 0, chats: 0, contacts: 0 };
    for (const batch of chunks([...chats.values()], HISTORY_BATCH)) {
      await this.store.transaction(async (tx) => {
        const { created } = await this.upsertChats(tx, instance, batch);
        stored.chats += created.length;
        if (created.length > 0) await tx.outbox.append([{ ...base, event: 'CHATS_SET', data: this.data.chatsSet(created) }], this.clock.now());
      });
    }
    for (const batch of chunks(report.contacts, HISTORY_BATCH)) {
      await this.store.transaction(async (tx) => {
        const contacts = await this.upsertContacts(tx, instance, batch);
        stored.contacts += contacts.length;
        if (contacts.length > 0) await tx.outbox.append([{ ...base, event: 'CONTACTS_SET', data: this.data.contacts(contacts, await this.alternatives(tx, instance, contacts)) }], this.clock.now());
      });
    }
    for (const batch of chunks(report.messages, HISTORY_BATCH)) {
      await this.store.transaction(async (tx) => {
        const now = this.clock.now();
        const fresh: Message[] = [];
        for (const inbound of batch) {
          const message = toMessage(instance, inbound);
          if (await tx.messages.insertIfNew(message, null, now)) fresh.push(message);
        }
        stored.messages += fresh.length;
        if (fresh.length > 0) await tx.outbox.append([{ ...base, event: 'MESSAGES_SET', data: this.data.messagesSet(fresh) }], now);
      });
    }
    this.metrics?.historyChunk(instance, stored, report.progress);
    this.logger.info({ instance: instance.name, progress: report.progress, isLatest: report.isLatest, ...stored, received: report.messages.length }, 'history sync chunk stored');
  }

  private async upsertChats(tx: Repositories, instance: Instance, patches: ChatPatch[]): Promise<{ created: Chat[]; changed: Chat[] }> {
    const created: Chat[] = [];
    const changed: Chat[] = [];
    const now = this.clock.now();
    for (const patch of patches) {
      const result = await tx.chats.upsert(instance.id, patch, now);
      if (result.created) created.push(result.chat);
      else if (result.changed) changed.push(result.chat);
    }
    return { created, changed };
  }

  /** Contacts created or changed by the patches. */
  private async upsertContacts(tx: Repositories, instance: Instance, patches: ContactPatch[]): Promise<Contact[]> {
    const contacts: Contact[] = [];
    const now = this.clock.now();
    for (const patch of patches) {
      const values = { ...(patch.pushName !== undefined ? { pushName: patch.pushName } : {}), ...(patch.profilePicUrl !== undefined ? { profilePicUrl: patch.profilePicUrl } : {}) };
      const result = await tx.contacts.upsert(instance.id, patch.remoteJid, values, now);
      if (result.contact !== undefined) contacts.push(result.contact);
    }
    return contacts;
  }

  /** The other form (LID ↔ phone number) of each contact's JID, where the identity map knows it. */
  private async alternatives(tx: Repositories, instance: Instance, contacts: Contact[]): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const c of contacts) {
      const other = (await tx.identities.aliases(instance.id, c.remoteJid)).find((jid) => jid !== c.remoteJid);
      if (other !== undefined) result.set(c.remoteJid, other);
    }
    return result;
  }
}

function updateOf(key: MessageKey) {
  return { keyId: key.id, remoteJid: key.remoteJid, fromMe: key.fromMe, participant: key.participant ?? null };
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
