// Instances with their 1:1 settings and proxy, and the conversation tables later channels fill.
import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);

  await db.schema
    .createTable('instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('client_name', 'text', (c) => c.notNull())
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('connection_status', 'text', (c) => c.notNull())
    .addColumn('owner_jid', 'text')
    .addColumn('profile_name', 'text')
    .addColumn('profile_pic_url', 'text')
    .addColumn('number', 'text')
    .addColumn('business_id', 'text')
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('disconnection_reason_code', 'integer')
    .addColumn('disconnection_object', 'text')
    .addColumn('disconnection_at', t.time)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('instances_client_token_idx').on('instances').columns(['client_name', 'token_hash']).execute();
  await db.schema.createIndex('instances_number_idx').on('instances').column('number').execute();

  const perInstance = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('instance_id', 'text', (c) => c.primaryKey().references('instances.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull());

  await perInstance('instance_settings')
    .addColumn('reject_call', t.bool, (c) => c.notNull())
    .addColumn('msg_call', 'text', (c) => c.notNull())
    .addColumn('groups_ignore', t.bool, (c) => c.notNull())
    .addColumn('always_online', t.bool, (c) => c.notNull())
    .addColumn('read_messages', t.bool, (c) => c.notNull())
    .addColumn('read_status', t.bool, (c) => c.notNull())
    .addColumn('sync_full_history', t.bool, (c) => c.notNull())
    .addColumn('wavoip_token', 'text', (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  await perInstance('instance_proxies')
    .addColumn('enabled', t.bool, (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('password', 'text', (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  const owned = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'));

  // One chat per instance + remoteJid (Evolution inserts a new chat row per message).
  await owned('chats')
    .addColumn('remote_jid', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('unread_messages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_at', t.time)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addUniqueConstraint('chats_instance_jid_uq', ['instance_id', 'remote_jid'])
    .execute();

  await owned('contacts')
    .addColumn('remote_jid', 'text', (c) => c.notNull())
    .addColumn('push_name', 'text')
    .addColumn('profile_pic_url', 'text')
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addUniqueConstraint('contacts_instance_jid_uq', ['instance_id', 'remote_jid'])
    .execute();

  // One message per instance + provider message id: redeliveries by a provider are deduplicated here.
  await owned('messages')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('remote_jid', 'text', (c) => c.notNull())
    .addColumn('from_me', t.bool, (c) => c.notNull())
    .addColumn('participant', 'text')
    .addColumn('push_name', 'text')
    .addColumn('message_type', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('context_info', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message_timestamp', t.time, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addUniqueConstraint('messages_instance_msgid_uq', ['instance_id', 'message_id'])
    .execute();
  await db.schema
    .createIndex('messages_chat_time_idx')
    .on('messages')
    .columns(['instance_id', 'remote_jid', 'message_timestamp'])
    .execute();
}
