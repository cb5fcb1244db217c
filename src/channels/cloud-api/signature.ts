// Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, exact raw body)>`.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const META_SIGNATURE_HEADER = 'x-hub-signature-256';

/** The header value Meta would send for this raw body. */
export function metaSignature(rawBody: string | Buffer, appSecret: string): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

/**
 * True when `header` signs the exact raw bytes with `appSecret`. Compute it over the body as received: Meta escapes
 * unicode, so re-serialised JSON does not match. The comparison takes the same time wherever the strings differ.
 */
export function verifyMetaSignature(rawBody: string | Buffer, header: string | undefined, appSecret: string): boolean {
  if (header === undefined || appSecret === '') return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (match === null) return false;
  const given = Buffer.from(match[1]!.toLowerCase(), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
