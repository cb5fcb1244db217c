// A Typebot chat answer (`messages[]`, `input`, `clientSideActions`) as WhatsApp replies:
// - text bubbles: rich text → WhatsApp formatting (bold `*`, italic `_`, strikethrough `~`, code `` ` ``; underline
//   has no WhatsApp form and is dropped — Evolution turned it into strikethrough), links as `label (url)`, numbered
//   and bulleted lists; markdown bubbles are converted the same way; `[list]`/`[buttons]` markup → list/buttons;
// - image, video and audio bubbles → media (a YouTube/Vimeo/… video and a web page embed → their link as text;
//   an embed of a file → document);
// - a choice input → one text with a `▶️ <item>` line per choice (items spelling markup are joined as markup);
// - a `wait` action after a bubble → `waitAfterMs` on that bubble's last reply.
import type { BotReply } from '../../ports/chatbots.js';
import { record, str } from './http.js';
import { markupReplies } from './typebot-markup.js';

type Node = Record<string, unknown>;

/** The replies of one answer, and whether Typebot waits for the user (no `input` = the flow ended). */
export function typebotReplies(answer: Record<string, unknown>): { replies: BotReply[]; awaitsInput: boolean } {
  const waits = waitsAfter(answer.clientSideActions);
  const replies: BotReply[] = [];
  for (const message of (Array.isArray(answer.messages) ? answer.messages : []).map(record)) {
    if (message === undefined) continue;
    const produced = bubbleReplies(message);
    const wait = waits.get(str(message.id) ?? '');
    if (wait !== undefined && produced.length > 0) produced[produced.length - 1]!.waitAfterMs = wait;
    replies.push(...produced);
  }
  const input = record(answer.input);
  if (input !== undefined) replies.push(...inputReplies(input));
  return { replies, awaitsInput: input !== undefined };
}

function bubbleReplies(message: Node): BotReply[] {
  const content = record(message.content) ?? {};
  const url = str(content.url);
  switch (message.type) {
    case 'text': {
      const text = Array.isArray(content.richText) ? richText(content.richText) : typeof content.markdown === 'string' ? markdownToWhatsApp(content.markdown) : str(content.plainText) ?? '';
      return markupReplies(text);
    }
    case 'image':
      return url === undefined ? [] : [{ kind: 'media', mediatype: 'image', url }];
    case 'video': {
      if (url === undefined) return [];
      const type = str(content.type);
      // Only a direct file can be sent as a video; hosted players (youtube, vimeo, tiktok …) are links.
      return type === undefined || type === 'url' ? [{ kind: 'media', mediatype: 'video', url }] : [{ kind: 'text', text: url }];
    }
    case 'audio':
      return url === undefined ? [] : [{ kind: 'media', mediatype: 'audio', url }];
    case 'embed': {
      if (url === undefined) return [];
      const fileName = fileNameOf(url);
      return fileName === undefined ? [{ kind: 'text', text: url }] : [{ kind: 'media', mediatype: 'document', url, fileName }];
    }
    default:
      return [];
  }
}

function inputReplies(input: Node): BotReply[] {
  if (input.type !== 'choice input' && input.type !== 'picture choice input') return [];
  const items = (Array.isArray(input.items) ? input.items : []).map(record);
  const labels = items.map((item) => str(item?.content) ?? str(item?.title) ?? '').filter((label) => label !== '');
  // Items that spell list/buttons markup are markup lines, not choices to prefix.
  const markup = labels.some((label) => label.includes('[list]') || label.includes('[buttons]'));
  return labels.length === 0 ? [] : markupReplies(labels.map((label) => (markup ? label : `▶️ ${label}`)).join('\n'));
}

/** `lastBubbleBlockId` → milliseconds of the `wait` action that follows that bubble. */
function waitsAfter(actions: unknown): Map<string, number> {
  const waits = new Map<string, number>();
  for (const action of (Array.isArray(actions) ? actions : []).map(record)) {
    const bubble = str(action?.lastBubbleBlockId);
    const seconds = Number(record(action?.wait)?.secondsToWaitFor);
    if (action?.type === 'wait' || record(action?.wait) !== undefined) {
      if (bubble !== undefined && Number.isFinite(seconds) && seconds > 0) waits.set(bubble, Math.round(seconds * 1000));
    }
  }
  return waits;
}

// ----- rich text (Typebot's Slate/Plate tree) -----

function richText(blocks: unknown[]): string {
  return blocks.map((block) => blockText(record(block))).join('\n').replace(/\n+$/, '');
}

function blockText(block: Node | undefined): string {
  if (block === undefined) return '';
  const children = Array.isArray(block.children) ? block.children.map(record) : [];
  switch (block.type) {
    case 'ol':
      return children.map((item, index) => `${index + 1}. ${listItemText(item)}`).join('\n');
    case 'ul':
      return children.map((item) => `- ${listItemText(item)}`).join('\n');
    case 'variable':
      // A block variable holds paragraphs of its own.
      return children.map((child) => blockText(child)).join('\n');
    default:
      return inlineText(children);
  }
}

function listItemText(item: Node | undefined): string {
  const children = Array.isArray(item?.children) ? item.children.map(record) : [];
  return children.map((child) => (child?.type === 'ol' || child?.type === 'ul' ? `\n${indent(blockText(child))}` : blockOrInline(child))).join('');
}

function blockOrInline(node: Node | undefined): string {
  return node?.type === 'lic' || node?.type === 'p' ? inlineText(Array.isArray(node.children) ? node.children.map(record) : []) : inlineNode(node);
}

function indent(text: string): string {
  return text.split('\n').map((line) => `   ${line}`).join('\n');
}

function inlineText(nodes: (Node | undefined)[]): string {
  return nodes.map(inlineNode).join('');
}

function inlineNode(node: Node | undefined): string {
  if (node === undefined) return '';
  if (typeof node.text === 'string') return formatted(node.text, node);
  const children = Array.isArray(node.children) ? node.children.map(record) : [];
  if (node.type === 'a') {
    const url = str(node.url) ?? '';
    const label = inlineText(children).trim();
    return label === '' || label === url ? url : `${label} (${url})`;
  }
  // inline-variable wraps a paragraph; its text stays on the line.
  return children.map((child) => (child?.type === 'p' ? inlineText(Array.isArray(child.children) ? child.children.map(record) : []) : inlineNode(child))).join('');
}

/** Wraps the text in WhatsApp markers; they must touch the words, so surrounding spaces stay outside. */
function formatted(text: string, leaf: Node): string {
  let marks = '';
  if (leaf.bold === true) marks += '*';
  if (leaf.italic === true) marks += '_';
  if (leaf.strikethrough === true) marks += '~';
  if (leaf.code === true) marks += '`';
  if (marks === '') return text;
  const found = /^(\s*)([\s\S]*?)(\s*)$/.exec(text)!;
  const core = found[2]!;
  if (core === '') return text;
  return `${found[1]}${marks}${core}${[...marks].reverse().join('')}${found[3]}`;
}

// ----- markdown bubbles (textBubbleContentFormat: markdown) -----

export function markdownToWhatsApp(markdown: string): string {
  const BOLD = '\u0000';
  return markdown
    .replace(/\*\*(.+?)\*\*|__(.+?)__/g, (_, a: string | undefined, b: string | undefined) => `${BOLD}${a ?? b}${BOLD}`)
    .replace(/(^|[^*\w])\*(?!\s)([^*\n]+?)\*(?!\w)/g, '$1_$2_')
    .replace(/~~(.+?)~~/g, '~$1~')
    .replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, (_, label: string, url: string) => (label === '' || label === url ? url : `${label} (${url})`))
    .replace(/\\([*_~`[\]()#>-])/g, '$1')
    .split(BOLD)
    .join('*');
}

/** A file name when the URL's path ends in one (`/files/report.pdf` → `report.pdf`). */
function fileNameOf(url: string): string | undefined {
  try {
    const last = new URL(url).pathname.split('/').pop() ?? '';
    return /\.[a-z0-9]{2,5}$/i.test(last) ? decodeURIComponent(last) : undefined;
  } catch {
    return undefined;
  }
}
