// Group metadata of one instance, kept for Baileys' `cachedGroupMetadata`: without it every group send asks WhatsApp
// for the participant list (slow, and more ban risk). Bounded (least recently used go first) and expiring; the
// inbound handlers call `set`/`update`/`refresh`/`invalidate` on group events, the group routes after a change.
import type { GroupMetadata } from 'baileys';
import type { Clock } from '../../ports/clock.js';

export interface GroupCacheOptions {
  maxEntries: number;
  /** A safety net for missed events: an entry older than this is fetched again. */
  ttlMs: number;
}

export const DEFAULT_GROUP_CACHE: GroupCacheOptions = { maxEntries: 1_000, ttlMs: 15 * 60_000 };

export class GroupCache {
  private readonly entries = new Map<string, { meta: GroupMetadata; expiresAt: number }>();

  constructor(
    /** Fetches fresh metadata from WhatsApp (the socket's `groupMetadata`). */
    private readonly fetch: (jid: string) => Promise<GroupMetadata>,
    private readonly clock: Clock,
    private readonly options: GroupCacheOptions = DEFAULT_GROUP_CACHE,
  ) {}

  /** The cached metadata, if fresh (the shape Baileys' `cachedGroupMetadata` option wants). */
  get(jid: string): GroupMetadata | undefined {
    const entry = this.entries.get(jid);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock.now().getTime()) {
      this.entries.delete(jid);
      return undefined;
    }
    this.entries.delete(jid);
    this.entries.set(jid, entry);
    return entry.meta;
  }

  set(meta: GroupMetadata): void {
    this.entries.delete(meta.id);
    this.entries.set(meta.id, { meta, expiresAt: this.clock.now().getTime() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Merges a partial update (`groups.update`) into a cached entry; unknown groups are left to the next fetch. */
  update(patch: Partial<GroupMetadata> & { id: string }): void {
    const current = this.entries.get(patch.id);
    if (current !== undefined) this.set({ ...current.meta, ...patch });
  }

  invalidate(jid: string): void {
    this.entries.delete(jid);
  }

  /** Fetches the group again and caches the answer. */
  async refresh(jid: string): Promise<GroupMetadata> {
    const meta = await this.fetch(jid);
    this.set(meta);
    return meta;
  }

  /** Cached metadata, or fetched when absent or stale. */
  async metadata(jid: string): Promise<GroupMetadata> {
    return this.get(jid) ?? this.refresh(jid);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
