// The outbox: events and their fan-out into per-endpoint deliveries, written in the caller's transaction.
import type { Kysely } from 'kysely';
import { monotonicFactory } from 'ulid';
import type { EventName, NewEvent, StoredEvent } from '../../domain/events.js';
import type { OutboxRepository } from '../../ports/events.js';
import type { Database } from '../schema.js';
import { eventFromRow } from './deliveries.js';
import type { FanOutCache, FanOutTarget } from './fan-out-cache.js';

const ulid = monotonicFactory();
/** Rows per multi-row INSERT, well under SQLite's bound-parameter limit. */
const CHUNK = 500;

export class KyselyOutboxRepository implements OutboxRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onAppended: (count: number) => void,
    private readonly fanOutCache: FanOutCache,
  ) {}

  async append(events: NewEvent[], at: Date): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const now = at.getTime();
    const rows = events.map((e) => ({
      id: ulid(now),
      instance_id: e.instanceId,
      instance_name: e.instanceName,
      event: e.event,
      chat_key: e.chatKey ?? null,
      sender: e.sender ?? null,
      data: JSON.stringify(e.data ?? null),
      created_at: now,
    }));
    const seqById = new Map<string, number>();
    for (let i = 0; i < rows.length; i += CHUNK) {
      const inserted = await this.db.insertInto('outbox_events').values(rows.slice(i, i + CHUNK)).returning(['id', 'seq']).execute();
      for (const r of inserted) seqById.set(r.id, Number(r.seq));
    }
    const stored: StoredEvent[] = events.map((e, i) => ({
      ...e,
      chatKey: e.chatKey ?? null,
      sender: e.sender ?? null,
      id: rows[i]!.id,
      seq: seqById.get(rows[i]!.id)!,
      createdAt: at,
    }));
    await this.fanOut(stored, now);
    this.onAppended(stored.length);
    return stored;
  }

  async after(seq: number, upTo: number, names: EventName[], limit: number): Promise<StoredEvent[]> {
    if (names.length === 0 || upTo <= seq) return [];
    const rows = await this.db
      .selectFrom('outbox_events')
      .selectAll()
      .where('seq', '>', seq)
      .where('seq', '<=', upTo)
      .where('event', 'in', names)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(eventFromRow);
  }

  async seqsAfter(seq: number, limit: number): Promise<number[]> {
    const rows = await this.db.selectFrom('outbox_events').select('seq').where('seq', '>', seq).orderBy('seq').limit(limit).execute();
    return rows.map((r) => Number(r.seq));
  }

  async lastSeq(): Promise<number> {
    const row = await this.db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    return row?.seq == null ? 0 : Number(row.seq);
  }

  private async fanOut(events: StoredEvent[], now: number): Promise<void> {
    const byInstance = new Map<string | null, FanOutTarget[]>();
    for (const instanceId of new Set(events.map((e) => e.instanceId))) byInstance.set(instanceId, await this.fanOutCache.targets(this.db, instanceId));
    if ([...byInstance.values()].every((t) => t.length === 0)) return;

    const deliveries = [];
    for (const event of events) {
      for (const endpoint of byInstance.get(event.instanceId) ?? []) {
        if (!endpoint.events.has(event.event)) continue;
        deliveries.push({
          endpoint_id: endpoint.id,
          event_seq: event.seq,
          instance_id: event.instanceId,
          order_key: event.chatKey ?? event.instanceId ?? 'server',
          status: 'pending',
          attempts: 0,
          step: 0,
          next_attempt_at: now,
          last_error: null,
          last_status: null,
          delivered_at: null,
          updated_at: now,
        });
      }
    }
    for (let i = 0; i < deliveries.length; i += CHUNK) {
      await this.db.insertInto('event_deliveries').values(deliveries.slice(i, i + CHUNK)).execute();
    }
  }
}
