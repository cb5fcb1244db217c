// The outbox: events and their fan-out into per-endpoint deliveries, written in the caller's transaction.
import type { Kysely } from 'kysely';
import { monotonicFactory } from 'ulid';
import type { EventName, NewEvent, StoredEvent } from '../../domain/events.js';
import type { OutboxRepository } from '../../ports/events.js';
import { fromBool } from '../convert.js';
import type { Database } from '../schema.js';

const ulid = monotonicFactory();
/** Rows per multi-row INSERT, well under SQLite's bound-parameter limit. */
const CHUNK = 500;

export class KyselyOutboxRepository implements OutboxRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onAppended: (count: number) => void,
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

  private async fanOut(events: StoredEvent[], now: number): Promise<void> {
    const instanceIds = [...new Set(events.map((e) => e.instanceId).filter((id): id is string => id !== null))];
    let query = this.db
      .selectFrom('event_endpoints')
      .select(['id', 'instance_id', 'events'])
      .where('enabled', '=', fromBool(true))
      .where('removed_at', 'is', null);
    query = query.where((eb) =>
      instanceIds.length > 0 ? eb.or([eb('instance_id', 'is', null), eb('instance_id', 'in', instanceIds)]) : eb('instance_id', 'is', null),
    );
    const endpoints = (await query.execute()).map((e) => ({ id: e.id, instanceId: e.instance_id, events: new Set(JSON.parse(e.events) as EventName[]) }));
    if (endpoints.length === 0) return;

    const deliveries = [];
    for (const event of events) {
      for (const endpoint of endpoints) {
        if (endpoint.instanceId !== null && endpoint.instanceId !== event.instanceId) continue;
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
