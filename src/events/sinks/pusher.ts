// Pusher transport: one `trigger` (Pusher's HTTP API, POST /apps/<appId>/events) per event, on channel = instance
// name with event name = the dotted wire name (compat §5.3). One client, with its own keep-alive agent, per endpoint;
// HTTP needs no reconnect logic: the next request after an outage opens a new connection.
import http from 'node:http';
import https from 'node:https';
import Pusher from 'pusher';
import type { EventName } from '../../domain/events.js';
import type { DeliveryOutcome, Endpoint } from '../../domain/delivery.js';
import type { EventSink, OutgoingEvent, SinkContext, SinkFactory } from '../../ports/event-sink.js';

/** Structurally EventsConfig['pusher']. */
export interface PusherSettings {
  enabled: boolean;
  /** PUSHER_HOST: `host[:port]` or `http(s)://host[:port]` of a self-hosted server (soketi); overrides the cluster. */
  host: string | undefined;
  globalEnabled: boolean;
  globalAppId: string | undefined;
  globalKey: string | undefined;
  globalSecret: string | undefined;
  globalCluster: string | undefined;
  globalUseTls: boolean;
  globalEvents: EventName[];
}

/** A per-instance endpoint's config (Evolution's pusher row). */
export interface PusherConfig {
  appId: string;
  key: string;
  secret: string;
  cluster?: string;
  useTLS?: boolean;
}

/** Pusher refuses event data over 10 KB (Evolution drops such events silently). */
export const PUSHER_MAX_DATA_BYTES = 10 * 1024;
const MAX_WAIT_MS = 10_000;
/** Pusher's channel-name rule (pusher-http-node validates the same and throws). */
const CHANNEL = /^[-a-zA-Z0-9_=@,.;]{1,200}$/;
/** A cluster is a bare label (`mt1`, `eu`): anything else could steer `api-<cluster>.pusher.com` to another host. */
const CLUSTER = /^[a-z0-9-]{1,64}$/i;

interface Client {
  fingerprint: string;
  pusher: Pusher;
  agent: http.Agent;
}

class ConfigError extends Error {}

class PusherSink implements EventSink {
  readonly transport = 'pusher' as const;
  private readonly clients = new Map<string, Client>();
  private readonly timeoutMs: number;

  constructor(private readonly settings: PusherSettings, ctx: SinkContext) {
    this.timeoutMs = Math.min(ctx.requestTimeoutMs, MAX_WAIT_MS);
  }

  async deliver(endpoint: Endpoint, event: OutgoingEvent): Promise<DeliveryOutcome> {
    const channel = event.instanceName;
    if (!channel) return { ok: false, retryable: false, error: 'a Pusher channel needs an instance name; server-wide events have none' };
    if (!CHANNEL.test(channel)) return { ok: false, retryable: false, error: `"${channel}" is not a valid Pusher channel name` };
    // event.body is JSON.stringify(event.payload): the exact bytes Pusher relays as the event's data.
    if (Buffer.byteLength(event.body, 'utf8') > PUSHER_MAX_DATA_BYTES) {
      return { ok: false, retryable: false, error: 'payload exceeds Pusher 10 KB limit' };
    }
    let client: Client;
    try {
      client = this.client(endpoint);
    } catch (error) {
      return { ok: false, retryable: false, error: error instanceof Error ? error.message : String(error) };
    }

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Pusher did not answer within ${this.timeoutMs} ms`)), this.timeoutMs + 1000);
    });
    try {
      // pusher-http-node passes a string through unchanged, so the published data === event.body.
      const send = client.pusher.trigger(channel, event.wireName, event.body).then(async (response) => {
        // Pusher accepted the event once trigger resolved with a 2xx. Drain the body so the keep-alive socket is free,
        // but a failed drain (node-fetch 2's "Premature close" on reused chunked sockets) must not turn the accepted
        // event into a retry — that would deliver it twice.
        await response.text().catch(() => undefined);
        return response.status;
      });
      const status = await Promise.race([send, deadline]);
      return { ok: true, status };
    } catch (error) {
      return this.failure(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The endpoint's client; rebuilt when its config changed even if the dispatcher did not call forget(). */
  private client(endpoint: Endpoint): Client {
    const options = this.options(endpoint);
    const fingerprint = JSON.stringify(options);
    const cached = this.clients.get(endpoint.id);
    if (cached?.fingerprint === fingerprint) return cached;
    if (cached) this.drop(endpoint.id);
    const agent = options.useTLS ? new https.Agent({ keepAlive: true, maxSockets: 16 }) : new http.Agent({ keepAlive: true, maxSockets: 16 });
    const pusher = new Pusher({ ...options, timeout: this.timeoutMs, agent });
    const client = { fingerprint, pusher, agent };
    this.clients.set(endpoint.id, client);
    return client;
  }

  private options(endpoint: Endpoint): Pusher.Options {
    const c = endpoint.config as Partial<Record<keyof PusherConfig, unknown>>;
    const s = this.settings;
    const global = endpoint.instanceId === null;
    const appId = global ? s.globalAppId : c.appId;
    const key = global ? s.globalKey : c.key;
    const secret = global ? s.globalSecret : c.secret;
    const cluster = global ? s.globalCluster : c.cluster;
    let useTLS = global ? s.globalUseTls : c.useTLS !== false;
    const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');
    if (!str(appId) || !str(key) || !str(secret)) {
      throw new ConfigError(global ? 'PUSHER_GLOBAL_APP_ID, PUSHER_GLOBAL_KEY and PUSHER_GLOBAL_SECRET are required' : 'the Pusher endpoint needs appId, key and secret');
    }
    const base = { appId: str(appId), key: str(key), secret: str(secret) };
    if (s.host) {
      if (!s.host.includes('://')) return { ...base, host: s.host, useTLS };
      const url = new URL(s.host);
      useTLS = url.protocol === 'https:';
      return { ...base, host: url.hostname, ...(url.port ? { port: url.port } : {}), useTLS };
    }
    if (!CLUSTER.test(str(cluster))) throw new ConfigError(`"${str(cluster)}" is not a Pusher cluster`);
    return { ...base, cluster: str(cluster), useTLS };
  }

  private failure(error: unknown): DeliveryOutcome {
    // pusher-http-node rejects with a RequestError: `status`/`body` when the server answered, `error` when not.
    const e = (error ?? {}) as { message?: string; status?: number; body?: string; error?: { name?: string; message?: string; code?: string } };
    if (typeof e.status === 'number') {
      const status = e.status;
      const retryable = status >= 500 || status === 429 || status === 408;
      const detail = typeof e.body === 'string' && e.body.trim() ? `: ${e.body.trim().slice(0, 200)}` : '';
      return { ok: false, retryable, status, error: `HTTP ${status}${detail}` };
    }
    const cause = e.error;
    const message =
      cause?.name === 'AbortError'
        ? `Pusher did not answer within ${this.timeoutMs} ms`
        : `${e.message ?? String(error)}${cause?.message ? `: ${cause.message}` : ''}${cause?.code ? ` (${cause.code})` : ''}`;
    return { ok: false, retryable: true, error: message };
  }

  private drop(endpointId: string): void {
    this.clients.get(endpointId)?.agent.destroy();
    this.clients.delete(endpointId);
  }

  async forget(endpointId: string): Promise<void> {
    this.drop(endpointId);
  }

  async close(): Promise<void> {
    for (const id of [...this.clients.keys()]) this.drop(id);
  }
}

export function pusherSink(settings: PusherSettings): SinkFactory {
  return { transport: 'pusher', create: (ctx) => new PusherSink(settings, ctx) };
}
