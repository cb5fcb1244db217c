// The `data` of lifecycle events, in the wire format. Implemented in src/wire/event-data.ts and injected, so core
// emits events without knowing Evolution's field names.
import type { Chat, Contact } from '../domain/chat.js';
import type { ConnectionState, Instance } from '../domain/instance.js';
import type { CallInfo, GroupParticipantInfo, LabelInfo, PresenceInfo } from '../domain/channel-report.js';
import type { Message, MessageKey, MessageStatus, StatusUpdate } from '../domain/message.js';
import type { StoredMessage } from './messages.js';

export interface ConnectionUpdate {
  state: ConnectionState | 'refused';
  statusReason?: number;
}

export interface LifecycleEventData {
  instanceCreate(instance: Instance): unknown;
  instanceDelete(instance: Instance): unknown;
  connectionUpdate(instance: Instance, update: ConnectionUpdate): unknown;
  statusInstance(instance: Instance): unknown;
  /** QRCODE_UPDATED: a new QR (or pairing) code. */
  qrcodeUpdated(instance: Instance, qr: { pairingCode: string | null; code: string; base64: string }): unknown;
  /** QRCODE_UPDATED when the QR limit is reached. */
  qrcodeLimitReached(): unknown;
  applicationStartup(info: { serverName: string; version: string }): unknown;
}

/** The `data` of conversation events (MESSAGES_*, SEND_MESSAGE, CONTACTS_*, CHATS_*). */
export interface ConversationEventData {
  message(message: Message): unknown;
  messageUpdate(instanceId: string, update: StatusUpdate, messageId: string | undefined): unknown;
  contact(contact: Contact): unknown;
  chatUpsert(chat: Chat): unknown;
  chatUpdate(chat: Chat): unknown;
}

/** The `data` of the WhatsApp Web events (history sync, edits, deletes, polls, presence, groups, labels, calls). */
export interface WhatsAppEventData {
  /** MESSAGES_SET: one batch of history. */
  messagesSet(messages: Message[]): unknown;
  /** MESSAGES_EDITED: the provider's protocol message. */
  messageEdited(protocol: Record<string, unknown>): unknown;
  /** MESSAGES_DELETE of a received revoke: the deleted message's key. */
  messageDeleted(key: MessageKey): unknown;
  /** MESSAGES_UPDATE of an edit or revoke of a stored message. */
  messageChanged(message: StoredMessage, status: MessageStatus): unknown;
  /** MESSAGES_UPDATE of a poll vote: the aggregated votes. */
  pollUpdate(poll: StoredMessage, voter: string, votes: { name: string; voters: string[] }[]): unknown;
  /** MESSAGES_UPSERT of a message that could not be decrypted. */
  undecryptable(message: Message, stubParameters: string[]): unknown;
  chatsSet(chats: Chat[]): unknown;
  chatsUpsert(chats: Chat[]): unknown;
  chatsUpdate(chats: Chat[]): unknown;
  chatsDelete(remoteJids: string[]): unknown;
  /** CONTACTS_SET / CONTACTS_UPSERT / CONTACTS_UPDATE of a sync: an array. */
  contacts(contacts: Contact[], alternatives: Map<string, string>): unknown;
  presence(chatJid: string, presences: Record<string, PresenceInfo>): unknown;
  groups(groups: Record<string, unknown>[]): unknown;
  groupParticipants(groupJid: string, author: string | null, action: string, participants: GroupParticipantInfo[]): unknown;
  label(instanceName: string, label: LabelInfo): unknown;
  labelAssociation(instanceName: string, type: 'add' | 'remove', chatId: string, labelId: string): unknown;
  call(call: CallInfo): unknown;
}
