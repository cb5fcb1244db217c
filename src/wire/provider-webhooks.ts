// Bodies of the channels' inbound webhook routes (compat §3.13).
import { z } from 'zod';

/** `POST /webhook/evolution`. */
export const evolutionInboundBody = z.object({
  numberId: z.union([z.string().min(1), z.number()]).transform(String),
  key: z.object({ id: z.string().min(1).optional(), remoteJid: z.string().min(1), fromMe: z.boolean().optional(), participant: z.string().optional() }),
  pushName: z.string().nullable().optional(),
  message: z.record(z.string(), z.unknown()),
  messageType: z.string().optional(),
  messageTimestamp: z.number().int().positive().optional(),
  profilePicUrl: z.string().nullable().optional(),
});

/** `GET /webhook/meta` verification handshake. */
export const metaVerifyQuery = z.object({
  'hub.mode': z.string().optional(),
  'hub.verify_token': z.string().optional(),
  'hub.challenge': z.string().optional(),
});
