// The `data` of lifecycle events, in the wire format. Implemented in src/wire/event-data.ts and injected, so core
// emits events without knowing Evolution's field names.
import type { Chat, Contact } from '../domain/chat.js';
import type { ConnectionState, Instance } from '../domain/instance.js';
import type { Message, StatusUpdate } from '../domain/message.js';

export interface ConnectionUpdate {
  state: ConnectionState | 'refused';
  statusReason?: number;
}

export interface LifecycleEventData {
  instanceCreate(instance: Instance): unknown;
  instanceDelete(instance: Instance): unknown;
  connectionUpdate(instance: Instance, update: ConnectionUpdate): unknown;
  statusInstance(instance: Instance): unknown;
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
