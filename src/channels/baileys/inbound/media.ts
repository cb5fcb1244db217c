// Media of received WhatsApp messages: downloaded (and decrypted) from WhatsApp's media CDN before the message goes
// to core, through the node's media downloads (outbound policy, size and time bounds) — the CDN address comes from
// the message itself, which its sender wrote. Expired media (404/410) is re-requested from the phone once. A media
// that cannot be fetched never holds its message back: the message is stored without it, as Evolution does.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { downloadMediaMessage, extractMessageContent, getContentType, type WAMessage } from 'baileys';
import type { InboundMessage } from '../../../domain/message.js';
import type { MediaDownloads } from '../../../ports/channel.js';
import type { InboundContext } from './context.js';

/** The CDN answers these for media it no longer has; the phone can upload it again. */
const EXPIRED = new Set([404, 410]);

export type MediaOutcome = { ok: true; data: Buffer; mimetype: string; fileName?: string } | { ok: false; reason: string };

interface MediaDetails {
  mimetype?: string | null;
  fileName?: string | null;
  fileLength?: number | string | { toNumber(): number } | null;
  fileSha256?: Uint8Array | string | null;
}

class MediaTooLarge extends Error {}

function lengthOf(value: MediaDetails['fileLength']): number | undefined {
  if (value === null || value === undefined) return undefined;
  // A protobuf Long prints as its decimal value.
  const n = Number(String(value));
  return Number.isFinite(n) ? n : undefined;
}

/** The media object of the raw message (the proto, with Longs and byte arrays), wrappers such as view-once removed. */
function detailsOf(raw: WAMessage): MediaDetails {
  const content = extractMessageContent(raw.message);
  const type = content ? getContentType(content) : undefined;
  const media = content && type ? (content as Record<string, unknown>)[type] : undefined;
  return typeof media === 'object' && media !== null ? (media as MediaDetails) : {};
}

function bytesOf(value: MediaDetails['fileSha256']): Buffer | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value);
}

/** The HTTP status of a failed download (Baileys throws a Boom carrying it). */
function statusOf(error: unknown): number | undefined {
  const e = error as { output?: { statusCode?: unknown }; status?: unknown };
  const status = e.output?.statusCode ?? e.status;
  return typeof status === 'number' ? status : undefined;
}

/** Reads a decrypting stream to the end, refusing more than `maxBytes` and giving up after `timeoutMs`. */
async function readBounded(stream: Readable, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const timer = setTimeout(() => stream.destroy(new Error(`no complete download within ${timeoutMs} ms`)), timeoutMs);
  timer.unref?.();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        stream.destroy();
        throw new MediaTooLarge(`the media is larger than ${maxBytes} bytes (PARLEY_MEDIA_MAX_MB)`);
      }
      chunks.push(chunk as Buffer);
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks);
}

async function downloadOnce(message: WAMessage, media: MediaDownloads): Promise<Buffer> {
  // Baileys passes `options` to its fetch: the dispatcher puts every connection (and redirect) under the policy.
  const stream = await downloadMediaMessage(message, 'stream', { options: { dispatcher: media.dispatcher } as unknown as RequestInit });
  return readBounded(stream, media.maxBytes, media.timeoutMs);
}

/** Downloads and decrypts a received message's media; never throws. */
export async function downloadReceivedMedia(ctx: InboundContext, raw: WAMessage, message: InboundMessage): Promise<MediaOutcome> {
  try {
    return await download(ctx, raw, message);
  } catch (error) {
    return { ok: false, reason: (error as Error).message.replace(/\?\S*/g, '?…') };
  }
}

async function download(ctx: InboundContext, raw: WAMessage, message: InboundMessage): Promise<MediaOutcome> {
  const details = detailsOf(raw);
  const media = ctx.media;
  if (media === undefined) return { ok: false, reason: 'this connection has no media downloads' };
  const declared = lengthOf(details.fileLength);
  if (declared !== undefined && declared > media.maxBytes) return { ok: false, reason: `the media is ${declared} bytes, more than ${media.maxBytes} (PARLEY_MEDIA_MAX_MB)` };
  let data: Buffer;
  try {
    try {
      data = await downloadOnce(raw, media);
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || !EXPIRED.has(status)) throw error;
      const socket = ctx.socket();
      if (socket === undefined) throw new Error(`the CDN answered ${status} and the socket is closed, so the phone cannot be asked to upload it again`);
      ctx.logger.info({ keyId: message.key.id, status }, 'received media expired on the CDN: asking the phone to upload it again');
      data = await downloadOnce(await socket.updateMediaMessage(raw), media);
    }
  } catch (error) {
    const status = statusOf(error);
    // fetch reports "fetch failed"; what failed (a refused address, a reset) is its cause.
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    const reason = `${(error as Error).message}${cause ? `: ${cause}` : ''}${status !== undefined ? ` (HTTP ${status})` : ''}`;
    // CDN URLs carry signed query parameters: they stay out of the logs.
    return { ok: false, reason: reason.replace(/\?\S*/g, '?…') };
  }
  // The plaintext hash the sender put in the message: a mismatch is corrupt or substituted media.
  const expected = bytesOf(details.fileSha256);
  if (expected !== undefined && expected.length > 0 && !createHash('sha256').update(data).digest().equals(expected)) {
    return { ok: false, reason: 'the downloaded media does not match the fileSha256 of the message' };
  }
  return { ok: true, data, mimetype: details.mimetype ?? 'application/octet-stream', ...(details.fileName ? { fileName: details.fileName } : {}) };
}

/** The message with its media attached, or without it (logged) when the media could not be had. */
export async function withReceivedMedia(ctx: InboundContext, raw: WAMessage, message: InboundMessage): Promise<InboundMessage> {
  // A message stored before (a redelivery) keeps its media: core skips it, so nothing is downloaded again.
  if ((await ctx.events.findMessage(message.key.id)) !== undefined) return message;
  const outcome = await downloadReceivedMedia(ctx, raw, message);
  if (!outcome.ok) {
    ctx.logger.warn(
      { keyId: message.key.id, messageType: message.messageType, reason: outcome.reason },
      'the media of a received message could not be downloaded; the message is stored without it',
    );
    return message;
  }
  const { data, mimetype, fileName } = outcome;
  return { ...message, media: { download: async () => ({ data, mimetype, ...(fileName ? { fileName } : {}) }) } };
}
