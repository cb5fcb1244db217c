// Where media bytes live. To add a backend: implement `BlobStore` under src/storage/blobs/ and select it in
// src/storage/blobs/index.ts. Keys are always scoped by instance id, so one tenant can never read another's media.

export interface StoredBlob {
  key: string;
  size: number;
  mimetype: string;
}

export interface BlobStore {
  readonly kind: 'local' | 's3';
  /** Stores bytes under `<instanceId>/<name>`; returns the key. */
  put(instanceId: string, name: string, data: Buffer, mimetype: string): Promise<StoredBlob>;
  /** Reads bytes; undefined when the key does not exist or belongs to another instance. */
  get(instanceId: string, key: string): Promise<{ data: Buffer; mimetype: string } | undefined>;
  /** A URL a client can fetch the object from (S3: presigned, expiring); undefined for the local store. */
  url(instanceId: string, key: string, expiresInSeconds: number): Promise<string | undefined>;
  delete(instanceId: string, key: string): Promise<void>;
}
