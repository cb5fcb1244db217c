// Outbound content (domain) → Baileys' `sendMessage(jid, content, options)`. Conversions happen here (voice notes to
// OGG/Opus, stickers to WebP); lists and buttons, which Baileys v7 cannot send, are degraded to formatted text.
// Client URLs are fetched here (media-convert.ts, under the outbound policy): Baileys only ever gets bytes.
import type { AnyMessageContent, MiscMessageGenerationOptions, proto, WAMessage } from 'baileys';
import { badRequest } from '../../domain/errors.js';
import type { MessageKey } from '../../domain/message.js';
import type { ButtonSpec, ContactCard, ListSection, MediaSource, OutboundContent, OutboundMessage } from '../../domain/outbound.js';
import type { FetchedMedia, MediaDownloads } from '../../ports/channel.js';
import { clientMedia, isOggOpus, isWebp, mediaBytes, toOggOpus, toWebpSticker } from './media-convert.js';

export const STATUS_BROADCAST = 'status@broadcast';

export interface SendPlan {
  jid: string;
  content: AnyMessageContent;
  options: MiscMessageGenerationOptions;
  /** The presence shown while the requested delay runs. */
  presence: 'composing' | 'recording';
}

export interface SendMappingContext {
  /** Participant JIDs of a group (for `mentionsEveryOne`). */
  groupParticipants(groupJid: string): Promise<string[]>;
  maxMediaBytes: number;
  /** The node's media downloads (outbound policy, size and time bounds). */
  media: MediaDownloads;
}

export function toWAKey(key: MessageKey): proto.IMessageKey {
  return { remoteJid: key.remoteJid, fromMe: key.fromMe, id: key.id, ...(key.participant ? { participant: key.participant } : {}) };
}

/** The bytes Baileys encrypts and uploads (a `{url}` would make Baileys fetch it, past the outbound policy). */
function upload(source: MediaSource, ctx: SendMappingContext): Promise<Buffer> {
  return mediaBytes(source, ctx.media, ctx.maxMediaBytes);
}

export async function planSend(outbound: OutboundMessage, ctx: SendMappingContext): Promise<SendPlan> {
  const { content } = outbound;
  const options: MiscMessageGenerationOptions = {};
  if (outbound.quoted !== undefined && content.kind !== 'reaction') {
    options.quoted = { key: toWAKey(outbound.quoted.key), message: (outbound.quoted.message ?? {}) as proto.IMessage } as WAMessage;
  }
  const jid = content.kind === 'reaction' ? content.key.remoteJid : outbound.to;
  const presence = content.kind === 'voice' || (content.kind === 'media' && content.mediatype === 'audio') ? 'recording' : 'composing';
  const mapped = await contentOf(content, ctx, options);
  const mentions = await mentionsOf(outbound, jid, ctx);
  const withMentions = mentions.length > 0 && 'text' in mapped ? { ...mapped, mentions } : mentions.length > 0 && 'caption' in mapped ? { ...mapped, mentions } : mapped;
  return { jid, content: withMentions as AnyMessageContent, options, presence };
}

async function mentionsOf(outbound: OutboundMessage, jid: string, ctx: SendMappingContext): Promise<string[]> {
  if (outbound.mentionsEveryOne === true && jid.endsWith('@g.us')) return ctx.groupParticipants(jid);
  return outbound.mentioned ?? [];
}

async function contentOf(content: OutboundContent, ctx: SendMappingContext, options: MiscMessageGenerationOptions): Promise<AnyMessageContent> {
  switch (content.kind) {
    case 'text':
      return { text: content.text };
    case 'media':
      return mediaContent(content, ctx);
    case 'ptv':
      return { video: await upload(content.media, ctx), ptv: true };
    case 'voice':
      return { audio: await voiceNote(content.media, content.encoding, ctx), mimetype: 'audio/ogg; codecs=opus', ptt: true };
    case 'sticker': {
      const data = await upload(content.media, ctx);
      if (!content.convert) return { sticker: data };
      if (isWebp(data)) return { sticker: data };
      const webp = await toWebpSticker(data);
      return { sticker: webp.data, isAnimated: webp.animated };
    }
    case 'location':
      return { location: { degreesLatitude: content.latitude, degreesLongitude: content.longitude, name: content.name, address: content.address } };
    case 'contacts':
      return {
        contacts: {
          displayName: content.contacts.length === 1 ? content.contacts[0]!.fullName : `${content.contacts.length} contacts`,
          contacts: content.contacts.map((c) => ({ displayName: c.fullName, vcard: vcard(c) })),
        },
      };
    case 'reaction':
      return { react: { text: content.reaction, key: toWAKey(content.key) } };
    case 'poll':
      return { poll: { name: content.name, values: content.values, selectableCount: content.selectableCount } };
    case 'list':
      return { text: listAsText(content) };
    case 'buttons':
      return { text: buttonsAsText(content) };
    case 'status':
      return statusContent(content, options, ctx);
    case 'template':
      throw badRequest('Method not available on WhatsApp Web (templates are a WhatsApp Business API feature)');
  }
}

async function mediaContent(content: Extract<OutboundContent, { kind: 'media' }>, ctx: SendMappingContext): Promise<AnyMessageContent> {
  const fetched = await clientMedia(content.media, ctx.media, ctx.maxMediaBytes);
  const media = fetched.data;
  const caption = content.caption;
  switch (content.mediatype) {
    case 'image':
      return { image: media, ...(caption ? { caption } : {}), ...(content.mimetype ? { mimetype: content.mimetype } : {}) };
    case 'video':
      return { video: media, ...(caption ? { caption } : {}), ...(content.mimetype ? { mimetype: content.mimetype } : {}) };
    case 'audio':
      return { audio: media, mimetype: content.mimetype ?? 'audio/mp4' };
    case 'document':
      return {
        document: media,
        mimetype: content.mimetype ?? usefulType(fetched) ?? 'application/octet-stream',
        fileName: content.fileName ?? fetched.fileName ?? fileNameOf(content.media) ?? 'file',
        ...(caption ? { caption } : {}),
      };
  }
}

function fileNameOf(source: MediaSource): string | undefined {
  if (source.kind !== 'url') return undefined;
  try {
    const last = new URL(source.url).pathname.split('/').pop();
    return last ? decodeURIComponent(last) : undefined;
  } catch {
    return undefined;
  }
}

/** A server's Content-Type when it says more than "some bytes". */
function usefulType(fetched: FetchedMedia): string | undefined {
  const type = fetched.mimetype?.split(';')[0]?.trim().toLowerCase();
  return type === undefined || type === '' || type === 'application/octet-stream' ? undefined : type;
}

/** Voice notes must be OGG/Opus. `encoding` (Evolution's default true) converts anything else with ffmpeg. */
async function voiceNote(source: MediaSource, encoding: boolean, ctx: SendMappingContext): Promise<Buffer> {
  const data = await upload(source, ctx);
  if (!encoding) return data;
  return isOggOpus(data) ? data : toOggOpus(data);
}

async function statusContent(content: Extract<OutboundContent, { kind: 'status' }>, options: MiscMessageGenerationOptions, ctx: SendMappingContext): Promise<AnyMessageContent> {
  if (content.statusJidList === undefined || content.statusJidList.length === 0) {
    // `allContacts` needs the saved contacts of the phone, which this server does not keep as a list to post to.
    throw badRequest('statusJidList is required: list the numbers that may see the status ("allContacts" is not supported)');
  }
  options.statusJidList = content.statusJidList;
  if (content.type === 'text') {
    if (typeof content.content !== 'string') throw badRequest('A text status needs "content" as text');
    if (content.backgroundColor !== undefined) options.backgroundColor = content.backgroundColor;
    if (content.font !== undefined) options.font = content.font;
    return { text: content.content };
  }
  const source: MediaSource = typeof content.content === 'string' ? { kind: 'url', url: content.content } : content.content;
  const caption = content.caption ? { caption: content.caption } : {};
  const data = await upload(source, ctx);
  if (content.type === 'image') return { image: data, ...caption };
  if (content.type === 'video') return { video: data, ...caption };
  return { audio: data, mimetype: 'audio/ogg; codecs=opus', ptt: true };
}

/** A vCard 3.0 whose phone carries `waid`, so WhatsApp shows "Message" on it. */
export function vcard(c: ContactCard): string {
  const waid = (c.wuid ?? c.phoneNumber).replace(/\D/g, '');
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `N:${c.fullName}`, `FN:${c.fullName}`];
  if (c.organization) lines.push(`ORG:${c.organization};`);
  if (c.email) lines.push(`EMAIL:${c.email}`);
  if (c.url) lines.push(`URL:${c.url}`);
  lines.push(`item1.TEL;waid=${waid}:${c.phoneNumber}`, 'item1.X-ABLabel:Celular', 'END:VCARD');
  return lines.join('\n');
}

/** Baileys v7 cannot send list messages: the list becomes text the recipient can answer by row title. */
function listAsText(list: { title: string; description?: string; footerText: string; buttonText: string; sections: ListSection[] }): string {
  const parts = [`*${list.title}*`];
  if (list.description) parts.push(list.description);
  for (const section of list.sections) {
    const rows = section.rows.map((r) => `• ${r.title}${r.description ? ` — ${r.description}` : ''}`);
    parts.push([`*${section.title}*`, ...rows].join('\n'));
  }
  if (list.footerText) parts.push(`_${list.footerText}_`);
  return parts.join('\n\n');
}

function buttonLine(b: ButtonSpec): string {
  switch (b.type) {
    case 'reply':
      return `• ${b.displayText}`;
    case 'url':
      return `• ${b.displayText}: ${b.url}`;
    case 'call':
      return `• ${b.displayText}: ${b.phoneNumber}`;
    case 'copy':
      return `• ${b.displayText}: ${b.copyCode}`;
    case 'pix':
      return `• PIX (${b.keyType}): ${b.key} — ${b.name}`;
  }
}

/** Baileys v7 cannot send buttons: they become text lines (links and numbers stay usable). */
function buttonsAsText(b: { title?: string; description?: string; footer?: string; buttons: ButtonSpec[] }): string {
  const parts: string[] = [];
  if (b.title) parts.push(`*${b.title}*`);
  if (b.description) parts.push(b.description);
  parts.push(b.buttons.map(buttonLine).join('\n'));
  if (b.footer) parts.push(`_${b.footer}_`);
  return parts.join('\n\n');
}
