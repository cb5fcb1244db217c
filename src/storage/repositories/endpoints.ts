// SQL for event endpoints (per-instance transport configs and global ones from the environment).
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Endpoint, Transport } from '../../domain/delivery.js';
import type { EventName } from '../../domain/events.js';
import type { EndpointRepository, EndpointSettings } from '../../ports/events.js';
import { fromBool, toBool, toDate } from '../convert.js';
import type { Database, EventEndpointsTable } from '../schema.js';

export function endpointFromRow(row: Selectable<EventEndpointsTable>): Endpoint {
  return {
    id: row.id,
    instanceId: row.instance_id,
    transport: row.transport as Transport,
    enabled: toBool(row.enabled),
    events: JSON.parse(row.events) as EventName[],
    config: JSON.parse(row.config) as Record<string, unknown>,
    disabledReason: row.disabled_reason,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export class KyselyEndpointRepository implements EndpointRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** Every write changes which endpoints take new events. */
    private readonly changed: () => void = () => undefined,
  ) {}

  async findForInstance(instanceId: string, transport: Transport): Promise<Endpoint | null> {
    const row = await this.db
      .selectFrom('event_endpoints')
      .selectAll()
      .where('instance_id', '=', instanceId)
      .where('transport', '=', transport)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    return row === undefined ? null : endpointFromRow(row);
  }

  async upsertForInstance(instanceId: string, transport: Transport, s: EndpointSettings, at: Date): Promise<Endpoint> {
    const existing = await this.findForInstance(instanceId, transport);
    return this.write(existing?.id ?? randomUUID(), instanceId, transport, s, at, existing !== null);
  }

  async upsertGlobal(id: string, transport: Transport, s: EndpointSettings, at: Date): Promise<Endpoint> {
    const existing = await this.findById(id);
    return this.write(id, null, transport, s, at, existing !== null);
  }

  private async write(id: string, instanceId: string | null, transport: Transport, s: EndpointSettings, at: Date, exists: boolean): Promise<Endpoint> {
    const values = {
      enabled: fromBool(s.enabled),
      events: JSON.stringify(s.events),
      config: JSON.stringify(s.config),
      // Saving a config is the operator's answer to whatever disabled it.
      disabled_reason: null,
      updated_at: at.getTime(),
    };
    if (exists) {
      await this.db.updateTable('event_endpoints').set(values).where('id', '=', id).execute();
    } else {
      await this.db
        .insertInto('event_endpoints')
        .values({ id, instance_id: instanceId, transport, removed_at: null, created_at: at.getTime(), ...values })
        .execute();
    }
    this.changed();
    return (await this.findById(id))!;
  }

  async findById(id: string): Promise<Endpoint | null> {
    const row = await this.db.selectFrom('event_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : endpointFromRow(row);
  }

  async listLive(): Promise<Endpoint[]> {
    const rows = await this.db
      .selectFrom('event_endpoints')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('removed_at', 'is', null),
          eb.exists(
            eb
              .selectFrom('event_deliveries')
              .select('event_seq')
              .whereRef('event_deliveries.endpoint_id', '=', 'event_endpoints.id')
              .where('event_deliveries.status', 'in', ['pending', 'retrying']),
          ),
        ]),
      )
      .execute();
    return rows.map(endpointFromRow);
  }

  async listForInstance(instanceId: string): Promise<Endpoint[]> {
    const rows = await this.db
      .selectFrom('event_endpoints')
      .selectAll()
      .where('instance_id', '=', instanceId)
      .where('removed_at', 'is', null)
      .orderBy('transport')
      .execute();
    return rows.map(endpointFromRow);
  }

  async setEnabled(id: string, enabled: boolean, reason: string | null, at: Date): Promise<void> {
    await this.db
      .updateTable('event_endpoints')
      .set({ enabled: fromBool(enabled), disabled_reason: reason, updated_at: at.getTime() })
      .where('id', '=', id)
      .execute();
    this.changed();
  }

  async removeForInstance(instanceId: string, at: Date): Promise<void> {
    await this.db
      .updateTable('event_endpoints')
      .set({ removed_at: at.getTime(), updated_at: at.getTime() })
      .where('instance_id', '=', instanceId)
      .where('removed_at', 'is', null)
      .execute();
    this.changed();
  }

  async listByInstances(instanceIds: string[]): Promise<Endpoint[]> {
    if (instanceIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('event_endpoints')
      .selectAll()
      .where('instance_id', 'in', instanceIds)
      .where('removed_at', 'is', null)
      .execute();
    return rows.map(endpointFromRow);
  }
}
