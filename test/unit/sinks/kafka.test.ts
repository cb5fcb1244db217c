// Kafka sink: against a fake single-node broker speaking the Kafka wire protocol on 127.0.0.1 (exact topics, keys,
// headers, body bytes, idempotent producer, topic creation, error mapping, restart, close); a contract test with an
// injected producer; and a real-broker round trip when KAFKA_BROKERS is set.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { ulid } from 'ulid';
import type { DeliveryOutcome, Endpoint } from '../../../src/domain/delivery.js';
import type { EventName, StoredEvent } from '../../../src/domain/events.js';
import { kafkaSink, type KafkaClientLike, type KafkaSettings } from '../../../src/events/sinks/kafka.js';
import type { SinkContext } from '../../../src/ports/event-sink.js';
import { renderEvent } from '../../../src/wire/event-envelopes.js';
import { FakeKafkaBroker } from '../../fakes/fake-kafka-broker.js';

const ctx = { logger: pino({ level: 'silent' }) } as unknown as SinkContext;
const envelope = { serverUrl: 'http://parley.test', serverName: 'parley', apikey: null };

function settings(brokers: string[], overrides: Partial<KafkaSettings> = {}): KafkaSettings {
  return {
    enabled: true, clientId: 'parley-test', brokers, connectionTimeout: 1000, requestTimeout: 3000, globalEnabled: true,
    topicPrefix: 'evolution', numPartitions: 1, replicationFactor: 1, autoCreateTopics: true,
    sasl: { enabled: false, mechanism: 'plain', username: undefined, password: undefined },
    ssl: { enabled: false, rejectUnauthorized: true }, globalEvents: ['MESSAGES_UPSERT'], ...overrides,
  };
}

function endpoint(instanceId: string | null): Endpoint {
  const now = new Date();
  return { id: ulid(), instanceId, transport: 'kafka', enabled: true, events: [], config: {}, disabledReason: null, createdAt: now, updatedAt: now };
}

function stored(instanceName: string | null, event: EventName = 'MESSAGES_UPSERT'): StoredEvent {
  return {
    seq: 1, id: ulid(), createdAt: new Date(), event, instanceId: instanceName ? `id-${instanceName}` : null, instanceName,
    data: { key: { remoteJid: '5511999@s.whatsapp.net', id: 'ABC' }, message: { conversation: 'olá ✓' } }, chatKey: null,
  };
}

function render(ep: Endpoint, instanceName: string | null, event: EventName = 'MESSAGES_UPSERT') {
  return renderEvent('kafka', ep, stored(instanceName, event), envelope);
}

function assertRetryable(outcome: DeliveryOutcome, retryable: boolean): void {
  assert.equal(outcome.ok, false, 'expected a failure');
  assert.equal(!outcome.ok && outcome.retryable, retryable, !outcome.ok ? outcome.error : '');
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('kafka sink (fake broker on the Kafka wire protocol)', () => {
  let broker: FakeKafkaBroker;
  before(async () => {
    broker = await new FakeKafkaBroker().start();
  });
  after(() => broker.stop());

  it('sends a per-instance event to <prefix>.<instance>.<event>, keyed by instance, with Evolution headers + event-id', async () => {
    const sink = kafkaSink(settings(broker.brokers, { numPartitions: 3 }), { timeoutMs: 5000 }).create(ctx);
    try {
      const ep = endpoint('id-inst1');
      const event = render(ep, 'inst1');
      assert.deepEqual(await sink.deliver(ep, event), { ok: true });
      assert.deepEqual(broker.createTopicRequests, [{ topic: 'evolution.inst1.messages.upsert', numPartitions: 3, replicationFactor: 1 }]);
      const record = broker.records.at(-1)!;
      assert.equal(record.topic, 'evolution.inst1.messages.upsert');
      assert.equal(record.key, 'inst1');
      assert.equal(record.value, event.body);
      assert.deepEqual(record.headers, {
        event: 'messages.upsert', instance: 'inst1', origin: 'parley', timestamp: event.createdAt.toISOString(), 'event-id': event.id,
      });
      assert.equal(record.acks, -1, 'acks = all');
      assert.notEqual(record.producerId, '-1', 'the idempotent producer got a producer id');
      assert.ok(broker.requests.some((r) => r.apiKey === 22), 'InitProducerId was requested');
      assert.equal(JSON.parse(record.value!).timestamp, event.createdAt.getTime());

      // The topic is created once per process, not per event.
      assert.deepEqual(await sink.deliver(ep, render(ep, 'inst1')), { ok: true });
      assert.equal(broker.createTopicRequests.length, 1);
    } finally {
      await sink.close();
    }
  });

  it('sends a global event to <prefix>.global.<event>, keyed <instance>-<event>', async () => {
    const sink = kafkaSink(settings(broker.brokers, { topicPrefix: 'parley' }), { timeoutMs: 5000 }).create(ctx);
    try {
      const ep = endpoint(null);
      const event = render(ep, 'inst2', 'GROUP_PARTICIPANTS_UPDATE');
      assert.deepEqual(await sink.deliver(ep, event), { ok: true });
      const record = broker.records.at(-1)!;
      assert.equal(record.topic, 'parley.global.group-participants.update');
      assert.equal(record.key, 'inst2-group-participants.update');
      assert.equal(record.value, event.body);
      assert.equal(record.headers.instance, 'inst2');
      assert.equal(record.headers['event-id'], event.id);

      const startup = render(ep, null, 'APPLICATION_STARTUP');
      assert.deepEqual(await sink.deliver(ep, startup), { ok: true });
      const last = broker.records.at(-1)!;
      assert.equal(last.topic, 'parley.global.application.startup');
      assert.equal(last.key, 'application.startup', 'no instance: the event name alone');
      assert.equal(last.headers.instance, '');
    } finally {
      await sink.close();
    }
  });

  it('fails retryably when the topic is missing and auto-creation is off', async () => {
    const sink = kafkaSink(settings(broker.brokers, { autoCreateTopics: false }), { timeoutMs: 5000 }).create(ctx);
    try {
      const ep = endpoint('id-none');
      const started = Date.now();
      assertRetryable(await sink.deliver(ep, render(ep, 'none')), true);
      assert.ok(Date.now() - started < 6000);
      assert.equal(broker.topics.has('evolution.none.messages.upsert'), false);
    } finally {
      await sink.close();
    }
  });

  it('maps broker errors: MESSAGE_TOO_LARGE is permanent, NOT_LEADER_FOR_PARTITION retryable; invalid topic names permanent', async () => {
    const sink = kafkaSink(settings(broker.brokers), { timeoutMs: 5000 }).create(ctx);
    try {
      const ep = endpoint('id-err');
      assert.deepEqual(await sink.deliver(ep, render(ep, 'err')), { ok: true });
      broker.produceError = 10;
      assertRetryable(await sink.deliver(ep, render(ep, 'err')), false);
      broker.produceError = 6;
      assertRetryable(await sink.deliver(ep, render(ep, 'err')), true);
      broker.produceError = null;
      assert.deepEqual(await sink.deliver(ep, render(ep, 'err')), { ok: true }, 'recovers once the broker does');
      assertRetryable(await sink.deliver(endpoint('id-bad'), render(endpoint('id-bad'), 'bad name')), false);
    } finally {
      broker.produceError = null;
      await sink.close();
    }
  });

  it('reports a refused topic creation with the broker\'s reason', async () => {
    const sink = kafkaSink(settings(broker.brokers, { replicationFactor: 3 }), { timeoutMs: 5000 }).create(ctx);
    try {
      const ep = endpoint('id-rf');
      const outcome = await sink.deliver(ep, render(ep, 'rf'));
      assertRetryable(outcome, true);
      assert.match(!outcome.ok ? outcome.error : '', /INVALID_REPLICATION_FACTOR/);
      assert.deepEqual(broker.createTopicRequests.at(-1), { topic: 'evolution.rf.messages.upsert', numPartitions: 1, replicationFactor: 3 });
    } finally {
      await sink.close();
    }
  });

  it('fails retryably, within the bound, against a closed port', async () => {
    const sink = kafkaSink(settings([`127.0.0.1:${await freePort()}`]), { timeoutMs: 3000 }).create(ctx);
    const started = Date.now();
    assertRetryable(await sink.deliver(endpoint('id-x'), render(endpoint('id-x'), 'x')), true);
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
    await sink.close();
  });

  it('delivers again after the broker restarts, without a new sink', async () => {
    const own = await new FakeKafkaBroker().start();
    const sink = kafkaSink(settings(own.brokers), { timeoutMs: 3000 }).create(ctx);
    try {
      const ep = endpoint('id-r');
      assert.deepEqual(await sink.deliver(ep, render(ep, 'r')), { ok: true });
      const topics = new Map(own.topics);
      await own.stop();
      const started = Date.now();
      assertRetryable(await sink.deliver(ep, render(ep, 'r')), true);
      assert.ok(Date.now() - started < 4000);
      await own.start();
      for (const [t, n] of topics) own.topics.set(t, n); // a real broker keeps its topics on disk
      let outcome: DeliveryOutcome = { ok: false, retryable: true, error: 'not tried' };
      for (let i = 0; i < 10 && !outcome.ok; i++) outcome = await sink.deliver(ep, render(ep, 'r'));
      assert.deepEqual(outcome, { ok: true });
      assert.equal(own.records.at(-1)?.topic, 'evolution.r.messages.upsert');
    } finally {
      await sink.close();
      await own.stop();
    }
  });
});

describe('kafka sink (injected producer: the records it builds)', () => {
  function stub(fail: (() => Error) | null = null) {
    const sends: unknown[] = [];
    const producerConfigs: unknown[] = [];
    const created: unknown[] = [];
    let disconnects = 0;
    const kafka: KafkaClientLike = {
      producer: (config) => {
        producerConfigs.push(config);
        return {
          connect: async () => undefined,
          disconnect: async () => void disconnects++,
          send: async (record) => {
            sends.push(record);
            if (fail) throw fail();
            return [];
          },
        };
      },
      admin: () => ({
        connect: async () => undefined,
        disconnect: async () => undefined,
        createTopics: async (opts) => (created.push(opts), true),
      }),
    };
    return { kafka, sends, producerConfigs, created, disconnects: () => disconnects };
  }

  it('builds exactly the idempotent producer and the producer record', async () => {
    const s = stub();
    const sink = kafkaSink(settings(['unused:9092'], { topicPrefix: 'evo', numPartitions: 4, requestTimeout: 2500 }), { kafka: s.kafka }).create(ctx);
    const ep = endpoint('id-a');
    const event = render(ep, 'alpha');
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    assert.equal(s.producerConfigs.length, 1);
    assert.deepEqual({ ...(s.producerConfigs[0] as object), createPartitioner: undefined }, { idempotent: true, maxInFlightRequests: 1, createPartitioner: undefined });
    assert.deepEqual(s.created, [{ topics: [{ topic: 'evo.alpha.messages.upsert', numPartitions: 4, replicationFactor: 1 }], waitForLeaders: true, timeout: 2500 }]);
    assert.deepEqual(s.sends, [{
      topic: 'evo.alpha.messages.upsert',
      acks: -1,
      timeout: 2500,
      messages: [{
        key: 'alpha',
        value: event.body,
        headers: { event: 'messages.upsert', instance: 'alpha', origin: 'parley', timestamp: event.createdAt.toISOString(), 'event-id': event.id },
      }],
    }]);
    await sink.close();
    assert.equal(s.disconnects(), 1, 'close() disconnects the producer');
  });

  it('turns a send rejection into {ok:false, retryable:true}, and rebuilds the producer after a connection error', async () => {
    const plain = stub(() => new Error('broker said no'));
    const sink = kafkaSink(settings(['unused:9092'], { autoCreateTopics: false }), { kafka: plain.kafka }).create(ctx);
    const ep = endpoint(null);
    const outcome = await sink.deliver(ep, render(ep, 'beta'));
    assertRetryable(outcome, true);
    assert.match(!outcome.ok ? outcome.error : '', /broker said no/);
    assert.equal((plain.sends[0] as { topic: string }).topic, 'evolution.global.messages.upsert');
    assert.equal((plain.sends[0] as { messages: { key: string }[] }).messages[0]!.key, 'beta-messages.upsert');
    await sink.deliver(ep, render(ep, 'beta'));
    assert.equal(plain.producerConfigs.length, 1, 'an ordinary rejection keeps the producer');
    await sink.close();

    const conn = stub(() => Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' }));
    const sink2 = kafkaSink(settings(['unused:9092'], { autoCreateTopics: false }), { kafka: conn.kafka }).create(ctx);
    assertRetryable(await sink2.deliver(ep, render(ep, 'beta')), true);
    assertRetryable(await sink2.deliver(ep, render(ep, 'beta')), true);
    assert.equal(conn.producerConfigs.length, 2, 'a connection error drops the producer; the next delivery builds a new one');
    await sink2.close();
  });
});

const KAFKA_BROKERS = process.env.KAFKA_BROKERS;
describe('kafka sink (real broker)', { skip: KAFKA_BROKERS ? false : 'KAFKA_BROKERS is not set: no real Kafka broker to test against' }, () => {
  it('round-trips a record through a real broker', async () => {
    const brokers = KAFKA_BROKERS!.split(',').map((b) => b.trim());
    const prefix = `parleytest${ulid().slice(-8).toLowerCase()}`;
    const sink = kafkaSink(settings(brokers, { topicPrefix: prefix, requestTimeout: 10_000, connectionTimeout: 3000 })).create(ctx);
    const kafka = new Kafka({ clientId: 'parley-test-reader', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${prefix}-reader` });
    const admin = kafka.admin();
    try {
      const ep = endpoint('id-real');
      const event = render(ep, 'real');
      assert.deepEqual(await sink.deliver(ep, event), { ok: true });
      await consumer.connect();
      await consumer.subscribe({ topic: `${prefix}.real.messages.upsert`, fromBeginning: true });
      const got = await new Promise<{ key: string; value: string; headers: Record<string, string> }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no record within 20 s')), 20_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve({
              key: message.key!.toString(),
              value: message.value!.toString(),
              headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
            });
          },
        });
      });
      assert.equal(got.key, 'real');
      assert.equal(got.value, event.body);
      assert.equal(got.headers['event-id'], event.id);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await sink.close();
      await admin.connect().then(() => admin.deleteTopics({ topics: [`${prefix}.real.messages.upsert`] })).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  });
});
