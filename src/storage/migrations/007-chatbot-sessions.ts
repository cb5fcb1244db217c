// Chatbot sessions (one conversation of one contact with one bot), the durable queue of messages waiting for a bot
// (debounce, retries, crash safety) and the engine's outbox cursor.
import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('chatbot_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('remote_jid', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    // Deleting a bot (or the OpenAI credentials it uses) deletes its sessions.
    .addColumn('bot_id', 'text', (c) => c.references('chatbot_bots.id').onDelete('cascade'))
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('push_name', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('await_user', t.bool, (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('parameters', 'text', (c) => c.notNull())
    .addColumn('expires_at', t.time)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('chatbot_sessions_contact_idx').on('chatbot_sessions').columns(['instance_id', 'remote_jid', 'created_at']).execute();
  await db.schema.createIndex('chatbot_sessions_bot_idx').on('chatbot_sessions').columns(['instance_id', 'bot_id']).execute();
  await db.schema.createIndex('chatbot_sessions_expiry_idx').on('chatbot_sessions').columns(['expires_at']).execute();

  await db.schema
    .createTable('chatbot_inputs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('remote_jid', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('due_at', t.time, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('chatbot_inputs_due_idx').on('chatbot_inputs').columns(['due_at']).execute();
  await db.schema.createIndex('chatbot_inputs_contact_idx').on('chatbot_inputs').columns(['instance_id', 'remote_jid', 'created_at']).execute();

  await db.schema
    .createTable('chatbot_cursors')
    .addColumn('consumer', 'text', (c) => c.primaryKey())
    .addColumn('seq', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('chatbot_cursors').execute();
  await db.schema.dropTable('chatbot_inputs').execute();
  await db.schema.dropTable('chatbot_sessions').execute();
}
