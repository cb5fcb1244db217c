// Media bytes in an S3 (or S3-compatible: MinIO, R2, …) bucket. Object key = blob key = `<instanceId>/<name>`; the
// instance prefix is the tenant scope and is checked before any request is made. The bucket is never made public
// (unlike Evolution without S3_SKIP_POLICY): clients get expiring presigned GET URLs instead.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobStore, StoredBlob } from '../../ports/blob-store.js';
import { blobKey, DEFAULT_MIMETYPE, nameInKey, normalizeMimetype } from './keys.js';

export interface S3BlobSettings {
  /** Custom endpoint (MinIO, R2, a local fake); unset → AWS for `region`. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

/** SigV4 presigned URLs live at most 7 days. */
const MAX_URL_EXPIRY_SECONDS = 7 * 24 * 3600;

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(settings: S3BlobSettings, clientOverrides: Partial<S3ClientConfig> = {}) {
    if (!settings.bucket) throw new Error('S3 blob store: bucket is required');
    this.bucket = settings.bucket;
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.forcePathStyle,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      // Checksums only where S3 requires them: S3-compatible servers vary in their support of the newer
      // CRC checksum headers/trailers, and SigV4 already covers the payload hash.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...clientOverrides,
    });
  }

  /** Checks that the bucket exists and the credentials can reach it (for startup/health checks); throws if not. */
  async checkBucket(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  async put(instanceId: string, name: string, data: Buffer, mimetype: string): Promise<StoredBlob> {
    const key = blobKey(instanceId, name);
    const type = normalizeMimetype(mimetype);
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: data, ContentType: type, ContentLength: data.length }),
    );
    return { key, size: data.length, mimetype: type };
  }

  async get(instanceId: string, key: string): Promise<{ data: Buffer; mimetype: string } | undefined> {
    if (nameInKey(instanceId, key) === undefined) return undefined;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) return undefined;
      const data = Buffer.from(await out.Body.transformToByteArray());
      return { data, mimetype: out.ContentType ? normalizeMimetype(out.ContentType) : DEFAULT_MIMETYPE };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async url(instanceId: string, key: string, expiresInSeconds: number): Promise<string | undefined> {
    if (nameInKey(instanceId, key) === undefined) return undefined;
    const expiresIn = Math.min(Math.max(Math.floor(expiresInSeconds) || 1, 1), MAX_URL_EXPIRY_SECONDS);
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
  }

  async delete(instanceId: string, key: string): Promise<void> {
    if (nameInKey(instanceId, key) === undefined) return;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Releases the SDK's sockets. */
  close(): void {
    this.client.destroy();
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.Code === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
