// SQL for the per-instance proxy (`/proxy/*`).
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ProxyProtocol, ProxySettings } from '../../domain/instance.js';
import type { ProxyRepository, StoredRow } from '../../ports/store.js';
import { fromBool, toBool, toDate } from '../convert.js';
import type { Database, InstanceProxiesTable } from '../schema.js';

export function proxyFromRow(row: Selectable<InstanceProxiesTable>): StoredRow<ProxySettings> {
  return {
    id: row.id,
    instanceId: row.instance_id,
    enabled: toBool(row.enabled),
    host: row.host,
    port: row.port,
    protocol: row.protocol as ProxyProtocol | '',
    username: row.username,
    password: row.password,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export class KyselyProxyRepository implements ProxyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(instanceId: string): Promise<StoredRow<ProxySettings> | null> {
    const row = await this.db.selectFrom('instance_proxies').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
    return row === undefined ? null : proxyFromRow(row);
  }

  async upsert(instanceId: string, p: ProxySettings, at: Date): Promise<StoredRow<ProxySettings>> {
    const values = {
      enabled: fromBool(p.enabled),
      host: p.host,
      port: p.port,
      protocol: p.protocol,
      username: p.username,
      password: p.password,
      updated_at: at.getTime(),
    };
    const row = await this.db
      .insertInto('instance_proxies')
      .values({ instance_id: instanceId, id: randomUUID(), created_at: at.getTime(), ...values })
      .onConflict((oc) => oc.column('instance_id').doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return proxyFromRow(row);
  }
}
