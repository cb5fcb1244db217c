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
  'CHATBOT_SESSION_UPDATE',
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

/**
 * Parley's own events: delivered only to endpoints that list them by name, never to "all events" (an empty list,
 * the global WebSocket), so Evolution clients never receive an event they do not know.
 */
export const OPT_IN_EVENTS: ReadonlySet<EventName> = new Set<EventName>(['CHATBOT_SESSION_UPDATE']);

/** What "every event" means: Evolution's catalogue. */
export const DEFAULT_EVENT_NAMES: readonly EventName[] = EVENT_NAMES.filter((name) => !OPT_IN_EVENTS.has(name));

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
