// Column types that differ between the two dialects, so one migration set serves both.
import { PostgresAdapter, type Kysely } from 'kysely';

export interface ColumnTypes {
  bool: 'boolean' | 'integer';
  /** Epoch milliseconds. */
  time: 'bigint' | 'integer';
}

export function columnTypes(db: Kysely<unknown>): ColumnTypes {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return pg ? { bool: 'boolean', time: 'bigint' } : { bool: 'integer', time: 'integer' };
}
