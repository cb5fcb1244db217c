// HMAC-SHA256 signature checks for inbound provider webhooks, in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Checks a `sha256=<hex>` header (Meta's X-Hub-Signature-256) against the raw body. */
export function verifySha256Header(rawBody: string | Buffer, header: string | undefined, secret: string): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice(7), 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
