// A cached, throttled wrapper around Baileys' `onWhatsApp`: many existence lookups are a known ban trigger, so
// answers are remembered (positives long, negatives shorter) and queries to WhatsApp are spaced out and bounded.
import type { Clock } from '../../ports/clock.js';

export interface NumberCheckOptions {
  /** How long a "this number is on WhatsApp" answer is trusted. */
  positiveTtlMs: number;
  /** How long a "not on WhatsApp" answer is trusted (numbers get registered; keep it shorter). */
  negativeTtlMs: number;
  /** Cached JIDs per instance; the least recently used go first. */
  maxEntries: number;
  /** JIDs per query to WhatsApp. */
  batchSize: number;
  /** Queries to WhatsApp in flight at once. */
  maxConcurrent: number;
  /** Minimum spacing between the starts of two queries. */
  minIntervalMs: number;
}

export const DEFAULT_NUMBER_CHECK: NumberCheckOptions = {
  positiveTtlMs: 24 * 60 * 60_000,
  negativeTtlMs: 60 * 60_000,
  maxEntries: 10_000,
  batchSize: 50,
  maxConcurrent: 1,
  minIntervalMs: 1_000,
};

/** What `onWhatsApp` answers: only the JIDs that exist are listed. */
export type WhatsAppLookup = (jids: string[]) => Promise<{ jid: string; exists: boolean }[] | undefined>;

interface Entry {
  exists: boolean;
  expiresAt: number;
}

export class NumberChecker {
  private readonly cache = new Map<string, Entry>();
  private nextStartAt = 0;
  private running = 0;
  /** Bumped by `clear()`: answers to queries sent before it belong to the previous login and are dropped. */
  private generation = 0;
  private readonly waiting: (() => void)[] = [];
  /** Queries sent to WhatsApp (for tests and metrics). */
  queries = 0;

  constructor(
    private readonly lookup: WhatsAppLookup,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly options: NumberCheckOptions = DEFAULT_NUMBER_CHECK,
  ) {}

  /**
   * For each list of candidate JIDs (forms of one number, preferred first), the first candidate WhatsApp knows, or
   * null when it knows none. Only candidates without a fresh cached answer are looked up.
   */
  async resolve(candidateLists: string[][]): Promise<(string | null)[]> {
    const answers = new Map<string, boolean>();
    for (const jid of new Set(candidateLists.flat())) {
      const cached = this.cached(jid);
      if (cached !== undefined) answers.set(jid, cached);
    }
    const unknown = [...new Set(candidateLists.flat())].filter((jid) => !answers.has(jid));
    for (let i = 0; i < unknown.length; i += this.options.batchSize) {
      const batch = unknown.slice(i, i + this.options.batchSize);
      const found = await this.query(batch);
      for (const jid of batch) answers.set(jid, found.has(jid));
    }
    return candidateLists.map((candidates) => candidates.find((jid) => answers.get(jid) === true) ?? null);
  }

  /** Forgets every answer (logout, wiped login: the next account may see other numbers). */
  clear(): void {
    this.cache.clear();
    this.generation += 1;
  }

  private cached(jid: string): boolean | undefined {
    const entry = this.cache.get(jid);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock.now().getTime()) {
      this.cache.delete(jid);
      return undefined;
    }
    // Re-inserting keeps the map in least-recently-used order.
    this.cache.delete(jid);
    this.cache.set(jid, entry);
    return entry.exists;
  }

  private remember(jid: string, exists: boolean): void {
    const ttl = exists ? this.options.positiveTtlMs : this.options.negativeTtlMs;
    this.cache.delete(jid);
    this.cache.set(jid, { exists, expiresAt: this.clock.now().getTime() + ttl });
    while (this.cache.size > this.options.maxEntries) this.cache.delete(this.cache.keys().next().value!);
  }

  /** The JIDs of `jids` WhatsApp knows; remembered unless the cache was cleared meanwhile. */
  private async query(jids: string[]): Promise<Set<string>> {
    await this.acquire();
    try {
      const now = this.clock.now().getTime();
      const startAt = Math.max(now, this.nextStartAt);
      this.nextStartAt = startAt + this.options.minIntervalMs;
      if (startAt > now) await this.sleep(startAt - now);
      this.queries += 1;
      const generation = this.generation;
      const found = new Set((await this.lookup(jids) ?? []).filter((r) => r.exists).map((r) => r.jid));
      if (generation === this.generation) for (const jid of jids) this.remember(jid, found.has(jid));
      return found;
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.running < this.options.maxConcurrent) {
      this.running += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.running -= 1;
  }
}
