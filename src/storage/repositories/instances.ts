// SQL for instances and the relations `fetchInstances` shows.
import type { Kysely, Selectable } from 'kysely';
import type { ConnectionState, Instance, Integration } from '../../domain/instance.js';
import type { ConnectionPatch, InstanceCounts, InstanceFilter, InstanceRepository, InstanceView } from '../../ports/store.js';
import { toDate, toDateOrNull } from '../convert.js';
import type { Database, InstancesTable } from '../schema.js';
import type { Endpoint } from '../../domain/delivery.js';
import { endpointFromRow } from './endpoints.js';
import { proxyFromRow } from './proxies.js';
import { settingsFromRow } from './settings.js';
import { isUniqueViolation } from './batch.js';

export function instanceFromRow(row: Selectable<InstancesTable>): Instance {
  return {
    id: row.id,
    name: row.name,
    clientName: row.client_name,
    integration: row.integration as Integration,
    connectionStatus: row.connection_status as ConnectionState,
    ownerJid: row.owner_jid,
    profileName: row.profile_name,
    profilePicUrl: row.profile_pic_url,
    number: row.number,
    businessId: row.business_id,
    token: row.token,
    disconnectionReasonCode: row.disconnection_reason_code,
    disconnectionObject: row.disconnection_object,
    disconnectionAt: toDateOrNull(row.disconnection_at),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}


export class KyselyInstanceRepository implements InstanceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(i: Instance, tokenHash: string): Promise<boolean> {
    try {
      await this.db
        .insertInto('instances')
        .values({
          id: i.id,
          name: i.name,
          client_name: i.clientName,
          integration: i.integration,
          connection_status: i.connectionStatus,
          owner_jid: i.ownerJid,
          profile_name: i.profileName,
          profile_pic_url: i.profilePicUrl,
          number: i.number,
          business_id: i.businessId,
          token: i.token,
          token_hash: tokenHash,
          disconnection_reason_code: i.disconnectionReasonCode,
          disconnection_object: i.disconnectionObject,
          disconnection_at: i.disconnectionAt?.getTime() ?? null,
          opened_at: i.connectionStatus === 'open' ? i.createdAt.getTime() : null,
          created_at: i.createdAt.getTime(),
          updated_at: i.updatedAt.getTime(),
        })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async findByName(name: string): Promise<Instance | undefined> {
    const row = await this.db.selectFrom('instances').selectAll().where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : instanceFromRow(row);
  }

  async findById(id: string): Promise<Instance | undefined> {
    const row = await this.db.selectFrom('instances').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : instanceFromRow(row);
  }

  async findByNumber(clientName: string, integration: string, number: string): Promise<Instance | undefined> {
    const row = await this.db
      .selectFrom('instances')
      .selectAll()
      .where('client_name', '=', clientName)
      .where('integration', '=', integration)
      .where('number', '=', number)
      .orderBy('created_at')
      .executeTakeFirst();
    return row === undefined ? undefined : instanceFromRow(row);
  }

  /** The ids an InstanceFilter selects, as a subquery: relation queries keep one SQL text and no id list. */
  private matching(filter: InstanceFilter) {
    let query = this.db.selectFrom('instances').where('client_name', '=', filter.clientName);
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    if (filter.id !== undefined) query = query.where('id', '=', filter.id);
    if (filter.number !== undefined) query = query.where('number', '=', filter.number);
    if (filter.tokenHash !== undefined) query = query.where('token_hash', '=', filter.tokenHash);
    return query;
  }

  async list(filter: InstanceFilter): Promise<InstanceView[]> {
    const rows = await this.matching(filter).selectAll().orderBy('created_at').orderBy('name').execute();
    if (rows.length === 0) return [];

    // Relations per table for the same filter (few queries, no N+1, no bound id lists).
    const ids = this.matching(filter).select('id');
    const [settings, proxies, endpoints, counts] = await Promise.all([
      this.db.selectFrom('instance_settings').selectAll().where('instance_id', 'in', ids).execute(),
      this.db.selectFrom('instance_proxies').selectAll().where('instance_id', 'in', ids).execute(),
      this.db.selectFrom('event_endpoints').selectAll().where('instance_id', 'in', ids).where('removed_at', 'is', null).execute(),
      this.counts(filter),
    ]);
    const endpointsBy = new Map<string, Endpoint[]>();
    for (const row of endpoints) {
      const list = endpointsBy.get(row.instance_id!) ?? [];
      list.push(endpointFromRow(row));
      endpointsBy.set(row.instance_id!, list);
    }
    const settingsBy = new Map(settings.map((s) => [s.instance_id, settingsFromRow(s)]));
    const proxyBy = new Map(proxies.map((p) => [p.instance_id, proxyFromRow(p)]));
    return rows.map((row) => ({
      instance: instanceFromRow(row),
      settings: settingsBy.get(row.id) ?? null,
      proxy: proxyBy.get(row.id) ?? null,
      endpoints: endpointsBy.get(row.id) ?? [],
      counts: counts.get(row.id) ?? { messages: 0, contacts: 0, chats: 0 },
    }));
  }

  private async counts(filter: InstanceFilter): Promise<Map<string, InstanceCounts>> {
    const countOf = (table: 'messages' | 'contacts' | 'chats') =>
      this.db
        .selectFrom(table)
        .select(['instance_id', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('instance_id', 'in', this.matching(filter).select('id'))
        .groupBy('instance_id')
        .execute();
    const [messages, contacts, chats] = await Promise.all([countOf('messages'), countOf('contacts'), countOf('chats')]);
    const result = new Map<string, InstanceCounts>();
    const entry = (id: string) => {
      let c = result.get(id);
      if (c === undefined) result.set(id, (c = { messages: 0, contacts: 0, chats: 0 }));
      return c;
    };
    for (const r of messages) entry(r.instance_id).messages = Number(r.n);
    for (const r of contacts) entry(r.instance_id).contacts = Number(r.n);
    for (const r of chats) entry(r.instance_id).chats = Number(r.n);
    return result;
  }

  async updateConnection(id: string, patch: ConnectionPatch, at: Date): Promise<void> {
    const values: Partial<InstancesTable> = { updated_at: at.getTime() };
    if (patch.connectionStatus !== undefined) values.connection_status = patch.connectionStatus;
    if (patch.ownerJid !== undefined) values.owner_jid = patch.ownerJid;
    if (patch.profileName !== undefined) values.profile_name = patch.profileName;
    if (patch.profilePicUrl !== undefined) values.profile_pic_url = patch.profilePicUrl;
    if (patch.disconnectionReasonCode !== undefined) values.disconnection_reason_code = patch.disconnectionReasonCode;
    if (patch.disconnectionObject !== undefined) values.disconnection_object = patch.disconnectionObject;
    if (patch.disconnectionAt !== undefined) values.disconnection_at = patch.disconnectionAt?.getTime() ?? null;
    await this.db.updateTable('instances').set(values).where('id', '=', id).execute();
    if (patch.connectionStatus === 'open') {
      await this.db.updateTable('instances').set({ opened_at: at.getTime() }).where('id', '=', id).where('opened_at', 'is', null).execute();
    }
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('instances').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async listUnopenedCreatedBefore(clientName: string, createdBefore: Date): Promise<Instance[]> {
    const rows = await this.db
      .selectFrom('instances')
      .selectAll()
      .where('client_name', '=', clientName)
      .where('opened_at', 'is', null)
      .where('connection_status', '!=', 'open')
      .where('created_at', '<', createdBefore.getTime())
      .execute();
    return rows.map(instanceFromRow);
  }

  async listAll(clientName: string): Promise<Instance[]> {
    const rows = await this.db.selectFrom('instances').selectAll().where('client_name', '=', clientName).execute();
    return rows.map(instanceFromRow);
  }
}
