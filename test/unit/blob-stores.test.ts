// BlobStore contract, run against both backends: LocalBlobStore in a temp dir and S3BlobStore against a fake S3
// (real HTTP on 127.0.0.1, SigV4 verified in full). Plus backend-specific checks: on-disk layout and atomic writes
// (local), request shape, presigned URLs and bucket policy (S3).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobStore } from '../../src/ports/blob-store.js';
import { createBlobStore, LocalBlobStore, sanitizeName } from '../../src/storage/blobs/index.js';
import { S3BlobStore } from '../../src/storage/blobs/s3.js';
import { FakeS3 } from '../fakes/fake-s3.js';

const A = '0b6a5d4e-1c2f-4a3b-9e8d-7f6a5b4c3d2e';
const B = '9f8e7d6c-5b4a-4392-8a1b-0c9d8e7f6a5b';
const S3_CREDS = { accessKeyId: 'AKIAPARLEYTEST', secretAccessKey: 'parley-test-secret' };

const TRAVERSAL_KEYS = [
  `${A}/../${B}/photo.jpg`, `../${A}/photo.jpg`, `${A}/..`, `${A}/.`, `${A}/`, `${A}//photo.jpg`, `/${A}/photo.jpg`,
  `/etc/passwd`, `${A}/sub/photo.jpg`, `${A}/..\\..\\photo.jpg`, `${A}\\photo.jpg`, `${A}/photo.jpg\0`, `${A}/photo\0.jpg`,
  `${A}/%2e%2e`, `${A}/.photo.jpg.meta.json`, `C:\\${A}\\photo.jpg`, `${A}`, '', `./${A}/photo.jpg`,
];

interface Harness {
  store: BlobStore;
  /** Number of backend requests so far (S3), or undefined when not observable. */
  requestCount(): number | undefined;
  cleanup(): Promise<void>;
}

function contract(label: string, make: () => Promise<Harness>): void {
  describe(`BlobStore contract: ${label}`, () => {
    let h: Harness;
    before(async () => { h = await make(); });
    after(async () => { await h.cleanup(); });

    it('round-trips bytes and mimetype, returning the scoped key and size', async () => {
      const data = Buffer.from([0, 1, 2, 255, 254, 0x0a, 0x0d, 0]);
      const stored = await h.store.put(A, 'photo.jpg', data, 'image/jpeg');
      assert.deepEqual(stored, { key: `${A}/photo.jpg`, size: data.length, mimetype: 'image/jpeg' });
      const got = await h.store.get(A, stored.key);
      assert.ok(got);
      assert.ok(got.data.equals(data));
      assert.equal(got.mimetype, 'image/jpeg');
    });

    it('overwrites an existing name (bytes and mimetype)', async () => {
      await h.store.put(A, 'doc.bin', Buffer.from('first'), 'text/plain');
      const stored = await h.store.put(A, 'doc.bin', Buffer.from('second'), 'application/pdf');
      assert.deepEqual(await h.store.get(A, stored.key), { data: Buffer.from('second'), mimetype: 'application/pdf' });
    });

    it('sanitizes names into a single safe segment under the instance', async () => {
      const stored = await h.store.put(A, '../../etc/pa ss\\wd\0.txt', Buffer.from('x'), 'text/plain');
      assert.equal(stored.key, `${A}/_.._etc_pa_ss_wd_.txt`);
      assert.deepEqual(await h.store.get(A, stored.key), { data: Buffer.from('x'), mimetype: 'text/plain' });
      const long = await h.store.put(A, `${'n'.repeat(300)}.ogg`, Buffer.from('y'), 'audio/ogg');
      assert.equal(long.key.length, A.length + 1 + 200);
      assert.ok(long.key.endsWith('n.ogg'));
      assert.deepEqual(await h.store.get(A, long.key), { data: Buffer.from('y'), mimetype: 'audio/ogg' });
    });

    it("never reads another instance's key", async () => {
      const a = await h.store.put(A, 'secret.png', Buffer.from('tenant A'), 'image/png');
      const b = await h.store.put(B, 'secret.png', Buffer.from('tenant B'), 'image/png');
      const before = h.requestCount();
      assert.equal(await h.store.get(B, a.key), undefined);
      assert.equal(await h.store.get(A, b.key), undefined);
      assert.equal(await h.store.url(B, a.key, 60), undefined);
      await h.store.delete(B, a.key);
      assert.equal(h.requestCount(), before, 'foreign keys are refused without touching the backend');
      assert.deepEqual(await h.store.get(A, a.key), { data: Buffer.from('tenant A'), mimetype: 'image/png' });
      assert.deepEqual(await h.store.get(B, b.key), { data: Buffer.from('tenant B'), mimetype: 'image/png' });
    });

    it('refuses traversal and malformed keys', async () => {
      await h.store.put(A, 'photo.jpg', Buffer.from('p'), 'image/jpeg');
      await h.store.put(B, 'photo.jpg', Buffer.from('q'), 'image/jpeg');
      const before = h.requestCount();
      for (const key of TRAVERSAL_KEYS) {
        assert.equal(await h.store.get(A, key), undefined, `get ${JSON.stringify(key)}`);
        assert.equal(await h.store.url(A, key, 60), undefined, `url ${JSON.stringify(key)}`);
        await h.store.delete(A, key);
      }
      assert.equal(await h.store.get('../x', `../x/photo.jpg`), undefined);
      assert.equal(h.requestCount(), before);
      assert.ok(await h.store.get(B, `${B}/photo.jpg`), 'nothing was deleted through a malformed key');
    });

    it('rejects an unsafe instance id on put', async () => {
      for (const id of ['..', '../x', 'a/b', '', 'a\\b', 'a\0b']) {
        await assert.rejects(h.store.put(id, 'x.txt', Buffer.from('x'), 'text/plain'), /invalid instance id/);
      }
    });

    it('deletes; get of a missing key is undefined; deleting twice is fine', async () => {
      const stored = await h.store.put(A, 'gone.txt', Buffer.from('bye'), 'text/plain');
      await h.store.delete(A, stored.key);
      assert.equal(await h.store.get(A, stored.key), undefined);
      await h.store.delete(A, stored.key);
      assert.equal(await h.store.get(A, `${A}/never-stored.txt`), undefined);
    });

    it('falls back to application/octet-stream for unusable mimetypes', async () => {
      const stored = await h.store.put(A, 'raw', Buffer.from('r'), 'text/plain\r\nX-Evil: 1');
      assert.equal(stored.mimetype, 'application/octet-stream');
      assert.equal((await h.store.get(A, stored.key))?.mimetype, 'application/octet-stream');
    });

    it('round-trips 1 MB of random binary', async () => {
      const data = randomBytes(1024 * 1024);
      const stored = await h.store.put(A, 'big.bin', data, 'application/octet-stream');
      assert.equal(stored.size, data.length);
      const got = await h.store.get(A, stored.key);
      assert.ok(got?.data.equals(data));
    });
  });
}

contract('local', async () => {
  const root = await mkdtemp(join(tmpdir(), 'parley-blobs-'));
  return { store: await createBlobStore({ kind: 'local', rootDir: root }), requestCount: () => undefined, cleanup: () => rm(root, { recursive: true, force: true }) };
});

contract('s3', async () => {
  const fake = await FakeS3.start({ ...S3_CREDS, buckets: ['parley-media'] });
  const store = await createBlobStore({ kind: 's3', endpoint: fake.url, region: 'us-east-1', bucket: 'parley-media', forcePathStyle: true, ...S3_CREDS });
  return { store, requestCount: () => fake.requests.length, cleanup: async () => { (store as S3BlobStore).close(); await fake.close(); } };
});

describe('LocalBlobStore specifics', () => {
  let root: string;
  let store: LocalBlobStore;
  before(async () => { root = await mkdtemp(join(tmpdir(), 'parley-blobs-')); store = new LocalBlobStore(root); });
  after(async () => { await rm(root, { recursive: true, force: true }); });

  it('lays files out as <root>/<instanceId>/<name> with a hidden sidecar and no temp files left', async () => {
    const data = randomBytes(4096);
    await store.put(A, 'voice.ogg', data, 'audio/ogg; codecs=opus');
    assert.ok((await readFile(join(root, A, 'voice.ogg'))).equals(data));
    assert.deepEqual((await readdir(join(root, A))).sort(), ['.voice.ogg.meta.json', 'voice.ogg']);
    assert.equal((await store.get(A, `${A}/voice.ogg`))?.mimetype, 'audio/ogg; codecs=opus');
  });

  it('url is always undefined', async () => {
    const stored = await store.put(A, 'u.txt', Buffer.from('u'), 'text/plain');
    assert.equal(await store.url(A, stored.key, 3600), undefined);
  });

  it('concurrent writes to one name leave one complete version', async () => {
    const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(256 * 1024, i));
    await Promise.all(versions.map((v) => store.put(A, 'race.bin', v, 'application/octet-stream')));
    const got = await store.get(A, `${A}/race.bin`);
    assert.ok(got && versions.some((v) => v.equals(got.data)));
    assert.equal((await readdir(join(root, A))).filter((f) => f.endsWith('.tmp')).length, 0);
  });
});

describe('S3BlobStore specifics', () => {
  let fake: FakeS3;
  let store: S3BlobStore;
  const settings = (overrides = {}) => ({ endpoint: fake.url, region: 'us-east-1', bucket: 'parley-media', forcePathStyle: true, ...S3_CREDS, ...overrides });
  before(async () => { fake = await FakeS3.start({ ...S3_CREDS, buckets: ['parley-media'] }); store = new S3BlobStore(settings()); });
  after(async () => { store.close(); await fake.close(); });

  it('stores the object at <bucket>/<instanceId>/<name> with its Content-Type, SigV4-signed', async () => {
    await store.put(A, 'photo.jpg', Buffer.from('jpeg bytes'), 'image/jpeg');
    const object = fake.object('parley-media', `${A}/photo.jpg`);
    assert.equal(object?.contentType, 'image/jpeg');
    assert.equal(object?.data.toString(), 'jpeg bytes');
    const put = fake.requests.findLast((r) => r.method === 'PUT')!;
    assert.equal(put.auth, 'header');
    assert.match(String(put.headers.authorization), new RegExp(`^AWS4-HMAC-SHA256 Credential=${S3_CREDS.accessKeyId}/`));
  });

  it('presigns a GET URL that plain fetch can read, and that expires', async () => {
    const data = randomBytes(2048);
    const stored = await store.put(A, 'clip.mp4', data, 'video/mp4');
    const url = await store.url(A, stored.key, 120);
    assert.ok(url);
    const parsed = new URL(url);
    assert.equal(parsed.pathname, `/parley-media/${A}/clip.mp4`);
    assert.equal(parsed.searchParams.get('X-Amz-Expires'), '120');
    assert.ok(parsed.searchParams.get('X-Amz-Signature'));
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/mp4');
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(data));
    assert.equal(fake.requests.at(-1)?.auth, 'query');

    parsed.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    assert.equal((await fetch(parsed)).status, 403, 'a tampered signature is refused');
    const client = new S3Client({ endpoint: fake.url, region: 'us-east-1', forcePathStyle: true, credentials: S3_CREDS });
    const command = new GetObjectCommand({ Bucket: 'parley-media', Key: stored.key });
    const expired = await fetch(await getSignedUrl(client, command, { expiresIn: 60, signingDate: new Date(Date.now() - 7200_000) }));
    client.destroy();
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /Request has expired/);
    const long = new URL((await store.url(A, stored.key, 30 * 24 * 3600))!);
    assert.equal(long.searchParams.get('X-Amz-Expires'), String(7 * 24 * 3600), 'expiry clamped to the SigV4 maximum');
  });

  it('checkBucket passes for the bucket and fails for a missing one', async () => {
    await store.checkBucket();
    const other = new S3BlobStore(settings({ bucket: 'no-such-bucket' }));
    await assert.rejects(other.checkBucket());
    other.close();
  });

  it('never touches bucket policy/ACLs (the bucket is never made public)', () => {
    assert.ok(fake.requests.length > 0);
    for (const r of fake.requests) {
      assert.ok(!('policy' in r.query) && !('acl' in r.query), `${r.method} ${r.path}?${Object.keys(r.query)}`);
      assert.ok(r.key !== '' ? ['PUT', 'GET', 'HEAD', 'DELETE'].includes(r.method) : r.method === 'HEAD', `${r.method} ${r.path}`);
    }
  });

  it('surfaces auth failures instead of treating them as missing', async () => {
    const wrong = new S3BlobStore(settings({ secretAccessKey: 'wrong-secret' }));
    await assert.rejects(wrong.put(A, 'x.txt', Buffer.from('x'), 'text/plain'), /signature/i);
    await assert.rejects(wrong.get(A, `${A}/photo.jpg`), /signature/i);
    wrong.close();
  });
});

describe('sanitizeName', () => {
  it('keeps safe names and replaces the rest', () => {
    assert.equal(sanitizeName('IMG_2024-01-01.jpeg'), 'IMG_2024-01-01.jpeg');
    assert.equal(sanitizeName('...hidden'), 'hidden');
    assert.equal(sanitizeName('..'), 'blob');
    assert.equal(sanitizeName('fótó 1.png'), 'f_t__1.png');
    assert.equal(sanitizeName('a'.repeat(250)).length, 200);
  });
});
