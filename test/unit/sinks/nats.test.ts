// NATS sink against a real server: Evolution's subjects, exact body bytes, JetStream msgID dedup, core publish,
// bounded failures, reconnect after a server restart, and a clean close.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type Msg, type NatsConnection } from 'nats';
import pino from 'pino';
import { ulid } from 'ulid';
import type { DeliveryOutcome, Endpoint } from '../../../src/domain/delivery.js';
import type { EventName, StoredEvent } from '../../../src/domain/events.js';
import { natsSink, type NatsSettings } from '../../../src/events/sinks/nats.js';
import type { EventSink, SinkContext } from '../../../src/ports/event-sink.js';
import { renderEvent } from '../../../src/wire/event-envelopes.js';

const NATS_URL = process.env.PARLEY_TEST_NATS_URL;
const skip = NATS_URL ? false : 'PARLEY_TEST_NATS_URL is not set (e.g. nats://127.0.0.1:4222 with JetStream)';
const HAS_NATS_SERVER = spawnSync('nats-server', ['--version']).status === 0;

const ctx = { logger: pino({ level: 'silent' }) } as unknown as SinkContext;
const envelope = { serverUrl: 'http://parley.test', serverName: 'parley', apikey: null };
const run = ulid().slice(-8).toLowerCase();

function settings(uri: string, prefixKey?: string): NatsSettings {
  return { enabled: true, uri, globalEnabled: true, prefixKey, globalEvents: ['MESSAGES_UPSERT'] };
}

function endpoint(instanceId: string | null): Endpoint {
  const now = new Date();
  return { id: ulid(), instanceId, transport: 'nats', enabled: true, events: [], config: {}, disabledReason: null, createdAt: now, updatedAt: now };
}

function stored(instanceName: string | null, event: EventName = 'MESSAGES_UPSERT'): StoredEvent {
  return {
    seq: 1, id: ulid(), createdAt: new Date(), event, instanceId: instanceName ? `id-${instanceName}` : null, instanceName,
    data: { key: { remoteJid: '5511999@s.whatsapp.net', id: 'ABC' }, message: { conversation: 'olá ✓' } }, chatKey: null,
  };
}

/** Subscribes first (and flushes so the server knows), then returns the next message or fails after 5 s. */
async function nextMessage(nc: NatsConnection, subject: string): Promise<() => Promise<Msg>> {
  const sub = nc.subscribe(subject, { max: 1 });
  await nc.flush();
  return async () => {
    const timer = setTimeout(() => sub.unsubscribe(), 5000);
    try {
      for await (const msg of sub) return msg;
      throw new Error(`nothing arrived on ${subject}`);
    } finally {
      clearTimeout(timer);
    }
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('nats sink', { skip }, () => {
  let nc: NatsConnection;
  let sink: EventSink;

  before(async () => {
    nc = await connect({ servers: NATS_URL!, timeout: 5000 });
    sink = natsSink(settings(NATS_URL!, `pfx${run}`)).create(ctx);
  });
  after(async () => {
    await sink.close();
    await nc.close();
  });

  it('publishes a per-instance event on <instanceName>.<event> with the exact body and Parley headers', async () => {
    const inst = `inst${run}`;
    const event = renderEvent('nats', endpoint(`id-${inst}`), stored(inst), envelope);
    const received = await nextMessage(nc, `${inst}.messages.upsert`);
    assert.deepEqual(await sink.deliver(endpoint(`id-${inst}`), event), { ok: true });
    const msg = await received();
    assert.equal(msg.subject, `${inst}.messages.upsert`);
    assert.equal(Buffer.from(msg.data).toString('utf8'), event.body);
    assert.equal(msg.headers?.get('Parley-Event-Id'), event.id);
    assert.equal(msg.headers?.get('Parley-Event'), 'messages.upsert');
    assert.equal(msg.headers?.get('Nats-Msg-Id'), '', 'core publish carries no JetStream msgID');
    assert.deepEqual(JSON.parse(event.body).event, 'messages.upsert');
  });

  it('publishes a global event on <prefixKey>.<event>, and on <event> without a prefix', async () => {
    const ep = endpoint(null);
    const event = renderEvent('nats', ep, stored(`g${run}`, 'GROUP_PARTICIPANTS_UPDATE'), envelope);
    const received = await nextMessage(nc, `pfx${run}.group-participants.update`);
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    const msg = await received();
    assert.equal(Buffer.from(msg.data).toString('utf8'), event.body);
    assert.equal(msg.headers?.get('Parley-Event-Id'), event.id);

    const bare = natsSink(settings(NATS_URL!)).create(ctx);
    try {
      const startup = renderEvent('nats', ep, stored(null, 'APPLICATION_STARTUP'), envelope);
      const got = await nextMessage(nc, 'application.startup');
      assert.deepEqual(await bare.deliver(ep, startup), { ok: true });
      assert.equal(Buffer.from((await got()).data).toString('utf8'), startup.body);
    } finally {
      await bare.close();
    }
  });

  it('publishes through JetStream with msgID = event id when a stream captures the subject, stored once', async () => {
    const inst = `js${run}`;
    const streamName = `PARLEY_TEST_${run.toUpperCase()}`;
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: streamName, subjects: [`${inst}.>`], duplicate_window: 60_000_000_000 });
    try {
      const ep = endpoint(`id-${inst}`);
      const event = renderEvent('nats', ep, stored(inst), envelope);
      assert.deepEqual(await sink.deliver(ep, event), { ok: true });
      assert.deepEqual(await sink.deliver(ep, event), { ok: true }, 'a redelivery is acknowledged as a duplicate');
      const info = await jsm.streams.info(streamName);
      assert.equal(info.state.messages, 1, 'the duplicate window dropped the second copy');
      const stored1 = await jsm.streams.getMessage(streamName, { last_by_subj: `${inst}.messages.upsert` });
      assert.equal(stored1.subject, `${inst}.messages.upsert`);
      assert.equal(stored1.header.get('Nats-Msg-Id'), event.id);
      assert.equal(stored1.header.get('Parley-Event-Id'), event.id);
      assert.equal(Buffer.from(stored1.data).toString('utf8'), event.body);

      const other = renderEvent('nats', ep, stored(inst), envelope);
      assert.deepEqual(await sink.deliver(ep, other), { ok: true });
      assert.equal((await jsm.streams.info(streamName)).state.messages, 2, 'another event id is stored');
    } finally {
      await jsm.streams.delete(streamName);
    }
  });

  it('fails retryably, fast, against a closed port (no throw, no hang)', async () => {
    const port = await freePort();
    const dead = natsSink(settings(`nats://127.0.0.1:${port}`), { timeoutMs: 2000 }).create(ctx);
    const started = Date.now();
    const outcome = await dead.deliver(endpoint('id-x'), renderEvent('nats', endpoint('id-x'), stored('x'), envelope));
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.retryable, true);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    await dead.close();
  });

  it('bounds the wait when the peer accepts TCP but never speaks NATS', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const stuck = natsSink(settings(`nats://127.0.0.1:${port}`), { timeoutMs: 1000 }).create(ctx);
    const started = Date.now();
    const outcome = await stuck.deliver(endpoint('id-x'), renderEvent('nats', endpoint('id-x'), stored('x'), envelope));
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.retryable, true);
    assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
    await stuck.close();
    // nats.js leaves the socket of a timed-out connect open until the peer closes it.
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('refuses an unpublishable subject permanently', async () => {
    const ep = endpoint('id-bad');
    const outcome = await sink.deliver(ep, renderEvent('nats', ep, stored('bad name'), envelope));
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.retryable, false);
  });

  it('delivers again after its server restarts, without a new sink', { skip: HAS_NATS_SERVER ? false : 'nats-server binary not on PATH' }, async () => {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-nats-'));
    const start = async (): Promise<ChildProcess> => {
      const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        const up = await new Promise<boolean>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true))).on('error', () => resolve(false));
        });
        if (up) return child;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('nats-server did not start');
    };
    const stop = (child: ChildProcess) => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGKILL')));
    let server = await start();
    const own = natsSink(settings(`nats://127.0.0.1:${port}`), { timeoutMs: 2000 }).create(ctx);
    try {
      const ep = endpoint('id-r');
      assert.deepEqual(await own.deliver(ep, renderEvent('nats', ep, stored('r'), envelope)), { ok: true });
      await stop(server);
      const started = Date.now();
      const down = await own.deliver(ep, renderEvent('nats', ep, stored('r'), envelope));
      assert.equal(down.ok, false);
      assert.equal(!down.ok && down.retryable, true);
      assert.ok(Date.now() - started < 3000);
      server = await start();
      let outcome: DeliveryOutcome = down;
      for (let i = 0; i < 40 && !outcome.ok; i++) {
        await new Promise((r) => setTimeout(r, 250));
        outcome = await own.deliver(ep, renderEvent('nats', ep, stored('r'), envelope));
      }
      assert.deepEqual(outcome, { ok: true });
    } finally {
      await own.close();
      await stop(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('close() releases the connection; later deliveries fail retryably', async () => {
    const local = natsSink(settings(NATS_URL!)).create(ctx);
    const ep = endpoint('id-c');
    assert.deepEqual(await local.deliver(ep, renderEvent('nats', ep, stored(`c${run}`), envelope)), { ok: true });
    await local.close();
    const outcome = await local.deliver(ep, renderEvent('nats', ep, stored(`c${run}`), envelope));
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.retryable, true);
  });
});
