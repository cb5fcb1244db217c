// `/chat/*` request schemas (compat §3.6).
import { z } from 'zod';
import type { MessageQuery } from '../ports/messages.js';

/** Dates arrive as ISO strings or epoch numbers (seconds, or milliseconds when that large). */
const dateToSeconds = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? (v < 1e12 ? v * 1000 : v) : Date.parse(v);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be a date (ISO-8601) or an epoch timestamp' });
      return z.NEVER;
    }
    return Math.floor(ms / 1000);
  });

const timeRange = z.object({ gte: dateToSeconds.optional(), lte: dateToSeconds.optional() }).optional();
const page = z.coerce.number().int().min(1).optional();
const pageSize = z.coerce.number().int().min(1).max(1000).optional();

export const findMessagesBody = z
  .object({
    where: z
      .object({
        id: z.string().optional(),
        source: z.string().optional(),
        messageType: z.string().optional(),
        messageTimestamp: timeRange,
        key: z
          .object({ id: z.string().optional(), fromMe: z.boolean().optional(), remoteJid: z.string().optional(), participant: z.string().optional(), remoteJidAlt: z.string().optional() })
          .optional(),
      })
      .optional(),
    page,
    offset: pageSize,
  })
  .optional();

export function messageQueryFrom(instanceId: string, body: z.output<typeof findMessagesBody>): MessageQuery {
  const w = body?.where;
  return {
    instanceId,
    id: w?.id,
    keyId: w?.key?.id,
    remoteJid: w?.key?.remoteJid ?? w?.key?.remoteJidAlt,
    // Evolution filters only on `fromMe: true`; `false` means "any".
    fromMe: w?.key?.fromMe === true ? true : undefined,
    participant: w?.key?.participant,
    messageType: w?.messageType,
    source: w?.source,
    from: w?.messageTimestamp?.gte,
    to: w?.messageTimestamp?.lte,
    page: body?.page ?? 1,
    pageSize: body?.offset ?? 50,
  };
}

export const findChatsBody = z
  .object({
    where: z.object({ remoteJid: z.string().optional(), messageTimestamp: timeRange }).optional(),
    take: z.coerce.number().int().min(1).max(1000).optional(),
    skip: z.coerce.number().int().min(0).optional(),
  })
  .optional();

export const findContactsBody = z.object({ where: z.object({ remoteJid: z.string().optional() }).optional(), page, offset: pageSize }).optional();

export const findStatusBody = z.object({ where: z.object({ remoteJid: z.string().optional(), id: z.string().optional() }).optional(), page, offset: pageSize }).optional();

export const findChatByRemoteJidQuery = z.object({ remoteJid: z.string().optional() });

const keySchema = z.object({ id: z.string().min(1), fromMe: z.boolean(), remoteJid: z.string().min(1) });

export const markReadBody = z.object({ readMessages: z.array(keySchema).min(1) });

export const getBase64Body = z.object({
  message: z.object({ key: z.object({ id: z.string().min(1) }).passthrough() }).passthrough(),
  convertToMp4: z.boolean().optional(),
});

/** The `getBase64FromMediaMessage` answer. */
export function mediaBase64Response(m: { mediaType: string; data: Buffer; mimetype: string; message: { message: Record<string, unknown> } }) {
  const details = (m.message.message[m.mediaType] ?? {}) as { fileName?: string; caption?: string; height?: number; width?: number };
  return {
    mediaType: m.mediaType.replace(/Message$/, ''),
    fileName: details.fileName ?? null,
    caption: details.caption ?? null,
    size: { fileLength: m.data.length, height: details.height ?? null, width: details.width ?? null },
    mimetype: m.mimetype,
    base64: m.data.toString('base64'),
    buffer: null,
  };
}
