// `fanout`: the inbound load into one instance whose MESSAGES_UPSERT events go to five places at once — its webhook
// (the runner's fast sink), RabbitMQ, NATS and MQTT (per-instance, via /rabbitmq|nats|mqtt/set, read back by the
// runner's own consumers), and the server's GLOBAL webhook (a second receiver of the runner's). Each run sends a
// warm-up, then N messages while the global receiver answers at once (baseline), N while it answers after 2 s (slow),
// and N answered at once again (baseline). The only difference between the phases is the slow receiver, so the fast
// sinks' delivered/s in the slow phase against the mean of the two baselines is the cost of one slow sink to the
// others (slowdownPct; target < 5 %).
//
// The global webhook's URL is fixed when the server starts. With --server-cmd the runner sets it (and switches the
// transports on) through the server's environment; otherwise start the server with WEBHOOK_GLOBAL_ENABLED=true,
// WEBHOOK_GLOBAL_URL=http://127.0.0.1:<P>/slow, WEBHOOK_EVENTS_MESSAGES_UPSERT=true, RABBITMQ_ENABLED, NATS_ENABLED,
// MQTT_ENABLED (+ their URIs) and pass --slow-sink-port <P>.
import { connect as amqpConnect } from 'amqplib';
import { connectAsync as mqttConnect } from 'mqtt';
import { connect as natsConnect } from 'nats';
import type { BenchOptions } from '../lib/args.js';
import { runLoad, WireClient } from '../lib/client.js';
import { RecordingSink } from '../lib/recording-sink.js';
import { serverFor } from '../lib/server-process.js';
import { round } from '../lib/stats.js';
import { createBenchInstance, deleteInstance, inboundMessage, sendInbound, sleep, uniqueNumber } from '../lib/wire-load.js';

const CHATS = 300;
const SLOW_MS = 2_000;
const BROKERS = ['rabbitmq', 'nats', 'mqtt'] as const;
type Broker = (typeof BROKERS)[number];

/** What one consumer has received in the current phase. */
class Tally {
  readonly seen = new Set<number>();
  lastAt = 0;
  prefix = '';

  record(body: Buffer | Uint8Array): void {
    try {
      const id = (JSON.parse(Buffer.from(body).toString('utf8')) as { data?: { key?: { id?: unknown } } }).data?.key?.id;
      if (typeof id !== 'string' || !id.startsWith(`${this.prefix}-`)) return;
      const n = Number(id.slice(this.prefix.length + 1));
      if (!Number.isInteger(n)) return;
      this.seen.add(n);
      this.lastAt = Date.now();
    } catch {
      // not an event
    }
  }

  reset(prefix: string): void {
    this.prefix = prefix;
    this.seen.clear();
    this.lastAt = 0;
  }
}

interface Consumer {
  tally: Tally;
  close(): Promise<void>;
}

/** The slow receiver outlives a run: its URL is in the server's environment. It listens only during a run. */
let slowSink: RecordingSink | undefined;

export async function fanout(options: BenchOptions, base: string, progress: (line: string) => void): Promise<Record<string, number>> {
  if (options.target === 'null') throw new Error('the fanout workload runs against a server only');
  if (options.serverCmd === undefined && options.slowSinkPort === undefined) {
    throw new Error('fanout needs --server-cmd (the runner configures the slow global webhook) or --slow-sink-port P with a server started with WEBHOOK_GLOBAL_URL=http://127.0.0.1:P/slow (see bench/README.md)');
  }
  if (slowSink === undefined) {
    slowSink = new RecordingSink('');
    await slowSink.start(options.slowSinkPort ?? 0);
  } else {
    await slowSink.accept();
  }
  const slow = slowSink;
  await serverFor(options, {
    WEBHOOK_GLOBAL_ENABLED: 'true',
    WEBHOOK_GLOBAL_URL: `${slow.url}/slow`,
    WEBHOOK_GLOBAL_WEBHOOK_BY_EVENTS: 'false',
    WEBHOOK_EVENTS_MESSAGES_UPSERT: 'true',
    RABBITMQ_ENABLED: 'true',
    RABBITMQ_URI: options.rabbitmqUrl,
    NATS_ENABLED: 'true',
    NATS_URI: options.natsUrl,
    MQTT_ENABLED: 'true',
    MQTT_URI: options.mqttUrl,
  });

  const name = `bfan${Date.now().toString(36)}`;
  const number = uniqueNumber();
  const fast = new RecordingSink(name);
  const fastUrl = await fast.start();
  const client = new WireClient(base, options.apikey, options.concurrency);
  const consumers = new Map<Broker, Consumer>();
  try {
    await createBenchInstance(client, name, number, fastUrl);
    for (const broker of BROKERS) {
      try {
        const consumer = await consume(broker, name, options);
        const set = await client.call('POST', `/${broker}/set/${name}`, { [broker]: { enabled: true, events: ['MESSAGES_UPSERT'] } });
        if (set.status !== 201 && set.status !== 200) {
          await consumer.close();
          throw new Error(`/${broker}/set answered ${set.status} ${JSON.stringify(set.body)}`);
        }
        consumers.set(broker, consumer);
      } catch (error) {
        process.stderr.write(`fanout: ${broker} left out: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }

    /** Sends `count` messages with ids `<prefix>-<i>`; returns per-sink figures once the fast sinks have them all. */
    const phase = async (prefix: string, count: number, slowMs: number) => {
      fast.reset(prefix);
      slow.reset(prefix);
      slow.delayMs = slowMs;
      for (const c of consumers.values()) c.tally.reset(prefix);
      const acked = new Set<number>();
      const start = Date.now();
      let lastAccepted = start;
      await runLoad(count, options.concurrency, options.rate, async (i) => {
        const result = await sendInbound(client, () => inboundMessage(number, prefix, i, CHATS), 3, () => Promise.resolve());
        if (result.acked) {
          acked.add(i);
          lastAccepted = Date.now();
        }
      }, (done) => progress(`fanout ${prefix}: ${done}/${count} sent, webhook ${fast.unique}, ${[...consumers].map(([b, c]) => `${b} ${c.tally.seen.size}`).join(', ')}, slow ${slow.unique}`));
      const has = (seen: { has(i: number): boolean }) => [...acked].every((i) => seen.has(i));
      const fastDone = () => has(fast.delivered) && [...consumers.values()].every((c) => has(c.tally.seen));
      const deadline = Date.now() + options.drainSeconds * 1000;
      while (!fastDone() && Date.now() < deadline) await sleep(20);
      const fastDoneAt = Date.now();
      const perSec = (delivered: number, lastAt: number) => (delivered === 0 ? 0 : round(delivered / (Math.max(1, lastAt - start) / 1000)));
      const figures: Record<string, number> = {
        acceptedPerSec: perSec(acked.size, lastAccepted),
        webhook: perSec(fast.unique, fast.lastAt),
        slow: 0,
        lost: [...acked].filter((i) => !fast.delivered.has(i)).length + [...consumers.values()].reduce((sum, c) => sum + [...acked].filter((i) => !c.tally.seen.has(i)).length, 0),
        duplicated: fast.duplicated,
      };
      for (const [broker, c] of consumers) figures[broker] = perSec(c.tally.seen.size, c.tally.lastAt);
      // The slow receiver's own rate while slow, over at least 3 × its answer time (its first answers take 2 s).
      if (slowMs > 0) await sleep(start + 3 * slowMs - Date.now());
      figures.slow = perSec(slow.unique, Math.max(fastDoneAt, Date.now()));
      if (slow.unique === 0 && !(await slow.waitUntil(() => slow.unique > 0, 5_000))) {
        throw new Error(`the global webhook never reached ${slow.url}/slow: start the server with WEBHOOK_GLOBAL_ENABLED=true WEBHOOK_GLOBAL_URL=${slow.url}/slow WEBHOOK_EVENTS_MESSAGES_UPSERT=true`);
      }
      // Let the slow receiver catch up (answering at once) so nothing of this phase spills into the next.
      slow.delayMs = 0;
      const slowDeadline = Date.now() + options.drainSeconds * 1000;
      while (!has(slow.delivered) && Date.now() < slowDeadline) await sleep(20);
      figures.slowLost = [...acked].filter((i) => !slow.delivered.has(i)).length;
      return figures;
    };

    // Warm-up, then baseline / slow / baseline again: the slow phase is compared with the mean of the two baselines
    // around it, so a drift over the run (JIT warm-up, caches, a neighbour's load) does not pass for a slowdown.
    await phase(`${name}w`, Math.max(50, Math.floor(options.n / 2)), 0);
    const before = await phase(`${name}a`, options.n, 0);
    const slowed = await phase(`${name}b`, options.n, SLOW_MS);
    const after = await phase(`${name}c`, options.n, 0);
    const baseline = Object.fromEntries(Object.keys(before).map((k) => [k, k === 'lost' || k === 'slowLost' || k === 'duplicated' ? before[k]! + after[k]! : round((before[k]! + after[k]!) / 2)]));
    const result: Record<string, number> = {
      acceptedPerSec: slowed.acceptedPerSec!,
      baselineAcceptedPerSec: baseline.acceptedPerSec!,
    };
    let maxSlowdown = -Infinity;
    for (const sink of ['webhook', ...consumers.keys()]) {
      const fastRate = baseline[sink]!;
      const slowRate = slowed[sink]!;
      const slowdown = fastRate === 0 ? 0 : round(((fastRate - slowRate) / fastRate) * 100);
      maxSlowdown = Math.max(maxSlowdown, slowdown);
      result[`${sink}BaselinePerSec`] = fastRate;
      result[`${sink}DeliveredPerSec`] = slowRate;
      result[`${sink}SlowdownPct`] = slowdown;
    }
    result.maxSlowdownPct = maxSlowdown;
    result.slowSinkDeliveredPerSec = slowed.slow!;
    result.lost = slowed.lost! + baseline.lost!;
    result.slowSinkLost = slowed.slowLost! + baseline.slowLost!;
    result.duplicated = slowed.duplicated! + baseline.duplicated!;
    return result;
  } finally {
    for (const c of consumers.values()) await c.close().catch(() => undefined);
    await deleteInstance(client, name);
    await client.close();
    await fast.close();
    slow.delayMs = 0;
    await slow.refuse();
    await removeRabbitObjects(options.rabbitmqUrl, name);
  }
}

async function consume(broker: Broker, instance: string, options: BenchOptions): Promise<Consumer> {
  const tally = new Tally();
  if (broker === 'rabbitmq') {
    // Evolution's (and Parley's) names: exchange <instance>, quorum queue <instance>.messages.upsert.
    const connection = await amqpConnect(options.rabbitmqUrl, { timeout: 5_000 });
    connection.on('error', () => undefined);
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const queue = `${instance}.messages.upsert`;
    await channel.assertExchange(instance, 'topic', { durable: true, autoDelete: false });
    await channel.assertQueue(queue, { durable: true, autoDelete: false, arguments: { 'x-queue-type': 'quorum' } });
    await channel.bindQueue(queue, instance, 'messages.upsert');
    await channel.consume(queue, (msg) => msg && tally.record(msg.content), { noAck: true });
    return { tally, close: () => connection.close() };
  }
  if (broker === 'nats') {
    const nc = await natsConnect({ servers: options.natsUrl, timeout: 5_000 });
    const sub = nc.subscribe(`${instance}.>`);
    void (async () => {
      for await (const m of sub) tally.record(m.data);
    })().catch(() => undefined);
    await nc.flush();
    return { tally, close: () => nc.close() };
  }
  const client = await mqttConnect(options.mqttUrl, { protocolVersion: 5, clientId: `bench-${instance}`, reconnectPeriod: 0, connectTimeout: 5_000 });
  client.on('message', (_topic, payload) => tally.record(payload));
  // `<prefix>/<instance>/<event>` (Parley's MQTT_TOPIC_PREFIX) or `<instance>/<event>`.
  await client.subscribeAsync([`+/${instance}/#`, `${instance}/#`], { qos: 1 });
  return { tally, close: () => client.endAsync() };
}

/** The bench instance's exchange and queue, whoever declared them. */
async function removeRabbitObjects(url: string, instance: string): Promise<void> {
  try {
    const connection = await amqpConnect(url, { timeout: 5_000 });
    connection.on('error', () => undefined);
    for (const remove of [(ch: any) => ch.deleteQueue(`${instance}.messages.upsert`), (ch: any) => ch.deleteExchange(instance)]) {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await remove(channel).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
    await connection.close();
  } catch {
    // no broker: nothing to remove
  }
}
