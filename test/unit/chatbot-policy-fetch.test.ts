// The fetch bot providers use: every hop of a redirect chain is checked against the outbound policy.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { policyFetch } from '../../src/chatbots/engine/http.js';
import { OutboundBlockedError, OutboundPolicy } from '../../src/lib/outbound-policy.js';

describe('chatbot policy fetch', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      if (req.url === '/to-metadata') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (req.url === '/to-ok') res.writeHead(307, { location: '/ok' }).end();
      else if (req.url === '/see-other') res.writeHead(303, { location: '/ok' }).end();
      else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const { fetch, close } = policyFetch(new OutboundPolicy({ blockPrivate: false }));
  after(() => close());

  it('refuses a redirect to a cloud-metadata address', async () => {
    await assert.rejects(fetch(`${base}/to-metadata`, { method: 'POST', body: '{}' }), OutboundBlockedError);
  });

  it('follows allowed redirects, keeping the method on 307 and switching to GET on 303', async () => {
    assert.deepEqual(await (await fetch(`${base}/to-ok`, { method: 'POST', body: '{}' })).json(), { method: 'POST' });
    assert.deepEqual(await (await fetch(`${base}/see-other`, { method: 'POST', body: '{}' })).json(), { method: 'GET' });
  });

  it('gives up on a redirect loop', async () => {
    await assert.rejects(fetch(`${base}/loop`), /redirects/);
  });

  it('refuses private targets when the operator blocks them', async () => {
    const strict = policyFetch(new OutboundPolicy({ blockPrivate: true }));
    try {
      await assert.rejects(strict.fetch(`${base}/ok`));
    } finally {
      await strict.close();
    }
  });
});
