// The outbox dispatcher: one worker per live endpoint, woken by commits that stored events (and by a poll, for
// events written by other nodes), plus retention pruning. A crash loses nothing: work is read back from the database.
import type { Logger } from 'pino';
import type { DeliveryOutcome, Endpoint, Transport } from '../domain/delivery.js';
import type { StoredEvent } from '../domain/events.js';
import type { Clock } from '../ports/clock.js';
import type { EventSink, OutgoingEvent } from '../ports/event-sink.js';
import type { Store } from '../ports/store.js';
import { EndpointWorker, type WorkerOptions } from './endpoint-worker.js';

export interface DispatcherOptions extends WorkerOptions {
  pollIntervalMs: number;
  retainDeliveredMs: number;
  retainDeadMs: number;
}

export interface DispatcherHooks {
  render(transport: Transport, endpoint: Endpoint, event: StoredEvent): Promise<OutgoingEvent>;
  attempted(endpoint: Endpoint, outcome: DeliveryOutcome, event: StoredEvent, at: Date): void;
}

export class Dispatcher {
  private readonly workers = new Map<string, EndpointWorker>();
  private pollTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly sinks: ReadonlyMap<Transport, EventSink>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly hooks: DispatcherHooks,
    private readonly options: DispatcherOptions,
  ) {}

  async start(): Promise<void> {
    this.store.onEventsCommitted(() => this.kickAll());
    await this.refresh();
    this.pollTimer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.logger.error({ err: error }, 'endpoint refresh failed'));
    }, this.options.pollIntervalMs);
    this.pollTimer.unref();
    this.pruneTimer = setInterval(() => {
      this.prune().catch((error: unknown) => this.logger.error({ err: error }, 'event pruning failed'));
    }, 10 * 60_000);
    this.pruneTimer.unref();
  }

  /** Re-reads endpoints (new, changed, removed) and wakes every worker. */
  async refresh(): Promise<void> {
    // A refresh already running may have read the rows before the caller's change: wait for it, then read again.
    while (this.refreshing !== undefined) await this.refreshing.catch(() => undefined);
    this.refreshing = this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    if (this.stopped) return;
    const live = await this.store.endpoints.listLive();
    const seen = new Set<string>();
    for (const endpoint of live) {
      seen.add(endpoint.id);
      const sink = this.sinks.get(endpoint.transport);
      if (sink === undefined) continue;
      const worker = this.workers.get(endpoint.id);
      if (worker === undefined) {
        const created = new EndpointWorker(endpoint, sink, this.store, this.clock, this.logger, {
          render: (e, event) => this.hooks.render(e.transport, e, event),
          attempted: this.hooks.attempted,
        }, this.options);
        this.workers.set(endpoint.id, created);
      } else if (endpoint.updatedAt.getTime() !== worker.endpoint.updatedAt.getTime()) {
        worker.endpoint = endpoint;
        await sink.forget?.(endpoint.id);
      }
    }
    for (const [id, worker] of this.workers) {
      if (!seen.has(id)) {
        this.workers.delete(id);
        await worker.stop();
        await this.sinks.get(worker.endpoint.transport)?.forget?.(id);
      }
    }
    this.kickAll();
  }

  kickAll(): void {
    for (const worker of this.workers.values()) worker.kick();
  }

  async prune(): Promise<{ deliveries: number; events: number }> {
    const now = this.clock.now().getTime();
    return this.store.deliveries.prune(new Date(now - this.options.retainDeliveredMs), new Date(now - this.options.retainDeadMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearInterval(this.pruneTimer);
    await this.refreshing;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
  }
}
