// Delivers one endpoint's events: in event order per chat (a retrying event holds back later events of its chat on
// this endpoint only), different chats in parallel, results written back in batches.
import type { Logger } from 'pino';
import { nextDeliveryState, type DeliveryOutcome, type DeliveryWithEvent, type Endpoint } from '../domain/delivery.js';
import type { Clock } from '../ports/clock.js';
import type { EventSink, OutgoingEvent } from '../ports/event-sink.js';
import type { DeliveryUpdate } from '../ports/events.js';
import type { Store } from '../ports/store.js';
import type { StoredEvent } from '../domain/events.js';

export interface WorkerOptions {
  /** Delays of the retry schedule in ms; the first (0) is the initial attempt. */
  schedule: readonly number[];
  jitterRatio: number;
  /** While an endpoint is failing, its oldest waiting event is retried this often, to notice recovery early. */
  probeIntervalMs: number;
  concurrency: number;
  windowSize: number;
}

export interface WorkerHooks {
  render(endpoint: Endpoint, event: StoredEvent): Promise<OutgoingEvent>;
  attempted(endpoint: Endpoint, outcome: DeliveryOutcome, event: StoredEvent, at: Date): void;
}

export class EndpointWorker {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private lastProbeAt = 0;
  private current: Promise<void> | undefined;

  constructor(
    public endpoint: Endpoint,
    private readonly sink: EventSink,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly hooks: WorkerHooks,
    private readonly options: WorkerOptions,
  ) {}

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.current = this.loop().finally(() => {
      this.running = false;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private async loop(): Promise<void> {
    let wakeAt: number | undefined;
    try {
      do {
        this.again = false;
        const result = await this.pass();
        wakeAt = result.nextDueAt;
        if (result.progressed) this.again = true;
      } while (this.again && !this.stopped);
    } catch (error) {
      this.logger.error({ err: error, endpoint: this.endpoint.id }, 'delivery pass failed; retrying in 1 s');
      wakeAt = this.clock.now().getTime() + 1_000;
    }
    this.schedule(wakeAt);
  }

  private schedule(at: number | undefined): void {
    clearTimeout(this.timer);
    if (at === undefined || this.stopped) return;
    const delay = Math.max(0, Math.min(at - this.clock.now().getTime(), 2 ** 31 - 1));
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }

  /** One pass over the window of unfinished deliveries. */
  private async pass(): Promise<{ progressed: boolean; nextDueAt: number | undefined }> {
    if (!this.endpoint.enabled) return { progressed: false, nextDueAt: undefined };
    const window = await this.store.deliveries.unfinished(this.endpoint.id, this.options.windowSize);
    if (window.length === 0) {
      this.failing = false;
      return { progressed: false, nextDueAt: undefined };
    }
    const now = this.clock.now();
    const chains = new Map<string, DeliveryWithEvent[]>();
    for (const d of window) {
      const chain = chains.get(d.orderKey);
      if (chain === undefined) chains.set(d.orderKey, [d]);
      else chain.push(d);
    }
    const runnable: DeliveryWithEvent[][] = [];
    let nextDueAt: number | undefined;
    let oldestWaiting: DeliveryWithEvent[] | undefined;
    let probe: DeliveryWithEvent | undefined;
    for (const chain of chains.values()) {
      const head = chain[0]!;
      if (head.nextAttemptAt.getTime() <= now.getTime()) runnable.push(chain);
      else {
        nextDueAt = Math.min(nextDueAt ?? Infinity, head.nextAttemptAt.getTime());
        if (oldestWaiting === undefined || head.eventSeq < oldestWaiting[0]!.eventSeq) oldestWaiting = chain;
      }
    }
    // A failing endpoint with nothing due is probed with its oldest waiting event; success releases the rest.
    if (runnable.length === 0 && this.failing && oldestWaiting !== undefined && now.getTime() - this.lastProbeAt >= this.options.probeIntervalMs) {
      this.lastProbeAt = now.getTime();
      probe = oldestWaiting[0]!;
      runnable.push([{ ...probe, nextAttemptAt: now }]);
    }
    if (this.failing && oldestWaiting !== undefined) {
      nextDueAt = Math.min(nextDueAt ?? Infinity, this.lastProbeAt + this.options.probeIntervalMs);
    }
    if (runnable.length === 0) return { progressed: false, nextDueAt };

    const delivered: number[] = [];
    const failed: DeliveryUpdate[] = [];
    let disable: string | undefined;
    const queue = [...runnable];
    // Results are written back after at most `budget` attempts, so a crash re-sends little that was delivered.
    let budget = Math.max(this.options.concurrency, 100);
    const runChain = async (chain: DeliveryWithEvent[]) => {
      for (const d of chain) {
        if (this.stopped || disable !== undefined || budget <= 0) return;
        budget -= 1;
        if (d.nextAttemptAt.getTime() > now.getTime()) return;
        const outgoing = await this.hooks.render(this.endpoint, d.event);
        const outcome = await this.sink.deliver(this.endpoint, outgoing).catch(
          (error: unknown): DeliveryOutcome => ({ ok: false, retryable: true, error: error instanceof Error ? error.message : String(error) }),
        );
        const at = this.clock.now();
        this.hooks.attempted(this.endpoint, outcome, d.event, at);
        if (outcome.ok) {
          delivered.push(d.eventSeq);
          continue;
        }
        // A failed probe is an extra attempt, not a scheduled one: it must not use up the retry schedule.
        const patch =
          probe !== undefined && d.eventSeq === probe.eventSeq && outcome.retryable && !outcome.disableEndpoint
            ? { status: 'retrying' as const, attempts: d.attempts + 1, step: d.step, nextAttemptAt: probe.nextAttemptAt, lastError: outcome.error.slice(0, 1000), lastStatus: outcome.status ?? null, deliveredAt: null }
            : nextDeliveryState(d, outcome, this.options.schedule, at, () => (Math.random() * 2 - 1) * this.options.jitterRatio);
        failed.push({ endpointId: this.endpoint.id, eventSeq: d.eventSeq, patch });
        if (outcome.disableEndpoint) disable = outcome.error;
        // A dead event no longer holds its chat back; a retrying one does.
        if (patch.status === 'retrying') return;
      }
    };
    const lanes = Array.from({ length: Math.min(this.options.concurrency, queue.length) }, async () => {
      for (let chain = queue.shift(); chain !== undefined; chain = queue.shift()) await runChain(chain);
    });
    await Promise.all(lanes);

    const at = this.clock.now();
    const recovered = this.failing && delivered.length > 0;
    await this.store.transaction(async (tx) => {
      await tx.deliveries.markDelivered(this.endpoint.id, delivered, at);
      await tx.deliveries.update(failed, at);
      if (recovered) await tx.deliveries.makeRetriesDue(this.endpoint.id, at);
      if (disable !== undefined) await tx.endpoints.setEnabled(this.endpoint.id, false, `disabled after ${disable}`, at);
    });
    if (disable !== undefined) {
      this.endpoint = { ...this.endpoint, enabled: false, disabledReason: `disabled after ${disable}` };
      this.logger.warn({ endpoint: this.endpoint.id, reason: disable }, 'endpoint disabled by its receiver');
    }
    if (delivered.length > 0) this.failing = false;
    else if (failed.length > 0 && !this.failing) {
      this.failing = true;
      this.lastProbeAt = at.getTime();
    }
    return { progressed: delivered.length > 0 || recovered || window.length === this.options.windowSize, nextDueAt };
  }
}
