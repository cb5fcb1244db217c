// The databases every storage-touching test runs on: SQLite always; PostgreSQL when PARLEY_TEST_DATABASE_URL is set
// (CI sets it, and then a connection failure fails the test instead of skipping it).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Value for DATABASE_URL. */
  url: string;
  /** Data directory for this server (API key file, SQLite file, media). */
  dataDir: string;
  /** Removes everything this database holds. */
  drop(): Promise<void>;
}

export interface DatabaseKind {
  name: 'sqlite' | 'postgres';
  create(): Promise<TestDatabase>;
}

const sqlite: DatabaseKind = {
  name: 'sqlite',
  async create() {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
    return {
      url: path.join(dataDir, 'parley.sqlite'),
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
};

function postgres(baseUrl: string): DatabaseKind {
  return {
    name: 'postgres',
    async create() {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const url = new URL(baseUrl);
      url.searchParams.set('schema', schema);
      return {
        url: url.toString(),
        dataDir,
        drop: async () => {
          const client = new pg.Client({ connectionString: baseUrl });
          await client.connect();
          try {
            await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          } finally {
            await client.end();
          }
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  };
}

export function databaseKinds(): DatabaseKind[] {
  const pgUrl = process.env.PARLEY_TEST_DATABASE_URL;
  return pgUrl ? [sqlite, postgres(pgUrl)] : [sqlite];
}
