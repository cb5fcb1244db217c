// The event transport contract. To add a transport: one file under src/events/sinks/ exporting a `SinkFactory`,
// plus one line in src/events/sinks/registry.ts. Ordering, retries, backoff, filters and dead letters are the
// dispatcher's; a sink holds transport code only.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { DeliveryOutcome, Endpoint, Transport } from '../domain/delivery.js';
import type { EventName } from '../domain/events.js';

/** One event rendered for one transport: the exact payload, and the bytes to send (and sign). */
export interface OutgoingEvent {
  /** ULID: the same on every transport, retry and replay. */
  id: string;
  name: EventName;
  /** `messages.upsert` */
  wireName: string;
  /** `messages-upsert` */
  suffix: string;
  instanceId: string | null;
  instanceName: string | null;
  chatKey: string | null;
  createdAt: Date;
  payload: Record<string, unknown>;
  body: string;
  /** Where the event goes, for transports with per-event URLs (a webhook's URL incl. its `byEvents` suffix). */
  destination: string | null;
}

export interface EventSink {
  readonly transport: Transport;
  deliver(endpoint: Endpoint, event: OutgoingEvent): Promise<DeliveryOutcome>;
  /** Drops connections or caches held for an endpoint whose config changed or that was removed. */
  forget?(endpointId: string): Promise<void>;
  close(): Promise<void>;
}

/** Resolves a host to the addresses Parley may connect to, or throws if policy refuses them all. */
export type OutboundLookup = (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;

export interface SinkContext {
  logger: Logger;
  /** The outbound target policy (cloud metadata always refused; private ranges when configured). */
  outbound: {
    check(url: URL): Promise<void>;
    lookup: OutboundLookup;
    /** The same check as a `lookup` function for net/tls/undici connect options. */
    connectLookup: (hostname: string, options: unknown, callback: (error: Error | null, address: string | { address: string; family: number }[], family?: number) => void) => void;
  };
  /** Request timeout for HTTP-based transports. */
  requestTimeoutMs: number;
  /** HTTP statuses that are not worth retrying (WEBHOOK_RETRY_NON_RETRYABLE_STATUS_CODES). */
  nonRetryableStatuses: ReadonlySet<number>;
  /** The HTTP server, for transports served from it (WebSocket). */
  httpServer: Server;
  /** Checks an `apikey` for a WebSocket namespace (global key, or that instance's token). */
  authorizeSocket(apikey: string | undefined, instanceName: string | null): Promise<boolean>;
}

export interface SinkFactory {
  readonly transport: Transport;
  create(ctx: SinkContext): EventSink;
}
