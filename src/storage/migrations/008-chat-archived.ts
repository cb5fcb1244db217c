// Whether a chat is archived (set by /chat/archiveChat and by WhatsApp's own chat syncs). Existing chats are not.
import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .alterTable('chats')
    .addColumn('archived', t.bool, (c) => c.notNull().defaultTo(t.bool === 'boolean' ? false : 0))
    .execute();
}
