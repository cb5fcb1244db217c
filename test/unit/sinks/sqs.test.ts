// The SQS sink against a local SQS fake over real HTTP: queue naming (incl. multi-dot events), queue creation,
// body bytes, group and deduplication ids, attributes, and failures (500, stalled answer, closed port, restart).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import pino from 'pino';
import type { Endpoint } from '../../../src/domain/delivery.js';
import type { EventName, StoredEvent } from '../../../src/domain/events.js';
import { sqsSink, type SqsSettings } from '../../../src/events/sinks/sqs.js';
import type { EventSink, SinkContext } from '../../../src/ports/event-sink.js';
import { renderEvent } from '../../../src/wire/event-envelopes.js';
import { FakeSqs } from '../../fakes/fake-sqs.js';

const CREDENTIALS = { accessKeyId: 'AKIDPARLEYTEST', secretAccessKey: 'parley-test-secret' };
const REGION = 'us-east-1';

function settings(endpoint: string, extra: Partial<SqsSettings> = {}): SqsSettings {
  return {
    enabled: true, ...CREDENTIALS, accountId: undefined, region: REGION, endpoint, maxPayloadSize: 1_048_576,
    globalEnabled: true, forceSingleQueue: false, globalPrefixName: 'global', globalEvents: [], ...extra,
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

function endpoint(instanceId: string | null, id = instanceId ? `ep-${instanceId}` : 'ep-global'): Endpoint {
  const now = new Date();
  return { id, instanceId, transport: 'sqs', enabled: true, events: [], config: {}, disabledReason: null, createdAt: now, updatedAt: now };
}

let seq = 0;
function stored(event: EventName, data: unknown = { key: { id: 'ABC' } }, instanceName: string | null = 'inst1'): StoredEvent {
  seq += 1;
  return {
    seq, id: `01JTESTSQS${String(seq).padStart(16, '0')}`, event, instanceId: instanceName ? 'i-1' : null, instanceName, data,
    sender: '5511999999999@s.whatsapp.net', createdAt: new Date('2025-01-02T03:04:05.000Z'),
  };
}

const ENVELOPE = { serverUrl: 'http://localhost:8080', serverName: 'parley-test', apikey: null };
const render = (ep: Endpoint, event: StoredEvent) => renderEvent('sqs', ep, event, ENVELOPE);

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('sqs sink', () => {
  let fake: FakeSqs;
  let reader: SQSClient;
  const sinks: EventSink[] = [];
  const open = (s: SqsSettings, timeoutMs?: number) => {
    const sink = sqsSink(s).create(context(timeoutMs));
    sinks.push(sink);
    return sink;
  };
  /** Everything in a queue, read with an independent SDK client. */
  const receive = async (queueName: string): Promise<Message[]> => {
    const out = await reader.send(
      new ReceiveMessageCommand({ QueueUrl: fake.queueUrl(queueName), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    return out.Messages ?? [];
  };

  before(async () => {
    fake = await FakeSqs.start({ accessKeyId: CREDENTIALS.accessKeyId });
    reader = new SQSClient({ region: REGION, endpoint: fake.url, credentials: CREDENTIALS, maxAttempts: 1 });
  });
  after(async () => {
    for (const sink of sinks) await sink.close();
    reader.destroy();
    await fake.close();
  });

  it('creates the per-instance FIFO queue and sends the exact body with group `evolution` and the event id as dedup id', async () => {
    const sink = open(settings(fake.url));
    const ep = endpoint('i-1');
    const event = render(ep, stored('MESSAGES_UPSERT'));
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });

    assert.deepEqual(fake.calls('GetQueueUrl').map((r) => r.input.QueueName), ['inst1_messages_upsert.fifo']);
    const [create] = fake.calls('CreateQueue');
    assert.deepEqual(create?.input, { QueueName: 'inst1_messages_upsert.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } });
    const [send] = fake.calls('SendMessage');
    assert.equal(send?.input.QueueUrl, fake.queueUrl('inst1_messages_upsert.fifo'));
    assert.equal(send?.headers['x-amz-target'], 'AmazonSQS.SendMessage');
    assert.match(String(send?.headers['content-type']), /^application\/x-amz-json-1\.0/);

    const [message, ...rest] = await receive('inst1_messages_upsert.fifo');
    assert.equal(rest.length, 0);
    assert.equal(message?.Body, event.body);
    assert.equal(message?.Attributes?.MessageGroupId, 'evolution');
    assert.equal(message?.Attributes?.MessageDeduplicationId, event.id);
    assert.deepEqual(message?.MessageAttributes, {
      event: { DataType: 'String', StringValue: 'messages.upsert' },
      instance: { DataType: 'String', StringValue: 'inst1' },
    });
    const body = JSON.parse(message!.Body!);
    assert.deepEqual(Object.keys(body), ['event', 'instance', 'dataType', 'data', 'server', 'server_url', 'date_time', 'sender', 'apikey']);
    assert.equal(body.dataType, 'json');
    assert.equal(body.server, 'parley-test');
  });

  it('caches the queue URL: a second event to the same queue sends without resolving again', async () => {
    const sink = open(settings(fake.url));
    const ep = endpoint('i-1');
    const before = fake.calls('GetQueueUrl').length;
    assert.equal((await sink.deliver(ep, render(ep, stored('MESSAGES_UPSERT')))).ok, true);
    assert.equal((await sink.deliver(ep, render(ep, stored('MESSAGES_UPSERT')))).ok, true);
    assert.equal(fake.calls('GetQueueUrl').length, before + 1, 'one lookup (the queue exists now), then the cache');
    assert.equal(fake.calls('CreateQueue').length, 1, 'the queue was not created again');
    assert.equal((await receive('inst1_messages_upsert.fifo')).length, 2);
  });

  it('replaces every dot of a multi-dot event name (Evolution replaced only the first)', async () => {
    const sink = open(settings(fake.url));
    const ep = endpoint('i-1');
    const event = render(ep, stored('SEND_MESSAGE_UPDATE'));
    assert.equal(event.wireName, 'send.message.update');
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    const [message] = await receive('inst1_send_message_update.fifo');
    assert.equal(message?.Body, event.body);
    const hyphen = render(ep, stored('GROUP_PARTICIPANTS_UPDATE'));
    assert.deepEqual(await sink.deliver(ep, hyphen), { ok: true });
    assert.equal((await receive('inst1_group-participants_update.fifo'))[0]?.Body, hyphen.body);
  });

  it('sends to an existing queue without creating it', async () => {
    await reader.send(new CreateQueueCommand({ QueueName: 'inst2_connection_update.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } }));
    const creates = fake.calls('CreateQueue').length;
    const sink = open(settings(fake.url));
    const ep = endpoint('i-2');
    const event = render(ep, stored('CONNECTION_UPDATE', { state: 'open' }, 'inst2'));
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    assert.equal(fake.calls('CreateQueue').length, creates);
    assert.equal((await receive('inst2_connection_update.fifo'))[0]?.Body, event.body);
  });

  it('global endpoint: `<prefix>_<event>.fifo`, group `<server>-<event>-<instance>`', async () => {
    const sink = open(settings(fake.url, { globalPrefixName: 'evo', serverName: 'srv1' }));
    const ep = endpoint(null);
    const event = render(ep, stored('MESSAGES_UPDATE'));
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    const [message] = await receive('evo_messages_update.fifo');
    assert.equal(message?.Body, event.body);
    assert.equal(message?.Attributes?.MessageGroupId, 'srv1-messages.update-inst1');
    assert.equal(message?.Attributes?.MessageDeduplicationId, event.id);
  });

  it('global endpoint with forceSingleQueue: `<prefix>_singlequeue.fifo`; default server name `parley`', async () => {
    const sink = open(settings(fake.url, { forceSingleQueue: true }));
    const ep = endpoint(null);
    const a = render(ep, stored('MESSAGES_UPSERT'));
    const b = render(ep, stored('CHATS_UPSERT', [{ remoteJid: 'x' }], 'inst9'));
    assert.deepEqual(await sink.deliver(ep, a), { ok: true });
    assert.deepEqual(await sink.deliver(ep, b), { ok: true });
    const messages = await receive('global_singlequeue.fifo');
    assert.deepEqual(messages.map((m) => m.Body), [a.body, b.body]);
    assert.deepEqual(messages.map((m) => m.Attributes?.MessageGroupId), ['parley-messages.upsert-inst1', 'parley-chats.upsert-inst9']);
  });

  it('a retried event is deduplicated by its id', async () => {
    const sink = open(settings(fake.url));
    const ep = endpoint('i-1');
    const event = render(ep, stored('CONTACTS_UPSERT', { remoteJid: 'y' }));
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    const sends = fake.calls('SendMessage').filter((r) => r.input.MessageDeduplicationId === event.id);
    assert.equal(sends.length, 2, 'both attempts reached SQS');
    assert.equal((await receive('inst1_contacts_upsert.fifo')).length, 1, 'SQS kept one');
  });

  it('refuses a body over maxPayloadSize without calling SQS', async () => {
    const sink = open(settings(fake.url, { maxPayloadSize: 1024 }));
    const ep = endpoint('i-1');
    const before = fake.requests.length;
    const outcome = await sink.deliver(ep, render(ep, stored('MESSAGES_UPSERT', { text: 'x'.repeat(2000) })));
    assert.deepEqual(outcome, { ok: false, retryable: false, error: 'payload too large for SQS' });
    assert.equal(fake.requests.length, before);
  });

  it('HTTP 500 → retryable failure, and the next attempt succeeds', async () => {
    const sink = open(settings(fake.url));
    const ep = endpoint('i-1');
    const event = render(ep, stored('PRESENCE_UPDATE', { id: 'z' }));
    assert.deepEqual(await sink.deliver(ep, render(ep, stored('PRESENCE_UPDATE', { id: 'warm' }))), { ok: true });
    await receive('inst1_presence_update.fifo');
    fake.failNextSends(1, 500);
    const failed = await sink.deliver(ep, event);
    assert.equal(failed.ok, false);
    assert.ok(!failed.ok && failed.retryable && failed.status === 500, JSON.stringify(failed));
    assert.deepEqual(await sink.deliver(ep, event), { ok: true });
    assert.equal((await receive('inst1_presence_update.fifo'))[0]?.Body, event.body);
  });

  it('a send that is never answered fails retryably within the request timeout', async () => {
    const sink = open(settings(fake.url), 300);
    const ep = endpoint('i-1');
    assert.deepEqual(await sink.deliver(ep, render(ep, stored('CALL', { id: 'c0' }))), { ok: true });
    fake.stallNextSends(1);
    const started = Date.now();
    const outcome = await sink.deliver(ep, render(ep, stored('CALL', { id: 'c1' })));
    assert.ok(!outcome.ok && outcome.retryable, JSON.stringify(outcome));
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('a closed port → retryable failure, no throw, no hang', async () => {
    const port = await closedPort();
    const sink = open(settings(`http://127.0.0.1:${port}`), 2000);
    const ep = endpoint('i-1');
    const started = Date.now();
    const outcome = await sink.deliver(ep, render(ep, stored('MESSAGES_UPSERT')));
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok && outcome.retryable, JSON.stringify(outcome));
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('recovers after SQS restarts (and re-creates a queue that vanished) without a new sink', async () => {
    const first = await FakeSqs.start();
    const port = Number(new URL(first.url).port);
    const sink = open(settings(first.url));
    const ep = endpoint('i-1');
    assert.deepEqual(await sink.deliver(ep, render(ep, stored('LABELS_EDIT', { id: 'l1' }))), { ok: true });
    await first.close();

    const down = await sink.deliver(ep, render(ep, stored('LABELS_EDIT', { id: 'l2' })));
    assert.ok(!down.ok && down.retryable, JSON.stringify(down));

    const second = await FakeSqs.start({ port }); // empty: the cached queue URL now points at nothing
    try {
      const event = render(ep, stored('LABELS_EDIT', { id: 'l3' }));
      const gone = await sink.deliver(ep, event);
      assert.ok(!gone.ok && gone.retryable && /QueueDoesNotExist/.test(gone.error), JSON.stringify(gone));
      assert.deepEqual(await sink.deliver(ep, event), { ok: true });
      assert.equal(second.calls('CreateQueue')[0]?.input.QueueName, 'inst1_labels_edit.fifo');
      assert.equal(second.queues.get('inst1_labels_edit.fifo')?.messages[0]?.Body, event.body);
    } finally {
      await sink.close();
      await second.close();
    }
  });

  it('forget() drops the cached URLs of one endpoint; close() is idempotent', async () => {
    const sink = open(settings(fake.url));
    const ep = endpoint('i-1', 'ep-forget');
    const lookups = () => fake.calls('GetQueueUrl').filter((r) => r.input.QueueName === 'inst1_chats_update.fifo').length;
    assert.deepEqual(await sink.deliver(ep, render(ep, stored('CHATS_UPDATE', []))), { ok: true });
    assert.deepEqual(await sink.deliver(ep, render(ep, stored('CHATS_UPDATE', []))), { ok: true });
    assert.equal(lookups(), 1);
    await sink.forget!(ep.id);
    assert.deepEqual(await sink.deliver(ep, render(ep, stored('CHATS_UPDATE', []))), { ok: true });
    assert.equal(lookups(), 2);
    await sink.close();
    await sink.close();
  });
});
