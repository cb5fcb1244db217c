// Each instance's bot configuration (bots + settings of the enabled providers, ~14 queries) kept for a few seconds, so
// a batch of inbound messages for an instance without bots costs no query at all. Writes through this node's config
// service drop the entry at once; changes made on other nodes are seen when the entry ages out (`ttlMs`).
import type { ChatbotProviderName } from '../../domain/chatbot.js';
import type { ChatbotConfigRepository } from '../../ports/chatbots.js';
import { InstanceBots } from './config.js';

export interface BotConfigCacheOptions {
  ttlMs: number;
  /** Monotonic milliseconds (tests inject their own). */
  now?: () => number;
}

interface Entry {
  loaded: Promise<InstanceBots>;
  at: number;
}

export class BotConfigCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(
    private readonly repo: ChatbotConfigRepository,
    private readonly enabled: ReadonlySet<ChatbotProviderName>,
    private readonly options: BotConfigCacheOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /** The instance's configuration, loaded at most once per `ttlMs` (concurrent callers share one load). */
  get(instanceId: string): Promise<InstanceBots> {
    const now = this.now();
    const cached = this.entries.get(instanceId);
    if (cached !== undefined && now - cached.at < this.options.ttlMs) return cached.loaded;
    if (this.entries.size > 1000) this.sweep(now);
    const loaded = InstanceBots.load(this.repo, instanceId, this.enabled);
    const entry: Entry = { loaded, at: now };
    this.entries.set(instanceId, entry);
    // A failed load is not kept; an entry invalidated while loading is not put back (the map no longer holds it).
    loaded.catch(() => {
      if (this.entries.get(instanceId) === entry) this.entries.delete(instanceId);
    });
    return loaded;
  }

  /** Bots or settings of the instance changed: the next `get` reads them again. */
  invalidate(instanceId: string): void {
    this.entries.delete(instanceId);
  }

  private sweep(now: number): void {
    for (const [id, entry] of this.entries) if (now - entry.at >= this.options.ttlMs) this.entries.delete(id);
  }
}
