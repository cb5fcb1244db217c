// Evolution's `[list]` / `[buttons]` markup in Typebot text bubbles, turned into list and button replies.
//
//   [list] [title]…[description]…[buttonText]…[footerText]…
//          [menu] [section] title: <t>  [row] title: <t> description: <d> rowId: <id> [/row] … [/section] … [/menu]
//   [buttons] [thumbnailUrl]… [title]… [description]… [footer]…
//          [reply] displayText: <t> id: <id>       [url] displayText: <t> url: <u>       [call] displayText: <t> phone: <n>
//          [copy] displayText: <t> copyCode: <c>   [pix] currency: <c> name: <n> keyType: <k> key: <k>
//
// Field lines are `key: value`, one per line. Closing tags are optional. Text before the `[list]`/`[buttons]` marker
// is its own text reply (Evolution drops it).
import type { ButtonSpec } from '../../domain/outbound.js';
import type { BotReply } from '../../ports/chatbots.js';

type ListReply = Extract<BotReply, { kind: 'list' }>;
type ButtonsReply = Extract<BotReply, { kind: 'buttons' }>;

/** WhatsApp refuses a list without a button label; Evolution would send an empty one. */
const DEFAULT_LIST_BUTTON = 'Menu';

interface Tagged {
  tag: string;
  closing: boolean;
  text: string;
}

/** The replies for a text that may carry markup; plain text gives one text reply (none when blank). */
export function markupReplies(text: string): BotReply[] {
  const list = text.indexOf('[list]');
  const buttons = text.indexOf('[buttons]');
  const marker = list !== -1 ? list : buttons;
  if (marker === -1) return text.trim() === '' ? [] : [{ kind: 'text', text }];
  const before = text.slice(0, marker).trim();
  const body = text.slice(marker);
  const reply = list !== -1 ? parseList(body) : parseButtons(body);
  return [...(before === '' ? [] : [{ kind: 'text' as const, text: before }]), reply];
}

function parseList(text: string): ListReply {
  const reply: ListReply = { kind: 'list', title: '', footerText: '', buttonText: '', sections: [] };
  let section: ListReply['sections'][number] | undefined;
  let inMenu = false;
  for (const { tag, closing, text: content } of tokens(text)) {
    if (closing) {
      if (tag === 'menu') inMenu = false;
      continue;
    }
    const value = content.trim();
    if (tag === 'menu') inMenu = true;
    else if (inMenu && tag === 'section') {
      section = { title: fields(content).title ?? '', rows: [] };
      reply.sections.push(section);
    } else if (inMenu && tag === 'row') {
      const row = fields(content);
      const title = row.title ?? '';
      if (title === '') continue;
      if (section === undefined) {
        section = { title: '', rows: [] };
        reply.sections.push(section);
      }
      section.rows.push({ title, ...(row.description === undefined ? {} : { description: row.description }), rowId: row.rowId ?? title });
    } else if (tag === 'title') reply.title = value;
    else if (tag === 'description') reply.description = value;
    else if (tag === 'buttonText') reply.buttonText = value;
    else if (tag === 'footerText') reply.footerText = value;
  }
  if (reply.buttonText === '') reply.buttonText = DEFAULT_LIST_BUTTON;
  return reply;
}

function parseButtons(text: string): ButtonsReply {
  const reply: ButtonsReply = { kind: 'buttons', buttons: [] };
  for (const { tag, closing, text: content } of tokens(text)) {
    if (closing) continue;
    const value = content.trim();
    if (tag === 'title') reply.title = value;
    else if (tag === 'description') reply.description = value;
    else if (tag === 'footer') reply.footer = value;
    else if (tag === 'thumbnailUrl') reply.thumbnailUrl = value;
    else {
      const button = buttonOf(tag, fields(content));
      if (button !== undefined) reply.buttons.push(button);
    }
  }
  return reply;
}

function buttonOf(type: string, f: Record<string, string>): ButtonSpec | undefined {
  const displayText = f.displayText;
  switch (type) {
    case 'reply':
      return displayText === undefined ? undefined : { type: 'reply', displayText, id: f.id ?? displayText };
    case 'url':
      return displayText === undefined || f.url === undefined ? undefined : { type: 'url', displayText, url: f.url };
    case 'call':
      return displayText === undefined || f.phone === undefined ? undefined : { type: 'call', displayText, phoneNumber: f.phone };
    case 'copy':
      return displayText === undefined || f.copyCode === undefined ? undefined : { type: 'copy', displayText, copyCode: f.copyCode };
    case 'pix':
      return f.currency === undefined || f.name === undefined || f.keyType === undefined || f.key === undefined
        ? undefined
        : { type: 'pix', currency: f.currency, name: f.name, keyType: f.keyType, key: f.key };
    default:
      return undefined;
  }
}

/** Splits `[tag]text[/tag]…` into tags, each with the text up to the next tag. */
function tokens(text: string): Tagged[] {
  const out: Tagged[] = [];
  const pattern = /\[(\/?)([A-Za-z]+)\]/g;
  let match = pattern.exec(text);
  while (match !== null) {
    const start = pattern.lastIndex;
    const next = pattern.exec(text);
    out.push({ tag: match[2]!, closing: match[1] === '/', text: text.slice(start, next === null ? text.length : next.index) });
    match = next;
  }
  return out;
}

/** `key: value` lines (the first colon splits, so URLs keep theirs). */
function fields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const found = /^\s*([A-Za-z]+)\s*:\s*(.*?)\s*$/.exec(line);
    if (found !== null && found[2] !== '') out[found[1]!] = found[2]!;
  }
  return out;
}
