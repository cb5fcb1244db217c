// Storage ports for conversations: messages, their status history, chats, contacts, and raw provider deliveries.
import type { Chat, Contact } from '../domain/chat.js';
import type { ChatPatch } from '../domain/channel-report.js';
import type { Message, MessageContent, MessageStatus, StatusUpdate } from '../domain/message.js';

export interface StoredMessage extends Message {
  /** Blob key of the stored media bytes, when the message had media. */
  mediaKey: string | null;
  /** Status history (oldest first), as `MessageUpdate` rows show it. */
  updates?: { status: MessageStatus }[];
}

export interface MessageQuery {
  instanceId: string;
  id?: string;
  keyId?: string;
  remoteJid?: string;
  /** Any of these chats (a JID and its LID/PN alias); takes precedence over `remoteJid`. */
  remoteJids?: string[];
  fromMe?: boolean;
  participant?: string;
  messageType?: string;
  source?: string;
  /** Epoch seconds, inclusive. */
  from?: number;
  to?: number;
  page: number;
  pageSize: number;
}

export interface MessageRepository {
  /** Inserts unless the instance already has a message with this key id; false for a duplicate. */
  insertIfNew(message: Message, mediaKey: string | null, at: Date): Promise<boolean>;
  findByKeyId(instanceId: string, keyId: string): Promise<StoredMessage | undefined>;
  /** Moves the status forward only (a late `delivered` never overwrites `read`); true when it changed. */
  advanceStatus(instanceId: string, keyId: string, status: MessageStatus, at: Date): Promise<boolean>;
  list(query: MessageQuery): Promise<{ total: number; records: StoredMessage[] }>;
  /** Replaces a stored message's content (an edit, poll votes); false when the message is not stored. */
  updateContent(instanceId: string, keyId: string, content: MessageContent, at: Date): Promise<boolean>;
}

export interface MessageUpdateRepository {
  insert(instanceId: string, update: StatusUpdate, at: Date): Promise<void>;
  list(instanceId: string, filter: { remoteJid?: string; keyId?: string }, page: number, pageSize: number): Promise<(StatusUpdate & { id: string; instanceId: string; createdAt: Date })[]>;
}

export interface ChatTouch {
  remoteJid: string;
  name?: string | null;
  /** Counts as unread (an incoming message). */
  incoming: boolean;
  messageTimestamp: number;
}

export interface ChatView extends Chat {
  contact: Contact | null;
  lastMessage: StoredMessage | null;
}

export interface ChatRepository {
  /** Creates the chat or moves it forward; `created` tells which. */
  touch(instanceId: string, touch: ChatTouch, at: Date): Promise<{ chat: Chat; created: boolean }>;
  findByRemoteJid(instanceId: string, remoteJid: string): Promise<Chat | undefined>;
  /** Chats with their newest message and contact, newest first. */
  list(instanceId: string, filter: { remoteJid?: string; remoteJids?: string[]; from?: number; to?: number }, take: number, skip: number): Promise<ChatView[]>;
  markRead(instanceId: string, remoteJid: string, at: Date): Promise<void>;
  /** Creates a chat or applies what a sync knows about it; `changed` is false when nothing differed. */
  upsert(instanceId: string, patch: ChatPatch, at: Date): Promise<{ chat: Chat; created: boolean; changed: boolean }>;
  /** Deletes chats (their messages stay); returns the JIDs that existed. */
  delete(instanceId: string, remoteJids: string[]): Promise<string[]>;
}

export interface ContactRepository {
  /**
   * Creates or updates; `created`/`changed` say what happened (for CONTACTS_UPSERT vs CONTACTS_UPDATE). `contact` is
   * returned when it was created or changed.
   */
  upsert(instanceId: string, remoteJid: string, values: { pushName?: string | null; profilePicUrl?: string | null }, at: Date): Promise<{ contact?: Contact; created: boolean; changed: boolean }>;
  list(instanceId: string, filter: { remoteJid?: string; remoteJids?: string[] }, page: number | undefined, pageSize: number | undefined): Promise<Contact[]>;
}

export interface InboxItem {
  id: string;
  integration: string;
  body: string;
  attempts: number;
}

/** Raw provider deliveries: stored before the provider gets its 200, processed after, retried on failure. */
export interface ProviderInboxRepository {
  add(integration: string, body: string, at: Date): Promise<string>;
  due(limit: number, at: Date): Promise<InboxItem[]>;
  done(id: string): Promise<void>;
  failed(id: string, error: string, nextAttemptAt: Date | null): Promise<void>;
}
