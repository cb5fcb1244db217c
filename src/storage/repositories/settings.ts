// SQL for the per-instance behaviour settings (`/settings/*`).
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { InstanceSettings } from '../../domain/instance.js';
import type { SettingsRepository, StoredRow } from '../../ports/store.js';
import { fromBool, toBool, toDate } from '../convert.js';
import type { Database, InstanceSettingsTable } from '../schema.js';

export function settingsFromRow(row: Selectable<InstanceSettingsTable>): StoredRow<InstanceSettings> {
  return {
    id: row.id,
    instanceId: row.instance_id,
    rejectCall: toBool(row.reject_call),
    msgCall: row.msg_call,
    groupsIgnore: toBool(row.groups_ignore),
    alwaysOnline: toBool(row.always_online),
    readMessages: toBool(row.read_messages),
    readStatus: toBool(row.read_status),
    syncFullHistory: toBool(row.sync_full_history),
    wavoipToken: row.wavoip_token,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export class KyselySettingsRepository implements SettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(instanceId: string): Promise<StoredRow<InstanceSettings> | null> {
    const row = await this.db.selectFrom('instance_settings').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
    return row === undefined ? null : settingsFromRow(row);
  }

  async upsert(instanceId: string, s: InstanceSettings, at: Date): Promise<StoredRow<InstanceSettings>> {
    const values = {
      reject_call: fromBool(s.rejectCall),
      msg_call: s.msgCall,
      groups_ignore: fromBool(s.groupsIgnore),
      always_online: fromBool(s.alwaysOnline),
      read_messages: fromBool(s.readMessages),
      read_status: fromBool(s.readStatus),
      sync_full_history: fromBool(s.syncFullHistory),
      wavoip_token: s.wavoipToken,
      updated_at: at.getTime(),
    };
    const row = await this.db
      .insertInto('instance_settings')
      .values({ instance_id: instanceId, id: randomUUID(), created_at: at.getTime(), ...values })
      .onConflict((oc) => oc.column('instance_id').doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return settingsFromRow(row);
  }
}
