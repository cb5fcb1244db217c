// A turn's replies as messages to send (compat §6.8): markdown media links become media, splitMessages splits text
// on blank lines, and each text waits like someone typing it (`timePerChar`, clamped to 1–20 s) plus `delayMessage`.
import type { BehaviourSettings } from '../../domain/chatbot.js';
import type { OutboundContent } from '../../domain/outbound.js';
import type { BotReply } from '../../ports/chatbots.js';

type MediaType = 'image' | 'audio' | 'video' | 'document';

const EXTENSIONS: Record<MediaType, string[]> = {
  image: ['jpg', 'jpeg', 'png', 'gif', 'bmp', 'webp'],
  audio: ['mp3', 'wav', 'aac', 'ogg'],
  video: ['mp4', 'avi', 'mkv', 'mov'],
  document: ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'txt'],
};

const MARKDOWN_LINK = /!?\[([^\]]*)\]\(([^)\s]+)\)/g;

export function mediaTypeOfUrl(url: string): MediaType | undefined {
  let path: string;
  try {
    path = new URL(url).pathname.toLowerCase();
  } catch {
    return undefined;
  }
  const ext = path.split('.').pop() ?? '';
  return (Object.keys(EXTENSIONS) as MediaType[]).find((t) => EXTENSIONS[t].includes(ext));
}

/** One message to send, with the content to fall back to when the channel cannot send it (media → `alt: url`). */
export interface PlannedMessage {
  content: OutboundContent;
  delayMs: number;
  fallbackText?: string;
  /** Pause after sending (Typebot `wait`). */
  waitAfterMs?: number;
}

export const typingMs = (text: string, timePerChar: number): number => Math.min(Math.max(text.length * timePerChar, 1000), 20_000);

function textMessages(text: string, settings: Pick<BehaviourSettings, 'splitMessages' | 'timePerChar' | 'delayMessage'>, linkPreview: boolean | undefined): PlannedMessage[] {
  const delay = settings.delayMessage || 1000;
  const parts = settings.splitMessages ? text.split('\n\n').map((p) => p.trim()).filter((p) => p !== '') : [text.trim()].filter((p) => p !== '');
  return parts.map((part) => ({
    content: { kind: 'text', text: part, ...(linkPreview !== undefined ? { linkPreview } : {}) },
    // Split parts are typed one by one; the channel shows the presence for the whole wait.
    delayMs: settings.splitMessages ? typingMs(part, settings.timePerChar) + delay : delay,
  }));
}

function mediaContent(mediatype: MediaType, url: string, alt: string | undefined): OutboundContent {
  if (mediatype === 'audio') return { kind: 'voice', media: { kind: 'url', url }, encoding: true };
  return {
    kind: 'media',
    mediatype,
    media: { kind: 'url', url },
    ...(alt ? { caption: alt } : {}),
    ...(mediatype === 'document' && alt ? { fileName: alt } : {}),
  };
}

/** Text with markdown media links cut out: the text before each link is sent first, then the media. */
function textReply(text: string, settings: BehaviourSettings, linkPreview: boolean | undefined): PlannedMessage[] {
  const planned: PlannedMessage[] = [];
  let buffer = '';
  let last = 0;
  for (const match of text.matchAll(MARKDOWN_LINK)) {
    const [whole, alt, url] = match as unknown as [string, string, string];
    const type = mediaTypeOfUrl(url);
    buffer += text.slice(last, match.index);
    last = match.index + whole.length;
    if (type === undefined) {
      buffer += whole;
      continue;
    }
    planned.push(...textMessages(buffer, settings, linkPreview));
    buffer = '';
    planned.push({ content: mediaContent(type, url, alt), delayMs: settings.delayMessage || 1000, fallbackText: alt ? `${alt}: ${url}` : url });
  }
  buffer += text.slice(last);
  planned.push(...textMessages(buffer, settings, linkPreview));
  return planned;
}

function listAsText(r: Extract<BotReply, { kind: 'list' }>): string {
  const lines = [r.title, r.description ?? '', ...r.sections.flatMap((s) => [s.title, ...s.rows.map((row) => `▶️ ${row.title}`)])];
  return lines.filter((l) => l !== '').join('\n');
}

function buttonsAsText(r: Extract<BotReply, { kind: 'buttons' }>): string {
  const lines = [r.title ?? '', r.description ?? '', ...r.buttons.map((b) => ('displayText' in b ? `▶️ ${b.displayText}` : ''))];
  return lines.filter((l) => l !== '').join('\n');
}

export function planReplies(replies: BotReply[], settings: BehaviourSettings, linkPreview?: boolean): PlannedMessage[] {
  const planned: PlannedMessage[] = [];
  const delay = settings.delayMessage || 1000;
  for (const reply of replies) {
    const before = planned.length;
    switch (reply.kind) {
      case 'text':
        planned.push(...textReply(reply.text, settings, linkPreview));
        break;
      case 'media':
        planned.push({ content: mediaContent(reply.mediatype, reply.url, reply.caption ?? reply.fileName), delayMs: delay, fallbackText: reply.url });
        if (reply.fileName !== undefined && planned.at(-1)!.content.kind === 'media') (planned.at(-1)!.content as { fileName?: string }).fileName = reply.fileName;
        break;
      case 'list': {
        const { waitAfterMs: _w, kind: _k, ...list } = reply;
        planned.push({ content: { kind: 'list', ...list }, delayMs: delay, fallbackText: listAsText(reply) });
        break;
      }
      case 'buttons': {
        const { waitAfterMs: _w, kind: _k, ...buttons } = reply;
        planned.push({ content: { kind: 'buttons', ...buttons }, delayMs: delay, fallbackText: buttonsAsText(reply) });
        break;
      }
    }
    if (reply.waitAfterMs !== undefined && planned.length > before) planned[planned.length - 1]!.waitAfterMs = reply.waitAfterMs;
  }
  return planned;
}
