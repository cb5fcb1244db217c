// SQL for a channel's login: one creds row per instance and its Signal keys keyed by (instance, type, raw id).
import type { Kysely } from 'kysely';
import type { ChannelAuthRepository, KeyChange } from '../../ports/channel-state.js';
import type { Database } from '../schema.js';
import { chunks, inList, inTransaction, rowsPerStatement } from './batch.js';

export class KyselyChannelAuthRepository implements ChannelAuthRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async loadCreds(instanceId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('channel_creds').select('creds').where('instance_id', '=', instanceId).executeTakeFirst();
    return row?.creds;
  }

  async saveCreds(instanceId: string, creds: string, at: Date): Promise<void> {
    await this.db
      .insertInto('channel_creds')
      .values({ instance_id: instanceId, creds, updated_at: at.getTime() })
      .onConflict((oc) => oc.column('instance_id').doUpdateSet({ creds, updated_at: at.getTime() }))
      .execute();
  }

  async getKeys(instanceId: string, type: string, ids: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (ids.length === 0) return found;
    const rows = await this.db
      .selectFrom('channel_keys')
      .select(['key_id', 'value'])
      .where('instance_id', '=', instanceId)
      .where('type', '=', type)
      .where(inList(this.db, 'key_id', ids))
      .execute();
    for (const row of rows) found.set(row.key_id, row.value);
    return found;
  }

  async setKeys(instanceId: string, changes: KeyChange[], at: Date): Promise<void> {
    // The last change of a (type, id) wins; PostgreSQL refuses to upsert one row twice in a statement.
    const latest = new Map<string, KeyChange>();
    for (const change of changes) latest.set(`${change.type}\u0000${change.id}`, change);
    const upserts: { instance_id: string; type: string; key_id: string; value: string; updated_at: number }[] = [];
    const deletes = new Map<string, string[]>();
    for (const { type, id, value } of latest.values()) {
      if (value === null) deletes.set(type, [...(deletes.get(type) ?? []), id]);
      else upserts.push({ instance_id: instanceId, type, key_id: id, value, updated_at: at.getTime() });
    }
    if (upserts.length === 0 && deletes.size === 0) return;
    await inTransaction(this.db, async (trx) => {
      for (const [type, ids] of deletes) {
        await trx
          .deleteFrom('channel_keys')
          .where('instance_id', '=', instanceId)
          .where('type', '=', type)
          .where(inList(trx, 'key_id', ids))
          .execute();
      }
      for (const rows of chunks(upserts, rowsPerStatement(trx))) {
        await trx
          .insertInto('channel_keys')
          .values(rows)
          .onConflict((oc) =>
            oc.columns(['instance_id', 'type', 'key_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: eb.ref('excluded.updated_at') })),
          )
          .execute();
      }
    });
  }

  async wipe(instanceId: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      await trx.deleteFrom('channel_keys').where('instance_id', '=', instanceId).execute();
      await trx.deleteFrom('channel_creds').where('instance_id', '=', instanceId).execute();
    });
  }

  async instancesWithCreds(): Promise<string[]> {
    const rows = await this.db.selectFrom('channel_creds').select('instance_id').orderBy('instance_id').execute();
    return rows.map((r) => r.instance_id);
  }
}
