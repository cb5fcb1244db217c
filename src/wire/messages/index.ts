// Every `/message/send*/{instanceName}` route (compat §3.5) in one table, so the HTTP layer registers them in a loop:
// parse the body with `schema`, map it with `toMessage`, check the channel can send `kind`.
import type { z } from 'zod';
import type { OutboundKind, OutboundMessage } from '../../domain/outbound.js';
import { sendContactBody, sendLocationBody, sendPollBody, sendReactionBody, sendTemplateBody, sendTextBody } from './basic.js';
import { toContactMessage, toLocationMessage, toPollMessage, toReactionMessage, toTemplateMessage, toTextMessage } from './basic.js';
import { sendButtonsBody, sendListBody, toButtonsMessage, toListMessage } from './interactive.js';
import { sendMediaBody, sendPtvBody, sendStatusBody, sendStickerBody, sendWhatsAppAudioBody } from './media.js';
import { toMediaMessage, toPtvMessage, toStatusMessage, toStickerMessage, toWhatsAppAudioMessage } from './media.js';

export * from './basic.js';
export * from './interactive.js';
export * from './media.js';
export { isReaction, isSingleEmoji } from './emoji.js';
export { mediaKind, mediaSource, SEND_ERRORS, type MediaKind } from './common.js';

export type SendPath =
  | 'sendText'
  | 'sendMedia'
  | 'sendPtv'
  | 'sendWhatsAppAudio'
  | 'sendSticker'
  | 'sendLocation'
  | 'sendContact'
  | 'sendReaction'
  | 'sendPoll'
  | 'sendList'
  | 'sendButtons'
  | 'sendStatus'
  | 'sendTemplate';

export interface SendRoute<S extends z.ZodType = z.ZodType> {
  /** `/message/<path>/{instanceName}`. */
  path: SendPath;
  schema: S;
  /** Maps a body that `schema` accepted (its output). */
  toMessage(body: z.output<S>): OutboundMessage;
  /** The content kind the channel must support. */
  kind: OutboundKind;
  /** Accepts `multipart/form-data` with the upload in field `file` (compat §1). */
  multipart: boolean;
}

function route<S extends z.ZodType>(r: SendRoute<S>): SendRoute {
  return r;
}

export const SEND_ROUTES: readonly SendRoute[] = [
  route({ path: 'sendText', schema: sendTextBody, toMessage: toTextMessage, kind: 'text', multipart: false }),
  route({ path: 'sendMedia', schema: sendMediaBody, toMessage: toMediaMessage, kind: 'media', multipart: true }),
  route({ path: 'sendPtv', schema: sendPtvBody, toMessage: toPtvMessage, kind: 'ptv', multipart: true }),
  route({ path: 'sendWhatsAppAudio', schema: sendWhatsAppAudioBody, toMessage: toWhatsAppAudioMessage, kind: 'voice', multipart: true }),
  route({ path: 'sendSticker', schema: sendStickerBody, toMessage: toStickerMessage, kind: 'sticker', multipart: true }),
  route({ path: 'sendLocation', schema: sendLocationBody, toMessage: toLocationMessage, kind: 'location', multipart: false }),
  route({ path: 'sendContact', schema: sendContactBody, toMessage: toContactMessage, kind: 'contacts', multipart: false }),
  route({ path: 'sendReaction', schema: sendReactionBody, toMessage: toReactionMessage, kind: 'reaction', multipart: false }),
  route({ path: 'sendPoll', schema: sendPollBody, toMessage: toPollMessage, kind: 'poll', multipart: false }),
  route({ path: 'sendList', schema: sendListBody, toMessage: toListMessage, kind: 'list', multipart: false }),
  route({ path: 'sendButtons', schema: sendButtonsBody, toMessage: toButtonsMessage, kind: 'buttons', multipart: false }),
  route({ path: 'sendStatus', schema: sendStatusBody, toMessage: toStatusMessage, kind: 'status', multipart: true }),
  route({ path: 'sendTemplate', schema: sendTemplateBody, toMessage: toTemplateMessage, kind: 'template', multipart: false }),
];
