// The Kysely-backed Store: repositories plus transactions.
import type { Kysely } from 'kysely';
import type { Repositories, Store } from '../ports/store.js';
import { pingDatabase, type OpenDatabase } from './db.js';
import type { Database } from './schema.js';
import { KyselyInstanceRepository } from './repositories/instances.js';
import { KyselyProxyRepository } from './repositories/proxies.js';
import { KyselySettingsRepository } from './repositories/settings.js';

function repositories(db: Kysely<Database>): Repositories {
  return {
    instances: new KyselyInstanceRepository(db),
    settings: new KyselySettingsRepository(db),
    proxies: new KyselyProxyRepository(db),
  };
}

export function createStore({ db, dialect }: OpenDatabase): Store {
  return {
    dialect,
    ...repositories(db),
    transaction: (work) => db.transaction().execute((trx) => work(repositories(trx))),
    ping: () => pingDatabase(db),
    close: () => db.destroy(),
  };
}
