// Messages. The content model is WhatsApp's message JSON (`{conversation}`, `{imageMessage:{…}}` …): every channel
// maps its provider's format onto it, and Evolution's msg object carries it as `message`.

export interface MessageKey {
  remoteJid: string;
  fromMe: boolean;
  id: string;
  participant?: string;
  remoteJidAlt?: string;
  participantAlt?: string;
  addressingMode?: 'pn' | 'lid';
}

/** WhatsApp's statuses (numeric 0–5 on the wire of WhatsApp Web), plus Cloud API's upper-cased ones. */
export type MessageStatus = 'ERROR' | 'PENDING' | 'SERVER_ACK' | 'DELIVERY_ACK' | 'READ' | 'PLAYED' | 'DELETED' | 'EDITED' | 'SENT' | 'DELIVERED' | 'FAILED';

export type MessageSource = 'ios' | 'android' | 'web' | 'desktop' | 'unknown';

/** WhatsApp message content: exactly one content key (`conversation`, `imageMessage`, …) plus optional extras. */
export type MessageContent = Record<string, unknown>;

export interface Message {
  /** Parley's row id. */
  id: string;
  instanceId: string;
  key: MessageKey;
  pushName: string | null;
  messageType: string;
  message: MessageContent;
  contextInfo: Record<string, unknown> | null;
  source: MessageSource;
  /** Epoch seconds. */
  messageTimestamp: number;
  status: MessageStatus;
}

/** A message a channel received (or saw sent from the phone), before it is stored. */
export interface InboundMessage {
  key: MessageKey;
  pushName: string | null;
  messageType: string;
  message: MessageContent;
  contextInfo?: Record<string, unknown> | null;
  messageTimestamp: number;
  source?: MessageSource;
  status?: MessageStatus;
  /** Media the channel can fetch; core stores it before the message is acknowledged. */
  media?: InboundMedia;
  profilePicUrl?: string | null;
}

export interface InboundMedia {
  /** Fetches the bytes from the provider (e.g. Graph media download). */
  download(): Promise<{ data: Buffer; mimetype: string; fileName?: string }>;
}

/** A receipt or status change of a stored message. */
export interface StatusUpdate {
  keyId: string;
  remoteJid: string;
  fromMe: boolean;
  participant?: string | null;
  status: MessageStatus;
  /** Provider time of the status (epoch seconds), to order late arrivals. */
  timestamp: number;
  error?: { code: number | string; title: string; details?: string } | null;
}

/** The first content key names the type; Evolution normalizes text with metadata to plain `conversation`. */
export function messageTypeOf(content: MessageContent): string {
  const key = Object.keys(content).find((k) => k !== 'messageContextInfo' && k !== 'base64' && k !== 'mediaUrl' && k !== 'speechToText');
  return key ?? 'unknown';
}

/** Higher ranks win, so a late `delivered` never overwrites `read`. */
const STATUS_RANK: Record<MessageStatus, number> = {
  ERROR: 0, PENDING: 1, SERVER_ACK: 2, SENT: 2, DELIVERY_ACK: 3, DELIVERED: 3, READ: 4, PLAYED: 5, FAILED: 6, EDITED: 7, DELETED: 8,
};

export function isStatusAdvance(current: MessageStatus, next: MessageStatus): boolean {
  return STATUS_RANK[next] > STATUS_RANK[current];
}
