// State a live channel keeps: its login (creds + Signal keys, opaque serialized strings), the LID ↔ phone-number map it
// learns, and WhatsApp Business labels with their chat associations. Everything goes with its instance (cascade).
import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);

  await db.schema
    .createTable('channel_creds')
    .addColumn('instance_id', 'text', (c) => c.primaryKey().references('instances.id').onDelete('cascade'))
    .addColumn('creds', 'text', (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  // key_id is stored raw: Signal ids contain ':', '.' and '/'.
  await db.schema
    .createTable('channel_keys')
    .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_keys_pk', ['instance_id', 'type', 'key_id'])
    .execute();

  // One pn per lid and one lid per pn within an instance; both constraints double as the lookup indexes.
  await db.schema
    .createTable('identities')
    .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('lid', 'text', (c) => c.notNull())
    .addColumn('pn', 'text', (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('identities_pk', ['instance_id', 'lid'])
    .addUniqueConstraint('identities_pn_unique', ['instance_id', 'pn'])
    .execute();

  await db.schema
    .createTable('labels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('label_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('color', 'integer', (c) => c.notNull())
    .addColumn('predefined_id', 'text')
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addUniqueConstraint('labels_instance_label_unique', ['instance_id', 'label_id'])
    .execute();

  // No foreign key to labels: WhatsApp may announce an association before the label itself.
  await db.schema
    .createTable('chat_labels')
    .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('chat_jid', 'text', (c) => c.notNull())
    .addColumn('label_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('chat_labels_pk', ['instance_id', 'chat_jid', 'label_id'])
    .execute();
  await db.schema.createIndex('chat_labels_label_idx').on('chat_labels').columns(['instance_id', 'label_id']).execute();
}
