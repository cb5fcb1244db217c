// DATABASE_URL → an embedded SQLite file (default) or PostgreSQL, both through Kysely, migrated on open.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/load.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export interface OpenDatabase {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
}

const INT8_OID = 20;

export async function openDatabase(config: DatabaseConfig): Promise<OpenDatabase> {
  const opened = config.dialect === 'sqlite' ? openSqlite(config.file) : await openPostgres(config);
  try {
    // Kysely looks for its migration tables across all schemas; pin it to ours, or another schema's tables fool it.
    await migrate(opened.db, config.dialect === 'postgres' ? (config.schema ?? 'public') : undefined);
  } catch (error) {
    await opened.db.destroy();
    throw error;
  }
  return opened;
}

function openSqlite(file: string): OpenDatabase {
  mkdirSync(path.dirname(file), { recursive: true });
  const database = new SQLite(file);
  // WAL + NORMAL survives a process crash (kill -9) with every committed transaction intact.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }), dialect: 'sqlite' };
}

/**
 * Kysely prepares every query anew; preparing is a large share of a small query's cost. Queries are few distinct SQL
 * texts (parameters are bound), so statements are cached by text. One connection, used one query at a time.
 */
function withStatementCache(database: SQLite.Database, limit = 1000): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = database.prepare(text);
        if (cache.size >= limit) cache.delete(cache.keys().next().value!);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

async function openPostgres(config: Extract<DatabaseConfig, { dialect: 'postgres' }>): Promise<OpenDatabase> {
  if (config.schema !== undefined) {
    // The schema must exist before a pool whose search_path names it can be used.
    const client = new pg.Client({ connectionString: config.url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${config.schema}"`);
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    ...(config.schema !== undefined ? { options: `-c search_path=${config.schema}` } : {}),
    types: {
      // Epoch-millisecond columns are bigint; they fit a JS number exactly.
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres' };
}

async function migrate(db: Kysely<Database>, migrationTableSchema: string | undefined): Promise<void> {
  const migrator = new Migrator({ db, migrationTableSchema, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
}

export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
