// SQL for WhatsApp Business labels and their chat associations.
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Label, LabelChange } from '../../domain/label.js';
import type { LabelRepository } from '../../ports/labels.js';
import type { Database, LabelsTable } from '../schema.js';
import { inTransaction } from './batch.js';

const labelFromRow = (row: Selectable<LabelsTable>): Label => ({
  id: row.id,
  instanceId: row.instance_id,
  labelId: row.label_id,
  name: row.name,
  color: row.color,
  predefinedId: row.predefined_id,
});

/** WhatsApp's label ids are small numbers as strings: "2" before "10". */
const byLabelId = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

export class KyselyLabelRepository implements LabelRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(instanceId: string, label: LabelChange, at: Date): Promise<Label | undefined> {
    if (label.deleted === true) {
      await inTransaction(this.db, async (trx) => {
        await trx.deleteFrom('chat_labels').where('instance_id', '=', instanceId).where('label_id', '=', label.labelId).execute();
        await trx.deleteFrom('labels').where('instance_id', '=', instanceId).where('label_id', '=', label.labelId).execute();
      });
      return undefined;
    }
    const values = { name: label.name, color: label.color, predefined_id: label.predefinedId, updated_at: at.getTime() };
    const row = await this.db
      .insertInto('labels')
      .values({ id: randomUUID(), instance_id: instanceId, label_id: label.labelId, created_at: at.getTime(), ...values })
      .onConflict((oc) => oc.columns(['instance_id', 'label_id']).doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return labelFromRow(row);
  }

  async find(instanceId: string, labelId: string): Promise<Label | undefined> {
    const row = await this.db.selectFrom('labels').selectAll().where('instance_id', '=', instanceId).where('label_id', '=', labelId).executeTakeFirst();
    return row === undefined ? undefined : labelFromRow(row);
  }

  async list(instanceId: string): Promise<Label[]> {
    const rows = await this.db.selectFrom('labels').selectAll().where('instance_id', '=', instanceId).execute();
    return rows.map(labelFromRow).sort((a, b) => byLabelId(a.labelId, b.labelId));
  }

  async associate(instanceId: string, chatJid: string, labelId: string): Promise<boolean> {
    const result = await this.db
      .insertInto('chat_labels')
      .values({ instance_id: instanceId, chat_jid: chatJid, label_id: labelId })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async dissociate(instanceId: string, chatJid: string, labelId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('chat_labels')
      .where('instance_id', '=', instanceId)
      .where('chat_jid', '=', chatJid)
      .where('label_id', '=', labelId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async labelsOfChat(instanceId: string, chatJid: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('chat_labels')
      .select('label_id')
      .where('instance_id', '=', instanceId)
      .where('chat_jid', '=', chatJid)
      .execute();
    return rows.map((r) => r.label_id).sort(byLabelId);
  }
}
