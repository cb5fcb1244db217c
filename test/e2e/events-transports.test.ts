// Every event transport through the real app, end to end: per-instance RabbitMQ, NATS, MQTT, WebSocket, SQS and
// Pusher endpoints set through the Evolution routes, each read back by an independent consumer under Evolution's
// names; the find routes and fetchInstances relations; fan-out isolation from a slow webhook; a global RabbitMQ
// endpoint from the environment; and /metrics, including its access rule.
//
// Needs real brokers: PARLEY_TEST_RABBITMQ_URL, PARLEY_TEST_NATS_URL and PARLEY_TEST_MQTT_URL (CI sets them; then a
// failure fails). SQS and Pusher are the local fakes in test/fakes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ReceiveMessageCommand, SQSClient, type Message as SqsMessage } from '@aws-sdk/client-sqs';
import { connect as amqpConnect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { connectAsync as mqttConnect, type IPublishPacket, type MqttClient } from 'mqtt';
import { connect as natsConnect, type Msg, type NatsConnection } from 'nats';
import { io as socketClient, type Socket as ClientSocket } from 'socket.io-client';
import { Webhook } from 'standardwebhooks';
import type { NewEvent } from '../../src/domain/events.js';
import { FakePusher } from '../fakes/fake-pusher.js';
import { FakeSqs } from '../fakes/fake-sqs.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, TEST_API_KEY, type TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';

const RABBITMQ_URL = process.env.PARLEY_TEST_RABBITMQ_URL;
const NATS_URL = process.env.PARLEY_TEST_NATS_URL;
const MQTT_URL = process.env.PARLEY_TEST_MQTT_URL;
const missing = Object.entries({ PARLEY_TEST_RABBITMQ_URL: RABBITMQ_URL, PARLEY_TEST_NATS_URL: NATS_URL, PARLEY_TEST_MQTT_URL: MQTT_URL })
  .filter(([, value]) => !value)
  .map(([name]) => name);
const skip =
  missing.length === 0
    ? false
    : `${missing.join(', ')} not set: these tests need real brokers (e.g. amqp://guest:guest@127.0.0.1:5672, nats://127.0.0.1:4222, mqtt://127.0.0.1:1883)`;

const SQS_CREDENTIALS = { accessKeyId: 'AKIDPARLEYE2E', secretAccessKey: 'parley-e2e-secret' };
const SQS_REGION = 'us-east-1';
const PUSHER_APP = { appId: '4242', key: 'e2e-pusher-key', secret: 'e2e-pusher-secret' };
const SIMPLE = ['rabbitmq', 'nats', 'mqtt', 'websocket', 'sqs'] as const;
/** Every transport the instance gets in these tests (the per-instance endpoints, one delivery each per event). */
const ALL = ['webhook', 'websocket', 'rabbitmq', 'nats', 'sqs', 'mqtt', 'pusher'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` (sync or async) until it holds, or fails after `timeoutMs` with what was awaited. */
async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(20);
  }
}

interface Chat {
  chat: string;
  id: string;
  text: string;
}

/** Writes MESSAGES_UPSERT events straight into the outbox, as a channel's inbound pipeline will. */
async function appendMessages(server: TestServer, instance: { id: string; name: string }, chats: Chat[]): Promise<void> {
  const events: NewEvent[] = chats.map((c) => ({
    event: 'MESSAGES_UPSERT',
    instanceId: instance.id,
    instanceName: instance.name,
    chatKey: c.chat,
    data: { key: { remoteJid: c.chat, fromMe: false, id: c.id }, message: { conversation: c.text }, messageType: 'conversation' },
  }));
  await server.parley.store.transaction((tx) => tx.outbox.append(events, new Date()));
}

const expectedData = (c: Chat) => ({ key: { remoteJid: c.chat, fromMe: false, id: c.id }, message: { conversation: c.text }, messageType: 'conversation' });

/** Consumes a RabbitMQ queue as soon as it exists (Parley declares it on first delivery). */
class RabbitQueueReader {
  readonly messages: ConsumeMessage[] = [];
  private channel: Channel | undefined;
  private stopped = false;
  private readonly running: Promise<void>;

  constructor(private readonly connection: ChannelModel, readonly queue: string) {
    this.running = this.run();
    this.running.catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const channel = await this.connection.createChannel();
      channel.on('error', () => undefined);
      try {
        await channel.checkQueue(this.queue);
      } catch {
        // A missing queue closes the channel (404): try again shortly on a fresh one.
        await sleep(50);
        continue;
      }
      if (this.stopped) {
        await channel.close().catch(() => undefined);
        return;
      }
      this.channel = channel;
      await channel.consume(this.queue, (msg) => {
        if (msg) this.messages.push(msg);
      }, { noAck: true });
      return;
    }
  }

  bodies(): any[] {
    return this.messages.map((m) => JSON.parse(m.content.toString('utf8')));
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.running.catch(() => undefined);
    await this.channel?.close().catch(() => undefined);
  }
}

interface MqttReceived {
  topic: string;
  payload: Buffer;
  packet: IPublishPacket;
}

interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of one metric in the Prometheus text format. */
function samples(text: string, name: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

for (const kind of databaseKinds()) {
  describe(`event transports end to end [${kind.name}]`, { skip, timeout: 120_000 }, () => {
    const run = randomBytes(4).toString('hex');
    const inst = `et${run}${kind.name}`;
    const globalExchange = `parley_e2e_${run}_${kind.name}_exchange`;
    const globalPrefix = `parley_e2e_${run}_${kind.name}`;
    const globalQueue = `${globalPrefix}.instance.create`;

    let server: TestServer;
    let instance: { id: string; name: string; token: string };
    let fakeSqs: FakeSqs;
    let fakePusher: FakePusher;
    let sqsReader: SQSClient;
    const webhook = new WebhookSink();
    let amqp: ChannelModel;
    let nc: NatsConnection;
    let mqtt: MqttClient;
    const sockets: ClientSocket[] = [];
    const readers: RabbitQueueReader[] = [];
    const exchanges = new Set<string>([globalExchange]);
    const queues = new Set<string>([globalQueue]);

    // What each independent consumer has received so far.
    let rabbit: RabbitQueueReader;
    const natsMessages: Msg[] = [];
    const mqttMessages: MqttReceived[] = [];
    const wsMessages: [string, any][] = [];
    const sqsMessages: SqsMessage[] = [];
    const sqsQueue = `${inst}_messages_upsert.fifo`;

    /** Reads what is waiting in the instance's SQS queue (the fake hands each message out once). */
    async function drainSqs(): Promise<void> {
      if (!fakeSqs.queues.has(sqsQueue)) return;
      const out = await sqsReader.send(
        new ReceiveMessageCommand({ QueueUrl: fakeSqs.queueUrl(sqsQueue), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
        { abortSignal: AbortSignal.timeout(5000) },
      );
      sqsMessages.push(...(out.Messages ?? []));
    }

    const pusherEvents = () => fakePusher.events.filter((e) => e.channels.includes(inst));
    const keyId = (data: any): string | undefined => data?.key?.id;
    /** Per transport, the `data.key.id`s received so far. */
    function receivedIds(): Record<'rabbitmq' | 'nats' | 'mqtt' | 'websocket' | 'sqs' | 'pusher' | 'webhook', string[]> {
      return {
        rabbitmq: rabbit.bodies().map((b) => keyId(b.data)!),
        nats: natsMessages.map((m) => keyId(JSON.parse(Buffer.from(m.data).toString('utf8')).data)!),
        mqtt: mqttMessages.map((m) => keyId(JSON.parse(m.payload.toString('utf8')).data)!),
        websocket: wsMessages.map(([, p]) => keyId(p?.data)!),
        sqs: sqsMessages.map((m) => keyId(JSON.parse(m.Body!).data)!),
        pusher: pusherEvents().map((e) => keyId(JSON.parse(e.data).data)!),
        webhook: webhook.events('messages.upsert').map((b) => keyId(b.data)!),
      };
    }
    const countOf = (ids: string[], wanted: Set<string>) => ids.filter((id) => wanted.has(id)).length;
    const describeCounts = (wanted: Set<string>) => () =>
      JSON.stringify(Object.fromEntries(Object.entries(receivedIds()).map(([t, ids]) => [t, countOf(ids, wanted)])));

    /** The instance's deliveries of these chats' events, once every one of them is marked delivered. */
    async function allDelivered(chats: Chat[]): Promise<any[]> {
      let deliveries: any[] = [];
      await waitFor(
        async () => {
          const list = await server.call('GET', `/events/deliveries/${inst}?limit=500`);
          deliveries = list.body.filter((d: any) => chats.some((c) => c.chat === d.chat));
          return deliveries.length === chats.length * ALL.length && deliveries.every((d) => d.status === 'delivered');
        },
        10_000,
        () => `all deliveries delivered: ${JSON.stringify(deliveries.filter((d) => d.status !== 'delivered').map((d) => [d.endpoint.transport, d.status, d.lastError]))} (${deliveries.length} listed)`,
      );
      return deliveries;
    }

    before(async () => {
      await webhook.start();
      fakeSqs = await FakeSqs.start({ accessKeyId: SQS_CREDENTIALS.accessKeyId });
      fakePusher = await FakePusher.start([PUSHER_APP]);
      sqsReader = new SQSClient({ region: SQS_REGION, endpoint: fakeSqs.url, credentials: SQS_CREDENTIALS, maxAttempts: 1 });
      amqp = await amqpConnect(RABBITMQ_URL!, { timeout: 5000 });
      amqp.on('error', () => undefined);
      nc = await natsConnect({ servers: NATS_URL!, timeout: 5000 });
      mqtt = await mqttConnect(MQTT_URL!, { protocolVersion: 5, clientId: `parley-e2e-${run}-${kind.name}`, reconnectPeriod: 0, connectTimeout: 5000 });
      mqtt.on('message', (topic, payload, packet) => mqttMessages.push({ topic, payload, packet }));

      server = await startTestServer(kind, {
        env: {
          RABBITMQ_ENABLED: 'true',
          RABBITMQ_URI: RABBITMQ_URL!,
          RABBITMQ_GLOBAL_ENABLED: 'true',
          RABBITMQ_EXCHANGE_NAME: globalExchange,
          RABBITMQ_PREFIX_KEY: globalPrefix,
          RABBITMQ_EVENTS_INSTANCE_CREATE: 'true',
          NATS_ENABLED: 'true',
          NATS_URI: NATS_URL!,
          MQTT_ENABLED: 'true',
          MQTT_URI: MQTT_URL!,
          WEBSOCKET_ENABLED: 'true',
          SQS_ENABLED: 'true',
          SQS_ENDPOINT: fakeSqs.url,
          SQS_ACCESS_KEY_ID: SQS_CREDENTIALS.accessKeyId,
          SQS_SECRET_ACCESS_KEY: SQS_CREDENTIALS.secretAccessKey,
          SQS_REGION,
          PUSHER_ENABLED: 'true',
          PUSHER_HOST: fakePusher.host,
        },
      });
    }, { timeout: 30_000 });

    after(async () => {
      for (const socket of sockets) socket.disconnect();
      await server?.close();
      for (const reader of readers) await reader.close();
      if (amqp) {
        // Each removal on its own channel: a refused one closes only that channel.
        const onChannel = async (fn: (ch: Channel) => Promise<unknown>) => {
          const ch = await amqp.createChannel();
          ch.on('error', () => undefined);
          await fn(ch).catch(() => undefined);
          await ch.close().catch(() => undefined);
        };
        for (const queue of queues) await onChannel((ch) => ch.deleteQueue(queue)).catch(() => undefined);
        for (const exchange of exchanges) await onChannel((ch) => ch.deleteExchange(exchange)).catch(() => undefined);
        await amqp.close().catch(() => undefined);
      }
      await nc?.close();
      await mqtt?.endAsync(true);
      sqsReader?.destroy();
      await fakeSqs?.close();
      await fakePusher?.close();
      await webhook.stop();
    }, { timeout: 30_000 });

    it('delivers the same events through every transport, each under Evolution’s names', async () => {
      const created = await createInstance(server, { instanceName: inst });
      instance = { id: created.instance.instanceId, name: inst, token: created.hash };
      exchanges.add(inst);
      queues.add(`${inst}.messages.upsert`);

      for (const transport of SIMPLE) {
        const set = await server.call('POST', `/${transport}/set/${inst}`, { body: { [transport]: { enabled: true, events: ['MESSAGES_UPSERT'] } } });
        assert.equal(set.status, 201, `${transport}: ${set.text}`);
        assert.deepEqual(Object.keys(set.body).sort(), ['createdAt', 'enabled', 'events', 'id', 'instanceId', 'updatedAt'], transport);
        assert.equal(set.body.enabled, true);
        assert.deepEqual(set.body.events, ['MESSAGES_UPSERT']);
        assert.equal(set.body.instanceId, instance.id);
      }
      const pusher = await server.call('POST', `/pusher/set/${inst}`, {
        body: { pusher: { enabled: true, ...PUSHER_APP, cluster: 'mt1', useTLS: false, events: ['MESSAGES_UPSERT'] } },
      });
      assert.equal(pusher.status, 201, pusher.text);
      // Signed, so the webhook carries the event id too (Standard Webhooks `webhook-id`).
      const hook = await server.call('POST', `/webhook/set/${inst}`, { body: { webhook: { enabled: true, url: webhook.url, secret: true, events: ['MESSAGES_UPSERT'] } } });
      assert.equal(hook.status, 201, hook.text);
      const verifier = new Webhook(hook.body.secret);

      // Independent consumers, all in place before anything is written.
      rabbit = new RabbitQueueReader(amqp, `${inst}.messages.upsert`);
      readers.push(rabbit);
      const sub = nc.subscribe(`${inst}.>`);
      void (async () => {
        for await (const msg of sub) natsMessages.push(msg);
      })();
      await nc.flush();
      await mqtt.subscribeAsync(`parley/${inst}/#`, { qos: 1 });
      const connectSocket = (auth: Record<string, string>) =>
        new Promise<ClientSocket>((resolve, reject) => {
          const socket = socketClient(`${server.url}/${inst}`, { forceNew: true, reconnection: false, timeout: 5000, auth });
          sockets.push(socket);
          socket.once('connect', () => resolve(socket));
          socket.once('connect_error', (error) => {
            socket.disconnect();
            reject(error);
          });
        });
      await assert.rejects(connectSocket({}), /Unauthorized/, 'the namespace needs a key');
      const socket = await connectSocket({ apikey: instance.token });
      socket.onAny((name: string, payload: unknown) => wsMessages.push([name, payload]));

      const chats: Chat[] = [1, 2, 3].map((n) => ({ chat: `55119${run.slice(0, 4)}000${n}@s.whatsapp.net`, id: `E2E-${run}-${n}`, text: `olá ${n} ✓ 🚀` }));
      const wanted = new Set(chats.map((c) => c.id));
      await appendMessages(server, instance, chats);

      await waitFor(
        async () => {
          await drainSqs();
          return Object.values(receivedIds()).every((ids) => countOf(ids, wanted) >= chats.length);
        },
        15_000,
        describeCounts(wanted),
      );
      await sleep(300); // anything duplicated would show up now
      await drainSqs();
      for (const [transport, ids] of Object.entries(receivedIds())) {
        assert.deepEqual(ids.filter((id) => wanted.has(id)).sort(), [...wanted].sort(), `${transport} received each event exactly once`);
      }

      // The event ids, as the delivery API shows them: one event → one delivery per transport, all delivered.
      const deliveries = await allDelivered(chats);
      const eventIdOf = new Map<string, string>();
      for (const c of chats) {
        const own = deliveries.filter((d) => d.chat === c.chat);
        assert.deepEqual(own.map((d) => d.endpoint.transport).sort(), [...ALL].sort(), `one delivery per transport for ${c.id}`);
        const ids = new Set(own.map((d) => d.eventId));
        assert.equal(ids.size, 1, 'every transport delivers the same event');
        const [eventId] = ids;
        assert.match(eventId!, /^[0-9A-HJKMNP-TV-Z]{26}$/);
        for (const d of own) {
          assert.equal(d.event, 'messages.upsert');
          assert.equal(d.endpoint.scope, 'instance');
          assert.equal(d.attempts, 1, `${d.endpoint.transport} needed ${d.attempts} attempts (${d.lastError})`);
        }
        eventIdOf.set(c.id, eventId!);
      }

      for (const c of chats) {
        const eventId = eventIdOf.get(c.id)!;
        const data = expectedData(c);
        const envelope = (body: any, what: string) => {
          assert.equal(body.event, 'messages.upsert', what);
          assert.equal(body.instance, inst, what);
          assert.deepEqual(body.data, data, what);
          assert.equal(body.apikey, null, what);
        };

        // RabbitMQ: exchange <instance>, quorum queue <instance>.messages.upsert, routing key = event, message id = event id.
        const r = rabbit.messages.find((m) => keyId(JSON.parse(m.content.toString('utf8')).data) === c.id)!;
        assert.equal(r.fields.exchange, inst);
        assert.equal(r.fields.routingKey, 'messages.upsert');
        assert.equal(r.properties.messageId, eventId);
        assert.equal(r.properties.contentType, 'application/json');
        const { 'x-delivery-count': _count, ...headers } = r.properties.headers ?? {};
        assert.deepEqual(headers, { event: 'messages.upsert', instance: inst });
        const rabbitBody = r.content.toString('utf8');
        envelope(JSON.parse(rabbitBody), 'rabbitmq');
        assert.deepEqual(Object.keys(JSON.parse(rabbitBody)), ['event', 'instance', 'data', 'server_url', 'date_time', 'apikey']);

        // NATS: subject <instance>.messages.upsert, the event id in a header, the same bytes as RabbitMQ.
        const n = natsMessages.find((m) => keyId(JSON.parse(Buffer.from(m.data).toString('utf8')).data) === c.id)!;
        assert.equal(n.subject, `${inst}.messages.upsert`);
        assert.equal(n.headers?.get('Parley-Event-Id'), eventId);
        assert.equal(n.headers?.get('Parley-Event'), 'messages.upsert');
        assert.equal(Buffer.from(n.data).toString('utf8'), rabbitBody, 'NATS carries the same body as RabbitMQ');

        // MQTT: topic parley/<instance>/messages.upsert, QoS 1, the event id as a user property, the same bytes.
        const q = mqttMessages.find((m) => keyId(JSON.parse(m.payload.toString('utf8')).data) === c.id)!;
        assert.equal(q.topic, `parley/${inst}/messages.upsert`);
        assert.equal(q.packet.qos, 1);
        assert.equal(q.packet.properties?.userProperties?.['event-id'], eventId);
        assert.equal(q.payload.toString('utf8'), rabbitBody, 'MQTT carries the same body as RabbitMQ');

        // WebSocket: namespace /<instance>, socket event messages.upsert, the same envelope.
        const w = wsMessages.find(([, p]) => keyId(p?.data) === c.id)!;
        assert.equal(w[0], 'messages.upsert');
        assert.equal(JSON.stringify(w[1]), rabbitBody, 'the WebSocket payload is the same envelope');

        // SQS: FIFO queue <instance>_messages_upsert.fifo, group `evolution`, dedup id = event id.
        const s = sqsMessages.find((m) => keyId(JSON.parse(m.Body!).data) === c.id)!;
        assert.equal(s.Attributes?.MessageDeduplicationId, eventId);
        assert.equal(s.Attributes?.MessageGroupId, 'evolution');
        assert.deepEqual(s.MessageAttributes, { event: { DataType: 'String', StringValue: 'messages.upsert' }, instance: { DataType: 'String', StringValue: inst } });
        const sqsBody = JSON.parse(s.Body!);
        envelope(sqsBody, 'sqs');
        assert.equal(sqsBody.dataType, 'json');
        assert.equal(sqsBody.date_time, JSON.parse(rabbitBody).date_time);

        // Pusher: channel <instance>, event messages.upsert, destination = the app id.
        const p = pusherEvents().find((e) => keyId(JSON.parse(e.data).data) === c.id)!;
        assert.deepEqual(p.channels, [inst]);
        assert.equal(p.name, 'messages.upsert');
        assert.equal(p.appId, PUSHER_APP.appId);
        const pusherBody = JSON.parse(p.data);
        envelope(pusherBody, 'pusher');
        assert.equal(pusherBody.destination, PUSHER_APP.appId);

        // Webhook: webhook-id = event id, and the signature verifies.
        const h = webhook.received.find((x) => keyId(x.body?.data) === c.id)!;
        assert.equal(h.headers['webhook-id'], eventId);
        verifier.verify(h.raw, {
          'webhook-id': String(h.headers['webhook-id']),
          'webhook-timestamp': String(h.headers['webhook-timestamp']),
          'webhook-signature': String(h.headers['webhook-signature']),
        });
        envelope(h.body, 'webhook');
        assert.equal(h.body.destination, webhook.url);
      }
      assert.ok(fakeSqs.queues.has(sqsQueue), `SQS queue ${sqsQueue} was created`);
      assert.equal(fakeSqs.queues.get(sqsQueue)!.attributes.FifoQueue, 'true');
      assert.ok(wsMessages.every(([name]) => name === 'messages.upsert'), 'only the configured event reaches the namespace');
      assert.ok(mqttMessages.every((m) => m.topic === `parley/${inst}/messages.upsert`));
      assert.ok(natsMessages.every((m) => m.subject === `${inst}.messages.upsert`));
    });

    it('shows each transport row through /<transport>/find and as fetchInstances relations', async () => {
      const rows: Record<string, any> = {};
      for (const transport of SIMPLE) {
        const found = await server.call('GET', `/${transport}/find/${inst}`);
        assert.equal(found.status, 200, `${transport}: ${found.text}`);
        assert.deepEqual(Object.keys(found.body).sort(), ['createdAt', 'enabled', 'events', 'id', 'instanceId', 'updatedAt'], transport);
        assert.equal(found.body.enabled, true);
        assert.deepEqual(found.body.events, ['MESSAGES_UPSERT']);
        assert.equal(found.body.instanceId, instance.id);
        assert.ok(!Number.isNaN(Date.parse(found.body.createdAt)) && !Number.isNaN(Date.parse(found.body.updatedAt)));
        rows[transport] = found.body;
      }
      const pusher = await server.call('GET', `/pusher/find/${inst}`);
      assert.equal(pusher.status, 200);
      assert.deepEqual(
        { appId: pusher.body.appId, key: pusher.body.key, secret: pusher.body.secret, cluster: pusher.body.cluster, useTLS: pusher.body.useTLS, events: pusher.body.events },
        { ...PUSHER_APP, cluster: 'mt1', useTLS: false, events: ['MESSAGES_UPSERT'] },
      );

      const fetched = await server.call('GET', `/instance/fetchInstances?instanceName=${inst}`);
      assert.equal(fetched.status, 200, fetched.text);
      const row = fetched.body[0];
      assert.equal(row.name, inst);
      assert.deepEqual(row.Rabbitmq, rows.rabbitmq);
      assert.deepEqual(row.Nats, rows.nats);
      assert.deepEqual(row.Sqs, rows.sqs);
      assert.deepEqual(row.Websocket, rows.websocket);
      for (const relation of ['Rabbitmq', 'Nats', 'Sqs', 'Websocket']) {
        assert.deepEqual(Object.keys(row[relation]).sort(), ['createdAt', 'enabled', 'events', 'id', 'instanceId', 'updatedAt'], relation);
      }
    });

    const isolationChats: Chat[] = Array.from({ length: 20 }, (_, n) => ({
      chat: `55118${run.slice(0, 4)}${String(n).padStart(4, '0')}@s.whatsapp.net`,
      id: `ISO-${run}-${n}`,
      text: `isolation ${n}`,
    }));

    it('a slow webhook does not hold back the other transports of the same instance', async (t) => {
      webhook.delayMs = 2000;
      try {
        const wanted = new Set(isolationChats.map((c) => c.id));
        const started = Date.now();
        await appendMessages(server, instance, isolationChats);
        await waitFor(
          () => countOf(receivedIds().rabbitmq, wanted) === 20 && countOf(receivedIds().nats, wanted) === 20,
          3000,
          describeCounts(wanted),
        );
        const took = Date.now() - started;
        const webhookSoFar = countOf(receivedIds().webhook, wanted);
        assert.ok(webhookSoFar < 20, `RabbitMQ and NATS had all 20 after ${took} ms, but so had the slow webhook (${webhookSoFar})`);
        t.diagnostic(`RabbitMQ and NATS had all 20 after ${took} ms; the slow webhook had ${webhookSoFar}`);

        // Nothing is lost: the slow webhook and every other transport get all 20 too.
        await waitFor(
          async () => {
            await drainSqs();
            return Object.values(receivedIds()).every((ids) => countOf(ids, wanted) >= 20);
          },
          15_000,
          describeCounts(wanted),
        );
      } finally {
        webhook.delayMs = 0;
      }
    });

    it('delivers those 20 concurrent events once each, in one attempt, on every transport', async () => {
      // Every receiver answered every request with success, so nothing may be retried or arrive twice.
      const deliveries = await allDelivered(isolationChats);
      await sleep(300); // a late duplicate would show up now
      await drainSqs();
      const problems = deliveries
        .filter((d) => d.attempts !== 1)
        .map((d) => `${d.endpoint.transport} delivery of ${d.eventId} took ${d.attempts} attempts`);
      const wanted = new Set(isolationChats.map((c) => c.id));
      for (const [transport, ids] of Object.entries(receivedIds())) {
        const got = ids.filter((id) => wanted.has(id));
        if (got.length !== 20 || new Set(got).size !== 20) problems.push(`${transport} received ${got.length} messages for the 20 events (${new Set(got).size} distinct)`);
      }
      assert.deepEqual(problems, [], 'every receiver accepted every first attempt: no retries, no duplicates');
    });

    it('delivers INSTANCE_CREATE to the global RabbitMQ endpoint in queue <prefix>.instance.create', async () => {
      const name = `${inst}g`;
      const reader = new RabbitQueueReader(amqp, globalQueue);
      readers.push(reader);
      const created = await createInstance(server, { instanceName: name });
      await waitFor(() => reader.bodies().some((b) => b.instance === name), 10_000, `instance.create of ${name} on ${globalQueue}`);
      const msg = reader.messages.find((m) => JSON.parse(m.content.toString('utf8')).instance === name)!;
      assert.equal(msg.fields.exchange, globalExchange);
      assert.equal(msg.fields.routingKey, 'instance.create');
      const body = JSON.parse(msg.content.toString('utf8'));
      assert.equal(body.event, 'instance.create');
      assert.deepEqual(body.data, { instanceName: name, instanceId: created.instance.instanceId });
      const { 'x-delivery-count': _count, ...headers } = msg.properties.headers ?? {};
      assert.deepEqual(headers, { event: 'instance.create', instance: name });

      // The delivery API (global key) shows the global endpoint's delivery with the same event id.
      let global: any;
      await waitFor(
        async () => {
          const list = (await server.call('GET', `/events/deliveries/${name}?limit=500`)).body;
          global = list.find((d: any) => d.endpoint.scope === 'global' && d.endpoint.transport === 'rabbitmq' && d.event === 'instance.create');
          return global?.status === 'delivered';
        },
        10_000,
        () => `the global rabbitmq delivery to be delivered: ${JSON.stringify(global)}`,
      );
      assert.equal(msg.properties.messageId, global.eventId);
      // Only the switched-on events go to the global endpoint: the instance's messages did not.
      assert.ok(reader.bodies().every((b) => b.event === 'instance.create'));
    });

    it('exposes pipeline and instance metrics on /metrics to loopback', async () => {
      const res = await server.call('GET', '/metrics', { apikey: null });
      assert.equal(res.status, 200, res.text);
      assert.match(String(res.headers.get('content-type')), /^text\/plain/);
      const written = samples(res.text, 'parley_events_written_total');
      assert.equal(written.length, 1);
      assert.ok(written[0]!.value > 0, `parley_events_written_total = ${written[0]!.value}`);
      const attempts = samples(res.text, 'parley_delivery_attempts_total');
      for (const transport of ['rabbitmq', 'nats', 'mqtt', 'webhook']) {
        const delivered = attempts.filter((s) => s.labels.transport === transport && s.labels.outcome === 'delivered').reduce((sum, s) => sum + s.value, 0);
        assert.ok(delivered >= 23, `${transport}: ${delivered} delivered attempts counted`);
      }
      const deliveries = samples(res.text, 'parley_deliveries');
      assert.ok(deliveries.length > 0 && deliveries.every((s) => typeof s.labels.status === 'string'), 'parley_deliveries has a status label');
      const delivered = deliveries.find((s) => s.labels.status === 'delivered');
      assert.ok(delivered && delivered.value >= 23 * ALL.length, `parley_deliveries{status="delivered"} = ${delivered?.value}`);
      const instances = samples(res.text, 'evolution_instances_total');
      assert.equal(instances.length, 1);
      assert.ok(instances[0]!.value >= 2, `evolution_instances_total = ${instances[0]!.value}`);
    });

    it('refuses /metrics outside METRICS_ALLOWED_IPS without credentials, and accepts the global apikey', async () => {
      const closed = await startTestServer(kind, { env: { METRICS_ALLOWED_IPS: '10.9.9.9' } });
      try {
        const anonymous = await closed.call('GET', '/metrics', { apikey: null });
        assert.equal(anonymous.status, 401, anonymous.text);
        assert.match(String(anonymous.headers.get('www-authenticate')), /^Basic/);
        assert.doesNotMatch(anonymous.text, /parley_|evolution_/);
        const spoofed = await closed.call('GET', '/metrics', { apikey: null, headers: { 'x-forwarded-for': '10.9.9.9' } });
        assert.equal(spoofed.status, 401, 'x-forwarded-for is not trusted');
        const wrong = await closed.call('GET', '/metrics', { apikey: 'not-the-global-key' });
        assert.equal(wrong.status, 401);
        const keyed = await closed.call('GET', '/metrics', { apikey: TEST_API_KEY });
        assert.equal(keyed.status, 200, keyed.text);
        assert.equal(samples(keyed.text, 'evolution_instances_total').length, 1);
      } finally {
        await closed.close();
      }
    });
  });
}
