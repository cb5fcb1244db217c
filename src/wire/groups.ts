// `/group/*` (compat §3.7): request schemas, the group id rule, Evolution's object-style validation messages, and
// the response shapes.
import { z } from 'zod';
import type { GroupInfo, ParticipantResult } from '../ports/channel-features.js';
import { normalizeNumber } from './jid.js';
import { mediaKind, SEND_ERRORS } from './messages/common.js';
import { issueToMessage } from './validation.js';

/** Evolution's answer when no group id was given (two strings, as it sends them). */
export const GROUP_JID_MISSING = ['The group id needs to be informed in the query', 'ex: "groupJid=120362@g.us"'] as const;

/** A group id as given (with or without `@g.us`), or undefined when absent or blank. */
export function groupJidOf(...candidates: (string | undefined)[]): string | undefined {
  const given = candidates.find((c) => c !== undefined && c.trim() !== '')?.trim();
  if (given === undefined) return undefined;
  return given.includes('@') ? given : `${given}@g.us`;
}

const groupJidField = z.string().optional();
export const groupJidQuery = z.object({ groupJid: groupJidField });
export const inviteCodeQuery = z.object({
  inviteCode: z.string().regex(/^[a-zA-Z0-9]{22}$/, { error: 'does not match pattern "^[a-zA-Z0-9]{22}$"' }),
});
export const fetchAllGroupsQuery = z.object({ getParticipants: z.enum(['true', 'false']) });

/** Evolution wants numeric strings of 10+ digits; spaces, `+`, parentheses and dashes of a written number are let through. */
const participantJids = z
  .array(z.string().refine((v) => /^\d{10,}/.test(v.replace(/[\s+()-]/g, '')), { error: 'must be a phone number of at least 10 digits or a JID' }))
  .min(1);

export const createGroupBody = z.object({
  subject: z.string().min(1),
  participants: participantJids,
  description: z.string().optional(),
  promoteParticipants: z.boolean().optional(),
});

export const subjectBody = z.object({ groupJid: groupJidField, subject: z.string().min(1) });
export const descriptionBody = z.object({ groupJid: groupJidField, description: z.string() });
export const pictureBody = z.object({
  groupJid: groupJidField,
  image: z.string().min(1).refine((v) => mediaKind(v) !== undefined, { error: SEND_ERRORS.ownedMedia }),
});
export const groupJidBody = z.object({ groupJid: groupJidField }).optional();
export const sendInviteBody = z.object({
  groupJid: z.string().min(1),
  description: z.string(),
  numbers: z.array(z.string().min(1)).min(1),
});
export const updateParticipantBody = z.object({
  groupJid: groupJidField,
  action: z.enum(['add', 'remove', 'promote', 'demote']),
  participants: participantJids,
});
export const updateSettingBody = z.object({
  groupJid: groupJidField,
  action: z.enum(['announcement', 'not_announcement', 'locked', 'unlocked']),
});
export const EPHEMERAL_EXPIRATIONS = [0, 86400, 604800, 7776000] as const;
export const toggleEphemeralBody = z.object({
  groupJid: groupJidField,
  expiration: z.number().refine((v) => (EPHEMERAL_EXPIRATIONS as readonly number[]).includes(v), {
    error: `expiration is not one of enum values: ${EPHEMERAL_EXPIRATIONS.join(',')}`,
  }),
});

/** Participants as JIDs: numbers are normalized, `…@lid` and `…@s.whatsapp.net` are kept. */
export const participantJidsOf = (participants: string[]) => participants.map(normalizeNumber);

/**
 * Evolution's group validators answer `{property, message}` objects (jsonschema's error fields): the property is
 * `instance` plus the path, the message the rule that failed.
 */
export function groupValidationMessage(issue: z.core.$ZodIssue, input: unknown): { property: string; message: string } {
  const text = issueToMessage(issue, input);
  const field = issue.path.map(String).join('.');
  const missing = /^(.+) requires property (".+")$/.exec(text);
  if (missing !== null) return { property: missing[1]!, message: `requires property ${missing[2]}` };
  const property = field === '' ? 'instance' : `instance.${field}`;
  return { property, message: field !== '' && text.startsWith(`${field} `) ? text.slice(field.length + 1) : text };
}

/** A group as `findGroupInfos`, `create` and `inviteInfo` show it. */
export function groupResponse(g: GroupInfo, options: { pictureUrl?: string | null; participants?: boolean } = {}) {
  return {
    id: g.id,
    subject: g.subject,
    subjectOwner: g.subjectOwner,
    subjectTime: g.subjectTime,
    ...(options.pictureUrl === undefined ? {} : { pictureUrl: options.pictureUrl }),
    size: g.size,
    creation: g.creation,
    owner: g.owner,
    desc: g.desc,
    descId: g.descId,
    restrict: g.restrict,
    announce: g.announce,
    ...(options.participants === false ? {} : { participants: g.participants.map(participantResponse) }),
    isCommunity: g.isCommunity,
    isCommunityAnnounce: g.isCommunityAnnounce,
    linkedParent: g.linkedParent,
  };
}

export function participantResponse(p: GroupInfo['participants'][number]) {
  return {
    id: p.id,
    admin: p.admin,
    ...(p.phoneNumber ? { phoneNumber: p.phoneNumber } : {}),
    ...(p.lid ? { lid: p.lid } : {}),
    ...(p.name ? { name: p.name } : {}),
    ...(p.imgUrl ? { imgUrl: p.imgUrl } : {}),
  };
}

export function participantsUpdateResponse(results: ParticipantResult[]) {
  return { updateParticipants: results.map((r) => ({ status: r.status, jid: r.jid, content: r.content })) };
}
