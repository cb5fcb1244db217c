// NATS transport: Evolution's subjects, with confirmed delivery. A subject captured by a JetStream stream is
// published through JetStream (msgID = event id, so the stream drops redeliveries) and counts once the PubAck
// arrives; any other subject is core-published and counts once a flush round-trip proves the server has it.
import { connect, ErrorCode, Events, headers, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type { DeliveryOutcome, Endpoint } from '../../domain/delivery.js';
import type { EventName } from '../../domain/events.js';
import type { EventSink, OutgoingEvent, SinkContext, SinkFactory } from '../../ports/event-sink.js';
import { within } from '../../lib/timeout.js';

/** Structurally identical to `EventsConfig['nats']`. */
export interface NatsSettings {
  enabled: boolean;
  uri: string;
  globalEnabled: boolean;
  prefixKey: string | undefined;
  globalEvents: EventName[];
}

export interface NatsSinkOptions {
  /** Bound on every wait (connect, stream lookup, PubAck, flush). */
  timeoutMs?: number;
  /** How long a "which stream captures this subject" answer is reused. */
  streamCacheMs?: number;
}

/** Evolution's subject: `<instanceName>.<event>` per instance, `<prefixKey>.<event>` or `<event>` globally. */
export function natsSubject(settings: Pick<NatsSettings, 'prefixKey'>, endpoint: Endpoint, event: OutgoingEvent): string {
  if (endpoint.instanceId !== null) return `${event.instanceName ?? ''}.${event.wireName}`;
  return settings.prefixKey ? `${settings.prefixKey}.${event.wireName}` : event.wireName;
}

/** NATS subjects are dot-separated non-empty tokens without whitespace; `*` and `>` are wildcards, not publishable. */
function isPublishableSubject(subject: string): boolean {
  return subject.split('.').every((token) => token.length > 0 && !/[\s*>]/.test(token));
}



/** nats.js ignores credentials inside server URLs, so they are lifted into connect options. */
export function natsConnectOptions(uri: string): { servers: string[]; user?: string; pass?: string; token?: string } {
  const servers: string[] = [];
  let user: string | undefined;
  let pass: string | undefined;
  for (const raw of uri.split(',').map((s) => s.trim()).filter(Boolean)) {
    try {
      const url = new URL(raw.includes('://') ? raw : `nats://${raw}`);
      if (url.username && user === undefined) {
        user = decodeURIComponent(url.username);
        pass = url.password ? decodeURIComponent(url.password) : undefined;
      }
      servers.push(`${url.hostname}${url.port ? `:${url.port}` : ''}`);
    } catch {
      servers.push(raw);
    }
  }
  if (user === undefined) return { servers };
  return pass === undefined ? { servers, token: user } : { servers, user, pass };
}

interface Connection {
  nc: NatsConnection;
  /** False between a disconnect and the client's own reconnect: publishing then would only buffer. */
  connected: boolean;
  jsm: JetStreamManager | null;
  js: JetStreamClient;
}

class NatsSink implements EventSink {
  readonly transport = 'nats' as const;
  private current: Promise<Connection> | null = null;
  private closing = false;
  /** subject → capturing stream name (null: none), with when it was looked up. */
  private readonly streams = new Map<string, { stream: string | null; at: number }>();
  private readonly timeoutMs: number;
  private readonly streamCacheMs: number;

  constructor(private readonly settings: NatsSettings, private readonly ctx: SinkContext, options: NatsSinkOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.streamCacheMs = options.streamCacheMs ?? 60_000;
  }

  async deliver(endpoint: Endpoint, event: OutgoingEvent): Promise<DeliveryOutcome> {
    const subject = natsSubject(this.settings, endpoint, event);
    if (!isPublishableSubject(subject)) return { ok: false, retryable: false, error: `"${subject}" is not a valid NATS subject` };
    if (this.closing) return { ok: false, retryable: true, error: 'NATS sink is closed' };
    const data = Buffer.from(event.body, 'utf8');
    const h = headers();
    h.set('Parley-Event-Id', event.id);
    h.set('Parley-Event', event.wireName);
    // One bound for the whole attempt, shared by its steps.
    const deadline = Date.now() + this.timeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    try {
      const conn = await within(this.connection(), left(), 'NATS connect');
      if (!conn.connected || conn.nc.isClosed()) return { ok: false, retryable: true, error: 'NATS connection lost; the client is reconnecting' };
      const max = conn.nc.info?.max_payload;
      if (max !== undefined && data.length > max) return { ok: false, retryable: false, error: `payload of ${data.length} bytes exceeds the server's max_payload ${max}` };
      const stream = await this.streamFor(conn, subject, left);
      if (stream !== null) {
        try {
          const budget = left();
          await within(conn.js.publish(subject, data, { msgID: event.id, headers: h, timeout: budget }), budget + 100, 'JetStream publish');
        } catch (error) {
          // The stream may have been deleted or changed: look again on the next attempt.
          this.streams.delete(subject);
          throw error;
        }
        return { ok: true };
      }
      conn.nc.publish(subject, data, { headers: h });
      await within(conn.nc.flush(), left(), 'NATS flush');
      return { ok: true };
    } catch (error) {
      const code = (error as { code?: string }).code;
      const message = error instanceof Error ? `${error.message}${code ? ` (${code})` : ''}` : String(error);
      const permanent = code === ErrorCode.MaxPayloadExceeded || code === ErrorCode.BadSubject;
      return { ok: false, retryable: !permanent, error: message };
    }
  }

  /** The stream capturing `subject`, or null for plain core NATS; cached so a lookup is not paid per event. */
  private async streamFor(conn: Connection, subject: string, left: () => number): Promise<string | null> {
    const cached = this.streams.get(subject);
    if (cached !== undefined && Date.now() - cached.at < this.streamCacheMs) return cached.stream;
    let stream: string | null;
    try {
      conn.jsm ??= await within(conn.nc.jetstreamManager({ checkAPI: false, timeout: this.timeoutMs }), left(), 'JetStream manager');
      stream = await within(conn.jsm.streams.find(subject), left(), 'JetStream stream lookup');
    } catch (error) {
      const code = (error as { code?: string }).code;
      // "no stream matches subject", or no JetStream on this server (503 no responders): core publish.
      if (code === ErrorCode.JetStreamNotEnabled || code === ErrorCode.NoResponders || /no stream matches/i.test((error as Error).message)) {
        stream = null;
      } else {
        throw error;
      }
    }
    this.streams.set(subject, { stream, at: Date.now() });
    return stream;
  }

  private connection(): Promise<Connection> {
    if (this.current !== null) return this.current;
    const pending: Promise<Connection> = this.open().then((conn) => {
      // A connection that closed for good (auth change, fatal error) is replaced lazily on the next delivery.
      void conn.nc.closed().then((error) => {
        conn.connected = false;
        if (this.current === pending) this.current = null;
        if (error && !this.closing) this.ctx.logger.warn({ err: error }, 'NATS connection closed');
      });
      return conn;
    });
    this.current = pending;
    // A failed connect is not cached: the next delivery tries again.
    pending.catch(() => {
      if (this.current === pending) this.current = null;
    });
    return pending;
  }

  private async open(): Promise<Connection> {
    const nc = await connect({
      ...natsConnectOptions(this.settings.uri),
      name: 'parley',
      timeout: this.timeoutMs,
      // The client reconnects by itself, for as long as it takes; deliveries fail fast meanwhile.
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 2000,
    });
    const conn: Connection = { nc, connected: true, jsm: null, js: nc.jetstream({ timeout: this.timeoutMs }) };
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === Events.Disconnect) {
          conn.connected = false;
          this.ctx.logger.warn({ server: status.data }, 'NATS disconnected; reconnecting');
        } else if (status.type === Events.Reconnect) {
          conn.connected = true;
          // The server may have restarted with other streams.
          this.streams.clear();
          this.ctx.logger.info({ server: status.data }, 'NATS reconnected');
        }
      }
    })().catch(() => undefined);
    return conn;
  }

  async close(): Promise<void> {
    this.closing = true;
    const pending = this.current;
    this.current = null;
    this.streams.clear();
    if (pending === null) return;
    let conn: Connection;
    try {
      conn = await pending;
    } catch {
      return;
    }
    if (conn.nc.isClosed()) return;
    try {
      await within(conn.nc.drain(), this.timeoutMs, 'NATS drain');
    } catch {
      await conn.nc.close().catch(() => undefined);
    }
  }
}

export function natsSink(settings: NatsSettings, options: NatsSinkOptions = {}): SinkFactory {
  return { transport: 'nats', create: (ctx) => new NatsSink(settings, ctx, options) };
}
