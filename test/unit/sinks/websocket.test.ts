// WebSocket sink against a real node:http server and real socket.io clients: namespaces, per-namespace keys,
// allowed hosts, global mode, exact payloads, and a close() that leaves the HTTP server serving.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { io as connectClient, type Socket as ClientSocket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import type { Endpoint } from '../../../src/domain/delivery.js';
import type { EventName, StoredEvent } from '../../../src/domain/events.js';
import { websocketSink, type WebsocketSettings } from '../../../src/events/sinks/websocket.js';
import type { EventSink, OutgoingEvent, SinkContext } from '../../../src/ports/event-sink.js';
import { renderEvent } from '../../../src/wire/event-envelopes.js';

const TOKENS: Record<string, string> = { inst1: 'T1', inst2: 'T2', 'café': 'T3' };
const INSTANCE_IDS: Record<string, string> = { inst1: 'id-1', inst2: 'id-2', 'café': 'id-3', inst9: 'id-9' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WRONG_KEY = 'WRONG-SECRET-KEY-4711';

interface Harness {
  http: HttpServer;
  url: string;
  sink: EventSink;
  logs: string[];
  authCalls: { key: string | undefined; instanceName: string | null }[];
  clients: ClientSocket[];
}

async function startHarness(settings: Partial<WebsocketSettings> = {}): Promise<Harness> {
  const http = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`plain ${req.url}`);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const logs: string[] = [];
  const authCalls: Harness['authCalls'] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, cb) => (logs.push(String(chunk)), cb()) }));
  const ctx: SinkContext = {
    logger,
    outbound: {
      check: async () => undefined,
      lookup: async () => [],
      connectLookup: () => undefined,
    },
    requestTimeoutMs: 10_000,
    nonRetryableStatuses: new Set(),
    httpServer: http,
    authorizeSocket: async (key, instanceName) => {
      authCalls.push({ key, instanceName });
      if (key === 'G') return true;
      if (key === 'SLOW-G') return sleep(200).then(() => true);
      return instanceName !== null && key !== undefined && TOKENS[instanceName] === key;
    },
  };
  const sink = websocketSink({ enabled: true, globalEvents: false, allowedHosts: [], ...settings }).create(ctx);
  const port = (http.address() as AddressInfo).port;
  return { http, url: `http://127.0.0.1:${port}`, sink, logs, authCalls, clients: [] };
}

async function stopHarness(h: Harness): Promise<void> {
  for (const c of h.clients) c.disconnect();
  await h.sink.close();
  h.http.closeAllConnections();
  await new Promise<void>((resolve) => h.http.close(() => resolve()));
}

/** Connects one client; resolves when connected, rejects with the connect_error. */
function connect(h: Harness, namespace: string, opts: Partial<ManagerOptions & SocketOptions> = {}): Promise<ClientSocket> {
  const socket = connectClient(`${h.url}${namespace}`, { forceNew: true, reconnection: false, timeout: 5000, ...opts });
  h.clients.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.disconnect();
      reject(err);
    });
  });
}

async function refused(promise: Promise<ClientSocket>): Promise<void> {
  await assert.rejects(promise, (err: Error) => {
    assert.equal(err.message, 'Unauthorized');
    return true;
  });
}

/** Collects every event a socket receives, as [wireName, payload]. */
function record(socket: ClientSocket): [string, unknown][] {
  const got: [string, unknown][] = [];
  socket.onAny((name: string, payload: unknown) => got.push([name, payload]));
  return got;
}

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function endpoint(instanceId: string | null): Endpoint {
  const now = new Date();
  return {
    id: instanceId === null ? 'global-websocket' : `ws-${instanceId}`,
    instanceId,
    transport: 'websocket',
    enabled: true,
    events: [],
    config: {},
    disabledReason: null,
    createdAt: now,
    updatedAt: now,
  };
}

let seq = 0;
function outgoing(instanceName: string, global = false, event: EventName = 'MESSAGES_UPSERT'): { ep: Endpoint; out: OutgoingEvent } {
  seq += 1;
  const stored: StoredEvent = {
    seq,
    id: `01JZ0000000000000000000${String(seq).padStart(3, '0')}`,
    event,
    instanceId: INSTANCE_IDS[instanceName]!,
    instanceName,
    data: { key: { remoteJid: '5511999999999@s.whatsapp.net', fromMe: false, id: `MSG${seq}` }, message: { conversation: `hello ${instanceName} ✓` }, n: seq },
    chatKey: '5511999999999@s.whatsapp.net',
    sender: '5511888888888@s.whatsapp.net',
    createdAt: new Date('2025-01-02T03:04:05.678Z'),
  };
  const ep = endpoint(global ? null : stored.instanceId);
  return { ep, out: renderEvent('websocket', ep, stored, { serverUrl: 'http://localhost:8080', serverName: 'parley', apikey: null }) };
}

describe('websocket sink: instance namespaces', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => stopHarness(h));

  it('delivers to /<instance> with the global key, with the exact envelope', async () => {
    const socket = await connect(h, '/inst1', { auth: { apikey: 'G' } });
    const got = record(socket);
    const { ep, out } = outgoing('inst1');
    assert.deepEqual(await h.sink.deliver(ep, out), { ok: true });
    await waitFor(() => got.length === 1);
    const [name, payload] = got[0]!;
    assert.equal(name, 'messages.upsert');
    assert.deepEqual(payload, out.payload);
    assert.equal(JSON.stringify(payload), out.body);
    assert.deepEqual(Object.keys(payload as object), ['event', 'instance', 'data', 'server_url', 'date_time', 'sender', 'apikey']);
    assert.deepEqual(h.authCalls.at(-1), { key: 'G', instanceName: 'inst1' });
  });

  it("accepts the instance's own token, from auth, query or header", async () => {
    const viaAuth = await connect(h, '/inst1', { auth: { apikey: 'T1' } });
    const viaQuery = await connect(h, '/inst1', { query: { apikey: 'T1' } });
    const viaHeader = await connect(h, '/inst1', { extraHeaders: { apikey: 'T1' } });
    const all = [viaAuth, viaQuery, viaHeader].map(record);
    const { ep, out } = outgoing('inst1', false, 'CONNECTION_UPDATE');
    assert.deepEqual(await h.sink.deliver(ep, out), { ok: true });
    await waitFor(() => all.every((g) => g.length === 1));
    for (const g of all) assert.deepEqual(g[0], ['connection.update', out.payload]);
  });

  it("refuses another instance's token, no key and a wrong key", async () => {
    await refused(connect(h, '/inst1', { auth: { apikey: 'T2' } }));
    await refused(connect(h, '/inst1'));
    await refused(connect(h, '/inst1', { query: { apikey: WRONG_KEY } }));
    await refused(connect(h, '/', { auth: { apikey: 'T1' } }));
    await refused(connect(h, '/'));
    // The refused keys are never logged.
    assert.ok(h.logs.some((l) => l.includes('websocket connection refused')));
    assert.ok(!h.logs.some((l) => l.includes(WRONG_KEY) || l.includes('"T2"') || l.includes('"T1"')));
  });

  it('rejects namespaces that are not instance names', async () => {
    await assert.rejects(connect(h, '/bad.name', { auth: { apikey: 'G' } }), /Invalid namespace/);
  });

  it('keeps instances apart: inst2 events do not reach /inst1', async () => {
    const one = record(await connect(h, '/inst1', { auth: { apikey: 'T1' } }));
    const two = record(await connect(h, '/inst2', { auth: { apikey: 'T2' } }));
    const e2 = outgoing('inst2');
    const e1 = outgoing('inst1');
    assert.deepEqual(await h.sink.deliver(e2.ep, e2.out), { ok: true });
    assert.deepEqual(await h.sink.deliver(e1.ep, e1.out), { ok: true });
    await waitFor(() => one.length === 1 && two.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(one, [['messages.upsert', e1.out.payload]]);
    assert.deepEqual(two, [['messages.upsert', e2.out.payload]]);
  });

  it('serves instance names in any script (socket.io-client percent-encodes the namespace)', async () => {
    await refused(connect(h, '/café', { auth: { apikey: 'T1' } }));
    const got = record(await connect(h, '/café', { auth: { apikey: 'T3' } }));
    assert.deepEqual(h.authCalls.at(-1), { key: 'T3', instanceName: 'café' });
    const { ep, out } = outgoing('café');
    assert.deepEqual(await h.sink.deliver(ep, out), { ok: true });
    await waitFor(() => got.length === 1);
    assert.deepEqual(got[0], ['messages.upsert', out.payload]);
  });

  it('reports delivered when nobody listens (no broker to hold the event)', async () => {
    const { ep, out } = outgoing('inst2');
    const nobody = { ...out, instanceName: 'nobody' };
    assert.deepEqual(await h.sink.deliver(ep, nobody), { ok: true });
  });
});

describe('websocket sink: namespace lifecycle', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => stopHarness(h));
  const open = () => (h.sink as unknown as { openNamespaces(): string[] }).openNamespaces().sort();

  it('refused handshakes on made-up names leave no namespace behind', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => refused(connect(h, `/made-up-${i}`))));
    await sleep(20);
    assert.deepEqual(open(), ['/']);
  });

  it('drops a namespace when its last socket leaves, and opens it again for the next client', async () => {
    const socket = await connect(h, '/inst1', { auth: { apikey: 'T1' } });
    assert.deepEqual(open(), ['/', '/inst1']);
    socket.disconnect();
    await waitFor(() => open().length === 1);
    const again = record(await connect(h, '/inst1', { auth: { apikey: 'T1' } }));
    const { ep, out } = outgoing('inst1');
    assert.deepEqual(await h.sink.deliver(ep, out), { ok: true });
    await waitFor(() => again.length === 1);
  });

  it('keeps a namespace whose only client is still in its handshake when another is refused', async () => {
    const slow = connect(h, '/inst9', { auth: { apikey: 'SLOW-G' } });
    await sleep(50);
    await refused(connect(h, '/inst9'));
    await sleep(20);
    const got = record(await slow);
    const { ep, out } = outgoing('inst9');
    assert.deepEqual(await h.sink.deliver(ep, out), { ok: true });
    await waitFor(() => got.length === 1);
    assert.deepEqual(got[0], ['messages.upsert', out.payload]);
  });
});

describe('websocket sink: allowed hosts', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ allowedHosts: ['127.0.0.1'] });
  });
  after(() => stopHarness(h));

  it('lets a keyless client from an allowed host in', async () => {
    const got = record(await connect(h, '/inst1'));
    const root = record(await connect(h, '/'));
    const { ep, out } = outgoing('inst1');
    assert.deepEqual(await h.sink.deliver(ep, out), { ok: true });
    await waitFor(() => got.length === 1);
    assert.deepEqual(got[0], ['messages.upsert', out.payload]);
    assert.equal(root.length, 0);
    assert.equal(h.authCalls.length, 0);
  });
});

describe('websocket sink: global mode', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ globalEvents: true });
  });
  after(() => stopHarness(h));

  it('the root namespace receives the events of every instance, with the global key only', async () => {
    await refused(connect(h, '/', { auth: { apikey: 'T1' } }));
    await refused(connect(h, '/'));
    const root = record(await connect(h, '/', { auth: { apikey: 'G' } }));
    assert.deepEqual(h.authCalls.at(-1), { key: 'G', instanceName: null });
    const inst1 = record(await connect(h, '/inst1', { auth: { apikey: 'T1' } }));
    const a = outgoing('inst1', true);
    const b = outgoing('inst2', true, 'QRCODE_UPDATED');
    assert.deepEqual(await h.sink.deliver(a.ep, a.out), { ok: true });
    assert.deepEqual(await h.sink.deliver(b.ep, b.out), { ok: true });
    await waitFor(() => root.length === 2);
    assert.deepEqual(root, [
      ['messages.upsert', a.out.payload],
      ['qrcode.updated', b.out.payload],
    ]);
    assert.equal(JSON.stringify(root[1]![1]), b.out.body);
    // A global endpoint's delivery goes to the root only; the instance namespace has its own endpoint.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(inst1.length, 0);
  });
});

describe('websocket sink: close and disabled', () => {
  it('close() drops the sockets and detaches, and the HTTP server keeps serving', async () => {
    const h = await startHarness();
    try {
      const socket = await connect(h, '/inst1', { auth: { apikey: 'G' } });
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      const before = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`);
      assert.equal(before.status, 200);
      assert.match(await before.text(), /"sid"/);
      await h.sink.close();
      // A transport close, not 'io server disconnect': clients reconnect once Parley is back.
      assert.equal(await disconnected, 'transport close');
      assert.equal(h.http.listening, true);
      const plain = await fetch(`${h.url}/hello`);
      assert.equal(plain.status, 200);
      assert.equal(await plain.text(), 'plain /hello');
      // /socket.io/ is no longer intercepted: the original handler answers it.
      const after = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`);
      assert.equal(await after.text(), 'plain /socket.io/?EIO=4&transport=polling');
      assert.equal(h.http.listeners('request').length, 1);
      assert.equal(h.http.listeners('upgrade').length, 0);
      const { ep, out } = outgoing('inst1');
      assert.deepEqual(await h.sink.deliver(ep, out), { ok: false, retryable: true, error: 'websocket server closed' });
      await h.sink.close(); // idempotent
    } finally {
      await stopHarness(h);
    }
  });

  it('attaches nothing when disabled and refuses deliveries permanently', async () => {
    const h = await startHarness({ enabled: false });
    try {
      assert.equal(h.http.listeners('upgrade').length, 0);
      const res = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`);
      assert.equal(await res.text(), 'plain /socket.io/?EIO=4&transport=polling');
      const { ep, out } = outgoing('inst1');
      assert.deepEqual(await h.sink.deliver(ep, out), { ok: false, retryable: false, error: 'WEBSOCKET_ENABLED is false' });
    } finally {
      await stopHarness(h);
    }
  });
});
