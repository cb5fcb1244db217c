// Helpers for repositories that write many rows at once, portable across SQLite and PostgreSQL.
import { PostgresAdapter, sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { Database } from '../schema.js';

export const isPostgres = (db: Kysely<Database>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/** Runs `work` in a transaction: the caller's when there is one (Store.transaction), else a new one. */
export function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute((trx: Transaction<Database>) => work(trx));
}

/**
 * `column IN (values)` as a single bound parameter, so the SQL text does not depend on how many values there are
 * (SQLite caches prepared statements by text; PostgreSQL gets no parameter-count limit).
 */
export function inList(db: Kysely<Database>, column: string, values: readonly string[]): Expression<SqlBool> {
  return isPostgres(db)
    ? sql<SqlBool>`${sql.ref(column)} = any(${[...values]})`
    : sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;
}

/**
 * Rows per multi-row statement: one on SQLite (in-process, the single statement text stays cached), several hundred
 * on PostgreSQL (fewer round trips, well under its 65 535 parameter limit).
 */
export const rowsPerStatement = (db: Kysely<Database>): number => (isPostgres(db) ? 500 : 1);

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
