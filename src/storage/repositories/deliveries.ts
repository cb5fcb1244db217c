// SQL for deliveries: the dispatcher's work queue, the delivery API, replay and pruning.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Delivery, DeliveryStatus, DeliveryWithEvent } from '../../domain/delivery.js';
import type { EventName, StoredEvent } from '../../domain/events.js';
import type { DeliveryQuery, DeliveryRepository, DeliveryUpdate } from '../../ports/events.js';
import { toDate, toDateOrNull } from '../convert.js';
import type { Database, EventDeliveriesTable, OutboxEventsTable } from '../schema.js';
import { endpointFromRow } from './endpoints.js';

const UNFINISHED = ['pending', 'retrying'];

export function eventFromRow(row: Selectable<OutboxEventsTable>): StoredEvent {
  return {
    seq: Number(row.seq),
    id: row.id,
    event: row.event as EventName,
    instanceId: row.instance_id,
    instanceName: row.instance_name,
    chatKey: row.chat_key,
    sender: row.sender,
    data: JSON.parse(row.data) as unknown,
    createdAt: toDate(row.created_at),
  };
}

function deliveryFromRow(row: Selectable<EventDeliveriesTable>): Delivery {
  return {
    endpointId: row.endpoint_id,
    eventSeq: Number(row.event_seq),
    instanceId: row.instance_id,
    orderKey: row.order_key,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    step: row.step,
    nextAttemptAt: toDate(row.next_attempt_at),
    lastError: row.last_error,
    lastStatus: row.last_status,
    deliveredAt: toDateOrNull(row.delivered_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** Splits a joined row (deliveries + events, events' columns prefixed `e_`) into its two parts. */
const EVENT_COLUMNS = ['seq', 'id', 'instance_id', 'instance_name', 'event', 'chat_key', 'sender', 'data', 'created_at'] as const;

export class KyselyDeliveryRepository implements DeliveryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private joined() {
    return this.db
      .selectFrom('event_deliveries as d')
      .innerJoin('outbox_events as e', 'e.seq', 'd.event_seq')
      .selectAll('d')
      .select(EVENT_COLUMNS.map((c) => `e.${c} as e_${c}` as const));
  }

  private static split(row: Record<string, unknown>): DeliveryWithEvent {
    const event = Object.fromEntries(EVENT_COLUMNS.map((c) => [c, row[`e_${c}`]])) as unknown as Selectable<OutboxEventsTable>;
    return { ...deliveryFromRow(row as unknown as Selectable<EventDeliveriesTable>), event: eventFromRow(event) };
  }

  async unfinished(endpointId: string, limit: number): Promise<DeliveryWithEvent[]> {
    const rows = await this.joined()
      .where('d.endpoint_id', '=', endpointId)
      .where('d.status', 'in', UNFINISHED)
      .orderBy('d.event_seq')
      .limit(limit)
      .execute();
    return rows.map((r) => KyselyDeliveryRepository.split(r as Record<string, unknown>));
  }

  async markDelivered(endpointId: string, eventSeqs: number[], at: Date): Promise<void> {
    if (eventSeqs.length === 0) return;
    const now = at.getTime();
    await this.db
      .updateTable('event_deliveries')
      .set((eb) => ({
        status: 'delivered',
        attempts: eb('attempts', '+', 1),
        delivered_at: now,
        last_error: null,
        updated_at: now,
      }))
      .where('endpoint_id', '=', endpointId)
      .where('event_seq', 'in', eventSeqs)
      .execute();
  }

  async update(updates: DeliveryUpdate[], at: Date): Promise<void> {
    for (const u of updates) {
      await this.db
        .updateTable('event_deliveries')
        .set({
          status: u.patch.status,
          attempts: u.patch.attempts,
          step: u.patch.step,
          next_attempt_at: u.patch.nextAttemptAt.getTime(),
          last_error: u.patch.lastError,
          last_status: u.patch.lastStatus,
          delivered_at: u.patch.deliveredAt?.getTime() ?? null,
          updated_at: at.getTime(),
        })
        .where('endpoint_id', '=', u.endpointId)
        .where('event_seq', '=', u.eventSeq)
        .execute();
    }
  }

  async makeRetriesDue(endpointId: string, at: Date): Promise<number> {
    const result = await this.db
      .updateTable('event_deliveries')
      .set({ next_attempt_at: at.getTime(), updated_at: at.getTime() })
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'retrying')
      .where('next_attempt_at', '>', at.getTime())
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async list(query: DeliveryQuery) {
    let q = this.joined()
      .innerJoin('event_endpoints as p', 'p.id', 'd.endpoint_id')
      .select(['p.id as p_id', 'p.instance_id as p_instance_id', 'p.transport as p_transport', 'p.enabled as p_enabled', 'p.events as p_events', 'p.config as p_config', 'p.disabled_reason as p_disabled_reason', 'p.removed_at as p_removed_at', 'p.created_at as p_created_at', 'p.updated_at as p_updated_at'])
      .where('d.instance_id', '=', query.instanceId);
    if (query.status !== undefined) q = q.where('d.status', '=', query.status);
    if (query.eventId !== undefined) q = q.where('e.id', '=', query.eventId);
    if (query.endpointId !== undefined) q = q.where('d.endpoint_id', '=', query.endpointId);
    if (query.from !== undefined) q = q.where('e.created_at', '>=', query.from.getTime());
    if (query.to !== undefined) q = q.where('e.created_at', '<=', query.to.getTime());
    if (query.beforeSeq !== undefined) q = q.where('d.event_seq', '<', query.beforeSeq);
    if (query.ownEndpointsOnly) q = q.where('p.instance_id', 'is not', null);
    const rows = await q.orderBy('d.event_seq', 'desc').orderBy('d.endpoint_id').limit(query.limit).execute();
    return rows.map((raw) => {
      const r = raw as Record<string, unknown>;
      const endpoint = endpointFromRow({
        id: r.p_id, instance_id: r.p_instance_id, transport: r.p_transport, enabled: r.p_enabled, events: r.p_events,
        config: r.p_config, disabled_reason: r.p_disabled_reason, removed_at: r.p_removed_at, created_at: r.p_created_at,
        updated_at: r.p_updated_at,
      } as Selectable<Database['event_endpoints']>);
      return { ...KyselyDeliveryRepository.split(r), endpoint };
    });
  }

  async replay(query: Omit<DeliveryQuery, 'limit' | 'beforeSeq'>, at: Date): Promise<number> {
    const now = at.getTime();
    let q = this.db
      .updateTable('event_deliveries')
      .set({ status: 'pending', step: 0, next_attempt_at: now, updated_at: now, delivered_at: null })
      .where('instance_id', '=', query.instanceId);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.endpointId !== undefined) q = q.where('endpoint_id', '=', query.endpointId);
    if (query.ownEndpointsOnly) {
      q = q.where('endpoint_id', 'in', (eb) => eb.selectFrom('event_endpoints').select('id').where('instance_id', 'is not', null));
    }
    if (query.eventId !== undefined || query.from !== undefined || query.to !== undefined) {
      q = q.where('event_seq', 'in', (eb) => {
        let sub = eb.selectFrom('outbox_events').select('seq');
        if (query.eventId !== undefined) sub = sub.where('id', '=', query.eventId);
        if (query.from !== undefined) sub = sub.where('created_at', '>=', query.from.getTime());
        if (query.to !== undefined) sub = sub.where('created_at', '<=', query.to.getTime());
        return sub;
      });
    }
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async counts(): Promise<Record<DeliveryStatus, number>> {
    const rows = await this.db
      .selectFrom('event_deliveries')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('status')
      .execute();
    const counts: Record<DeliveryStatus, number> = { pending: 0, retrying: 0, delivered: 0, dead: 0 };
    for (const r of rows) counts[r.status as DeliveryStatus] = Number(r.n);
    return counts;
  }

  async prune(deliveredBefore: Date, deadBefore: Date): Promise<{ deliveries: number; events: number }> {
    const d1 = await this.db
      .deleteFrom('event_deliveries')
      .where('status', '=', 'delivered')
      .where('delivered_at', '<', deliveredBefore.getTime())
      .executeTakeFirst();
    const d2 = await this.db
      .deleteFrom('event_deliveries')
      .where('status', '=', 'dead')
      .where('updated_at', '<', deadBefore.getTime())
      .executeTakeFirst();
    const e = await this.db
      .deleteFrom('outbox_events')
      .where('created_at', '<', deliveredBefore.getTime())
      .where((eb) => eb.not(eb.exists(eb.selectFrom('event_deliveries').select('event_seq').whereRef('event_deliveries.event_seq', '=', 'outbox_events.seq'))))
      // Outbox consumers (the chatbot engine) have not taken events past their cursor yet: keep those.
      .where(sql<boolean>`outbox_events.seq <= coalesce((select min(c.seq) from chatbot_cursors c), outbox_events.seq)`)
      .executeTakeFirst();
    await this.db
      .deleteFrom('event_endpoints')
      .where('removed_at', 'is not', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('event_deliveries').select('event_seq').whereRef('event_deliveries.endpoint_id', '=', 'event_endpoints.id'))))
      .execute();
    return { deliveries: Number(d1.numDeletedRows) + Number(d2.numDeletedRows), events: Number(e.numDeletedRows) };
  }
}
