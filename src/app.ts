// Composition of one Parley node: storage, core services, channels, HTTP. Used by main.ts and by tests.
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/load.js';
import { builtInChannels } from './channels/registry.js';
import { ChannelHost } from './core/channel-host.js';
import { InstanceConfigService } from './core/instance-config.js';
import { InstanceReaper } from './core/instance-reaper.js';
import { InstanceService } from './core/instances.js';
import { buildHttpServer } from './http/server.js';
import type { ChannelFactory } from './ports/channel.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { Store } from './ports/store.js';
import { openDatabase } from './storage/db.js';
import { createStore } from './storage/store.js';

export interface ParleyOptions {
  config: Config;
  apiKey: string;
  logger: Logger;
  clock?: Clock;
  /** Replaces the built-in channel registry (tests install fake channels). */
  channels?: ChannelFactory[];
}

export interface Parley {
  http: FastifyInstance;
  store: Store;
  instances: InstanceService;
  reaper: InstanceReaper | undefined;
  /** Listens on the configured host/port and resumes stored instances; resolves with the bound address. */
  start(): Promise<string>;
  /** Stops accepting, finishes in-flight requests, closes channels and the database. */
  stop(): Promise<void>;
}

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export async function createParley(options: ParleyOptions): Promise<Parley> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const store = createStore(await openDatabase(config.database));

  const channels = new ChannelHost(
    options.channels ?? builtInChannels(),
    (instance) => ({
      connectionChanged: (patch) => store.instances.updateConnection(instance.id, patch, clock.now()),
    }),
    logger,
  );
  const instances = new InstanceService(store, channels, clock, logger, {
    clientName: config.clientName,
    reservedTokens: [options.apiKey],
  });
  const instanceConfig = new InstanceConfigService(store, clock);
  const reaper =
    config.deleteInstanceAfterMinutes === false
      ? undefined
      : new InstanceReaper(store, instances, clock, logger, {
          clientName: config.clientName,
          minutes: config.deleteInstanceAfterMinutes,
        });

  const http = await buildHttpServer({
    ctx: { config, version, instances, instanceConfig, ping: () => store.ping() },
    store,
    apiKey: options.apiKey,
    logger,
  });

  let stopping: Promise<void> | undefined;
  return {
    http,
    store,
    instances,
    reaper,
    async start() {
      const address = await http.listen({ host: config.host, port: config.port });
      const resumed = await instances.resumeAll();
      reaper?.start();
      logger.info({ address, resumed, database: store.dialect }, 'Parley is listening');
      return address;
    },
    stop() {
      stopping ??= (async () => {
        reaper?.stop();
        await http.close();
        await channels.closeAll();
        await store.close();
      })();
      return stopping;
    },
  };
}

export { version as parleyVersion };
