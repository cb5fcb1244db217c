// Per-instance send pacing for WhatsApp Web: a token bucket (a burst, then `ratePerSecond`), with random jitter on
// every paced wait so sends never leave at fixed intervals (a reported ban trigger). Sends wait in arrival order.
import type { Clock } from '../../ports/clock.js';

export interface SendLimiterOptions {
  ratePerSecond: number;
  burst: number;
  /** Up to this many random milliseconds are added to each paced wait. */
  jitterMs: number;
}

export const DEFAULT_SEND_LIMIT: SendLimiterOptions = { ratePerSecond: 1, burst: 5, jitterMs: 500 };

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref?.());

export class SendLimiter {
  private tokens: number;
  private refilledAt: number;
  private tail: Promise<void> = Promise.resolve();
  private closed: Error | undefined;

  constructor(
    private readonly options: SendLimiterOptions,
    private readonly clock: Clock,
    private readonly sleep: Sleep = realSleep,
    private readonly random: () => number = Math.random,
  ) {
    this.tokens = options.burst;
    this.refilledAt = clock.now().getTime();
  }

  /** Resolves when the next send may go; sends queue in call order. Rejects once the limiter is closed. */
  take(): Promise<void> {
    const turn = this.tail.then(() => this.wait());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Fails waiting and future sends (the connection is going away). */
  close(reason: Error): void {
    this.closed = reason;
  }

  private refill(): void {
    const now = this.clock.now().getTime();
    const earned = ((now - this.refilledAt) / 1000) * this.options.ratePerSecond;
    this.tokens = Math.min(this.options.burst, this.tokens + earned);
    this.refilledAt = now;
  }

  private async wait(): Promise<void> {
    for (;;) {
      if (this.closed !== undefined) throw this.closed;
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const missing = ((1 - this.tokens) / this.options.ratePerSecond) * 1000;
      await this.sleep(Math.ceil(missing + this.random() * this.options.jitterMs));
    }
  }
}
