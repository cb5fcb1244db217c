// Message details the channels need: the full key (LID-era fields), stored media, status history, and raw
// provider deliveries waiting to be processed (Meta retries for days; a delivery is stored before it is answered).
import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema.alterTable('messages').addColumn('key_extra', 'text').execute();
  await db.schema.alterTable('messages').addColumn('media_key', 'text').execute();
  await db.schema.alterTable('messages').addColumn('updated_at', t.time).execute();
  await db.schema.createIndex('messages_instance_time_idx').on('messages').columns(['instance_id', 'message_timestamp']).execute();

  await db.schema
    .createTable('message_updates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('remote_jid', 'text', (c) => c.notNull())
    .addColumn('from_me', t.bool, (c) => c.notNull())
    .addColumn('participant', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('provider_timestamp', t.time, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_updates_key_idx').on('message_updates').columns(['instance_id', 'key_id']).execute();

  let inbox = db.schema.createTable('provider_inbox');
  inbox = inbox.addColumn('id', 'text', (c) => c.primaryKey());
  await inbox
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', t.time, (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('received_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('provider_inbox_work_idx').on('provider_inbox').columns(['status', 'next_attempt_at']).execute();
}
