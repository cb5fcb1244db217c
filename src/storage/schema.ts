// The Kysely table types. Booleans are 0/1 on SQLite and true/false on PostgreSQL; times are epoch milliseconds.
import type { Generated } from 'kysely';

type Bool = number | boolean;

export interface InstancesTable {
  id: string;
  name: string;
  client_name: string;
  integration: string;
  connection_status: string;
  owner_jid: string | null;
  profile_name: string | null;
  profile_pic_url: string | null;
  number: string | null;
  business_id: string | null;
  token: string;
  token_hash: string;
  disconnection_reason_code: number | null;
  disconnection_object: string | null;
  disconnection_at: number | null;
  /** When the instance first reached `open` (null: never). */
  opened_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface InstanceSettingsTable {
  instance_id: string;
  id: string;
  reject_call: Bool;
  msg_call: string;
  groups_ignore: Bool;
  always_online: Bool;
  read_messages: Bool;
  read_status: Bool;
  sync_full_history: Bool;
  wavoip_token: string;
  created_at: number;
  updated_at: number;
}

export interface InstanceProxiesTable {
  instance_id: string;
  id: string;
  enabled: Bool;
  host: string;
  port: string;
  protocol: string;
  username: string;
  password: string;
  created_at: number;
  updated_at: number;
}

export interface ChatsTable {
  id: string;
  instance_id: string;
  remote_jid: string;
  name: string | null;
  unread_messages: Generated<number>;
  last_message_at: number | null;
  archived: Generated<Bool>;
  created_at: number;
  updated_at: number;
}

export interface ContactsTable {
  id: string;
  instance_id: string;
  remote_jid: string;
  push_name: string | null;
  profile_pic_url: string | null;
  created_at: number;
  updated_at: number;
}

export interface MessagesTable {
  id: string;
  instance_id: string;
  message_id: string;
  remote_jid: string;
  from_me: Bool;
  participant: string | null;
  push_name: string | null;
  message_type: string;
  message: string;
  context_info: string | null;
  source: string;
  status: string;
  message_timestamp: number;
  created_at: number;
  key_extra: string | null;
  media_key: string | null;
  updated_at: number | null;
}

export interface MessageUpdatesTable {
  id: string;
  instance_id: string;
  key_id: string;
  remote_jid: string;
  from_me: Bool;
  participant: string | null;
  status: string;
  error: string | null;
  provider_timestamp: number;
  created_at: number;
}

export interface ProviderInboxTable {
  id: string;
  integration: string;
  body: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  received_at: number;
}

export interface EventEndpointsTable {
  id: string;
  instance_id: string | null;
  transport: string;
  enabled: Bool;
  events: string;
  config: string;
  disabled_reason: string | null;
  removed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface OutboxEventsTable {
  seq: Generated<number>;
  id: string;
  instance_id: string | null;
  instance_name: string | null;
  event: string;
  chat_key: string | null;
  sender: string | null;
  data: string;
  created_at: number;
}

export interface EventDeliveriesTable {
  endpoint_id: string;
  event_seq: number;
  instance_id: string | null;
  order_key: string;
  status: string;
  attempts: number;
  step: number;
  next_attempt_at: number;
  last_error: string | null;
  last_status: number | null;
  delivered_at: number | null;
  updated_at: number;
}

export interface ChannelCredsTable {
  instance_id: string;
  creds: string;
  updated_at: number;
}

export interface ChannelKeysTable {
  instance_id: string;
  type: string;
  key_id: string;
  value: string;
  updated_at: number;
}

export interface IdentitiesTable {
  instance_id: string;
  lid: string;
  pn: string;
  updated_at: number;
}

export interface LabelsTable {
  id: string;
  instance_id: string;
  label_id: string;
  name: string;
  color: number;
  predefined_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface ChatLabelsTable {
  instance_id: string;
  chat_jid: string;
  label_id: string;
}

export interface Database {
  event_endpoints: EventEndpointsTable;
  outbox_events: OutboxEventsTable;
  event_deliveries: EventDeliveriesTable;
  instances: InstancesTable;
  instance_settings: InstanceSettingsTable;
  instance_proxies: InstanceProxiesTable;
  chats: ChatsTable;
  contacts: ContactsTable;
  messages: MessagesTable;
  message_updates: MessageUpdatesTable;
  provider_inbox: ProviderInboxTable;
  channel_creds: ChannelCredsTable;
  channel_keys: ChannelKeysTable;
  identities: IdentitiesTable;
  labels: LabelsTable;
  chat_labels: ChatLabelsTable;
}
