// Picks the BlobStore backend. To add one: implement `BlobStore` in this folder and add a `kind` here.
import type { BlobStore } from '../../ports/blob-store.js';
import { LocalBlobStore } from './local.js';
import type { S3BlobSettings } from './s3.js';

export type BlobStoreConfig = { kind: 'local'; rootDir: string } | ({ kind: 's3' } & S3BlobSettings);

/** The S3 store (and the AWS SDK) is loaded only when configured. */
export async function createBlobStore(config: BlobStoreConfig): Promise<BlobStore> {
  switch (config.kind) {
    case 'local':
      return new LocalBlobStore(config.rootDir);
    case 's3': {
      const { kind: _kind, ...settings } = config;
      const { S3BlobStore } = await import('./s3.js');
      return new S3BlobStore(settings);
    }
    default: {
      const unknown: never = config;
      throw new Error(`unknown blob store kind: ${String((unknown as { kind?: unknown }).kind)}`);
    }
  }
}

export { LocalBlobStore } from './local.js';
export type { S3BlobSettings } from './s3.js';
export { sanitizeName } from './keys.js';
