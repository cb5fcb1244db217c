// `/chat/*` action routes that need a WhatsApp Web channel (compat §3.6): request schemas and response shapes.
import { z } from 'zod';
import { PRESENCES } from '../domain/instance.js';
import type { MessageKey } from '../domain/message.js';
import type { LastMessageRef, NumberQuery, ProviderMessage } from '../ports/channel-features.js';
import { normalizeNumber, numberVariants } from './jid.js';
import { arrayRules, delaySchema, numberSchema } from './messages/common.js';

/** A `number` field (digits, `…@s.whatsapp.net`, `…@lid` or a group id) with the forms an existence check tries. */
export function numberQuery(number: string): NumberQuery {
  return { number, jids: numberVariants(normalizeNumber(number)) };
}

export const whatsappNumbersBody = z.object({
  numbers: z.array(z.string().min(1)).superRefine(arrayRules(1)),
});

const keySchema = z.object({
  id: z.string().min(1),
  remoteJid: z.string().min(1),
  fromMe: z.boolean(),
  participant: z.string().optional(),
});

const lastMessageSchema = z.object({
  key: keySchema,
  messageTimestamp: z.union([z.number(), z.string().regex(/^\d+$/)]).optional(),
});

export const archiveChatBody = z.object({
  archive: z.boolean(),
  lastMessage: lastMessageSchema.optional(),
  chat: z.string().min(1).optional(),
});

export const markChatUnreadBody = z.object({
  lastMessage: lastMessageSchema.optional(),
  chat: z.string().min(1).optional(),
});

export const CHAT_ACTION_ERRORS = {
  chatMissing: 'Inform "lastMessage" (with its key) or "chat" (the chat JID)',
} as const;

/** The chat a body names (the last message's, else `chat`), with that message as the patch anchor. */
export function chatTarget(body: { lastMessage?: z.output<typeof lastMessageSchema> | undefined; chat?: string | undefined }): { jid: string; lastMessage?: LastMessageRef } | undefined {
  if (body.lastMessage !== undefined) {
    const key = messageKey(body.lastMessage.key);
    const ts = body.lastMessage.messageTimestamp;
    return { jid: key.remoteJid, lastMessage: { key, ...(ts === undefined ? {} : { messageTimestamp: Number(ts) }) } };
  }
  return body.chat === undefined ? undefined : { jid: normalizeNumber(body.chat) };
}

export function messageKey(k: z.output<typeof keySchema>): MessageKey {
  return { id: k.id, remoteJid: normalizeNumber(k.remoteJid), fromMe: k.fromMe, ...(k.participant ? { participant: normalizeNumber(k.participant) } : {}) };
}

export const deleteForEveryoneBody = keySchema;

export const updateMessageBody = z.object({
  number: numberSchema.optional(),
  key: keySchema,
  text: z.string().min(1),
});

export const sendPresenceBody = z.object({
  number: numberSchema,
  presence: z.enum(PRESENCES),
  delay: delaySchema,
});

export const updateBlockStatusBody = z.object({
  number: numberSchema,
  status: z.enum(['block', 'unblock']),
});

/** Evolution answers the raw WAMessage of a revoke or an edit; a fresh send is PENDING. */
export function providerMessageResponse(m: ProviderMessage) {
  return { key: m.key, message: m.message, messageTimestamp: m.messageTimestamp, status: 'PENDING' };
}
