// The media downloader over real HTTP: the outbound policy at every hop (IP literals, names, mapped addresses,
// redirects), the size cap (declared and streamed), the timeout, and what it reports about the file.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createMediaDownloader, MediaFetchError, type MediaDownloader } from '../../src/lib/media-download.js';
import { OutboundPolicy } from '../../src/lib/outbound-policy.js';

describe('media downloader', () => {
  let server: http.Server;
  let base: string;
  let open: MediaDownloader;
  let strict: MediaDownloader;
  const hanging: http.ServerResponse[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const path = req.url ?? '/';
      if (path === '/named') res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="monthly report.csv"' }).end('a,b');
      else if (path === '/plain/file%20one.txt') res.writeHead(200).end('one');
      else if (path === '/declared-big') res.writeHead(200, { 'content-length': '1000' }).end(Buffer.alloc(1000));
      else if (path === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (path === '/to-mapped') res.writeHead(301, { location: 'http://[::ffff:169.254.169.254]/' }).end();
      else if (path === '/to-file') res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      else if (path === '/hang') hanging.push(res.writeHead(200, { 'content-type': 'text/plain' }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    open = createMediaDownloader(new OutboundPolicy({ blockPrivate: false }), { maxBytes: 100, timeoutMs: 5_000 });
    strict = createMediaDownloader(new OutboundPolicy({ blockPrivate: true }), { maxBytes: 100, timeoutMs: 5_000 });
  });
  after(async () => {
    for (const res of hanging) res.destroy();
    await Promise.all([open.close(), strict.close()]);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function failure(promise: Promise<unknown>): Promise<MediaFetchError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof MediaFetchError, `expected a MediaFetchError, got ${String(error)}`);
    return error;
  }

  it('reports the type and the file name (Content-Disposition, else the URL path)', async () => {
    assert.deepEqual(await open.fetch(`${base}/named`), { data: Buffer.from('a,b'), mimetype: 'text/csv; charset=utf-8', fileName: 'monthly report.csv' });
    assert.deepEqual(await open.fetch(`${base}/plain/file%20one.txt`), { data: Buffer.from('one'), fileName: 'file one.txt' });
  });

  it('refuses metadata and reserved addresses whatever their spelling, and non-http schemes', async () => {
    for (const url of ['http://169.254.169.254/latest/', 'http://[::ffff:169.254.169.254]/', 'http://0.0.0.0/', `${base}/to-mapped`]) {
      assert.equal((await failure(open.fetch(url))).reason, 'refused', url);
    }
    assert.equal((await failure(open.fetch(`${base}/to-file`))).reason, 'invalid');
    assert.equal((await failure(open.fetch('ftp://example.com/x'))).reason, 'invalid');
    assert.equal((await failure(open.fetch('not a url'))).reason, 'invalid');
  });

  it('with private targets blocked, refuses loopback by address and by name', async () => {
    for (const url of [`${base}/named`, `http://localhost:${new URL(base).port}/named`]) {
      const error = await failure(strict.fetch(url));
      assert.equal(error.reason, 'refused', url);
      assert.match(error.message, /PARLEY_BLOCK_PRIVATE_TARGETS=true/);
    }
  });

  it('refuses a declared size over the cap, and a per-call cap never exceeds the node cap', async () => {
    assert.equal((await failure(open.fetch(`${base}/declared-big`))).reason, 'too-large');
    assert.equal((await failure(open.fetch(`${base}/named`, { maxBytes: 2 }))).reason, 'too-large');
    assert.equal((await failure(open.fetch(`${base}/declared-big`, { maxBytes: 10_000 }))).reason, 'too-large');
  });

  it('stops after the redirect limit, and answers HTTP errors with their status', async () => {
    const loop = await failure(open.fetch(`${base}/loop`));
    assert.equal(loop.reason, 'unreachable');
    assert.match(loop.message, /more than 5 redirects/);
    const missing = await failure(open.fetch(`${base}/missing`));
    assert.deepEqual([missing.reason, missing.status], ['status', 404]);
  });

  it('gives up on a server that never finishes', async () => {
    assert.equal((await failure(open.fetch(`${base}/hang`, { timeoutMs: 50 }))).reason, 'timeout');
  });
});
