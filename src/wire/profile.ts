// Profile and privacy routes (compat §3.6): request schemas and response shapes.
import { z } from 'zod';
import type { BusinessProfile, ProfileInfo } from '../ports/channel-features.js';
import type { BusinessLookup } from '../core/profile.js';
import { mediaKind, numberSchema, SEND_ERRORS } from './messages/common.js';

export const numberBody = z.object({ number: numberSchema });
export const optionalNumberBody = z.object({ number: numberSchema.optional() }).optional();
export const profileNameBody = z.object({ name: z.string().min(1) });
export const profileStatusBody = z.object({ status: z.string() });
export const profilePictureBody = z.object({
  picture: z.string().min(1).refine((v) => mediaKind(v) !== undefined, { error: SEND_ERRORS.ownedMedia }),
});

const visibility = z.enum(['all', 'contacts', 'contact_blacklist', 'none']);
export const privacySettingsBody = z.object({
  readreceipts: z.enum(['all', 'none']),
  profile: visibility,
  status: visibility,
  online: z.enum(['all', 'match_last_seen']),
  last: visibility,
  groupadd: visibility,
});

export const updateSuccess = { update: 'success' } as const;

export function pictureUrlResponse(jid: string, url: string | null) {
  return { wuid: jid, profilePictureUrl: url };
}

export function profileResponse(p: ProfileInfo & { exists: boolean }) {
  return {
    wuid: p.jid,
    name: p.name,
    numberExists: p.exists,
    picture: p.pictureUrl,
    status: p.status,
    isBusiness: p.business !== null,
    ...(p.business === null ? {} : { email: p.business.email, description: p.business.description, website: p.business.website }),
  };
}

export function businessProfileResponse(lookup: BusinessLookup) {
  if (lookup.business === null) {
    const c = lookup.check;
    return { isBusiness: false, message: 'Not is business profile', jid: c.jid, exists: c.exists, number: c.number, name: c.name };
  }
  const b: BusinessProfile = lookup.business;
  return { isBusiness: true, wid: b.wid, description: b.description, email: b.email, website: b.website, category: b.category, address: b.address, business_hours: b.businessHours };
}

/** The six settings Evolution shows, in its order; others WhatsApp reports are left out as Evolution does. */
export function privacyResponse(s: Record<string, string>) {
  return { readreceipts: s.readreceipts, profile: s.profile, status: s.status, online: s.online, last: s.last, groupadd: s.groupadd };
}
