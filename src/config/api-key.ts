// The global API key: from AUTHENTICATION_API_KEY, or generated once into the data directory.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ApiKeyResolution {
  key: string;
  source: 'env' | 'file' | 'generated';
  file?: string;
}

/** Evolution ships this as its default key; a deployment still using it is open to anyone who read the docs. */
const KNOWN_DEFAULT_KEYS = new Set(['BQYHJGJHJ', '429683C4C977415CAAFCCE10F7D57E11']);

export function isKnownDefaultKey(key: string): boolean {
  return KNOWN_DEFAULT_KEYS.has(key);
}

/**
 * Node-local: the generated key lives in this node's data directory. Several nodes sharing one PostgreSQL must be
 * given the same AUTHENTICATION_API_KEY (documented in the README).
 */
export function resolveApiKey(configured: string | undefined, dataDir: string): ApiKeyResolution {
  if (configured !== undefined) return { key: configured, source: 'env' };
  const file = path.join(dataDir, 'apikey');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length > 0) return { key, source: 'file', file };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, source: 'generated', file };
}
