// Outbound content → WhatsApp message JSON, for the kinds the EVOLUTION channel carries (text, media, voice, buttons).
import { randomUUID } from 'node:crypto';
import { badRequest } from '../../domain/errors.js';
import type { MessageContent } from '../../domain/message.js';
import type { MediaSource, OutboundContent } from '../../domain/outbound.js';

const MEDIA_TYPES = { image: 'imageMessage', video: 'videoMessage', document: 'documentMessage', audio: 'audioMessage' } as const;

/** A URL source stays a URL; bytes travel as base64, as Evolution's connector expects (`message.base64`). */
function mediaFields(media: MediaSource): Record<string, unknown> {
  return media.kind === 'url' ? { url: media.url } : {};
}

function base64Of(media: MediaSource): Record<string, unknown> {
  return media.kind === 'bytes' ? { base64: media.data.toString('base64') } : {};
}

export function evolutionContent(content: OutboundContent): { message: MessageContent; messageType: string } {
  switch (content.kind) {
    case 'text':
      return { message: { conversation: content.text }, messageType: 'conversation' };
    case 'media': {
      const type = MEDIA_TYPES[content.mediatype];
      return {
        message: {
          [type]: {
            ...mediaFields(content.media),
            ...(content.mimetype ? { mimetype: content.mimetype } : {}),
            ...(content.caption ? { caption: content.caption } : {}),
            ...(content.fileName ? { fileName: content.fileName } : {}),
          },
          ...base64Of(content.media),
        },
        messageType: type,
      };
    }
    case 'voice':
      return { message: { audioMessage: { ...mediaFields(content.media), mimetype: 'audio/ogg; codecs=opus', ptt: true }, ...base64Of(content.media) }, messageType: 'audioMessage' };
    case 'buttons':
      return {
        message: {
          buttonsMessage: {
            contentText: [content.title ? `*${content.title}*` : undefined, content.description].filter(Boolean).join('\n'),
            footerText: content.footer ?? '',
            buttons: content.buttons.map((b) => ({ ...b, buttonId: 'id' in b ? b.id : randomUUID() })),
          },
        },
        messageType: 'buttonsMessage',
      };
    default:
      throw badRequest('Method not available on Evolution Channel');
  }
}
