// Meta's webhook delivery (`{object:'whatsapp_business_account', entry:[{changes:[{field, value}]}]}`) → one batch per
// phone_number_id. Every entry, change and item is handled; anything malformed or of another topic is skipped.
import type { InboundMedia } from '../../domain/message.js';
import type { WebhookBatch } from '../../ports/channel.js';
import { mapInboundMessage, mapStatus } from './inbound-mapping.js';

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export type MediaFactory = (accountId: string, mediaId: string, hint: { mimetype?: string; fileName?: string; sha256?: string }) => InboundMedia;

/** Accepts the parsed JSON body, or the raw body as a string/Buffer. */
function toObject(body: unknown): Obj | undefined {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      const parsed: unknown = JSON.parse(body.toString());
      return isObj(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return isObj(body) ? body : undefined;
}

function pushNames(value: Obj): (waId: string) => string | null {
  const contacts = arrayOf(value.contacts).filter(isObj);
  return (waId) => {
    const contact = contacts.find((c) => c.wa_id === waId) ?? (contacts.length === 1 ? contacts[0] : undefined);
    const profile = contact !== undefined && isObj(contact.profile) ? contact.profile : undefined;
    return typeof profile?.name === 'string' ? profile.name : null;
  };
}

export function parseDelivery(body: unknown, media: MediaFactory, nowSeconds = Math.floor(Date.now() / 1000)): WebhookBatch[] {
  const root = toObject(body);
  if (root === undefined || root.object !== 'whatsapp_business_account') return [];
  const batches = new Map<string, WebhookBatch>();
  for (const entry of arrayOf(root.entry)) {
    if (!isObj(entry)) continue;
    for (const change of arrayOf(entry.changes)) {
      if (!isObj(change) || change.field !== 'messages' || !isObj(change.value)) continue;
      const value = change.value;
      const metadata = isObj(value.metadata) ? value.metadata : undefined;
      const accountId = typeof metadata?.phone_number_id === 'string' ? metadata.phone_number_id : typeof metadata?.phone_number_id === 'number' ? String(metadata.phone_number_id) : undefined;
      if (accountId === undefined || accountId === '') continue;
      let batch = batches.get(accountId);
      if (batch === undefined) {
        batch = { accountId, messages: [], statuses: [] };
        batches.set(accountId, batch);
      }
      const context = {
        pushNameOf: pushNames(value),
        media: (mediaId: string, hint: { mimetype?: string; fileName?: string; sha256?: string }) => media(accountId, mediaId, hint),
      };
      for (const raw of arrayOf(value.messages)) {
        try {
          const message = mapInboundMessage(raw, context, nowSeconds);
          if (message !== undefined) batch.messages.push(message);
        } catch {
          // a shape we did not foresee: skip the item, keep the rest of the delivery
        }
      }
      for (const raw of arrayOf(value.statuses)) {
        try {
          const status = mapStatus(raw, nowSeconds);
          if (status !== undefined) batch.statuses.push(status);
        } catch {
          // as above
        }
      }
    }
  }
  return [...batches.values()].filter((b) => b.messages.length > 0 || b.statuses.length > 0);
}
