// Media bytes on the local disk: `<rootDir>/<instanceId>/<name>`, with the mimetype in a hidden sidecar
// `<rootDir>/<instanceId>/.<name>.meta.json`. Stored names never start with a dot (see keys.ts), so neither the
// sidecars nor the `.<name>.<random>.tmp` files used for atomic writes can collide with — or be read as — a blob.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { BlobStore, StoredBlob } from '../../ports/blob-store.js';
import { assertInstanceId, blobKey, DEFAULT_MIMETYPE, nameInKey, normalizeMimetype } from './keys.js';

const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

interface Sidecar {
  mimetype: string;
}

export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = resolve(rootDir);
  }

  async put(instanceId: string, name: string, data: Buffer, mimetype: string): Promise<StoredBlob> {
    assertInstanceId(instanceId);
    const key = blobKey(instanceId, name);
    const safeName = key.slice(instanceId.length + 1);
    const dir = join(this.root, instanceId);
    const type = normalizeMimetype(mimetype);
    await mkdir(dir, { recursive: true });
    // Sidecar first: a reader that sees the new bytes also sees (at least) their mimetype.
    const sidecar: Sidecar = { mimetype: type };
    await writeAtomically(dir, sidecarName(safeName), Buffer.from(JSON.stringify(sidecar)));
    await writeAtomically(dir, safeName, data);
    return { key, size: data.length, mimetype: type };
  }

  async get(instanceId: string, key: string): Promise<{ data: Buffer; mimetype: string } | undefined> {
    const paths = this.pathsOf(instanceId, key);
    if (!paths) return undefined;
    let data: Buffer;
    try {
      const handle = await open(paths.file, READ_FLAGS);
      try {
        if (!(await handle.stat()).isFile()) return undefined;
        data = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    return { data, mimetype: await readMimetype(paths.sidecar) };
  }

  async url(_instanceId: string, _key: string, _expiresInSeconds: number): Promise<string | undefined> {
    return undefined; // local bytes are served through the API, never by URL
  }

  async delete(instanceId: string, key: string): Promise<void> {
    const paths = this.pathsOf(instanceId, key);
    if (!paths) return;
    await unlinkIfExists(paths.file);
    await unlinkIfExists(paths.sidecar);
  }

  /** Absolute paths for a key of this instance, or undefined for foreign/malformed keys. */
  private pathsOf(instanceId: string, key: string): { file: string; sidecar: string } | undefined {
    const name = nameInKey(instanceId, key);
    if (name === undefined) return undefined;
    const dir = join(this.root, instanceId);
    const file = join(dir, name);
    // Belt and braces: keys.ts already guarantees a single safe segment.
    if (!file.startsWith(this.root + sep) || !dir.startsWith(this.root + sep)) return undefined;
    return { file, sidecar: join(dir, sidecarName(name)) };
  }
}

const sidecarName = (name: string) => `.${name}.meta.json`;

async function writeAtomically(dir: string, name: string, data: Buffer): Promise<void> {
  const temp = join(dir, `.${name}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o640);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(dir, name));
  } catch (error) {
    await unlinkIfExists(temp).catch(() => undefined);
    throw error;
  }
}

async function readMimetype(sidecar: string): Promise<string> {
  try {
    const parsed = JSON.parse(await readFile(sidecar, 'utf8')) as Partial<Sidecar>;
    return typeof parsed.mimetype === 'string' ? normalizeMimetype(parsed.mimetype) : DEFAULT_MIMETYPE;
  } catch {
    return DEFAULT_MIMETYPE; // missing or unreadable sidecar: the bytes are still served
  }
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EISDIR';
}
