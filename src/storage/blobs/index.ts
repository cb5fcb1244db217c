// Picks the BlobStore backend. To add one: implement `BlobStore` in this folder and add a `kind` here.
import type { BlobStore } from '../../ports/blob-store.js';
import { LocalBlobStore } from './local.js';
import { S3BlobStore, type S3BlobSettings } from './s3.js';

export type BlobStoreConfig = { kind: 'local'; rootDir: string } | ({ kind: 's3' } & S3BlobSettings);

export function createBlobStore(config: BlobStoreConfig): BlobStore {
  switch (config.kind) {
    case 'local':
      return new LocalBlobStore(config.rootDir);
    case 's3': {
      const { kind: _kind, ...settings } = config;
      return new S3BlobStore(settings);
    }
    default: {
      const unknown: never = config;
      throw new Error(`unknown blob store kind: ${String((unknown as { kind?: unknown }).kind)}`);
    }
  }
}

export { LocalBlobStore } from './local.js';
export { S3BlobStore, type S3BlobSettings } from './s3.js';
export { sanitizeName } from './keys.js';
