// The Kysely-backed Store: repositories plus transactions.
import type { Kysely } from 'kysely';
import type { Repositories, Store } from '../ports/store.js';
import { pingDatabase, type OpenDatabase } from './db.js';
import type { Database } from './schema.js';
import { KyselyInstanceRepository } from './repositories/instances.js';
import { KyselyChatRepository, KyselyContactRepository } from './repositories/chats.js';
import { KyselyDeliveryRepository } from './repositories/deliveries.js';
import { KyselyInboxRepository } from './repositories/inbox.js';
import { KyselyMessageRepository, KyselyMessageUpdateRepository } from './repositories/messages.js';
import { KyselyEndpointRepository } from './repositories/endpoints.js';
import { FanOutCache } from './repositories/fan-out-cache.js';
import { KyselyOutboxRepository } from './repositories/outbox.js';
import { KyselyProxyRepository } from './repositories/proxies.js';
import { KyselySettingsRepository } from './repositories/settings.js';
import { KyselyChannelAuthRepository } from './repositories/channel-auth.js';
import { KyselyIdentityRepository } from './repositories/identities.js';
import { KyselyLabelRepository } from './repositories/labels.js';
import { KyselyChatbotConfigRepository } from './repositories/chatbot-config.js';
import { KyselyChatbotSessionRepository } from './repositories/chatbot-sessions.js';

function repositories(db: Kysely<Database>, onAppended: (count: number) => void, fanOut: FanOutCache): Repositories {
  return {
    instances: new KyselyInstanceRepository(db),
    settings: new KyselySettingsRepository(db),
    proxies: new KyselyProxyRepository(db),
    outbox: new KyselyOutboxRepository(db, onAppended, fanOut),
    endpoints: new KyselyEndpointRepository(db, () => fanOut.invalidate()),
    deliveries: new KyselyDeliveryRepository(db),
    messages: new KyselyMessageRepository(db),
    messageUpdates: new KyselyMessageUpdateRepository(db),
    chats: new KyselyChatRepository(db),
    contacts: new KyselyContactRepository(db),
    inbox: new KyselyInboxRepository(db),
    channelAuth: new KyselyChannelAuthRepository(db),
    identities: new KyselyIdentityRepository(db),
    labels: new KyselyLabelRepository(db),
    chatbots: new KyselyChatbotConfigRepository(db),
    botSessions: new KyselyChatbotSessionRepository(db),
  };
}

export function createStore({ db, dialect }: OpenDatabase): Store {
  const listeners: ((count: number) => void)[] = [];
  const fanOut = new FanOutCache();
  const announce = (count: number) => {
    for (const listener of listeners) listener(count);
  };
  return {
    dialect,
    ...repositories(db, announce, fanOut),
    async transaction(work) {
      // Events appended inside the transaction are announced only once it has committed.
      let appended = 0;
      const result = await db.transaction().execute((trx) => work(repositories(trx, (n) => (appended += n), fanOut)));
      if (appended > 0) announce(appended);
      return result;
    },
    ping: () => pingDatabase(db),
    onEventsCommitted: (listener) => listeners.push(listener),
    close: () => db.destroy(),
  };
}
