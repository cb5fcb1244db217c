// Prometheus metrics of the event pipeline and instances (prom-client).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeliveryOutcome, Endpoint } from '../domain/delivery.js';
import type { StoredEvent } from '../domain/events.js';
import type { Store } from '../ports/store.js';

export class PipelineMetrics {
  readonly registry = new Registry();
  private readonly written: Counter;
  private readonly attempts: Counter;
  private readonly latency: Histogram;

  constructor(store: Store, clientName: string) {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
    this.written = new Counter({ name: 'parley_events_written_total', help: 'Events stored in the outbox', registers: [this.registry] });
    this.attempts = new Counter({
      name: 'parley_delivery_attempts_total',
      help: 'Delivery attempts by transport, endpoint and outcome (delivered, retry, dead)',
      labelNames: ['transport', 'endpoint', 'outcome'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'parley_delivery_latency_seconds',
      help: 'From the event being stored to its successful delivery',
      labelNames: ['transport'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers: [this.registry],
    });
    new Gauge({
      name: 'parley_deliveries',
      help: 'Stored deliveries by status (pending and retrying are the queue; dead are dead letters)',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const counts = await store.deliveries.counts();
        for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
      },
    });
    // Evolution's instance metrics, under Evolution's names, so existing dashboards keep working.
    new Gauge({
      name: 'evolution_instances_total',
      help: 'Instances of this server',
      registers: [this.registry],
      async collect() {
        this.set((await store.instances.listAll(clientName)).length);
      },
    });
    new Gauge({
      name: 'evolution_instance_up',
      help: '1 when the instance is connected',
      labelNames: ['instance', 'integration'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const i of await store.instances.listAll(clientName)) this.set({ instance: i.name, integration: i.integration }, i.connectionStatus === 'open' ? 1 : 0);
      },
    });
    store.onEventsCommitted((count) => this.written.inc(count));
  }

  attempted = (endpoint: Endpoint, outcome: DeliveryOutcome, event: StoredEvent, at: Date): void => {
    const outcomeLabel = outcome.ok ? 'delivered' : outcome.retryable && !outcome.disableEndpoint ? 'retry' : 'dead';
    this.attempts.inc({ transport: endpoint.transport, endpoint: endpoint.id, outcome: outcomeLabel });
    if (outcome.ok) this.latency.observe({ transport: endpoint.transport }, Math.max(0, at.getTime() - event.createdAt.getTime()) / 1000);
  };
}
