// `/message/sendMedia|sendPtv|sendWhatsAppAudio|sendSticker|sendStatus` (compat §3.5): the routes that take media as
// a URL, base64, or a multipart upload (field `file`, put on the body by the HTTP layer; other form fields arrive as
// strings, so booleans and integers are also read from "true"/"false"/"123").
import { z } from 'zod';
import type { OutboundMessage } from '../../domain/outbound.js';
import { normalizeNumber } from '../jid.js';
import {
  compact,
  fileSchema,
  formBoolean,
  formInteger,
  formMetadataFields,
  mediaKind,
  mediaSource,
  numericStrings,
  outbound,
  SEND_ERRORS,
} from './common.js';

export const MEDIA_TYPES = ['image', 'document', 'video', 'audio'] as const;
export const STATUS_TYPES = ['text', 'image', 'video', 'audio'] as const;

type Ctx = z.RefinementCtx<unknown>;

/** Media given as `field` (URL or base64) unless a file was uploaded; else Evolution's "Owned media …" text. */
function checkMedia(value: string | undefined, file: Buffer | undefined, field: string, ctx: Ctx, message: string = SEND_ERRORS.ownedMedia): void {
  if (file !== undefined) return;
  if (value === undefined || mediaKind(value) === undefined) ctx.addIssue({ code: 'custom', path: [field], message });
}

// ── sendMedia ───────────────────────────────────────────────────────────────────────────────────────────────────

export const sendMediaBody = z
  .object({
    ...formMetadataFields,
    mediatype: z.enum(MEDIA_TYPES),
    media: z.string().optional(),
    file: fileSchema,
    mimetype: z.string().optional(),
    caption: z.string().optional(),
    fileName: z.string().optional(),
  })
  .superRefine((body, ctx) => {
    // An upload's own name is the HTTP layer's to fill in; base64 has none, so a document needs one.
    if (body.file === undefined && body.media !== undefined && mediaKind(body.media) === 'base64' && body.mediatype === 'document' && !body.fileName) {
      ctx.addIssue({ code: 'custom', path: ['fileName'], message: SEND_ERRORS.base64FileName });
      return;
    }
    checkMedia(body.media, body.file, 'media', ctx);
  });

export type SendMediaBody = z.output<typeof sendMediaBody>;

export function toMediaMessage(body: SendMediaBody): OutboundMessage {
  const { mediatype, mimetype, caption, fileName } = body;
  return outbound(body, { kind: 'media', mediatype, media: mediaSource(body.media, body.file), ...compact({ mimetype, caption, fileName }) });
}

// ── sendPtv (round video note) ─────────────────────────────────────────────────────────────────────────────────

export const sendPtvBody = z
  .object({ ...formMetadataFields, video: z.string().optional(), file: fileSchema })
  .superRefine((body, ctx) => checkMedia(body.video, body.file, 'video', ctx));

export type SendPtvBody = z.output<typeof sendPtvBody>;

export function toPtvMessage(body: SendPtvBody): OutboundMessage {
  return outbound(body, { kind: 'ptv', media: mediaSource(body.video, body.file) });
}

// ── sendWhatsAppAudio (voice note) ─────────────────────────────────────────────────────────────────────────────

export const sendWhatsAppAudioBody = z
  .object({
    ...formMetadataFields,
    audio: z.string().optional(),
    file: fileSchema,
    /** Convert to OGG/Opus before sending; default true. */
    encoding: formBoolean().optional(),
  })
  .superRefine((body, ctx) => checkMedia(body.audio, body.file, 'audio', ctx, SEND_ERRORS.ownedAudio));

export type SendWhatsAppAudioBody = z.output<typeof sendWhatsAppAudioBody>;

export function toWhatsAppAudioMessage(body: SendWhatsAppAudioBody): OutboundMessage {
  return outbound(body, { kind: 'voice', media: mediaSource(body.audio, body.file), encoding: body.encoding ?? true });
}

// ── sendSticker ─────────────────────────────────────────────────────────────────────────────────────────────────

export const sendStickerBody = z
  .object({
    ...formMetadataFields,
    sticker: z.string().optional(),
    file: fileSchema,
    /** Send the bytes as they are instead of converting to WebP. */
    notConvertSticker: formBoolean().optional(),
  })
  .superRefine((body, ctx) => checkMedia(body.sticker, body.file, 'sticker', ctx));

export type SendStickerBody = z.output<typeof sendStickerBody>;

export function toStickerMessage(body: SendStickerBody): OutboundMessage {
  return outbound(body, { kind: 'sticker', media: mediaSource(body.sticker, body.file), convert: body.notConvertSticker !== true });
}

// ── sendStatus (posted to status@broadcast; no `number`) ───────────────────────────────────────────────────────

export const STATUS_JID = 'status@broadcast';

export const sendStatusBody = z
  .object({
    type: z.enum(STATUS_TYPES),
    /** The text of a text status; the media (URL or base64) of the others, unless a file is uploaded. */
    content: z.string().optional(),
    file: fileSchema,
    caption: z.string().optional(),
    backgroundColor: z.string().optional(),
    /** WhatsApp's text-status font index. */
    font: formInteger(z.number().int().min(0).max(5)).optional(),
    statusJidList: numericStrings(SEND_ERRORS.statusJids).optional(),
    allContacts: formBoolean().optional(),
  })
  .superRefine((body, ctx) => {
    // Evolution's order: content, recipients, then the text-only styling.
    const text = body.type === 'text';
    if ((text || body.file === undefined) && (body.content === undefined || body.content === '')) {
      ctx.addIssue({ code: 'custom', path: ['content'], message: SEND_ERRORS.statusContent });
    } else if (!text) {
      checkMedia(body.content, body.file, 'content', ctx);
    }
    if ((body.statusJidList === undefined || body.statusJidList.length === 0) && body.allContacts !== true) {
      ctx.addIssue({ code: 'custom', path: ['statusJidList'], message: SEND_ERRORS.statusJidList });
    }
    if (text && !body.backgroundColor) ctx.addIssue({ code: 'custom', path: ['backgroundColor'], message: SEND_ERRORS.statusBackground });
    if (text && body.font === undefined) ctx.addIssue({ code: 'custom', path: ['font'], message: SEND_ERRORS.statusFont });
  });

export type SendStatusBody = z.output<typeof sendStatusBody>;

export function toStatusMessage(body: SendStatusBody): OutboundMessage {
  const { type, caption, backgroundColor, font, allContacts } = body;
  const content = type === 'text' ? body.content! : mediaSource(body.content, body.file);
  const statusJidList = body.statusJidList?.map(normalizeNumber);
  return { to: STATUS_JID, content: { kind: 'status', type, content, ...compact({ caption, backgroundColor, font, statusJidList, allContacts }) } };
}
