// Every event Parley emits, by its config name (the name used in `events[]` arrays and env switches).
// Its other spellings (wire `messages.upsert`, URL suffix `messages-upsert`) live in src/events/catalogue.ts.

export const EVENT_NAMES = [
  'APPLICATION_STARTUP',
  'QRCODE_UPDATED',
  'MESSAGES_SET',
  'MESSAGES_UPSERT',
  'MESSAGES_EDITED',
  'MESSAGES_UPDATE',
  'MESSAGES_DELETE',
  'SEND_MESSAGE',
  'SEND_MESSAGE_UPDATE',
  'CONTACTS_SET',
  'CONTACTS_UPSERT',
  'CONTACTS_UPDATE',
  'PRESENCE_UPDATE',
  'CHATS_SET',
  'CHATS_UPSERT',
  'CHATS_UPDATE',
  'CHATS_DELETE',
  'GROUPS_UPSERT',
  'GROUP_UPDATE',
  'GROUP_PARTICIPANTS_UPDATE',
  'CONNECTION_UPDATE',
  'LABELS_EDIT',
  'LABELS_ASSOCIATION',
  'CALL',
  'TYPEBOT_START',
  'TYPEBOT_CHANGE_STATUS',
  'REMOVE_INSTANCE',
  'LOGOUT_INSTANCE',
  'INSTANCE_CREATE',
  'INSTANCE_DELETE',
  'STATUS_INSTANCE',
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

/** A new event, as core hands it to the outbox inside the transaction of the state change it describes. */
export interface NewEvent {
  event: EventName;
  /** Null only for server-wide events (APPLICATION_STARTUP), which go to global endpoints only. */
  instanceId: string | null;
  instanceName: string | null;
  data: unknown;
  /** The chat the event belongs to (remoteJid); events of one chat are delivered in order per endpoint. */
  chatKey?: string | null;
  /** The instance's own JID at the time of the event (`sender` in the envelope). */
  sender?: string | null;
}

/** A stored event: what every transport, retry and replay sends, under one id. */
export interface StoredEvent extends NewEvent {
  seq: number;
  /** ULID, the same on every transport, retry and replay (`webhook-id`). */
  id: string;
  createdAt: Date;
}
