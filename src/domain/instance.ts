// The instance: one connected number (or channel account) and its settings. Pure types and rules.

export const INTEGRATIONS = ['WHATSAPP-BAILEYS', 'WHATSAPP-BUSINESS', 'EVOLUTION'] as const;
export type Integration = (typeof INTEGRATIONS)[number];

export const CONNECTION_STATES = ['open', 'connecting', 'close'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export const PRESENCES = ['available', 'unavailable', 'composing', 'recording', 'paused'] as const;
export type Presence = (typeof PRESENCES)[number];

export interface Instance {
  id: string;
  name: string;
  clientName: string;
  integration: Integration;
  connectionStatus: ConnectionState;
  ownerJid: string | null;
  profileName: string | null;
  profilePicUrl: string | null;
  number: string | null;
  businessId: string | null;
  token: string;
  disconnectionReasonCode: number | null;
  disconnectionObject: string | null;
  disconnectionAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface InstanceSettings {
  rejectCall: boolean;
  msgCall: string;
  groupsIgnore: boolean;
  alwaysOnline: boolean;
  readMessages: boolean;
  readStatus: boolean;
  syncFullHistory: boolean;
  wavoipToken: string;
}

export const DEFAULT_SETTINGS: InstanceSettings = {
  rejectCall: false,
  msgCall: '',
  groupsIgnore: false,
  alwaysOnline: false,
  readMessages: false,
  readStatus: false,
  syncFullHistory: false,
  wavoipToken: '',
};

export const PROXY_PROTOCOLS = ['http', 'https', 'socks4', 'socks5'] as const;
export type ProxyProtocol = (typeof PROXY_PROTOCOLS)[number];

export interface ProxySettings {
  enabled: boolean;
  host: string;
  port: string;
  protocol: ProxyProtocol | '';
  username: string;
  password: string;
}

/**
 * Instance names end up in URL paths, file names, broker queue names (`<name>.<event>`), NATS subjects and MQTT
 * topics. Letters (any script), digits, `-` and `_` are safe in all of them; `.`, `/`, `*`, `>`, `+`, `#`, spaces
 * and control characters are not.
 */
export const INSTANCE_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,63}$/u;
export const INSTANCE_NAME_RULE = 'use 1 to 64 letters, digits, "-" or "_", starting with a letter or digit';

export function isValidInstanceName(name: string): boolean {
  return INSTANCE_NAME_PATTERN.test(name);
}

/** Evolution keeps non-Baileys channels `open` from creation; Baileys starts `close` until paired. */
export function initialConnectionState(integration: Integration, channelAvailable: boolean): ConnectionState {
  if (!channelAvailable) return 'close';
  return integration === 'WHATSAPP-BAILEYS' ? 'close' : 'open';
}
