// Kafka transport: Evolution's topics, keys and headers, sent by one idempotent producer (acks = all). A delivery
// counts once every in-sync replica has the record; connection failures drop the producer, and the next delivery
// builds a fresh one, so a broker restart needs no Parley restart.
import { Kafka, logLevel, Partitioners, type Admin, type KafkaConfig, type Message, type Producer, type ProducerConfig } from 'kafkajs';
import type { DeliveryOutcome, Endpoint } from '../../domain/delivery.js';
import type { EventName } from '../../domain/events.js';
import type { EventSink, OutgoingEvent, SinkContext, SinkFactory } from '../../ports/event-sink.js';
import { within } from '../../lib/timeout.js';

/** Structurally identical to `EventsConfig['kafka']`. */
export interface KafkaSettings {
  enabled: boolean;
  clientId: string;
  brokers: string[];
  connectionTimeout: number;
  requestTimeout: number;
  globalEnabled: boolean;
  topicPrefix: string;
  numPartitions: number;
  replicationFactor: number;
  autoCreateTopics: boolean;
  sasl: { enabled: boolean; mechanism: string; username: string | undefined; password: string | undefined };
  ssl: { enabled: boolean; rejectUnauthorized: boolean };
  globalEvents: EventName[];
}

/** The parts of a kafkajs client the sink uses; tests inject a stand-in. */
export interface KafkaClientLike {
  producer(config?: ProducerConfig): Pick<Producer, 'connect' | 'disconnect' | 'send'>;
  admin(): Pick<Admin, 'connect' | 'disconnect' | 'createTopics'>;
}

export interface KafkaSinkOptions {
  /** Used instead of `new Kafka(...)` built from the settings. */
  kafka?: KafkaClientLike;
  /** Bound on every wait (connect, topic creation, send). */
  timeoutMs?: number;
}

/** One record as Evolution writes it (compat §5.2, §5.3). */
export function kafkaRecord(settings: Pick<KafkaSettings, 'topicPrefix'>, endpoint: Endpoint, event: OutgoingEvent): { topic: string; message: Message } {
  const eventPart = event.wireName.toLowerCase().replace(/_/g, '.');
  const perInstance = endpoint.instanceId !== null;
  const topic = perInstance ? `${settings.topicPrefix}.${event.instanceName ?? ''}.${eventPart}` : `${settings.topicPrefix}.global.${eventPart}`;
  // Evolution keys global records `<instance>-<event>`; server-wide events have no instance, so just `<event>`.
  const key = perInstance ? (event.instanceName ?? '') : event.instanceName !== null ? `${event.instanceName}-${event.wireName}` : event.wireName;
  return {
    topic,
    message: {
      key,
      value: event.body,
      headers: {
        event: event.wireName,
        instance: event.instanceName ?? '',
        origin: 'parley',
        timestamp: event.createdAt.toISOString(),
        'event-id': event.id,
      },
    },
  };
}

/** Kafka's own rule for topic names. */
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
/** Broker answers that no retry can fix. */
const PERMANENT = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_TOPIC_EXCEPTION', 'INVALID_RECORD']);




interface ErrorLike { name?: string; type?: string; message?: string; cause?: unknown; errors?: unknown[] }

/** The error and its causes: kafkajs wraps the broker's answer in retry errors and aggregates per-topic errors. */
function chain(error: unknown, out: ErrorLike[] = []): ErrorLike[] {
  if (!error || typeof error !== 'object' || out.length >= 8) return out;
  const e = error as ErrorLike;
  out.push(e);
  for (const inner of e.errors ?? []) chain(inner, out);
  return chain(e.cause, out);
}

function describe(error: unknown): string {
  return chain(error).map((e) => `${e.name ?? 'Error'}: ${e.message ?? String(e)}${e.type ? ` (${e.type})` : ''}`).join(' <- ') || String(error);
}

type ProducerLike = ReturnType<KafkaClientLike['producer']>;

class KafkaSink implements EventSink {
  readonly transport = 'kafka' as const;
  private client: KafkaClientLike | null;
  private producer: Promise<ProducerLike> | null = null;
  /** Topics known to exist (created or confirmed), or being created. */
  private readonly topics = new Map<string, Promise<void>>();
  private closing = false;
  private readonly timeoutMs: number;

  constructor(private readonly settings: KafkaSettings, private readonly ctx: SinkContext, options: KafkaSinkOptions) {
    this.client = options.kafka ?? null;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async deliver(endpoint: Endpoint, event: OutgoingEvent): Promise<DeliveryOutcome> {
    const { topic, message } = kafkaRecord(this.settings, endpoint, event);
    if (!LEGAL_TOPIC.test(topic)) return { ok: false, retryable: false, error: `"${topic}" is not a legal Kafka topic name` };
    if (this.closing) return { ok: false, retryable: true, error: 'Kafka sink is closed' };
    const current = this.connect();
    // One bound for the whole attempt, shared by its steps.
    const deadline = Date.now() + this.timeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    try {
      const producer = await within(current, left(), 'Kafka producer connect');
      if (this.settings.autoCreateTopics) await within(this.ensureTopic(topic), left(), 'Kafka topic creation');
      const budget = left();
      await within(producer.send({ topic, messages: [message], acks: -1, timeout: Math.min(this.settings.requestTimeout, budget) }), budget, 'Kafka send');
      return { ok: true };
    } catch (error) {
      const causes = chain(error);
      const permanent = causes.some((e) => e.type !== undefined && PERMANENT.has(e.type));
      // A broken connection is rebuilt from scratch on the next delivery.
      if (!permanent && causes.some((e) => /Connection|Timeout|BrokerNotFound|NoBrokerAvailable/.test(e.name ?? '') || /disconnected/i.test(e.message ?? ''))) {
        this.reset(current);
      }
      return { ok: false, retryable: !permanent, error: describe(error) };
    }
  }

  private kafka(): KafkaClientLike {
    if (this.client) return this.client;
    const s = this.settings;
    const config: KafkaConfig = {
      clientId: s.clientId,
      brokers: s.brokers,
      connectionTimeout: s.connectionTimeout,
      requestTimeout: s.requestTimeout,
      // Retries belong to the dispatcher; kafkajs only rides out brief leader moves.
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
      logLevel: logLevel.WARN,
      logCreator: () => ({ namespace, level, log }) => {
        const { message, ...extra } = log;
        // Bounded retries are deliberate (the dispatcher retries), so kafkajs's warning about them is noise.
        const loud = level <= logLevel.WARN && !String(message).startsWith('Limiting retries');
        const target = loud ? this.ctx.logger.warn.bind(this.ctx.logger) : this.ctx.logger.debug.bind(this.ctx.logger);
        target({ kafka: namespace, ...extra }, message);
      },
    };
    if (s.ssl.enabled) config.ssl = { rejectUnauthorized: s.ssl.rejectUnauthorized };
    if (s.sasl.enabled) {
      config.sasl = {
        mechanism: s.sasl.mechanism.toLowerCase() as 'plain',
        username: s.sasl.username ?? '',
        password: s.sasl.password ?? '',
      };
    }
    this.client = new Kafka(config);
    return this.client;
  }

  private connect(): Promise<ProducerLike> {
    if (this.producer) return this.producer;
    const producer = this.kafka().producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const pending = producer.connect().then(() => producer);
    this.producer = pending;
    pending.catch(() => this.reset(pending));
    return pending;
  }

  /** Forgets a producer that failed, and disconnects it in the background. */
  private reset(which: Promise<ProducerLike>): void {
    if (this.producer !== which) return;
    this.producer = null;
    which.then((p) => p.disconnect()).catch(() => undefined);
  }

  private ensureTopic(topic: string): Promise<void> {
    const known = this.topics.get(topic);
    if (known) return known;
    const pending = (async () => {
      const admin = this.kafka().admin();
      try {
        await admin.connect();
        // false = it already existed; either way it is there now.
        await admin.createTopics({
          topics: [{ topic, numPartitions: this.settings.numPartitions, replicationFactor: this.settings.replicationFactor }],
          waitForLeaders: true,
          timeout: Math.min(this.settings.requestTimeout, this.timeoutMs),
        });
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    })();
    this.topics.set(topic, pending);
    pending.catch(() => {
      if (this.topics.get(topic) === pending) this.topics.delete(topic);
    });
    return pending;
  }

  async close(): Promise<void> {
    this.closing = true;
    const pending = this.producer;
    this.producer = null;
    if (!pending) return;
    // A connect still under way is disconnected whenever it finishes, even after the bound.
    await within(pending.then((producer) => producer.disconnect()), this.timeoutMs, 'Kafka producer disconnect').catch(() => undefined);
  }
}

export function kafkaSink(settings: KafkaSettings, options: KafkaSinkOptions = {}): SinkFactory {
  return { transport: 'kafka', create: (ctx) => new KafkaSink(settings, ctx, options) };
}
