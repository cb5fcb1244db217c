// `/message/sendList|sendButtons` (compat §3.5): interactive messages.
import { z } from 'zod';
import type { ButtonSpec, OutboundMessage } from '../../domain/outbound.js';
import { arrayRules, compact, mediaKind, metadataFields, outbound, SEND_ERRORS } from './common.js';

// ── sendList ────────────────────────────────────────────────────────────────────────────────────────────────────

const listRow = z.object({
  title: z.string().min(1),
  description: z.string().min(1).optional(),
  rowId: z.string().min(1),
});

const listSection = z.object({
  title: z.string().min(1),
  rows: z.array(listRow).superRefine(arrayRules(1)),
});

export const sendListBody = z.object({
  ...metadataFields,
  title: z.string(),
  description: z.string().optional(),
  footerText: z.string(),
  buttonText: z.string(),
  sections: z.array(listSection).superRefine(arrayRules(1)),
});

export type SendListBody = z.output<typeof sendListBody>;

export function toListMessage(body: SendListBody): OutboundMessage {
  const { title, description, footerText, buttonText } = body;
  const sections = body.sections.map((s) => ({
    title: s.title,
    rows: s.rows.map((r) => compact({ title: r.title, description: r.description, rowId: r.rowId })),
  }));
  return outbound(body, { kind: 'list', title, ...compact({ description }), footerText, buttonText, sections });
}

// ── sendButtons ─────────────────────────────────────────────────────────────────────────────────────────────────

export const BUTTON_TYPES = ['reply', 'copy', 'url', 'call', 'pix'] as const;
export const PIX_KEY_TYPES = ['phone', 'email', 'cpf', 'cnpj', 'random'] as const;

type ButtonType = (typeof BUTTON_TYPES)[number];

/** What each button type needs to be rendered (Evolution sends whatever is there; WhatsApp needs these). */
const BUTTON_FIELDS = {
  reply: ['displayText', 'id'],
  copy: ['displayText', 'copyCode'],
  url: ['displayText', 'url'],
  call: ['displayText', 'phoneNumber'],
  pix: ['name', 'keyType', 'key'],
} as const satisfies Record<ButtonType, readonly string[]>;

const button = z
  .object({
    type: z.enum(BUTTON_TYPES),
    displayText: z.string().min(1).optional(),
    id: z.string().min(1).optional(),
    copyCode: z.string().min(1).optional(),
    url: z.string().min(1).optional(),
    phoneNumber: z.string().min(1).optional(),
    /** PIX: defaults to BRL, the only currency PIX has. */
    currency: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    keyType: z.enum(PIX_KEY_TYPES).optional(),
    key: z.string().min(1).optional(),
  })
  .superRefine((b, ctx) => {
    for (const field of BUTTON_FIELDS[b.type]) {
      if (b[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `must be given for a "${b.type}" button` });
      }
    }
  });

type WireButton = z.output<typeof button>;

export const sendButtonsBody = z
  .object({
    ...metadataFields,
    title: z.string().optional(),
    description: z.string().optional(),
    footer: z.string().optional(),
    thumbnailUrl: z
      .string()
      .refine((v) => mediaKind(v) !== undefined, { error: 'must be an http(s) URL or base64 image' })
      .optional(),
    buttons: z.array(button).optional(),
  })
  .superRefine((body, ctx) => {
    // Evolution checks these in this order and stops at the first.
    const problem = buttonsProblem(body.buttons ?? []);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['buttons'], message: problem });
  });

function buttonsProblem(buttons: readonly WireButton[]): string | undefined {
  if (buttons.length === 0) return SEND_ERRORS.atLeastOneButton;
  const hasReply = buttons.some((b) => b.type === 'reply');
  const hasPix = buttons.some((b) => b.type === 'pix');
  const hasOther = buttons.some((b) => b.type !== 'reply' && b.type !== 'pix');
  if (hasReply && buttons.length > 3) return SEND_ERRORS.maxReplyButtons;
  if (hasReply && hasOther) return SEND_ERRORS.replyMixed;
  if (hasPix && buttons.length > 1) return SEND_ERRORS.onePix;
  if (hasPix && hasOther) return SEND_ERRORS.pixMixed;
  return undefined;
}

export type SendButtonsBody = z.output<typeof sendButtonsBody>;

function buttonSpec(b: WireButton): ButtonSpec {
  // The schema guarantees each type's fields (BUTTON_FIELDS).
  switch (b.type) {
    case 'reply':
      return { type: 'reply', displayText: b.displayText!, id: b.id! };
    case 'copy':
      return { type: 'copy', displayText: b.displayText!, copyCode: b.copyCode! };
    case 'url':
      return { type: 'url', displayText: b.displayText!, url: b.url! };
    case 'call':
      return { type: 'call', displayText: b.displayText!, phoneNumber: b.phoneNumber! };
    case 'pix':
      return { type: 'pix', currency: b.currency ?? 'BRL', name: b.name!, keyType: b.keyType!, key: b.key! };
  }
}

export function toButtonsMessage(body: SendButtonsBody): OutboundMessage {
  const { title, description, footer, thumbnailUrl } = body;
  return outbound(body, {
    kind: 'buttons',
    ...compact({ title, description, footer, thumbnailUrl }),
    buttons: (body.buttons ?? []).map(buttonSpec),
  });
}
