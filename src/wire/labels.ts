// `/label/*` (compat §3.8): request schema and response shapes.
import { z } from 'zod';
import type { Label } from '../domain/label.js';
import { numberSchema } from './messages/common.js';

export const handleLabelBody = z.object({
  number: numberSchema,
  labelId: z.string().min(1),
  action: z.enum(['add', 'remove']),
});

/** Evolution stores the colour index as a numeric string. */
export function labelResponse(l: Label) {
  return { color: String(l.color), name: l.name, id: l.labelId, predefinedId: l.predefinedId };
}

export function handleLabelResponse(jid: string, labelId: string, action: 'add' | 'remove') {
  return action === 'add' ? { numberJid: jid, labelId, add: true } : { numberJid: jid, labelId, remove: true };
}
