// RabbitMQ sink against a real broker: Evolution's exchanges, quorum queues and routing keys, exact body bytes and
// message properties, re-declaration after a queue is removed, bounded failures, reconnect after an outage, close.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { connect, type ChannelModel, type GetMessage } from 'amqplib';
import pino from 'pino';
import { ulid } from 'ulid';
import type { Endpoint } from '../../../src/domain/delivery.js';
import type { EventName, StoredEvent } from '../../../src/domain/events.js';
import { rabbitmqSink, type RabbitmqSettings } from '../../../src/events/sinks/rabbitmq.js';
import type { EventSink, SinkContext } from '../../../src/ports/event-sink.js';
import { renderEvent } from '../../../src/wire/event-envelopes.js';
import { REPO_ROOT } from '../../helpers/process.js';
import { closedPort, startSilentServer, startTcpProxy } from '../../helpers/tcp-proxy.js';

const RABBITMQ_URL = process.env.PARLEY_TEST_RABBITMQ_URL;
const skip = RABBITMQ_URL ? false : 'PARLEY_TEST_RABBITMQ_URL is not set (e.g. amqp://guest:guest@127.0.0.1:5672)';

const ctx = { logger: pino({ level: 'silent' }) } as unknown as SinkContext;
const envelope = { serverUrl: 'http://parley.test', serverName: 'parley', apikey: null };
const run = `t${Date.now()}`;

function settings(uri: string, extra: Partial<RabbitmqSettings> = {}): RabbitmqSettings {
  return { enabled: true, uri, exchangeName: `${run}_exchange`, globalEnabled: true, prefixKey: `${run}pfx`, frameMax: 8192, globalEvents: [], ...extra };
}

function endpoint(instanceId: string | null): Endpoint {
  const now = new Date();
  return { id: ulid(), instanceId, transport: 'rabbitmq', enabled: true, events: [], config: {}, disabledReason: null, createdAt: now, updatedAt: now };
}

function stored(instanceName: string | null, event: EventName = 'MESSAGES_UPSERT'): StoredEvent {
  return {
    seq: 1, id: ulid(), createdAt: new Date(), event, instanceId: instanceName ? `id-${instanceName}` : null, instanceName,
    data: { key: { remoteJid: '5511999@s.whatsapp.net', id: 'ABC' }, message: { conversation: 'olá ✓' } }, chatKey: null,
  };
}

describe('rabbitmq sink', { skip }, () => {
  let admin: ChannelModel;
  let sink: EventSink;
  const queues = new Set<string>();
  const exchanges = new Set<string>();

  /** Runs one operation on a fresh channel: a refused one closes only that channel. */
  async function onChannel<T>(fn: (ch: Awaited<ReturnType<ChannelModel['createChannel']>>) => Promise<T>): Promise<T> {
    const ch = await admin.createChannel();
    ch.on('error', () => undefined);
    try {
      return await fn(ch);
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  const queueExists = (queue: string) => onChannel((ch) => ch.checkQueue(queue)).then(() => true, () => false);

  /** The next message on a queue (the sink already had it confirmed, so it is there). */
  async function take(queue: string): Promise<GetMessage> {
    const msg = await onChannel((ch) => ch.get(queue, { noAck: true }));
    assert.ok(msg, `no message on ${queue}`);
    return msg;
  }

  function assertMessage(msg: GetMessage, body: string, id: string, exchange: string, routingKey: string, instance: string | null) {
    assert.equal(msg.content.toString('utf8'), body);
    assert.equal(msg.fields.exchange, exchange);
    assert.equal(msg.fields.routingKey, routingKey);
    assert.equal(msg.properties.messageId, id);
    assert.equal(msg.properties.contentType, 'application/json');
    assert.equal(msg.properties.deliveryMode, 2);
    // Quorum queues add their own x-delivery-count.
    const { 'x-delivery-count': _count, ...headers } = msg.properties.headers ?? {};
    assert.deepEqual(headers, instance === null ? { event: routingKey } : { event: routingKey, instance });
  }

  before(async () => {
    admin = await connect(RABBITMQ_URL!);
    sink = rabbitmqSink(settings(RABBITMQ_URL!)).create(ctx);
  });

  after(async () => {
    await sink?.close();
    if (!admin) return;
    for (const queue of queues) await onChannel((ch) => ch.deleteQueue(queue)).catch(() => undefined);
    for (const exchange of exchanges) await onChannel((ch) => ch.deleteExchange(exchange)).catch(() => undefined);
    await admin.close();
  });

  it('publishes a per-instance event to exchange <instance> and quorum queue <instance>.<event>', async () => {
    const inst = `${run}inst`;
    exchanges.add(inst);
    queues.add(`${inst}.messages.upsert`).add(`${inst}.group-participants.update`);
    const ep = endpoint(`id-${inst}`);
    const event = renderEvent('rabbitmq', ep, stored(inst), envelope);
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    assertMessage(await take(`${inst}.messages.upsert`), event.body, event.id, inst, 'messages.upsert', inst);
    assert.equal(JSON.parse(event.body).instance, inst);

    // Durable topic exchange, durable quorum queue: re-declaring with those arguments is accepted, others refused.
    await onChannel((ch) => ch.assertExchange(inst, 'topic', { durable: true, autoDelete: false }));
    await onChannel((ch) => ch.assertQueue(`${inst}.messages.upsert`, { durable: true, arguments: { 'x-queue-type': 'quorum' } }));
    await assert.rejects(onChannel((ch) => ch.assertQueue(`${inst}.messages.upsert`, { durable: true, arguments: { 'x-queue-type': 'classic' } })), /406|PRECONDITION/);
    await assert.rejects(onChannel((ch) => ch.assertExchange(inst, 'direct', { durable: true })), /406|PRECONDITION/);

    const group = renderEvent('rabbitmq', ep, stored(inst, 'GROUP_PARTICIPANTS_UPDATE'), envelope);
    assert.deepEqual(await sink.deliver(ep, group), { ok: true });
    assertMessage(await take(`${inst}.group-participants.update`), group.body, group.id, inst, 'group-participants.update', inst);
  });

  it('publishes a global event to the configured exchange and queue <prefixKey>.<event>', async () => {
    exchanges.add(`${run}_exchange`);
    queues.add(`${run}pfx.messages.upsert`);
    const ep = endpoint(null);
    const event = renderEvent('rabbitmq', ep, stored(`${run}g`), envelope);
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    assertMessage(await take(`${run}pfx.messages.upsert`), event.body, event.id, `${run}_exchange`, 'messages.upsert', `${run}g`);
  });

  it('names the global queue <event> without a prefix (never undefined.<event>)', async () => {
    const exchange = `${run}_bare`;
    exchanges.add(exchange);
    const existed = await queueExists('application.startup');
    const bare = rabbitmqSink(settings(RABBITMQ_URL!, { exchangeName: exchange, prefixKey: undefined })).create(ctx);
    try {
      const ep = endpoint(null);
      const event = renderEvent('rabbitmq', ep, stored(null, 'APPLICATION_STARTUP'), envelope);
      assert.deepEqual(await bare.deliver(ep, event), { ok: true });
      if (!existed) queues.add('application.startup');
      // The shared name may hold older messages when it pre-existed: find ours.
      let msg: GetMessage | false = false;
      for (let i = 0; i < 1000 && !(msg && msg.properties.messageId === event.id); i++) {
        msg = await onChannel((ch) => ch.get('application.startup', { noAck: existed ? false : true }));
        if (!msg) break;
      }
      assert.ok(msg, 'the event did not reach application.startup');
      assertMessage(msg, event.body, event.id, exchange, 'application.startup', null);
      assert.equal(await queueExists('undefined.application.startup'), false);
    } finally {
      await bare.close();
    }
  });

  it('declares again when the queue was removed behind its back, instead of losing events', async () => {
    const inst = `${run}gone`;
    exchanges.add(inst);
    queues.add(`${inst}.messages.update`);
    const ep = endpoint(`id-${inst}`);
    const first = renderEvent('rabbitmq', ep, stored(inst, 'MESSAGES_UPDATE'), envelope);
    assert.deepEqual(await sink.deliver(ep, first), { ok: true });
    await onChannel((ch) => ch.deleteQueue(`${inst}.messages.update`));

    const second = renderEvent('rabbitmq', ep, stored(inst, 'MESSAGES_UPDATE'), envelope);
    const unroutable = await sink.deliver(ep, second);
    assert.equal(unroutable.ok, false);
    assert.equal(!unroutable.ok && unroutable.retryable, true);
    assert.match(!unroutable.ok ? unroutable.error : '', /unroutable/);
    assert.deepEqual(await sink.deliver(ep, second), { ok: true }, 'the retry re-declares the queue');
    assertMessage(await take(`${inst}.messages.update`), second.body, second.id, inst, 'messages.update', inst);
  });

  it('fails retryably and fast on a closed port, and within the bound on a silent server', async () => {
    const port = await closedPort();
    const refused = rabbitmqSink(settings(`amqp://guest:guest@127.0.0.1:${port}`)).create(ctx);
    const ep = endpoint('id-x');
    const event = renderEvent('rabbitmq', ep, stored('x'), envelope);
    let started = Date.now();
    const outcome = await refused.deliver(ep, event);
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.retryable, true);
    assert.match(!outcome.ok ? outcome.error : '', /ECONNREFUSED/);
    assert.ok(Date.now() - started < 2000);
    await refused.close();

    const silent = await startSilentServer();
    const hung = rabbitmqSink(settings(`amqp://guest:guest@127.0.0.1:${silent.port}`), { timeoutMs: 800 }).create(ctx);
    started = Date.now();
    const timedOut = await hung.deliver(ep, event);
    const took = Date.now() - started;
    assert.equal(timedOut.ok, false);
    assert.equal(!timedOut.ok && timedOut.retryable, true);
    assert.ok(took >= 700 && took < 2500, `took ${took} ms`);
    await hung.close();
    await silent.close();
  });

  it('reconnects on the next delivery after the broker went away and came back', async () => {
    const target = new URL(RABBITMQ_URL!);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5672));
    target.host = `127.0.0.1:${proxy.port}`;
    const inst = `${run}re`;
    exchanges.add(inst);
    queues.add(`${inst}.messages.upsert`);
    const proxied = rabbitmqSink(settings(target.toString()), { timeoutMs: 3000 }).create(ctx);
    const ep = endpoint(`id-${inst}`);
    try {
      const one = renderEvent('rabbitmq', ep, stored(inst), envelope);
      assert.deepEqual(await proxied.deliver(ep, one), { ok: true });

      proxy.outage();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const during = await proxied.deliver(ep, renderEvent('rabbitmq', ep, stored(inst), envelope));
      assert.equal(during.ok, false);
      assert.equal(!during.ok && during.retryable, true);

      proxy.resume();
      const two = renderEvent('rabbitmq', ep, stored(inst), envelope);
      assert.deepEqual(await proxied.deliver(ep, two), { ok: true });
      assertMessage(await take(`${inst}.messages.upsert`), one.body, one.id, inst, 'messages.upsert', inst);
      assertMessage(await take(`${inst}.messages.upsert`), two.body, two.id, inst, 'messages.upsert', inst);
    } finally {
      await proxied.close();
      await proxy.close();
    }
  });

  it('close() releases its connection (the process exits) and refuses later deliveries without throwing', async () => {
    const own = rabbitmqSink(settings(RABBITMQ_URL!)).create(ctx);
    const ep = endpoint(null);
    try {
      assert.deepEqual(await own.deliver(ep, renderEvent('rabbitmq', ep, stored(`${run}c`), envelope)), { ok: true });
    } finally {
      await own.close();
    }
    const late = await own.deliver(ep, renderEvent('rabbitmq', ep, stored(`${run}c`), envelope));
    assert.deepEqual(late, { ok: false, retryable: true, error: 'RabbitMQ sink is closed' });

    // A separate process delivers once and closes: it must exit by itself, with nothing left open.
    const script = `
      import { rabbitmqSink } from './src/events/sinks/rabbitmq.ts';
      import { renderEvent } from './src/wire/event-envelopes.ts';
      import pino from 'pino';
      const sink = rabbitmqSink(${JSON.stringify(settings(RABBITMQ_URL!))}).create({ logger: pino({ level: 'silent' }) });
      const ep = ${JSON.stringify(endpoint(null))};
      const ev = { seq: 1, id: '${ulid()}', createdAt: new Date(), event: 'MESSAGES_UPSERT', instanceId: null, instanceName: '${run}c', data: {} };
      const outcome = await sink.deliver(ep, renderEvent('rabbitmq', ep, ev, { serverUrl: '', serverName: '', apikey: null }));
      await sink.close();
      console.log(JSON.stringify(outcome));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: REPO_ROOT, timeout: 15_000, encoding: 'utf8' });
    assert.equal(child.error, undefined, 'the process did not exit after close()');
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim()), { ok: true });
  });
});
