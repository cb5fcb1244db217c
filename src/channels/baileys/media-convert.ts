// Media conversions WhatsApp needs where Evolution converts: voice notes to OGG/Opus (ffmpeg, when installed) and
// stickers to WebP (sharp). Media that is already in the right format is passed through untouched, so neither tool
// is needed for it. A missing tool is a clear 400, never a broken message. Client URLs are fetched here, not by Baileys.
import { execFile, spawn } from 'node:child_process';
import { badRequest } from '../../domain/errors.js';
import type { MediaSource } from '../../domain/outbound.js';
import type { FetchedMedia, MediaDownloads } from '../../ports/channel.js';

export const FFMPEG_MISSING =
  'Converting this audio to a voice note (OGG/Opus) needs ffmpeg, and ffmpeg is not installed on this server: install ffmpeg, or send OGG/Opus audio with "encoding": false';

/**
 * Client media as bytes. A URL is fetched by the node's media downloads (outbound policy on every hop, size and time
 * bounds), never by Baileys, so a client cannot make this server reach an address the operator forbids; any failure
 * is a 400 that says why.
 */
export async function clientMedia(source: MediaSource, downloads: MediaDownloads, maxBytes: number): Promise<FetchedMedia> {
  if (source.kind === 'bytes') {
    if (source.data.length > maxBytes) throw badRequest(`The media is larger than ${maxBytes} bytes (PARLEY_MEDIA_MAX_MB)`);
    return { data: source.data };
  }
  try {
    return await downloads.fetch(source.url, { maxBytes });
  } catch (error) {
    throw badRequest(`Could not download the media from ${source.url}: ${(error as Error).message}`);
  }
}

/** Client media as a Buffer (what conversions and Baileys get). */
export async function mediaBytes(source: MediaSource, downloads: MediaDownloads, maxBytes: number): Promise<Buffer> {
  return (await clientMedia(source, downloads, maxBytes)).data;
}

/** An OGG container whose first stream is Opus (what WhatsApp plays as a voice note). */
export function isOggOpus(data: Buffer): boolean {
  return data.subarray(0, 4).toString('latin1') === 'OggS' && data.subarray(0, 200).includes('OpusHead');
}

export function isWebp(data: Buffer): boolean {
  return data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP';
}

let ffmpegProbe: Promise<boolean> | undefined;

/** Whether `ffmpeg` runs on this machine (checked once). */
export function ffmpegAvailable(command = 'ffmpeg'): Promise<boolean> {
  ffmpegProbe ??= new Promise((resolve) => execFile(command, ['-version'], { timeout: 10_000 }, (error) => resolve(error === null)));
  return ffmpegProbe;
}

/** Any audio → OGG/Opus, 48 kHz mono (WhatsApp's voice-note format). */
export async function toOggOpus(input: Buffer, command = 'ffmpeg'): Promise<Buffer> {
  if (!(await ffmpegAvailable(command))) throw badRequest(FFMPEG_MISSING);
  const args = ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-vn', '-c:a', 'libopus', '-b:a', '64k', '-ar', '48000', '-ac', '1', '-f', 'ogg', 'pipe:1'];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(badRequest(`ffmpeg could not convert the audio: ${Buffer.concat(err).toString().trim().slice(0, 300)}`));
    });
    child.stdin.on('error', () => undefined); // ffmpeg may stop reading early on bad input; its exit code tells
    child.stdin.end(input);
  });
}

/** Any image (animated GIF/WebP kept animated) → WebP sticker, at most 512 px on a side. */
export async function toWebpSticker(input: Buffer): Promise<{ data: Buffer; animated: boolean }> {
  // Loaded on first use: instances that never send stickers do not pay for libvips.
  const { default: sharp } = await import('sharp');
  try {
    const image = sharp(input, { animated: true });
    const meta = await image.metadata();
    const animated = (meta.pages ?? 1) > 1;
    const data = await image
      .resize(512, 512, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 }, withoutEnlargement: false })
      .webp({ quality: 80 })
      .toBuffer();
    return { data, animated };
  } catch (error) {
    throw badRequest(`The sticker could not be converted to WebP: ${(error as Error).message}`);
  }
}
