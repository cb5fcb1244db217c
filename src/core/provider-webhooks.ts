// Provider webhooks. EVOLUTION deliveries are processed before they are answered; Meta's are stored raw and answered
// at once (Meta retries slow answers), then processed from the database by a worker with retries — a crash between
// the two loses nothing, and Meta's duplicate deliveries are deduplicated by message id in the pipeline.
import type { Logger } from 'pino';
import { notFound } from '../domain/errors.js';
import type { Instance, Integration } from '../domain/instance.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { ChannelHost } from './channel-host.js';
import type { InboundPipeline } from './inbound.js';

const RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000];

export class ProviderWebhooks {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly channels: ChannelHost,
    private readonly pipeline: InboundPipeline,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly clientName: string,
  ) {}

  /** Parses and stores a delivery now; rejects a delivery for an account no instance has. */
  async processNow(integration: Integration, body: unknown): Promise<number> {
    const { stored, unknown } = await this.process(integration, body);
    if (unknown.length > 0 && stored === 0) throw notFound(`No ${integration} instance has number "${unknown[0]}"`);
    return stored;
  }

  /** Stores a raw delivery for the worker; resolves once it is durable. */
  async accept(integration: Integration, rawBody: string): Promise<void> {
    await this.store.inbox.add(integration, rawBody, this.clock.now());
    this.kick();
  }

  private async process(integration: Integration, body: unknown): Promise<{ stored: number; unknown: string[] }> {
    const factory = this.channels.factory(integration);
    const cache = new Map<string, Instance | undefined>();
    const instanceFor = async (accountId: string) => {
      if (!cache.has(accountId)) cache.set(accountId, await this.store.instances.findByNumber(this.clientName, integration, accountId));
      return cache.get(accountId);
    };
    const batches = (await factory.parseWebhook?.(body, instanceFor)) ?? [];
    let stored = 0;
    const unknown: string[] = [];
    for (const batch of batches) {
      const instance = await instanceFor(batch.accountId);
      if (instance === undefined) {
        unknown.push(batch.accountId);
        continue;
      }
      stored += await this.pipeline.receive(instance, batch.messages);
      await this.pipeline.statuses(instance, batch.statuses);
    }
    return { stored, unknown };
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), 1_000);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const items = await this.store.inbox.due(50, this.clock.now());
        if (items.length === 0 || this.stopped) return;
        for (const item of items) {
          try {
            const { unknown } = await this.process(item.integration as Integration, JSON.parse(item.body) as unknown);
            if (unknown.length > 0) this.logger.warn({ accounts: unknown, integration: item.integration }, 'webhook delivery for an unknown account; dropped');
            await this.store.inbox.done(item.id);
          } catch (error) {
            const delay = RETRY_DELAYS_MS[item.attempts];
            const message = error instanceof Error ? error.message : String(error);
            await this.store.inbox.failed(item.id, message, delay === undefined ? null : new Date(this.clock.now().getTime() + delay));
            this.logger.error({ err: error, attempts: item.attempts + 1, integration: item.integration }, delay === undefined ? 'webhook delivery given up' : 'webhook delivery failed; will retry');
          }
        }
      }
    } catch (error) {
      this.logger.error({ err: error }, 'webhook inbox pass failed');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
