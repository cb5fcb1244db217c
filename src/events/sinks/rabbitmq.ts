// RabbitMQ transport: Evolution's exchanges, quorum queues and routing keys (compat §5.3), published on a
// ConfirmChannel so a delivery counts only once the broker has confirmed it. One lazily opened connection serves
// every endpoint; when it or its channel closes it is dropped and reopened by the next delivery.
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import type { DeliveryOutcome, Endpoint } from '../../domain/delivery.js';
import type { EventName } from '../../domain/events.js';
import type { EventSink, OutgoingEvent, SinkContext, SinkFactory } from '../../ports/event-sink.js';
import { within } from '../../lib/timeout.js';

/** Structurally identical to `EventsConfig['rabbitmq']`. */
export interface RabbitmqSettings {
  enabled: boolean;
  uri: string;
  exchangeName: string;
  globalEnabled: boolean;
  prefixKey: string | undefined;
  frameMax: number;
  globalEvents: EventName[];
}

export interface RabbitmqSinkOptions {
  /** Bound on every wait (connect, declare, confirm). */
  timeoutMs?: number;
}

export interface RabbitmqNames {
  exchange: string;
  queue: string;
  routingKey: string;
}

/** Per instance: exchange `<instance>`, queue `<instance>.<event>`; global: the configured exchange, `<prefix>.<event>` or `<event>`. */
export function rabbitmqNames(settings: Pick<RabbitmqSettings, 'exchangeName' | 'prefixKey'>, endpoint: Endpoint, event: OutgoingEvent): RabbitmqNames | null {
  const routingKey = event.wireName;
  if (endpoint.instanceId !== null) {
    if (!event.instanceName) return null;
    return { exchange: event.instanceName, queue: `${event.instanceName}.${routingKey}`, routingKey };
  }
  // A missing prefix means a bare event name (Evolution declares `undefined.<event>` here).
  return { exchange: settings.exchangeName, queue: settings.prefixKey ? `${settings.prefixKey}.${routingKey}` : routingKey, routingKey };
}

/** The URI with Parley's frame size and a 30 s heartbeat (unless the URI sets its own). */
export function amqpUrl(uri: string, frameMax: number): string {
  const url = new URL(uri);
  url.searchParams.set('frameMax', String(frameMax));
  if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', '30');
  return url.toString();
}


const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const returnKey = (exchange: string, routingKey: string, messageId: unknown) => `${exchange}\0${routingKey}\0${String(messageId)}`;

/** A confirm channel, the last error the broker closed it with, and the messages it returned as unroutable. */
interface Publisher {
  channel: ConfirmChannel;
  error: Error | null;
  returned: Set<string>;
}

interface Link {
  model: ChannelModel;
  dead: boolean;
  publisher: Promise<Publisher> | null;
  /** Exchange/queue/binding declarations done on this connection, by `exchange\0queue\0key`. */
  declared: Map<string, Promise<void>>;
}

class RabbitmqSink implements EventSink {
  readonly transport = 'rabbitmq' as const;
  private live: Link | null = null;
  private linking: Promise<Link> | null = null;
  private closed = false;

  constructor(
    private readonly settings: RabbitmqSettings,
    private readonly ctx: SinkContext,
    private readonly timeoutMs: number,
  ) {}

  async deliver(endpoint: Endpoint, event: OutgoingEvent): Promise<DeliveryOutcome> {
    if (this.closed) return { ok: false, retryable: true, error: 'RabbitMQ sink is closed' };
    const names = rabbitmqNames(this.settings, endpoint, event);
    if (!names) return { ok: false, retryable: false, error: 'per-instance event without an instance name' };
    const deadline = Date.now() + this.timeoutMs;
    try {
      const link = await within(this.connection(), deadline - Date.now(), 'connecting to RabbitMQ');
      await within(this.declare(link, names), deadline - Date.now(), `declaring exchange "${names.exchange}" and queue "${names.queue}"`);
      const publisher = await within(this.publisher(link), deadline - Date.now(), 'opening a RabbitMQ channel');
      return await this.publish(link, publisher, names, event, deadline);
    } catch (error) {
      return { ok: false, retryable: true, error: messageOf(error) };
    }
  }

  private connection(): Promise<Link> {
    if (this.live && !this.live.dead) return Promise.resolve(this.live);
    if (!this.linking) {
      const attempt = this.open();
      this.linking = attempt;
      const settle = () => {
        if (this.linking === attempt) this.linking = null;
      };
      attempt.then(settle, settle);
    }
    return this.linking;
  }

  private async open(): Promise<Link> {
    const model = await connect(amqpUrl(this.settings.uri, this.settings.frameMax), {
      timeout: this.timeoutMs,
      clientProperties: { connection_name: 'parley-events' },
    });
    const link: Link = { model, dead: false, publisher: null, declared: new Map() };
    model.on('error', (error: Error) => this.ctx.logger.warn({ err: error }, 'rabbitmq connection error'));
    model.on('close', () => {
      link.dead = true;
      if (this.live === link) this.live = null;
    });
    if (this.closed) {
      await model.close().catch(() => undefined);
      throw new Error('RabbitMQ sink is closed');
    }
    this.live = link;
    return link;
  }

  private publisher(link: Link): Promise<Publisher> {
    if (!link.publisher) {
      const opening = link.model.createConfirmChannel().then((channel) => {
        const publisher: Publisher = { channel, error: null, returned: new Set() };
        // The broker closes a channel on a channel-level error (e.g. an oversized message): keep why, drop it.
        channel.on('error', (error: Error) => {
          publisher.error = error;
        });
        channel.on('close', () => {
          if (link.publisher === opening) link.publisher = null;
        });
        channel.on('return', (message: ConsumeMessage) => {
          publisher.returned.add(returnKey(message.fields.exchange, message.fields.routingKey, message.properties.messageId));
        });
        return publisher;
      });
      link.publisher = opening;
      opening.catch(() => {
        if (link.publisher === opening) link.publisher = null;
      });
    }
    return link.publisher;
  }

  /** Declares the exchange, the quorum queue and the binding once per connection, on a throwaway channel so a
   *  refused declaration (e.g. an existing queue of another type) cannot close the publishing channel. */
  private declare(link: Link, names: RabbitmqNames): Promise<void> {
    const key = `${names.exchange}\0${names.queue}\0${names.routingKey}`;
    let declaring = link.declared.get(key);
    if (!declaring) {
      declaring = (async () => {
        const channel: Channel = await link.model.createChannel();
        channel.on('error', () => undefined);
        await channel.assertExchange(names.exchange, 'topic', { durable: true, autoDelete: false });
        await channel.assertQueue(names.queue, { durable: true, autoDelete: false, arguments: { 'x-queue-type': 'quorum' } });
        await channel.bindQueue(names.queue, names.exchange, names.routingKey);
        await channel.close().catch(() => undefined);
      })();
      link.declared.set(key, declaring);
      declaring.catch(() => {
        if (link.declared.get(key) === declaring) link.declared.delete(key);
      });
    }
    return declaring;
  }

  private publish(link: Link, publisher: Publisher, names: RabbitmqNames, event: OutgoingEvent, deadline: number): Promise<DeliveryOutcome> {
    const key = returnKey(names.exchange, names.routingKey, event.id);
    const headers: Record<string, string> = { event: event.wireName };
    if (event.instanceName !== null) headers.instance = event.instanceName;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        publisher.returned.delete(key);
        resolve({ ok: false, retryable: true, error: 'no publisher confirm from RabbitMQ in time' });
      }, Math.max(0, deadline - Date.now()));
      const confirmed = (error: unknown) => {
        clearTimeout(timer);
        const returned = publisher.returned.delete(key);
        if (error) return resolve(failure(publisher.error ?? error));
        if (returned) {
          // Someone removed the queue or binding: declare again on the next attempt instead of losing events.
          link.declared.delete(`${names.exchange}\0${names.queue}\0${names.routingKey}`);
          return resolve({ ok: false, retryable: true, error: `unroutable: no queue bound to "${names.exchange}" with key "${names.routingKey}"` });
        }
        resolve({ ok: true });
      };
      try {
        publisher.channel.publish(names.exchange, names.routingKey, Buffer.from(event.body, 'utf8'), {
          persistent: true,
          mandatory: true,
          contentType: 'application/json',
          messageId: event.id,
          timestamp: Math.floor(event.createdAt.getTime() / 1000),
          headers,
        }, confirmed);
      } catch (error) {
        confirmed(error);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const link = this.live ?? (this.linking ? await this.linking.catch(() => null) : null);
    this.live = null;
    if (!link || link.dead) return;
    try {
      await within(link.model.close(), 5000, 'closing the RabbitMQ connection');
    } catch {
      // An unresponsive broker never answers close-ok: drop the socket so the process can exit.
      (link.model as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
  }
}

/** A message over the broker's max_message_size closes the channel with 406: no retry will ever fit. */
function failure(error: unknown): DeliveryOutcome {
  const message = messageOf(error);
  const tooLarge = (error as { code?: unknown }).code === 406 && /message size|larger than/i.test(message);
  return { ok: false, retryable: !tooLarge, error: message };
}

export function rabbitmqSink(settings: RabbitmqSettings, options: RabbitmqSinkOptions = {}): SinkFactory {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return { transport: 'rabbitmq', create: (ctx) => new RabbitmqSink(settings, ctx, timeoutMs) };
}
