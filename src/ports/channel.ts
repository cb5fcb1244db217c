// The channel contract. To add a channel: create a folder under src/channels/ with a `ChannelFactory`, and add one
// line to src/channels/registry.ts. Core never sees a provider type; the channel never sees SQL, routes or sinks.
import type { ConnectionState, Instance, Integration, Presence } from '../domain/instance.js';
import type { ConnectionPatch } from './store.js';

/** What a channel can do; a route needing a capability the channel lacks answers the channel's 400. */
export type ChannelCapability = 'presence';

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

/** How a live channel reports back to core; core stores the change (and its event) before resolving. */
export interface ChannelEvents {
  connectionChanged(patch: ConnectionPatch): Promise<void>;
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
}

export interface ChannelFactory {
  readonly integration: Integration;
  readonly capabilities: ReadonlySet<ChannelCapability>;
  /** Evolution's text for a route this channel does not support, e.g. `Method not available on Evolution Channel`. */
  readonly unsupportedMessage: string;
  open(instance: Instance, events: ChannelEvents): ChannelConnection;
}
