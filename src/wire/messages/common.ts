// What every `/message/send*` body shares (compat §3.5 "Metadata"), media given as URL/base64/upload, and the texts
// Evolution answers with. Messages that start with "must " get the field path in front (wire/validation.ts).
import { z } from 'zod';
import type { MediaSource, OutboundMessage } from '../../domain/outbound.js';
import { normalizeNumber } from '../jid.js';

/** Evolution's own texts, which clients match on. */
export const SEND_ERRORS = {
  textRequired: 'Text is required',
  base64FileName: 'For base64 the file name must be informed.',
  ownedMedia: 'Owned media must be a url or base64',
  /** `sendWhatsAppAudio` words it differently (Evolution 2.3.x). */
  ownedAudio: 'Owned media must be a url, base64, or valid file with buffer',
  reaction: 'Reaction must be a single emoji or empty string',
  atLeastOneButton: 'At least one button is required',
  maxReplyButtons: 'Maximum of 3 reply buttons allowed',
  replyMixed: 'Reply buttons cannot be mixed with other button types',
  onePix: 'Only one PIX button is allowed',
  pixMixed: 'PIX button cannot be mixed with other button types',
  statusContent: 'Content is required',
  statusJidList: 'StatusJidList is required',
  statusBackground: 'Background color is required',
  statusFont: 'Font is required',
  delay: 'Enter a value in milliseconds',
  number: 'Invalid format',
  mentioned: '"mentioned" must be an array of numeric strings',
  statusJids: '"statusJidList" must be an array of numeric strings',
  wuid: '"wuid" must be a numeric string',
} as const;

/** A field's own text for a wrong value, but the usual `requires property` when it is missing. */
export function unlessMissing(message: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? undefined : message);
}

/** Multipart form fields arrive as strings: `"true"`/`"false"` and digit strings are taken as what they say. */
export function formBoolean(schema: z.ZodBoolean = z.boolean()) {
  return z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), schema);
}

export function formInteger<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v), schema);
}

// ── Metadata ────────────────────────────────────────────────────────────────────────────────────────────────────

/** Phone digits or a full JID; normalized by `normalizeNumber` when mapped. */
export const numberSchema = z.string({ error: unlessMissing(SEND_ERRORS.number) }).min(1);

/** Milliseconds of typing/recording presence before the send. */
export const delaySchema = z
  .number({ error: unlessMissing(SEND_ERRORS.delay) })
  .int({ error: SEND_ERRORS.delay })
  .min(0, { error: SEND_ERRORS.delay });

/** Starts with digits, as Evolution's `^\d+` pattern: a number or a JID. */
const NUMERIC_START = /^\d+/;

export function numericStrings(message: string) {
  return z.array(z.string({ error: message }).regex(NUMERIC_START, { error: message })).superRefine(arrayRules(1));
}

export const quotedSchema = z.object({
  key: z.object({
    id: z.string().min(1),
    remoteJid: z.string().optional(),
    fromMe: z.boolean().optional(),
    participant: z.string().optional(),
  }),
  message: z.record(z.string(), z.unknown()).optional(),
});

/** Fields on every send body that has a recipient. */
export const metadataFields = {
  number: numberSchema,
  delay: delaySchema.optional(),
  quoted: quotedSchema.optional(),
  linkPreview: z.boolean().optional(),
  mentionsEveryOne: z.boolean().optional(),
  /** What Evolution's schema advertises; its code reads `mentionsEveryOne`. Both are honoured. */
  everyOne: z.boolean().optional(),
  mentioned: numericStrings(SEND_ERRORS.mentioned).optional(),
};

/** The same fields for multipart routes, where form fields are strings. */
export const formMetadataFields = {
  ...metadataFields,
  delay: formInteger(delaySchema).optional(),
  linkPreview: formBoolean().optional(),
  mentionsEveryOne: formBoolean().optional(),
  everyOne: formBoolean().optional(),
};

export interface Metadata {
  number: string;
  delay?: number | undefined;
  quoted?: z.output<typeof quotedSchema> | undefined;
  mentionsEveryOne?: boolean | undefined;
  everyOne?: boolean | undefined;
  mentioned?: string[] | undefined;
}

/** The recipient and send options of a body; `content` is the route's. */
export function outbound(body: Metadata, content: OutboundMessage['content'], to = normalizeNumber(body.number)): OutboundMessage {
  const message: OutboundMessage = { to, content };
  if (body.quoted !== undefined) {
    const { key, message: quotedMessage } = body.quoted;
    // Evolution loads the quoted message by `key.id` alone; the chat and direction default to this send's.
    message.quoted = {
      key: { id: key.id, remoteJid: key.remoteJid ?? to, fromMe: key.fromMe ?? false, ...(key.participant !== undefined ? { participant: key.participant } : {}) },
      ...(quotedMessage !== undefined ? { message: quotedMessage } : {}),
    };
  }
  if (body.mentioned !== undefined) {
    // As Evolution: each mention becomes a user JID; a group id cannot be mentioned.
    message.mentioned = body.mentioned.map(normalizeNumber).filter((jid) => !jid.endsWith('@g.us'));
  }
  if (body.mentionsEveryOne !== undefined || body.everyOne !== undefined) {
    message.mentionsEveryOne = body.mentionsEveryOne === true || body.everyOne === true;
  }
  if (body.delay !== undefined) message.delayMs = body.delay;
  return message;
}

// ── Media ───────────────────────────────────────────────────────────────────────────────────────────────────────

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URI = /^data:[^;,]+;base64,/;

function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\/[^\s]+$/i.test(value)) return false;
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}

/** Standard base64, not empty (MIME line breaks ignored, a `data:…;base64,` prefix accepted). */
function base64Payload(value: string): string | undefined {
  const payload = value.replace(DATA_URI, '').replace(/\r?\n/g, '');
  if (payload.length === 0 || payload.length % 4 !== 0 || !BASE64.test(payload)) return undefined;
  return payload;
}

export type MediaKind = 'url' | 'base64';

/** `url`, `base64`, or undefined when the string is neither (Evolution: "Owned media must be a url or base64"). */
export function mediaKind(value: string): MediaKind | undefined {
  if (isHttpUrl(value)) return 'url';
  return base64Payload(value) !== undefined ? 'base64' : undefined;
}

/** A media string that passed `mediaKind`, or an uploaded file, as the domain's MediaSource. */
export function mediaSource(value: string | undefined, file?: Buffer): MediaSource {
  if (file !== undefined) return { kind: 'bytes', data: file };
  if (value === undefined) throw new Error('media source missing: the schema should have refused this body');
  if (isHttpUrl(value)) return { kind: 'url', url: value };
  const payload = base64Payload(value);
  if (payload === undefined) throw new Error('media is neither URL nor base64: the schema should have refused this body');
  return { kind: 'bytes', data: Buffer.from(payload, 'base64') };
}

/** The multipart upload (single field `file`); a JSON body cannot hold a Buffer, so anything else there is ignored. */
export const fileSchema = z.instanceof(Buffer).optional().catch(undefined);

// ── Helpers ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** The object without its undefined properties (so an absent field stays absent in the domain value). */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Array size and uniqueness (JSON-schema `minItems`/`maxItems`/`uniqueItems`, deep equality) as "must …" issues. */
export function arrayRules(min: number, max = Number.POSITIVE_INFINITY) {
  return (list: readonly unknown[], ctx: z.RefinementCtx<readonly unknown[]>) => {
    if (list.length < min) ctx.addIssue({ code: 'custom', message: `must have at least ${min} item${min === 1 ? '' : 's'}` });
    if (list.length > max) ctx.addIssue({ code: 'custom', message: `must have at most ${max} items` });
    const seen = new Set(list.map((item) => JSON.stringify(item)));
    if (seen.size !== list.length) ctx.addIssue({ code: 'custom', message: 'must not contain duplicate items' });
  };
}
