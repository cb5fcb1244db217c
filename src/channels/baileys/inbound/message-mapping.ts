// Baileys' WAMessage → Parley's InboundMessage (the msg object's content, key and type), and the small conversions
// every inbound mapping needs (Long timestamps, statuses, protobuf bytes in stored JSON). Pure functions.
import { getContentType, getDevice, normalizeMessageContent, proto, toNumber, type WAMessage, type WAMessageKey } from 'baileys';
import type { InboundMessage, MessageContent, MessageKey, MessageStatus } from '../../../domain/message.js';

/** WhatsApp Web's numeric statuses (`WebMessageInfo.Status`) by their Evolution names. */
const STATUS_NAMES: Record<number, MessageStatus> = { 0: 'ERROR', 1: 'PENDING', 2: 'SERVER_ACK', 3: 'DELIVERY_ACK', 4: 'READ', 5: 'PLAYED' };

export const MEDIA_TYPES = ['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage', 'ptvMessage'] as const;

export function statusName(status: number | null | undefined): MessageStatus | undefined {
  return status === null || status === undefined ? undefined : STATUS_NAMES[status];
}

/** Epoch seconds from Baileys' `number | Long` timestamps (0 when absent). */
export function seconds(value: number | { toNumber(): number } | null | undefined): number {
  return value === null || value === undefined ? 0 : toNumber(value as Parameters<typeof toNumber>[0]);
}

/** The key as Evolution shows it, LID-era fields kept; undefined when Baileys gave no chat or id. */
export function mapKey(key: WAMessageKey | null | undefined): MessageKey | undefined {
  if (!key?.remoteJid || !key.id) return undefined;
  const mode = key.addressingMode === 'lid' || key.addressingMode === 'pn' ? key.addressingMode : undefined;
  return {
    remoteJid: key.remoteJid,
    fromMe: key.fromMe === true,
    id: key.id,
    ...(key.participant ? { participant: key.participant } : {}),
    ...(key.remoteJidAlt ? { remoteJidAlt: key.remoteJidAlt } : {}),
    ...(key.participantAlt ? { participantAlt: key.participantAlt } : {}),
    ...(mode !== undefined ? { addressingMode: mode } : {}),
  };
}

/**
 * Protobuf values as Evolution's stored JSON shows them: bytes as objects keyed "0","1",… and 64-bit integers as
 * `{low, high, unsigned}`; empty fields dropped.
 */
export function toPlainJson<T>(value: T): T {
  return plain(value) as T;
}

// Walks the value itself: decoded protobuf objects have a `toJSON` that would turn bytes into base64 strings.
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Object.fromEntries(Array.from(value, (b, i) => [String(i), b]));
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object' || value === null) return value;
  if (isLong(value)) return { low: value.low, high: value.high, unsigned: value.unsigned };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = plain(v);
  return out;
}

function isLong(v: object): v is { low: number; high: number; unsigned: boolean } {
  return typeof (v as { low?: unknown }).low === 'number' && typeof (v as { high?: unknown }).high === 'number' && typeof (v as { unsigned?: unknown }).unsigned === 'boolean';
}

/** Bytes back from stored JSON (index-keyed object, Node's `{type:'Buffer'}`, base64) or as given. */
export function bytesFrom(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  if (typeof value !== 'object' || value === null) return undefined;
  const data = (value as { data?: unknown }).data;
  if (Array.isArray(data)) return Uint8Array.from(data as number[]);
  const entries = Object.entries(value as Record<string, unknown>).filter(([k, v]) => /^\d+$/.test(k) && typeof v === 'number');
  if (entries.length === 0) return undefined;
  return Uint8Array.from(entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v as number));
}

/**
 * The content as Evolution stores it: wrappers (ephemeral, view-once, document-with-caption) unwrapped, text with
 * metadata reduced to `conversation`, then plain JSON. `type` is the content key (`conversation`, `imageMessage` …).
 */
export function mapContent(message: proto.IMessage | null | undefined): { content: MessageContent; type: string; contextInfo: Record<string, unknown> | null } | undefined {
  const normalized = normalizeMessageContent(message);
  const type = getContentType(normalized);
  if (normalized === undefined || type === undefined) return undefined;
  const inner = normalized[type] as { contextInfo?: proto.IContextInfo | null } | null | undefined;
  const contextInfo = typeof inner === 'object' && inner?.contextInfo ? (toPlainJson(inner.contextInfo) as Record<string, unknown>) : null;
  const extras = normalized.messageContextInfo ? { messageContextInfo: toPlainJson(normalized.messageContextInfo) } : {};
  if (type === 'extendedTextMessage') {
    return { content: { conversation: normalized.extendedTextMessage?.text ?? '', ...extras }, type: 'conversation', contextInfo };
  }
  return { content: { [type]: toPlainJson(inner ?? {}), ...extras }, type, contextInfo };
}

/** What an upserted WAMessage is to Parley. */
export type UpsertKind =
  | { kind: 'message'; message: InboundMessage; hasMedia: boolean }
  /** Baileys could not decrypt it: a CIPHERTEXT stub with the reason in its parameters. */
  | { kind: 'undecryptable'; message: InboundMessage; stubParameters: string[] }
  | { kind: 'pollVote'; vote: proto.Message.IPollUpdateMessage }
  /** Protocol messages (edits, revokes, key shares …) act through `messages.update`; stubs carry no content. */
  | { kind: 'ignored'; reason: string };

export function classifyUpsert(m: WAMessage): UpsertKind {
  const key = mapKey(m.key);
  if (key === undefined) return { kind: 'ignored', reason: 'no key' };
  const base = { key, pushName: m.pushName ?? null, messageTimestamp: seconds(m.messageTimestamp), source: getDevice(key.id) };
  if (!m.message && m.messageStubType === proto.WebMessageInfo.StubType.CIPHERTEXT) {
    return {
      kind: 'undecryptable',
      message: { ...base, messageType: 'ciphertext', message: {} },
      stubParameters: (m.messageStubParameters ?? []).map(String),
    };
  }
  const normalized = normalizeMessageContent(m.message);
  if (normalized?.pollUpdateMessage) return { kind: 'pollVote', vote: normalized.pollUpdateMessage };
  if (normalized?.protocolMessage) return { kind: 'ignored', reason: 'protocol message' };
  const mapped = mapContent(m.message);
  if (mapped === undefined) return { kind: 'ignored', reason: m.messageStubType ? `stub ${m.messageStubType}` : 'no content' };
  const status = statusName(m.status);
  return {
    kind: 'message',
    message: { ...base, messageType: mapped.type, message: mapped.content, contextInfo: mapped.contextInfo, ...(status !== undefined ? { status } : {}) },
    hasMedia: (MEDIA_TYPES as readonly string[]).includes(mapped.type),
  };
}
