// MQTT sink against a real broker: topics, exact body bytes, QoS 1 and the `event-id` user property, the fallback
// to MQTT 3.1.1, bounded failures, reconnect after an outage, and a clean close.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import pino from 'pino';
import { ulid } from 'ulid';
import type { Endpoint } from '../../../src/domain/delivery.js';
import type { EventName, StoredEvent } from '../../../src/domain/events.js';
import { mqttSink, type MqttSettings } from '../../../src/events/sinks/mqtt.js';
import type { EventSink, SinkContext } from '../../../src/ports/event-sink.js';
import { renderEvent } from '../../../src/wire/event-envelopes.js';
import { REPO_ROOT } from '../../helpers/process.js';
import { closedPort, startSilentServer, startTcpProxy } from '../../helpers/tcp-proxy.js';

const MQTT_URL = process.env.PARLEY_TEST_MQTT_URL;
const skip = MQTT_URL ? false : 'PARLEY_TEST_MQTT_URL is not set (e.g. mqtt://127.0.0.1:1883)';

const ctx = { logger: pino({ level: 'silent' }) } as unknown as SinkContext;
const envelope = { serverUrl: 'http://parley.test', serverName: 'parley', apikey: null };
const run = `t${Date.now()}`;

function settings(uri: string, extra: Partial<MqttSettings> = {}): MqttSettings {
  return { enabled: true, uri, username: 'parley', password: 'secret', topicPrefix: `${run}/parley`, globalEnabled: true, globalEvents: [], ...extra };
}

function endpoint(instanceId: string | null): Endpoint {
  const now = new Date();
  return { id: ulid(), instanceId, transport: 'mqtt', enabled: true, events: [], config: {}, disabledReason: null, createdAt: now, updatedAt: now };
}

function stored(instanceName: string | null, event: EventName = 'MESSAGES_UPSERT'): StoredEvent {
  return {
    seq: 1, id: ulid(), createdAt: new Date(), event, instanceId: instanceName ? `id-${instanceName}` : null, instanceName,
    data: { key: { remoteJid: '5511999@s.whatsapp.net', id: 'ABC' }, message: { conversation: 'olá ✓' } }, chatKey: null,
  };
}

interface Received {
  topic: string;
  payload: Buffer;
  packet: IPublishPacket;
}

/** A broker front that answers an MQTT 5 CONNECT like a 3.1.1-only broker (return code 1) and passes 3.1.1 through. */
async function startV311OnlyGateway(host: string, port: number): Promise<{ port: number; refusedV5: () => number; close(): Promise<void> }> {
  let refused = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.once('data', (first) => {
      // CONNECT: 0x10, remaining length (1–4 bytes), 00 04 'MQTT', protocol level.
      let i = 1;
      while (first[i]! & 0x80) i++;
      const level = first[i + 7];
      if (level === 5) {
        refused++;
        client.end(Buffer.from([0x20, 0x02, 0x00, 0x01]));
        return;
      }
      const upstream = net.connect(port, host);
      sockets.add(upstream);
      upstream.on('error', () => undefined);
      upstream.write(first);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    refusedV5: () => refused,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('mqtt sink', { skip }, () => {
  let consumer: MqttClient;
  let sink: EventSink;

  /** Subscribes (QoS 1, acknowledged by the broker); the returned function waits for the next message there (5 s). */
  async function nextMessage(topic: string): Promise<() => Promise<Received>> {
    await consumer.subscribeAsync(topic, { qos: 1 });
    const next = new Promise<Received>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing arrived on ${topic}`)), 5000);
      const onMessage = (got: string, payload: Buffer, packet: IPublishPacket) => {
        if (got !== topic) return;
        clearTimeout(timer);
        consumer.off('message', onMessage);
        resolve({ topic: got, payload, packet });
      };
      consumer.on('message', onMessage);
    });
    next.catch(() => undefined);
    return () => next;
  }

  function assertReceived(got: Received, topic: string, body: string, id: string | null) {
    assert.equal(got.topic, topic);
    assert.equal(got.payload.toString('utf8'), body);
    assert.equal(got.packet.qos, 1);
    assert.equal(got.packet.retain, false);
    const props = got.packet.properties?.userProperties;
    assert.deepEqual(props === undefined ? undefined : { ...props }, id === null ? undefined : { 'event-id': id });
  }

  before(async () => {
    consumer = await connectAsync(MQTT_URL!, { protocolVersion: 5, clientId: `consumer-${run}`, reconnectPeriod: 0, connectTimeout: 5000 });
    sink = mqttSink(settings(MQTT_URL!)).create(ctx);
  });

  after(async () => {
    await sink?.close();
    await consumer?.endAsync();
  });

  it('publishes a per-instance event on <prefix>/<instance>/<event> with the exact body and the event id', async () => {
    const inst = `${run}inst`;
    const ep = endpoint(`id-${inst}`);
    const event = renderEvent('mqtt', ep, stored(inst), envelope);
    const received = await nextMessage(`${run}/parley/${inst}/messages.upsert`);
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    const got = await received();
    assertReceived(got, `${run}/parley/${inst}/messages.upsert`, event.body, event.id);
    assert.equal(got.packet.properties?.contentType, 'application/json');
    assert.equal(JSON.parse(event.body).instance, inst);

    const group = renderEvent('mqtt', ep, stored(inst, 'GROUP_PARTICIPANTS_UPDATE'), envelope);
    const groupReceived = await nextMessage(`${run}/parley/${inst}/group-participants.update`);
    assert.deepEqual(await sink.deliver(ep, group), { ok: true });
    assertReceived(await groupReceived(), `${run}/parley/${inst}/group-participants.update`, group.body, group.id);
  });

  it('publishes a global event on <prefix>/global/<event>', async () => {
    const ep = endpoint(null);
    const event = renderEvent('mqtt', ep, stored(null, 'APPLICATION_STARTUP'), envelope);
    const received = await nextMessage(`${run}/parley/global/application.startup`);
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    assertReceived(await received(), `${run}/parley/global/application.startup`, event.body, event.id);
  });

  it('refuses, without retry, an instance name that would be a wildcard topic', async () => {
    const ep = endpoint('id-bad');
    const outcome = await sink.deliver(ep, renderEvent('mqtt', ep, stored('bad+name'), envelope));
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.retryable, false);
    assert.match(!outcome.ok ? outcome.error : '', /wildcard/);
  });

  it('falls back to MQTT 3.1.1 when the broker refuses MQTT 5', async () => {
    const target = new URL(MQTT_URL!);
    const gateway = await startV311OnlyGateway(target.hostname, Number(target.port || 1883));
    const old = mqttSink(settings(`mqtt://127.0.0.1:${gateway.port}`)).create(ctx);
    try {
      const inst = `${run}v4`;
      const ep = endpoint(`id-${inst}`);
      const event = renderEvent('mqtt', ep, stored(inst), envelope);
      const received = await nextMessage(`${run}/parley/${inst}/messages.upsert`);
      assert.deepEqual(await old.deliver(ep, event), { ok: true });
      assertReceived(await received(), `${run}/parley/${inst}/messages.upsert`, event.body, null);
      assert.equal(gateway.refusedV5(), 1);
    } finally {
      await old.close();
      await gateway.close();
    }
  });

  it('fails retryably and fast on a closed port, and within the bound on a silent server', async () => {
    const ep = endpoint('id-x');
    const event = renderEvent('mqtt', ep, stored('x'), envelope);
    const refused = mqttSink(settings(`mqtt://127.0.0.1:${await closedPort()}`)).create(ctx);
    let started = Date.now();
    const outcome = await refused.deliver(ep, event);
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.retryable, true);
    assert.match(!outcome.ok ? outcome.error : '', /ECONNREFUSED/);
    assert.ok(Date.now() - started < 2000);
    await refused.close();

    const silent = await startSilentServer();
    const hung = mqttSink(settings(`mqtt://127.0.0.1:${silent.port}`), { timeoutMs: 800 }).create(ctx);
    started = Date.now();
    const timedOut = await hung.deliver(ep, event);
    const took = Date.now() - started;
    assert.equal(timedOut.ok, false);
    assert.equal(!timedOut.ok && timedOut.retryable, true);
    assert.ok(took >= 700 && took < 2500, `took ${took} ms`);
    await hung.close();
    await silent.close();
  });

  it('delivers again once the broker is back after an outage', async () => {
    const target = new URL(MQTT_URL!);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 1883));
    const proxied = mqttSink(settings(`mqtt://127.0.0.1:${proxy.port}`), { timeoutMs: 3000 }).create(ctx);
    const inst = `${run}re`;
    const ep = endpoint(`id-${inst}`);
    const topic = `${run}/parley/${inst}/messages.upsert`;
    try {
      const one = renderEvent('mqtt', ep, stored(inst), envelope);
      const first = await nextMessage(topic);
      assert.deepEqual(await proxied.deliver(ep, one), { ok: true });
      assertReceived(await first(), topic, one.body, one.id);

      proxy.outage();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const during = await proxied.deliver(ep, renderEvent('mqtt', ep, stored(inst), envelope));
      assert.equal(during.ok, false);
      assert.equal(!during.ok && during.retryable, true);

      proxy.resume();
      const two = renderEvent('mqtt', ep, stored(inst), envelope);
      const second = await nextMessage(topic);
      assert.deepEqual(await proxied.deliver(ep, two), { ok: true });
      assertReceived(await second(), topic, two.body, two.id);
    } finally {
      await proxied.close();
      await proxy.close();
    }
  });

  it('close() releases its connection (the process exits) and refuses later deliveries without throwing', async () => {
    const own = mqttSink(settings(MQTT_URL!)).create(ctx);
    const ep = endpoint(null);
    try {
      assert.deepEqual(await own.deliver(ep, renderEvent('mqtt', ep, stored(null, 'APPLICATION_STARTUP'), envelope)), { ok: true });
    } finally {
      await own.close();
    }
    const late = await own.deliver(ep, renderEvent('mqtt', ep, stored(null, 'APPLICATION_STARTUP'), envelope));
    assert.deepEqual(late, { ok: false, retryable: true, error: 'MQTT sink is closed' });

    // A separate process delivers once and closes: it must exit by itself, with nothing left open.
    const script = `
      import { mqttSink } from './src/events/sinks/mqtt.ts';
      import { renderEvent } from './src/wire/event-envelopes.ts';
      import pino from 'pino';
      const sink = mqttSink(${JSON.stringify(settings(MQTT_URL!))}).create({ logger: pino({ level: 'silent' }) });
      const ep = ${JSON.stringify(endpoint(null))};
      const ev = { seq: 1, id: '${ulid()}', createdAt: new Date(), event: 'APPLICATION_STARTUP', instanceId: null, instanceName: null, data: {} };
      const outcome = await sink.deliver(ep, renderEvent('mqtt', ep, ev, { serverUrl: '', serverName: '', apikey: null }));
      await sink.close();
      console.log(JSON.stringify(outcome));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: REPO_ROOT, timeout: 15_000, encoding: 'utf8' });
    assert.equal(child.error, undefined, 'the process did not exit after close()');
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim()), { ok: true });
  });
});
