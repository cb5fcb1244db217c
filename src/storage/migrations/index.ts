// The ordered migration set, run on both SQLite and PostgreSQL. Append; never edit a shipped migration.
import type { Migration } from 'kysely';
import * as m001 from './001-instances.js';
import * as m002 from './002-events.js';
import * as m003 from './003-instance-opened.js';
import * as m004 from './004-messages.js';

export const migrations: Record<string, Migration> = {
  '001-instances': m001,
  '002-events': m002,
  '003-instance-opened': m003,
  '004-messages': m004,
};
