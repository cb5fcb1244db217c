// The Pusher sink against a local Pusher HTTP API fake that checks the request signature: channel and event naming,
// the exact data, per-instance and global apps, the 10 KB limit, client reuse, and failures (401, 500, stalled
// answer, closed port, restart).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { Endpoint } from '../../../src/domain/delivery.js';
import type { EventName, StoredEvent } from '../../../src/domain/events.js';
import { pusherSink, type PusherSettings } from '../../../src/events/sinks/pusher.js';
import type { EventSink, SinkContext } from '../../../src/ports/event-sink.js';
import { renderEvent } from '../../../src/wire/event-envelopes.js';
import { FakePusher } from '../../fakes/fake-pusher.js';

const APP = { appId: '1001', key: 'inst-key', secret: 'inst-secret' };
const GLOBAL_APP = { appId: '2002', key: 'global-key', secret: 'global-secret' };

function settings(host: string | undefined, extra: Partial<PusherSettings> = {}): PusherSettings {
  return {
    enabled: true, host, globalEnabled: true, globalAppId: GLOBAL_APP.appId, globalKey: GLOBAL_APP.key,
    globalSecret: GLOBAL_APP.secret, globalCluster: 'mt1', globalUseTls: false, globalEvents: [], ...extra,
  };
}

function context(requestTimeoutMs = 5000): SinkContext {
  return {
    logger: pino({ level: 'silent' }),
    outbound: { check: async () => {}, lookup: async () => [], connectLookup: () => {} },
    requestTimeoutMs,
    nonRetryableStatuses: new Set([400, 401, 403, 404, 422]),
    httpServer: undefined as never,
    authorizeSocket: async () => false,
  };
}

function endpoint(instanceId: string | null, config: Record<string, unknown> = {}, id = instanceId ? `ep-${instanceId}` : 'ep-global'): Endpoint {
  const now = new Date();
  return { id, instanceId, transport: 'pusher', enabled: true, events: [], config, disabledReason: null, createdAt: now, updatedAt: now };
}

const instanceConfig = (extra: Record<string, unknown> = {}) => ({ ...APP, cluster: 'mt1', useTLS: false, ...extra });

let seq = 0;
function stored(event: EventName, data: unknown = { key: { id: 'ABC' } }, instanceName: string | null = 'inst1'): StoredEvent {
  seq += 1;
  return {
    seq, id: `01JTESTPSH${String(seq).padStart(16, '0')}`, event, instanceId: instanceName ? 'i-1' : null, instanceName, data,
    sender: '5511999999999@s.whatsapp.net', createdAt: new Date('2025-01-02T03:04:05.000Z'),
  };
}

const ENVELOPE = { serverUrl: 'http://localhost:8080', serverName: 'parley-test', apikey: null };
const render = (ep: Endpoint, event: StoredEvent) => renderEvent('pusher', ep, event, ENVELOPE);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('pusher sink', () => {
  let fake: FakePusher;
  const sinks: EventSink[] = [];
  const open = (s: PusherSettings, timeoutMs?: number) => {
    const sink = pusherSink(s).create(context(timeoutMs));
    sinks.push(sink);
    return sink;
  };

  before(async () => {
    fake = await FakePusher.start([APP, GLOBAL_APP]);
  });
  after(async () => {
    for (const sink of sinks) await sink.close();
    await fake.close();
  });

  it('per-instance: channel = instance name, event = wire name, data = the rendered payload, signed request', async () => {
    const sink = open(settings(fake.host));
    const ep = endpoint('i-1', instanceConfig());
    const event = render(ep, stored('MESSAGES_UPSERT'));
    assert.deepEqual(await sink.deliver(ep, event), { ok: true, status: 200 });

    const request = fake.requests.at(-1)!;
    assert.equal(request.path, `/apps/${APP.appId}/events`);
    assert.equal(request.status, 200, request.refused);
    assert.equal(request.query.auth_key, APP.key);
    assert.match(request.query.auth_signature ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(fake.events.at(-1), { appId: APP.appId, name: 'messages.upsert', channels: ['inst1'], data: event.body });
    const data = JSON.parse(fake.events.at(-1)!.data);
    assert.deepEqual(data, event.payload);
    assert.equal(data.destination, APP.appId);
    assert.deepEqual(Object.keys(data), ['event', 'instance', 'data', 'destination', 'date_time', 'sender', 'server_url', 'apikey']);
  });

  it('global endpoint: the PUSHER_GLOBAL_* app, channel = instance name', async () => {
    const sink = open(settings(fake.host));
    const ep = endpoint(null);
    const event = render(ep, stored('CONNECTION_UPDATE', { state: 'open' }, 'inst7'));
    assert.deepEqual(await sink.deliver(ep, event), { ok: true, status: 200 });
    assert.deepEqual(fake.events.at(-1), { appId: GLOBAL_APP.appId, name: 'connection.update', channels: ['inst7'], data: event.body });
  });

  it('PUSHER_HOST as a URL (http://host:port) works too', async () => {
    const sink = open(settings(`http://127.0.0.1:${fake.port}`));
    const ep = endpoint('i-1', instanceConfig({ useTLS: true })); // the URL's scheme wins over useTLS
    const event = render(ep, stored('GROUP_PARTICIPANTS_UPDATE', { id: 'g@g.us', action: 'add', participants: [] }));
    assert.deepEqual(await sink.deliver(ep, event), { ok: true, status: 200 });
    assert.equal(fake.events.at(-1)?.name, 'group-participants.update');
    assert.equal(fake.events.at(-1)?.data, event.body);
  });

  it('QRCODE_UPDATED goes out without the QR image', async () => {
    const sink = open(settings(fake.host));
    const ep = endpoint('i-1', instanceConfig());
    const event = render(ep, stored('QRCODE_UPDATED', { qrcode: { instance: 'inst1', pairingCode: null, code: 'raw', base64: 'data:image/png;base64,AAAA' } }));
    assert.deepEqual(await sink.deliver(ep, event), { ok: true, status: 200 });
    assert.deepEqual(JSON.parse(fake.events.at(-1)!.data).data, { qrcode: { instance: 'inst1', pairingCode: null, code: 'raw' } });
  });

  it('a wrong secret fails the fake signature check: 401, not retryable', async () => {
    const sink = open(settings(fake.host));
    const ep = endpoint('i-1', instanceConfig({ secret: 'not-the-secret' }), 'ep-wrong-secret');
    const outcome = await sink.deliver(ep, render(ep, stored('MESSAGES_UPSERT')));
    assert.deepEqual(outcome, { ok: false, retryable: false, status: 401, error: 'HTTP 401: Invalid signature' });
    assert.equal(fake.requests.at(-1)?.refused, 'Invalid signature');
  });

  it('refuses data over 10 KB without calling Pusher', async () => {
    const sink = open(settings(fake.host));
    const ep = endpoint('i-1', instanceConfig());
    const before = fake.requests.length;
    const outcome = await sink.deliver(ep, render(ep, stored('MESSAGES_UPSERT', { text: 'x'.repeat(10_300) })));
    assert.deepEqual(outcome, { ok: false, retryable: false, error: 'payload exceeds Pusher 10 KB limit' });
    assert.equal(fake.requests.length, before);
  });

  it('refuses incomplete configs, bad clusters, invalid channel names and server-wide events, without calling Pusher', async () => {
    const sink = open(settings(undefined));
    const before = fake.requests.length;
    const cases: [Endpoint, StoredEvent][] = [
      [endpoint('i-1', { appId: '1', key: 'k' }), stored('CALL')],
      [endpoint('i-1', instanceConfig({ cluster: 'evil.example.com/x' })), stored('CALL')],
      [endpoint('i-1', instanceConfig()), stored('CALL', {}, 'has space')],
      [endpoint(null), stored('APPLICATION_STARTUP', {}, null)],
    ];
    for (const [ep, event] of cases) {
      const outcome = await sink.deliver(ep, render(ep, event));
      assert.ok(!outcome.ok && !outcome.retryable, JSON.stringify(outcome));
    }
    assert.equal(fake.requests.length, before);
  });

  it('reuses one client (one kept-alive connection) per endpoint; forget() drops it; a config change rebuilds it', async () => {
    const sink = open(settings(fake.host));
    const ep = endpoint('i-1', instanceConfig(), 'ep-reuse');
    const port = async (e: Endpoint) => {
      assert.deepEqual(await sink.deliver(e, render(e, stored('CHATS_UPDATE', []))), { ok: true, status: 200 });
      return fake.requests.at(-1)!.remotePort;
    };
    const first = await port(ep);
    assert.equal(await port(ep), first, 'same socket');
    await sink.forget!(ep.id);
    const afterForget = await port(ep);
    assert.notEqual(afterForget, first, 'a new client after forget()');
    const changed = { ...ep, config: instanceConfig({ appId: GLOBAL_APP.appId, key: GLOBAL_APP.key, secret: GLOBAL_APP.secret }) };
    assert.notEqual(await port(changed), afterForget, 'a new client for the new config');
    assert.equal(fake.events.at(-1)?.appId, GLOBAL_APP.appId);
  });

  it('HTTP 500 → retryable failure, and the next attempt succeeds', async () => {
    const sink = open(settings(fake.host));
    const ep = endpoint('i-1', instanceConfig());
    const event = render(ep, stored('PRESENCE_UPDATE', { id: 'z' }));
    fake.failNext(1, 500);
    const failed = await sink.deliver(ep, event);
    assert.deepEqual(failed, { ok: false, retryable: true, status: 500, error: 'HTTP 500: Internal Server Error' });
    assert.deepEqual(await sink.deliver(ep, event), { ok: true, status: 200 });
    assert.equal(fake.events.at(-1)?.data, event.body);
  });

  it('a request that is never answered fails retryably within the request timeout', async () => {
    const sink = open(settings(fake.host), 300);
    const ep = endpoint('i-1', instanceConfig());
    fake.stallNext(1);
    const started = Date.now();
    const outcome = await sink.deliver(ep, render(ep, stored('CALL', { id: 'c1' })));
    assert.ok(!outcome.ok && outcome.retryable, JSON.stringify(outcome));
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  it('a closed port → retryable failure, no throw, no hang', async () => {
    const sink = open(settings(`127.0.0.1:${await closedPort()}`), 2000);
    const ep = endpoint('i-1', instanceConfig());
    const started = Date.now();
    const outcome = await sink.deliver(ep, render(ep, stored('MESSAGES_UPSERT')));
    assert.ok(!outcome.ok && outcome.retryable, JSON.stringify(outcome));
    assert.match(outcome.ok ? '' : outcome.error, /ECONNREFUSED/);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('recovers after Pusher restarts, with the same sink', async () => {
    const first = await FakePusher.start([APP]);
    const sink = open(settings(first.host));
    const ep = endpoint('i-1', instanceConfig());
    assert.deepEqual(await sink.deliver(ep, render(ep, stored('LABELS_EDIT', { id: 'l1' }))), { ok: true, status: 200 });
    await first.close();
    const down = await sink.deliver(ep, render(ep, stored('LABELS_EDIT', { id: 'l2' })));
    assert.ok(!down.ok && down.retryable, JSON.stringify(down));
    const second = await FakePusher.start([APP], { port: first.port });
    try {
      const event = render(ep, stored('LABELS_EDIT', { id: 'l3' }));
      assert.deepEqual(await sink.deliver(ep, event), { ok: true, status: 200 });
      assert.equal(second.events[0]?.data, event.body);
    } finally {
      await sink.close();
      await second.close();
    }
  });
});
