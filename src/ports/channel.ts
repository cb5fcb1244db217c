// The channel contract. To add a channel: create a folder under src/channels/ with a `ChannelFactory`, and add one
// line to src/channels/registry.ts. Core never sees a provider type; the channel never sees SQL, routes or sinks.
import type { Logger } from 'pino';
import type { ConnectionState, Instance, InstanceSettings, Integration, Presence, ProxySettings } from '../domain/instance.js';
import type { InboundMessage, MessageContent, MessageKey, MessageStatus, StatusUpdate } from '../domain/message.js';
import type { OutboundKind, OutboundMessage } from '../domain/outbound.js';
import type { ConnectionPatch } from './store.js';
import type { ChannelAuthRepository, IdentityRepository } from './channel-state.js';
import type { Clock } from './clock.js';
import type { ChannelReport } from '../domain/channel-report.js';
import type { StoredMessage } from './messages.js';
import type { ChatActions, GroupActions, LabelActions, PrivacyActions, ProfileActions } from './channel-features.js';
import type { Dispatcher } from 'undici';

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
/**
 * What comes with a connection change beyond the stored fields: the reason code CONNECTION_UPDATE carries, and the
 * extra events a final close emits (compat §4.3).
 */
export interface ConnectionNotice {
  /** `statusReason` of CONNECTION_UPDATE (the disconnect code; 200 when absent). */
  statusReason?: number;
  /** A final close: STATUS_INSTANCE with the disconnection fields. */
  statusInstance?: boolean;
  /** The account was unlinked (logged out from the phone or by the API): LOGOUT_INSTANCE. */
  loggedOut?: boolean;
  /** The QR limit was reached: QRCODE_UPDATED with the limit message and CONNECTION_UPDATE `refused`. */
  qrLimitReached?: boolean;
}

export interface ChannelEvents {
  connectionChanged(patch: ConnectionPatch, notice?: ConnectionNotice): Promise<void>;
  /** A new QR code (or pairing code) to show: QRCODE_UPDATED, and the state `connecting`. */
  qrUpdated(qr: QrCode): Promise<void>;
  /** Messages received (or sent from the phone); resolves once they are stored. */
  received(messages: InboundMessage[]): Promise<void>;
  statusChanged(updates: StatusUpdate[]): Promise<void>;
  /** Everything else a channel learns (edits, deletes, syncs, presence, groups, labels, calls); stored before resolving. */
  report(report: ChannelReport): Promise<void>;
  /** A stored message of this instance by its key id (poll decryption, Baileys' `getMessage` for retries). */
  findMessage(keyId: string): Promise<StoredMessage | undefined>;
}

export interface TemplateApi {
  create(template: { name: string; category: string; allowCategoryChange?: boolean; language: string; components: unknown[] }): Promise<{ id: string; status?: string; category?: string }>;
  list(): Promise<unknown[]>;
}

/** One live connection of one instance. Node-local: only the node that owns the instance holds it. */
export interface ChannelConnection {
  connect(options: { pairingNumber?: string; resume?: boolean }): Promise<ConnectResult>;
  /** Loads what a lazily loaded channel needs (its feature sets appear after it); other methods call it themselves. */
  prepare?(): Promise<void>;
  restart(): Promise<ConnectResult>;
  /** Unlinks the account (credentials are wiped); the instance stays and can connect again. */
  logout(): Promise<void>;
  /** Releases resources without logging out (shutdown, delete). */
  close(): Promise<void>;
  setPresence(presence: Presence): Promise<void>;
  send(message: OutboundMessage): Promise<SendResult>;
  markRead?(keys: MessageKey[]): Promise<void>;
  templates?: TemplateApi;
  /** WhatsApp-Web-only feature sets (src/ports/channel-features.ts); present when the channel has the capability. */
  chats?: ChatActions;
  profile?: ProfileActions;
  privacy?: PrivacyActions;
  groups?: GroupActions;
  labels?: LabelActions;
}

/** Traffic a provider pushes to Parley's webhook routes, parsed into domain values and routed by account id. */
export interface WebhookBatch {
  /** The id the provider routes by; matched against `Instance.number` (Meta: phone_number_id; EVOLUTION: numberId). */
  accountId: string;
  messages: InboundMessage[];
  statuses: StatusUpdate[];
}

/** Media fetched from a URL the channel did not choose. */
export interface FetchedMedia {
  data: Buffer;
  /** The server's Content-Type, when it sent one. */
  mimetype?: string;
  fileName?: string;
}

/**
 * How channels fetch URLs they did not choose (clients' media links, media CDNs named inside received messages):
 * every connection, redirect hops included, under the outbound policy; bounded in size and time.
 */
export interface MediaDownloads {
  /** Rejects with an Error whose message tells the client why (refused, unreachable, HTTP status, too large, timeout). */
  fetch(url: string, limits?: { maxBytes?: number; timeoutMs?: number }): Promise<FetchedMedia>;
  /** An undici dispatcher under the same policy, for libraries that fetch by themselves (Baileys' media download). */
  readonly dispatcher: Dispatcher;
  /** PARLEY_MEDIA_MAX_MB in bytes. */
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/**
 * What the composition root gives channels that keep state or read instance configuration (WhatsApp Web). Channels
 * that need none ignore it.
 */
export interface ChannelServices {
  /** Login state (WhatsApp Web creds and Signal keys). */
  auth: ChannelAuthRepository;
  /** The LID ↔ phone-number map. */
  identities: IdentityRepository;
  /** The instance's settings as stored now (read at every connect). */
  settings(instanceId: string): Promise<InstanceSettings>;
  /** The instance's proxy, or undefined when none is set (or it is disabled). */
  proxy(instanceId: string): Promise<ProxySettings | undefined>;
  logger: Logger;
  clock: Clock;
  /** The only way a channel fetches a URL it did not choose. */
  media: MediaDownloads;
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
