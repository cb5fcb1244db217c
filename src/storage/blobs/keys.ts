// Blob keys shared by every BlobStore backend: `<instanceId>/<name>`, exactly two segments, both from a small safe
// alphabet. The instance id segment is the tenant scope: a key is only ever resolved for the instance that owns it.

const INSTANCE_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** A stored name: [A-Za-z0-9._-], 1–200 chars, no leading dot (so never `.`/`..`, and never a hidden sidecar). */
const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
const MAX_NAME = 200;
const FALLBACK_NAME = 'blob';
const DEFAULT_MIMETYPE = 'application/octet-stream';

export function isValidInstanceId(instanceId: string): boolean {
  return typeof instanceId === 'string' && INSTANCE_ID.test(instanceId);
}

/** Throws for ids that could escape their directory/prefix (ids are server-generated UUIDs, so this is a bug guard). */
export function assertInstanceId(instanceId: string): void {
  if (!isValidInstanceId(instanceId)) throw new Error(`invalid instance id for blob storage: ${JSON.stringify(instanceId)}`);
}

/**
 * Makes a client-supplied file name storable: every character outside [A-Za-z0-9._-] becomes `_`, leading dots are
 * dropped, and names over 200 characters are cut keeping a short extension. An empty result becomes `blob`.
 */
export function sanitizeName(name: string): string {
  let safe = String(name).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  if (safe.length > MAX_NAME) {
    const dot = safe.lastIndexOf('.');
    const ext = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : '';
    safe = safe.slice(0, MAX_NAME - ext.length) + ext;
  }
  return safe === '' ? FALLBACK_NAME : safe;
}

export function blobKey(instanceId: string, name: string): string {
  assertInstanceId(instanceId);
  return `${instanceId}/${sanitizeName(name)}`;
}

/**
 * The name part of `key` when the key is well-formed and belongs to `instanceId`; otherwise undefined. Rejects
 * anything that is not exactly `<instanceId>/<valid name>`: other instances, `..`, absolute paths, NUL, backslashes,
 * nested segments, percent-encoding.
 */
export function nameInKey(instanceId: string, key: string): string | undefined {
  if (!isValidInstanceId(instanceId) || typeof key !== 'string') return undefined;
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== instanceId) return undefined;
  const name = key.slice(slash + 1);
  return NAME.test(name) ? name : undefined;
}

/** Mimetypes go into a header (S3) or a sidecar; anything that is not a plain printable token becomes octet-stream. */
export function normalizeMimetype(mimetype: string): string {
  const value = typeof mimetype === 'string' ? mimetype.trim() : '';
  return /^[\x21-\x7e][\x20-\x7e]{0,254}$/.test(value) ? value : DEFAULT_MIMETYPE;
}

export { DEFAULT_MIMETYPE };
