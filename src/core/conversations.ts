// Reading conversations back: messages, chats, contacts, status history, media; and marking messages read.
import { badRequest, notFound } from '../domain/errors.js';
import type { Instance } from '../domain/instance.js';
import type { MessageKey } from '../domain/message.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { MessageQuery, StoredMessage } from '../ports/messages.js';
import type { Store } from '../ports/store.js';
import type { ChannelHost } from './channel-host.js';

const MEDIA_TYPES = ['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage', 'ptvMessage'];

export interface MediaContent {
  message: StoredMessage;
  mediaType: string;
  data: Buffer;
  mimetype: string;
}

export class ConversationQueries {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly channels: ChannelHost,
    private readonly clock: Clock,
  ) {}

  async findMessages(query: MessageQuery) {
    if (query.remoteJid !== undefined && query.remoteJids === undefined) query = { ...query, remoteJids: await this.aliases(query.instanceId, query.remoteJid) };
    const { total, records } = await this.store.messages.list(query);
    return { total, pages: Math.ceil(total / query.pageSize), currentPage: query.page, records };
  }

  async findChats(instance: Instance, filter: { remoteJid?: string; from?: number; to?: number }, take: number, skip: number) {
    const remoteJids = filter.remoteJid === undefined ? undefined : await this.aliases(instance.id, filter.remoteJid);
    return this.store.chats.list(instance.id, { ...filter, remoteJids }, take, skip);
  }

  findChat(instance: Instance, remoteJid: string) {
    return this.store.chats.findByRemoteJid(instance.id, remoteJid);
  }

  async findContacts(instance: Instance, filter: { remoteJid?: string }, page?: number, pageSize?: number) {
    const remoteJids = filter.remoteJid === undefined ? undefined : await this.aliases(instance.id, filter.remoteJid);
    return this.store.contacts.list(instance.id, { ...filter, remoteJids }, page, pageSize);
  }

  /** A chat JID and its LID ↔ phone-number alias, so a query by either form finds both. */
  private aliases(instanceId: string, jid: string): Promise<string[]> {
    return this.store.identities.aliases(instanceId, jid);
  }

  findStatuses(instance: Instance, filter: { remoteJid?: string; keyId?: string }, page: number, pageSize: number) {
    return this.store.messageUpdates.list(instance.id, filter, page, pageSize);
  }

  /** Sends read receipts through the channel (where it has them) and resets the chats' unread counters. */
  async markRead(instance: Instance, keys: MessageKey[]): Promise<void> {
    const factory = this.channels.factory(instance.integration);
    if (!factory.capabilities.has('markRead')) throw badRequest(factory.unsupportedMessage);
    await this.channels.connection(instance).markRead?.(keys.filter((k) => !k.fromMe));
    for (const jid of new Set(keys.map((k) => k.remoteJid))) await this.store.chats.markRead(instance.id, jid, this.clock.now());
  }

  /** The media of a stored message: the stored bytes, or base64 the message carried inline (EVOLUTION channel). */
  async media(instance: Instance, keyId: string): Promise<MediaContent> {
    const message = await this.store.messages.findByKeyId(instance.id, keyId);
    if (message === undefined) throw notFound(`Message "${keyId}" not found`);
    const mediaType = MEDIA_TYPES.find((t) => t in message.message);
    if (mediaType === undefined) throw badRequest('The message has no media');
    const details = (message.message[mediaType] ?? {}) as { mimetype?: string };
    if (message.mediaKey !== null) {
      const blob = await this.blobs.get(instance.id, message.mediaKey);
      if (blob !== undefined) return { message, mediaType, data: blob.data, mimetype: blob.mimetype };
    }
    const inline = message.message.base64;
    if (typeof inline === 'string' && inline !== '') {
      return { message, mediaType, data: Buffer.from(inline, 'base64'), mimetype: details.mimetype ?? 'application/octet-stream' };
    }
    throw notFound(`The media of message "${keyId}" is not stored`);
  }

  /** The stored media of a message as base64, for events of endpoints that want media inline (`webhookBase64`). */
  async mediaBase64(instanceId: string, keyId: string): Promise<string | undefined> {
    const message = await this.store.messages.findByKeyId(instanceId, keyId);
    if (message?.mediaKey == null) return undefined;
    return (await this.blobs.get(instanceId, message.mediaKey))?.data.toString('base64');
  }

  /** A fetchable URL of stored media (S3 only: presigned, expiring). */
  async mediaUrl(instance: Instance, keyId: string, expiresInSeconds: number): Promise<string> {
    if (this.blobs.kind !== 's3') throw badRequest('S3 is disabled: media URLs need S3_ENABLED=true');
    const message = await this.store.messages.findByKeyId(instance.id, keyId);
    if (message?.mediaKey == null) throw notFound(`Media of message "${keyId}" not found`);
    const url = await this.blobs.url(instance.id, message.mediaKey, expiresInSeconds);
    if (url === undefined) throw notFound(`Media of message "${keyId}" not found`);
    return url;
  }
}
