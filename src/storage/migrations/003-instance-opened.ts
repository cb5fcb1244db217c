// Remembers whether an instance ever reached `open`: DEL_INSTANCE only deletes instances that never did.
import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('instances').addColumn('opened_at', columnTypes(db).time).execute();
}
