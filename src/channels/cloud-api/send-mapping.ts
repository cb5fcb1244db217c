// What Parley asks to send → the Cloud API message payload, plus the WhatsApp-JSON content the send result reports.
// Pure: bytes that must be uploaded first are returned as `upload`, and the caller puts the media id in place.
import { badRequest } from '../../domain/errors.js';
import type { MessageContent } from '../../domain/message.js';
import type { ButtonSpec, MediaSource, OutboundContent } from '../../domain/outbound.js';
import { cardVcard, contactsContent, metaContact } from './contacts.js';
import { fileNameFromUrl, mimetypeFor, type MediaKind } from './media.js';

export interface PlannedSend {
  /** The type-specific part of the Graph body: `{type, [type]: {...}}` (the envelope is added by the caller). */
  payload: Record<string, unknown>;
  /** WhatsApp message JSON of what was sent (`{conversation}`, `{imageMessage:{…}}` …). */
  message: MessageContent;
  /** Bytes to upload first; the resulting media id goes into `target.id`. */
  upload?: { data: Buffer; mimetype: string; fileName: string; target: Record<string, unknown> };
}

/** `5511…@s.whatsapp.net` → `5511…`. Groups, broadcasts and newsletters have no Cloud API equivalent. */
export function recipientOf(jid: string): string {
  const [user = '', server = 's.whatsapp.net'] = jid.split('@');
  if (server === 'g.us' || server === 'broadcast' || server === 'newsletter') {
    throw badRequest(`Sending to ${server === 'g.us' ? 'groups' : server === 'broadcast' ? 'broadcast lists or status' : 'channels'} is not available on WhatsApp Business API`);
  }
  if (server === 'lid') throw badRequest(`"${jid}" is a WhatsApp LID, not a phone number: WhatsApp Business API needs the phone number`);
  const digits = user.split(':')[0]!.replace(/\D/g, '');
  if (digits === '') throw badRequest(`"${jid}" is not a phone number the WhatsApp Business API can send to`);
  return digits;
}

const DEFAULT_NAMES: Record<MediaKind, string> = {
  image: 'image.jpg', video: 'video.mp4', audio: 'audio.mp3', document: 'document', sticker: 'sticker.webp', voice: 'audio.ogg',
};

function media(
  kind: MediaKind,
  source: MediaSource,
  options: { mimetype?: string; caption?: string; fileName?: string } = {},
): PlannedSend {
  const graphType = kind === 'voice' ? 'audio' : kind;
  const fileName = options.fileName ?? (source.kind === 'url' ? fileNameFromUrl(source.url) : undefined) ?? DEFAULT_NAMES[kind];
  const mimetype = mimetypeFor(kind, source, options.mimetype, options.fileName ?? fileName);
  const caption = options.caption !== undefined && options.caption !== '' && (kind === 'image' || kind === 'video' || kind === 'document') ? options.caption : undefined;
  const object: Record<string, unknown> = source.kind === 'url' ? { link: source.url } : {};
  if (caption !== undefined) object.caption = caption;
  if (kind === 'document') object.filename = fileName;

  const shown: Record<string, unknown> = { ...(source.kind === 'url' ? { url: source.url } : {}), mimetype };
  if (caption !== undefined) shown.caption = caption;
  if (kind === 'document') Object.assign(shown, { fileName, title: fileName });
  if (kind === 'audio' || kind === 'voice') shown.ptt = kind === 'voice';
  const key = kind === 'voice' ? 'audioMessage' : `${kind}Message`;

  const planned: PlannedSend = { payload: { type: graphType, [graphType]: object }, message: { [key]: shown } };
  if (source.kind === 'bytes') planned.upload = { data: source.data, mimetype, fileName, target: object };
  return planned;
}

function interactiveButtons(content: Extract<OutboundContent, { kind: 'buttons' }>): PlannedSend {
  const { buttons } = content;
  const title = content.title?.trim() || undefined;
  const description = content.description?.trim() || undefined;
  const footer = content.footer?.trim() || undefined;
  const header = content.thumbnailUrl ? { type: 'image', image: { link: content.thumbnailUrl } } : title !== undefined && description !== undefined ? { type: 'text', text: title } : undefined;
  const bodyText = header?.type === 'text' ? description : [title === undefined ? undefined : `*${title}*`, description].filter(Boolean).join('\n\n');
  if (!bodyText) throw badRequest('Buttons need a title or a description on WhatsApp Business API');
  const frame = { ...(header === undefined ? {} : { header }), body: { text: bodyText }, ...(footer === undefined ? {} : { footer: { text: footer } }) };

  const replies = buttons.filter((b): b is Extract<ButtonSpec, { type: 'reply' }> => b.type === 'reply');
  const urls = buttons.filter((b): b is Extract<ButtonSpec, { type: 'url' }> => b.type === 'url');
  const others = buttons.filter((b) => b.type !== 'reply' && b.type !== 'url');
  if (others.length > 0) {
    throw badRequest(`Button type "${others[0]!.type}" is not available on WhatsApp Business API: use "reply" buttons (up to 3) or one "url" button`);
  }
  const shownHeader = header === undefined ? {} : { header: header.type === 'text' ? { title } : { imageMessage: { url: content.thumbnailUrl } } };
  const shownFooter = footer === undefined ? {} : { footer: { text: footer } };
  if (replies.length > 0 && urls.length === 0) {
    if (replies.length > 3) throw badRequest('WhatsApp Business API allows at most 3 reply buttons');
    const interactive = { type: 'button', ...frame, action: { buttons: replies.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.displayText } })) } };
    const nativeButtons = replies.map((b) => ({ name: 'quick_reply', buttonParamsJson: JSON.stringify({ display_text: b.displayText, id: b.id }) }));
    return {
      payload: { type: 'interactive', interactive },
      message: { interactiveMessage: { ...shownHeader, body: { text: bodyText }, ...shownFooter, nativeFlowMessage: { buttons: nativeButtons } } },
    };
  }
  if (urls.length === 1 && replies.length === 0) {
    const button = urls[0]!;
    const interactive = { type: 'cta_url', ...frame, action: { name: 'cta_url', parameters: { display_text: button.displayText, url: button.url } } };
    const nativeButtons = [{ name: 'cta_url', buttonParamsJson: JSON.stringify({ display_text: button.displayText, url: button.url }) }];
    return {
      payload: { type: 'interactive', interactive },
      message: { interactiveMessage: { ...shownHeader, body: { text: bodyText }, ...shownFooter, nativeFlowMessage: { buttons: nativeButtons } } },
    };
  }
  if (buttons.length === 0) throw badRequest('At least one button is required');
  throw badRequest('WhatsApp Business API cannot mix reply and url buttons, and allows only one url button per message');
}

function list(content: Extract<OutboundContent, { kind: 'list' }>): PlannedSend {
  const rowCount = content.sections.reduce((n, s) => n + s.rows.length, 0);
  if (content.sections.length === 0 || rowCount === 0) throw badRequest('A list needs at least one section with one row');
  if (content.sections.length > 10 || rowCount > 10) throw badRequest('WhatsApp Business API lists allow at most 10 sections and 10 rows in total');
  const title = content.title.trim() || undefined;
  const description = content.description?.trim() || undefined;
  const bodyText = description ?? title;
  if (bodyText === undefined) throw badRequest('A list needs a title or a description');
  const interactive: Record<string, unknown> = {
    type: 'list',
    ...(title !== undefined && description !== undefined ? { header: { type: 'text', text: title } } : {}),
    body: { text: bodyText },
    ...(content.footerText.trim() ? { footer: { text: content.footerText } } : {}),
    action: {
      button: content.buttonText,
      sections: content.sections.map((s) => ({
        ...(s.title ? { title: s.title } : {}),
        rows: s.rows.map((r) => ({ id: r.rowId, title: r.title, ...(r.description ? { description: r.description } : {}) })),
      })),
    },
  };
  const listMessage = {
    title: content.title,
    description: content.description ?? '',
    buttonText: content.buttonText,
    footerText: content.footerText,
    listType: 1,
    sections: content.sections.map((s) => ({ title: s.title, rows: s.rows.map((r) => ({ title: r.title, description: r.description ?? '', rowId: r.rowId })) })),
  };
  return { payload: { type: 'interactive', interactive }, message: { listMessage } };
}

/** Maps one outbound content; kinds the Cloud API lacks answer `unsupported` (core normally refuses them first). */
export function planSend(content: OutboundContent, unsupported: string): PlannedSend {
  switch (content.kind) {
    case 'text': {
      if (content.text.trim() === '') throw badRequest('Text is required');
      const preview = content.linkPreview !== false && /https?:\/\//i.test(content.text);
      return { payload: { type: 'text', text: { body: content.text, preview_url: preview } }, message: { conversation: content.text } };
    }
    case 'media':
      return media(content.mediatype, content.media, content);
    case 'voice':
      return media('voice', content.media);
    case 'sticker':
      return media('sticker', content.media);
    case 'location': {
      const { latitude, longitude, name, address } = content;
      return {
        payload: { type: 'location', location: { latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) } },
        message: { locationMessage: { degreesLatitude: latitude, degreesLongitude: longitude, name, address } },
      };
    }
    case 'contacts': {
      if (content.contacts.length === 0) throw badRequest('At least one contact is required');
      return {
        payload: { type: 'contacts', contacts: content.contacts.map(metaContact) },
        message: contactsContent(content.contacts.map((c) => ({ displayName: c.fullName, vcard: cardVcard(c) }))),
      };
    }
    case 'reaction':
      return {
        payload: { type: 'reaction', reaction: { message_id: content.key.id, emoji: content.reaction } },
        message: { reactionMessage: { key: content.key, text: content.reaction, senderTimestampMs: Date.now() } },
      };
    case 'list':
      return list(content);
    case 'buttons':
      return interactiveButtons(content);
    case 'template': {
      const components = Array.isArray(content.components) ? content.components : [];
      const template = { name: content.name, language: { code: content.language }, ...(components.length > 0 ? { components } : {}) };
      return { payload: { type: 'template', template }, message: { templateMessage: { name: content.name, language: content.language, components } } };
    }
    default:
      throw badRequest(unsupported);
  }
}
