// The channel contract. To add a channel: create a folder under src/channels/ with a `ChannelFactory`, and add one
// line to src/channels/registry.ts. Core never sees a provider type; the channel never sees SQL, routes or sinks.
import type { ConnectionState, Instance, Integration, Presence } from '../domain/instance.js';
import type { InboundMessage, MessageContent, MessageKey, MessageStatus, StatusUpdate } from '../domain/message.js';
import type { OutboundKind, OutboundMessage } from '../domain/outbound.js';
import type { ConnectionPatch } from './store.js';

/**
 * What a channel can do. Sending a kind of content needs the capability of the same name; the other names guard
 * route groups. A route needing a capability the channel lacks answers the channel's `unsupportedMessage` (400).
 */
export type ChannelCapability =
  | OutboundKind
  | 'presence'
  | 'markRead'
  | 'edit'
  | 'delete'
  | 'whatsappNumbers'
  | 'groups'
  | 'labels'
  | 'profile'
  | 'privacy'
  | 'archive'
  | 'block'
  | 'templates';

export interface QrCode {
  pairingCode: string | null;
  code: string;
  base64: string;
  count: number;
}

export interface ConnectResult {
  state: ConnectionState;
  qrcode?: QrCode;
}

/** What the provider answered for a sent message. */
export interface SendResult {
  key: MessageKey;
  message: MessageContent;
  messageType: string;
  status: MessageStatus;
  /** Epoch seconds. */
  messageTimestamp: number;
}

/** How a live channel reports back to core; core stores each report (and its events) before resolving. */
export interface ChannelEvents {
  connectionChanged(patch: ConnectionPatch): Promise<void>;
  /** Messages received (or sent from the phone); resolves once they are stored. */
  received(messages: InboundMessage[]): Promise<void>;
  statusChanged(updates: StatusUpdate[]): Promise<void>;
}

export interface TemplateApi {
  create(template: { name: string; category: string; allowCategoryChange?: boolean; language: string; components: unknown[] }): Promise<{ id: string; status?: string; category?: string }>;
  list(): Promise<unknown[]>;
}

/** One live connection of one instance. Node-local: only the node that owns the instance holds it. */
export interface ChannelConnection {
  connect(options: { pairingNumber?: string; resume?: boolean }): Promise<ConnectResult>;
  restart(): Promise<ConnectResult>;
  /** Unlinks the account (credentials are wiped); the instance stays and can connect again. */
  logout(): Promise<void>;
  /** Releases resources without logging out (shutdown, delete). */
  close(): Promise<void>;
  setPresence(presence: Presence): Promise<void>;
  send(message: OutboundMessage): Promise<SendResult>;
  markRead?(keys: MessageKey[]): Promise<void>;
  templates?: TemplateApi;
}

/** Traffic a provider pushes to Parley's webhook routes, parsed into domain values and routed by account id. */
export interface WebhookBatch {
  /** The id the provider routes by; matched against `Instance.number` (Meta: phone_number_id; EVOLUTION: numberId). */
  accountId: string;
  messages: InboundMessage[];
  statuses: StatusUpdate[];
}

export interface ChannelFactory {
  readonly integration: Integration;
  readonly capabilities: ReadonlySet<ChannelCapability>;
  /** Evolution's text for a route this channel does not support, e.g. `Method not available on Evolution Channel`. */
  readonly unsupportedMessage: string;
  open(instance: Instance, events: ChannelEvents): ChannelConnection;
  /** For channels fed by webhooks: turns a provider delivery into batches (media fetched later through `InboundMedia`). */
  parseWebhook?(body: unknown, instanceFor: (accountId: string) => Promise<Instance | undefined>): Promise<WebhookBatch[]>;
}
