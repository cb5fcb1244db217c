// A token bucket per phone number: at most `ratePerSecond` sends per second on average, bursts up to one second's
// worth, waiters served first come first served. Meta counts every message of a number (80 mps by default).

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closedWith: Error | undefined;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`sendRatePerSecond must be positive, got ${ratePerSecond}`);
    this.tokens = this.capacity;
    this.last = this.now();
  }

  private get capacity(): number {
    return Math.max(1, this.ratePerSecond);
  }

  /** Resolves when the caller may send one message. */
  take(): Promise<void> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Meta said the number is over its throughput: spend what is left so every sender of this number slows down. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  /** Rejects every waiter and every later `take()`. */
  close(error: Error): void {
    this.closedWith = error;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closedWith !== undefined) return;
    this.refill();
    while (this.waiters.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.waiters.shift()!.resolve();
    }
    if (this.waiters.length === 0) return;
    const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.schedule();
    }, waitMs);
  }
}
