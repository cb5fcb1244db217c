// The single inbound pipeline: dedupe by provider message id → media → store message, chat, contact → events, in one
// transaction. A channel's report resolves only after this, so nothing is acknowledged before it is stored.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isGroupJid } from '../domain/chat.js';
import type { NewEvent } from '../domain/events.js';
import type { Instance } from '../domain/instance.js';
import type { InboundMessage, Message, StatusUpdate } from '../domain/message.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { ConversationEventData } from '../ports/event-data.js';
import type { Repositories, Store } from '../ports/store.js';

/** A received message as it is stored: a new row id, the instance, and the default status by direction. */
export function toMessage(instance: Instance, inbound: InboundMessage): Message {
  return {
    id: randomUUID(),
    instanceId: instance.id,
    key: inbound.key,
    pushName: inbound.pushName,
    messageType: inbound.messageType,
    message: inbound.message,
    contextInfo: inbound.contextInfo ?? null,
    source: inbound.source ?? 'unknown',
    messageTimestamp: inbound.messageTimestamp,
    status: inbound.status ?? (inbound.key.fromMe ? 'SERVER_ACK' : 'DELIVERY_ACK'),
  };
}

export class InboundPipeline {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly data: ConversationEventData,
  ) {}

  /** Stores new messages (duplicates are skipped) and their events; returns how many were new. */
  async receive(instance: Instance, messages: InboundMessage[]): Promise<number> {
    let stored = 0;
    for (const inbound of messages) {
      // With media, check first so a redelivered message does not download its media again (the insert dedupes too).
      if (inbound.media !== undefined && (await this.store.messages.findByKeyId(instance.id, inbound.key.id)) !== undefined) continue;
      const mediaKey = inbound.media === undefined ? null : await this.storeMedia(instance, inbound);
      const message = toMessage(instance, inbound);
      const isNew = await this.store.transaction((tx) => this.storeMessage(tx, instance, message, mediaKey, inbound.profilePicUrl, 'MESSAGES_UPSERT'));
      if (isNew) stored += 1;
    }
    return stored;
  }

  /** Stores a message (inbound or just sent) with its chat, contact and events; false when it was a duplicate. */
  async storeMessage(tx: Repositories, instance: Instance, message: Message, mediaKey: string | null, profilePicUrl: string | null | undefined, event: 'MESSAGES_UPSERT' | 'SEND_MESSAGE'): Promise<boolean> {
    const now = this.clock.now();
    if (!(await tx.messages.insertIfNew(message, mediaKey, now))) return false;
    const remoteJid = message.key.remoteJid;
    const base = { instanceId: instance.id, instanceName: instance.name, sender: instance.ownerJid, chatKey: remoteJid };
    const events: NewEvent[] = [{ ...base, event, data: this.data.message(message) }];
    const { chat, created } = await tx.chats.touch(
      instance.id,
      { remoteJid, name: isGroupJid(remoteJid) || message.key.fromMe ? undefined : message.pushName, incoming: !message.key.fromMe, messageTimestamp: message.messageTimestamp },
      now,
    );
    events.push(created ? { ...base, event: 'CHATS_UPSERT', data: this.data.chatUpsert(chat) } : { ...base, event: 'CHATS_UPDATE', data: this.data.chatUpdate(chat) });
    // The sender's contact: the participant in a group, the chat otherwise; own messages do not name a contact.
    const contactJid = message.key.fromMe ? undefined : (message.key.participant ?? remoteJid);
    if (contactJid !== undefined && !isGroupJid(contactJid)) {
      const c = await tx.contacts.upsert(instance.id, contactJid, { pushName: message.pushName, ...(profilePicUrl !== undefined ? { profilePicUrl } : {}) }, now);
      if (c.contact !== undefined) events.push({ ...base, event: c.created ? 'CONTACTS_UPSERT' : 'CONTACTS_UPDATE', data: this.data.contact(c.contact) });
    }
    await tx.outbox.append(events, now);
    return true;
  }

  /**
   * Receipts and statuses. They may arrive out of order (a `delivered` after `read`) or before the message is
   * stored: every update is recorded; the message's status only moves forward; MESSAGES_UPDATE is emitted when it
   * moved, or when the message is not (yet) known.
   */
  async statuses(instance: Instance, updates: StatusUpdate[]): Promise<void> {
    for (const update of updates) {
      await this.store.transaction(async (tx) => {
        const now = this.clock.now();
        await tx.messageUpdates.insert(instance.id, update, now);
        const message = await tx.messages.findByKeyId(instance.id, update.keyId);
        const advanced = message !== undefined && (await tx.messages.advanceStatus(instance.id, update.keyId, update.status, now));
        if (message !== undefined && !advanced) return;
        await tx.outbox.append(
          [{ event: 'MESSAGES_UPDATE', instanceId: instance.id, instanceName: instance.name, sender: instance.ownerJid, chatKey: update.remoteJid, data: this.data.messageUpdate(instance.id, update, message?.id) }],
          now,
        );
      });
    }
  }

  private async storeMedia(instance: Instance, inbound: InboundMessage): Promise<string> {
    const { data, mimetype, fileName } = await inbound.media!.download();
    const extension = fileName?.split('.').pop() ?? mimetype.split('/')[1]?.split(';')[0] ?? 'bin';
    const blob = await this.blobs.put(instance.id, `${inbound.key.id}.${extension}`.replace(/[^A-Za-z0-9._-]/g, '_'), data, mimetype);
    this.logger.debug({ instance: instance.name, key: blob.key, size: blob.size }, 'inbound media stored');
    return blob.key;
  }
}
