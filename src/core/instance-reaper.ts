// DEL_INSTANCE: deletes instances that did not reach `open` within N minutes of creation. The sweep reads the
// database, so it is correct with several nodes (a delete by two nodes at once deletes once).
import type { Logger } from 'pino';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { InstanceService } from './instances.js';

export class InstanceReaper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly instances: InstanceService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: { clientName: string; minutes: number },
  ) {}

  /** Deletes what is due now; returns the names deleted. */
  async sweep(): Promise<string[]> {
    const cutoff = new Date(this.clock.now().getTime() - this.options.minutes * 60_000);
    const due = await this.store.instances.listUnopenedCreatedBefore(this.options.clientName, cutoff);
    const deleted: string[] = [];
    for (const instance of due) {
      await this.instances.delete(instance);
      deleted.push(instance.name);
      this.logger.info({ instance: instance.name }, 'deleted by DEL_INSTANCE: not connected in time');
    }
    return deleted;
  }

  start(): void {
    // Sweep often enough to be at most a few percent late, but no more than every 30 s.
    const every = Math.max(1_000, Math.min(30_000, (this.options.minutes * 60_000) / 20));
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.error({ err: error }, 'DEL_INSTANCE sweep failed'));
    }, every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
