// The text a bot sees of a message (compat §6.3): plain text, replies to lists and buttons, and a pipe string for media
// (`imageMessage|<mediaRef>|caption`), where mediaRef is the stored media URL (S3) or the message id.
import type { BotMessage } from '../../ports/chatbots.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const MEDIA_TYPES = ['imageMessage', 'videoMessage', 'documentMessage', 'documentWithCaptionMessage', 'audioMessage'] as const;

/** Messages that are not a turn of the conversation (receipts, edits, reactions, protocol traffic). */
const NOT_A_TURN = new Set(['protocolMessage', 'reactionMessage', 'pollUpdateMessage', 'senderKeyDistributionMessage', 'editedMessage', 'messageContextInfo', 'keepInChatMessage', 'pinInChatMessage']);

export function isConversationTurn(m: BotMessage): boolean {
  if (m.key.remoteJid === 'status@broadcast' || m.key.remoteJid.endsWith('@newsletter') || m.key.remoteJid.endsWith('@broadcast')) return false;
  return !NOT_A_TURN.has(m.messageType);
}

export function mediaRef(m: BotMessage): string {
  return str(m.message.mediaUrl) ?? m.key.id;
}

export function isAudio(m: BotMessage): boolean {
  return obj(m.message.audioMessage) !== undefined;
}

function mediaText(m: BotMessage): string | undefined {
  for (const type of MEDIA_TYPES) {
    let media = obj(m.message[type]);
    if (media === undefined) continue;
    if (type === 'documentWithCaptionMessage') media = obj(obj(media.message)?.documentMessage) ?? media;
    if (type === 'audioMessage') return str(m.message.speechToText) ?? `audioMessage|${mediaRef(m)}`;
    const caption = str(media.caption);
    return `${type}|${mediaRef(m)}${caption !== undefined ? `|${caption}` : ''}`;
  }
  return undefined;
}

function viewOnceUrl(m: BotMessage): string | undefined {
  for (const key of ['viewOnceMessage', 'viewOnceMessageV2', 'viewOnceMessageV2Extension']) {
    const inner = obj(obj(m.message[key])?.message);
    if (inner === undefined) continue;
    for (const media of Object.values(inner)) {
      const url = str(obj(media)?.url);
      if (url !== undefined) return url;
    }
  }
  return undefined;
}

/** The text of a message for triggers and bots; '' when it has none (the bot answers `unknownMessage`). */
export function extractContent(m: BotMessage): string {
  const c = m.message;
  const list = obj(c.listResponseMessage);
  const location = obj(c.locationMessage);
  const text =
    str(c.conversation) ??
    str(obj(c.extendedTextMessage)?.text) ??
    str(obj(c.contactMessage)?.displayName) ??
    (location?.degreesLatitude !== undefined ? String(location.degreesLatitude) : undefined) ??
    str(obj(list?.singleSelectReply)?.selectedRowId) ??
    str(list?.title) ??
    str(obj(c.buttonsResponseMessage)?.selectedButtonId) ??
    str(obj(c.templateButtonReplyMessage)?.selectedId) ??
    viewOnceUrl(m) ??
    mediaText(m) ??
    '';
  const ad = str(obj(m.contextInfo?.externalAdReply)?.body) ?? firstAdBody(c);
  return ad === undefined ? text : `${text}\nexternalAdReplyBody|${ad}`;
}

/** Click-to-WhatsApp ads carry their body in the content's own contextInfo. */
function firstAdBody(c: Obj): string | undefined {
  for (const value of Object.values(c)) {
    const body = str(obj(obj(obj(value)?.contextInfo)?.externalAdReply)?.body);
    if (body !== undefined) return body;
  }
  return undefined;
}
