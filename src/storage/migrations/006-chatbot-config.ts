// Chatbot configuration: OpenAI credentials, bots (all seven providers in one table) and per-provider settings rows.
// Behaviour values and provider fields are JSON text: the engine reads whole rows, never filters on them.
// Everything goes with its instance (cascade); a bot goes with its OpenAI credentials, as in Evolution.
import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);

  await db.schema
    .createTable('openai_creds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('api_key', 'text', (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addUniqueConstraint('openai_creds_name_unique', ['instance_id', 'name'])
    .addUniqueConstraint('openai_creds_key_unique', ['instance_id', 'api_key'])
    .execute();

  await db.schema
    .createTable('chatbot_bots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('enabled', t.bool, (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('trigger_type', 'text', (c) => c.notNull())
    .addColumn('trigger_operator', 'text')
    .addColumn('trigger_value', 'text')
    .addColumn('behaviour', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    // OpenAI bots only: deleting the credentials deletes the bots that use them.
    .addColumn('creds_id', 'text', (c) => c.references('openai_creds.id').onDelete('cascade'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('chatbot_bots_instance_idx').on('chatbot_bots').columns(['instance_id', 'provider']).execute();
  await db.schema.createIndex('chatbot_bots_creds_idx').on('chatbot_bots').column('creds_id').execute();

  await db.schema
    .createTable('chatbot_settings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('behaviour', 'text', (c) => c.notNull())
    .addColumn('fallback_id', 'text', (c) => c.references('chatbot_bots.id').onDelete('set null'))
    .addColumn('creds_id', 'text', (c) => c.references('openai_creds.id').onDelete('set null'))
    .addColumn('extra', 'text', (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addUniqueConstraint('chatbot_settings_unique', ['instance_id', 'provider'])
    .execute();
  await db.schema.createIndex('chatbot_settings_fallback_idx').on('chatbot_settings').column('fallback_id').execute();
  await db.schema.createIndex('chatbot_settings_creds_idx').on('chatbot_settings').column('creds_id').execute();
}
