// Media both ways: MIME types and file names for what we send, upload of bytes, and the two-step Graph download
// (GET /{media-id} for a short-lived URL, then GET that URL with the same Bearer token) for what we receive.
import { createHash } from 'node:crypto';
import type { MediaSource } from '../../domain/outbound.js';
import type { GraphClient } from './graph-client.js';

export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker' | 'voice';

const BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif',
  mp4: 'video/mp4', '3gp': 'video/3gpp', mov: 'video/quicktime',
  ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg', mp3: 'audio/mpeg', m4a: 'audio/mp4', aac: 'audio/aac', amr: 'audio/amr',
  pdf: 'application/pdf', txt: 'text/plain', csv: 'text/csv', zip: 'application/zip',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

const DEFAULTS: Record<MediaKind, string> = {
  image: 'image/jpeg', video: 'video/mp4', audio: 'audio/mpeg', document: 'application/octet-stream', sticker: 'image/webp', voice: 'audio/ogg',
};

/** The type from the first bytes of a file, for the formats WhatsApp accepts. */
export function sniffMimetype(data: Buffer, kind: MediaKind): string | undefined {
  const ascii = (from: number, to: number) => data.subarray(from, to).toString('latin1');
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'image/png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 4) === 'GIF8') return 'image/gif';
  if (ascii(0, 4) === 'OggS') return 'audio/ogg';
  if (ascii(0, 5) === '#!AMR') return 'audio/amr';
  if (ascii(0, 3) === 'ID3' || (data[0] === 0xff && ((data[1] ?? 0) & 0xf6) === 0xf2)) return 'audio/mpeg';
  if (data[0] === 0xff && ((data[1] ?? 0) & 0xf6) === 0xf0) return 'audio/aac';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand.startsWith('3gp')) return 'video/3gpp';
    if (brand === 'M4A ' || kind === 'audio' || kind === 'voice') return 'audio/mp4';
    return 'video/mp4';
  }
  if (ascii(0, 4) === '%PDF') return 'application/pdf';
  return undefined;
}

function byExtension(name: string | undefined): string | undefined {
  const extension = name === undefined ? undefined : /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : BY_EXTENSION[extension];
}

/** The last path segment of a URL, when it looks like a file name. */
export function fileNameFromUrl(url: string): string | undefined {
  try {
    const segment = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    return /\.[a-z0-9]{1,8}$/i.test(segment) ? segment : undefined;
  } catch {
    return undefined;
  }
}

/** Explicit type first, then the bytes, then the file name or URL extension, then the kind's default. */
export function mimetypeFor(kind: MediaKind, source: MediaSource, explicit?: string, fileName?: string): string {
  if (explicit !== undefined && explicit.trim() !== '') return explicit.trim();
  if (kind === 'sticker') return 'image/webp';
  if (source.kind === 'bytes') return sniffMimetype(source.data, kind) ?? byExtension(fileName) ?? DEFAULTS[kind];
  return byExtension(fileName) ?? byExtension(fileNameFromUrl(source.url)) ?? DEFAULTS[kind];
}

/** Uploads bytes as `POST /{phone-number-id}/media` (multipart: file, type, messaging_product) and returns the media id. */
export async function uploadMedia(client: GraphClient, phoneNumberId: string, data: Buffer, mimetype: string, fileName: string): Promise<string> {
  const answer = await client.postForm<{ id?: unknown }>(`${phoneNumberId}/media`, () => {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', mimetype);
    form.append('file', new Blob([new Uint8Array(data)], { type: mimetype }), fileName);
    return form;
  });
  if (typeof answer.id !== 'string' && typeof answer.id !== 'number') throw new Error('WhatsApp Business API media upload returned no id');
  return String(answer.id);
}

/** Resolves an inbound media id and downloads its bytes, checking Meta's sha256 when it gives one. */
export async function downloadMedia(
  client: GraphClient,
  mediaId: string,
  hint: { mimetype?: string; fileName?: string; sha256?: string },
): Promise<{ data: Buffer; mimetype: string; fileName?: string }> {
  const info = await client.getJson<{ url?: unknown; mime_type?: unknown; sha256?: unknown }>(encodeURIComponent(mediaId));
  if (typeof info.url !== 'string' || info.url === '') throw new Error(`WhatsApp Business API returned no URL for media ${mediaId}`);
  const { data, contentType } = await client.download(info.url);
  const expected = typeof info.sha256 === 'string' && info.sha256 !== '' ? info.sha256 : hint.sha256;
  if (expected !== undefined && !sha256Matches(data, expected)) throw new Error(`media ${mediaId}: sha256 does not match the downloaded bytes`);
  const mimetype = (typeof info.mime_type === 'string' && info.mime_type) || hint.mimetype || contentType?.split(';')[0] || 'application/octet-stream';
  return hint.fileName === undefined ? { data, mimetype } : { data, mimetype, fileName: hint.fileName };
}

/** Meta documents the hash as hex in one place and base64 in another: accept any of its encodings. */
function sha256Matches(data: Buffer, expected: string): boolean {
  const digest = createHash('sha256').update(data).digest();
  const wanted = expected.trim();
  return digest.toString('hex') === wanted.toLowerCase() || digest.toString('base64') === wanted || digest.toString('base64url') === wanted.replace(/=+$/, '');
}
