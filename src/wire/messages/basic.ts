// `/message/sendText|sendLocation|sendContact|sendReaction|sendPoll|sendTemplate` (compat §3.5): request schemas and
// their mapping onto the domain's OutboundMessage.
import { z } from 'zod';
import type { OutboundMessage } from '../../domain/outbound.js';
import { normalizeNumber } from '../jid.js';
import { arrayRules, compact, metadataFields, outbound, SEND_ERRORS, unlessMissing } from './common.js';
import { isReaction } from './emoji.js';

// ── sendText ────────────────────────────────────────────────────────────────────────────────────────────────────

export const sendTextBody = z.object({
  ...metadataFields,
  text: z.string().refine((v) => v.trim().length > 0, { error: SEND_ERRORS.textRequired }),
});

export type SendTextBody = z.output<typeof sendTextBody>;

export function toTextMessage(body: SendTextBody): OutboundMessage {
  return outbound(body, { kind: 'text', text: body.text, ...compact({ linkPreview: body.linkPreview }) });
}

// ── sendLocation ────────────────────────────────────────────────────────────────────────────────────────────────

function coordinate(limit: number) {
  return z.number().refine((v) => v >= -limit && v <= limit, { error: `must be a number from -${limit} to ${limit}` });
}

export const sendLocationBody = z.object({
  ...metadataFields,
  latitude: coordinate(90),
  longitude: coordinate(180),
  name: z.string(),
  address: z.string(),
});

export type SendLocationBody = z.output<typeof sendLocationBody>;

export function toLocationMessage(body: SendLocationBody): OutboundMessage {
  const { latitude, longitude, name, address } = body;
  return outbound(body, { kind: 'location', latitude, longitude, name, address });
}

// ── sendContact ─────────────────────────────────────────────────────────────────────────────────────────────────

const contactCard = z.object({
  fullName: z.string().min(1),
  phoneNumber: z.string().min(10),
  /** The WhatsApp id put in the vCard's `waid=`: digits only. */
  wuid: z
    .string({ error: unlessMissing(SEND_ERRORS.wuid) })
    .min(10, { error: SEND_ERRORS.wuid })
    .regex(/^\d+$/, { error: SEND_ERRORS.wuid })
    .optional(),
  organization: z.string().optional(),
  email: z.string().optional(),
  url: z.string().optional(),
});

export const sendContactBody = z.object({
  ...metadataFields,
  contact: z.array(contactCard).superRefine(arrayRules(1)),
});

export type SendContactBody = z.output<typeof sendContactBody>;

export function toContactMessage(body: SendContactBody): OutboundMessage {
  const contacts = body.contact.map((c) =>
    compact({ fullName: c.fullName, phoneNumber: c.phoneNumber, wuid: c.wuid, organization: c.organization, email: c.email, url: c.url }),
  );
  return outbound(body, { kind: 'contacts', contacts });
}

// ── sendReaction (no `number`: the chat is the reacted message's) ──────────────────────────────────────────────

export const sendReactionBody = z.object({
  key: z.object({
    id: z.string().min(1),
    remoteJid: z.string().min(1),
    fromMe: z.boolean(),
    participant: z.string().optional(),
  }),
  reaction: z.string().refine(isReaction, { error: SEND_ERRORS.reaction }),
});

export type SendReactionBody = z.output<typeof sendReactionBody>;

export function toReactionMessage(body: SendReactionBody): OutboundMessage {
  const { id, remoteJid, fromMe, participant } = body.key;
  return {
    to: normalizeNumber(remoteJid),
    content: { kind: 'reaction', key: { id, remoteJid, fromMe, ...compact({ participant }) }, reaction: body.reaction },
  };
}

// ── sendPoll ────────────────────────────────────────────────────────────────────────────────────────────────────

export const sendPollBody = z.object({
  ...metadataFields,
  name: z.string(),
  selectableCount: z.number().int().min(0).max(10),
  values: z.array(z.string()).superRefine(arrayRules(2, 10)),
});

export type SendPollBody = z.output<typeof sendPollBody>;

export function toPollMessage(body: SendPollBody): OutboundMessage {
  return outbound(body, { kind: 'poll', name: body.name, selectableCount: body.selectableCount, values: body.values });
}

// ── sendTemplate (WhatsApp Business Cloud API templates) ────────────────────────────────────────────────────────

export const sendTemplateBody = z.object({
  ...metadataFields,
  name: z.string().min(1),
  language: z.string().min(1),
  components: z.array(z.unknown()).optional(),
  /** Receives Meta's status updates for this message. */
  webhookUrl: z
    .string()
    .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), { error: 'must be an http(s) URL' })
    .optional(),
});

export type SendTemplateBody = z.output<typeof sendTemplateBody>;

export function toTemplateMessage(body: SendTemplateBody): OutboundMessage {
  const { name, language, webhookUrl } = body;
  return outbound(body, { kind: 'template', name, language, components: body.components ?? [], ...compact({ webhookUrl }) });
}
