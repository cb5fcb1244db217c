// Which endpoints want an instance's events, cached for the outbox's fan-out. Loaded through the caller's
// transaction (SQLite has one connection: a query outside it would wait forever). Writes on this node invalidate it
// at once; changes made by another node are seen within `ttlMs`.
import type { Kysely } from 'kysely';
import type { EventName } from '../../domain/events.js';
import { fromBool } from '../convert.js';
import type { Database } from '../schema.js';

export interface FanOutTarget {
  id: string;
  instanceId: string | null;
  events: ReadonlySet<EventName>;
}

export class FanOutCache {
  private entries = new Map<string, { at: number; targets: FanOutTarget[] }>();

  constructor(private readonly ttlMs = 1000) {}

  invalidate(): void {
    this.entries.clear();
  }

  /** Enabled endpoints for the instance (its own and the global ones); `null` = server-wide events. */
  async targets(db: Kysely<Database>, instanceId: string | null): Promise<FanOutTarget[]> {
    const key = instanceId ?? '';
    const cached = this.entries.get(key);
    const now = Date.now();
    if (cached !== undefined && now - cached.at < this.ttlMs) return cached.targets;
    const rows = await db
      .selectFrom('event_endpoints')
      .select(['id', 'instance_id', 'events'])
      .where('enabled', '=', fromBool(true))
      .where('removed_at', 'is', null)
      .where((eb) => (instanceId === null ? eb('instance_id', 'is', null) : eb.or([eb('instance_id', 'is', null), eb('instance_id', '=', instanceId)])))
      .execute();
    const targets = rows.map((r) => ({ id: r.id, instanceId: r.instance_id, events: new Set(JSON.parse(r.events) as EventName[]) }));
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, { at: now, targets });
    return targets;
  }
}
