// Composition of one Parley node: storage, core services, channels, the event pipeline, HTTP. Used by main.ts and tests.
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/load.js';
import { builtInChannels } from './channels/registry.js';
import { ChannelHost } from './core/channel-host.js';
import { EventConfigService } from './core/event-config.js';
import { InstanceConfigService } from './core/instance-config.js';
import { InstanceReaper } from './core/instance-reaper.js';
import { InboundPipeline } from './core/inbound.js';
import { ChannelReports } from './core/channel-reports.js';
import { InstanceService } from './core/instances.js';
import { MessagingService } from './core/messaging.js';
import { ConversationQueries } from './core/conversations.js';
import { ChatActionsService } from './core/chat-actions.js';
import { GroupService } from './core/groups.js';
import { LabelService } from './core/labels.js';
import { ProfileService } from './core/profile.js';
import { ProviderWebhooks } from './core/provider-webhooks.js';
import { ChatbotConfigService } from './core/chatbot-config.js';
import { OpenAiCredsService } from './core/openai-creds.js';
import { listOpenAiModels } from './chatbots/providers/openai.js';
import { providerRules } from './wire/chatbots/providers.js';
import { ChatbotEngine } from './chatbots/engine/engine.js';
import { policyFetch } from './chatbots/engine/http.js';
import { builtInChatbotProviders } from './chatbots/providers/registry.js';
import { MessagingChatbotOutlet } from './core/chatbot-outlet.js';
import { ChatbotSessionService } from './core/chatbot-sessions.js';
import type { ChatbotProvider } from './ports/chatbots.js';
import { chatbotEventData } from './wire/chatbots/session-events.js';
import { createBlobStore } from './storage/blobs/index.js';
import type { Transport } from './domain/delivery.js';
import { Dispatcher } from './events/dispatcher.js';
import { syncGlobalEndpoints } from './events/global-endpoints.js';
import { PipelineMetrics } from './events/metrics.js';
import { ChannelMetrics } from './events/channel-metrics.js';
import { builtInSinks } from './events/sink-registry.js';
import { buildHttpServer } from './http/server.js';
import { OutboundPolicy } from './lib/outbound-policy.js';
import { createMediaDownloader } from './lib/media-download.js';
import { secretsEqual } from './lib/secrets.js';
import type { ChannelFactory, ChannelServices } from './ports/channel.js';
import { DEFAULT_SETTINGS, type InstanceSettings } from './domain/instance.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { EventSink, SinkFactory } from './ports/event-sink.js';
import type { Store } from './ports/store.js';
import { openDatabase } from './storage/db.js';
import { createStore } from './storage/store.js';
import { mediaKeyIdOf, renderEvent } from './wire/event-envelopes.js';
import { conversationEventData, lifecycleEventData } from './wire/event-data.js';
import { whatsAppEventData } from './wire/event-data-whatsapp.js';

export interface ParleyOptions {
  config: Config;
  apiKey: string;
  logger: Logger;
  clock?: Clock;
  /** Replaces the built-in channel registry (tests install fake channels). */
  channels?: ChannelFactory[];
  /** Like `channels`, for channels that need the node's services (tests install Baileys with a fake socket). */
  channelsFor?: (services: ChannelServices, config: Config) => ChannelFactory[];
  /** Replaces the built-in transports (tests). */
  sinks?: SinkFactory[];
  /** Replaces the built-in chatbot providers (tests). */
  chatbotProviders?: ChatbotProvider[];
}

export interface Parley {
  http: FastifyInstance;
  store: Store;
  instances: InstanceService;
  dispatcher: Dispatcher | undefined;
  reaper: InstanceReaper | undefined;
  /** The chatbot engine (runs where events are dispatched, PARLEY_DISPATCH=true). */
  chatbotEngine: ChatbotEngine | undefined;
  /** Listens, announces APPLICATION_STARTUP, starts delivering and resumes stored instances; resolves with the address. */
  start(): Promise<string>;
  /** Stops accepting, finishes in-flight requests and deliveries, closes transports, channels and the database. */
  stop(): Promise<void>;
}

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export async function createParley(options: ParleyOptions): Promise<Parley> {
  const { config, logger, apiKey } = options;
  const clock = options.clock ?? systemClock;
  const store = createStore(await openDatabase(config.database));
  const outbound = new OutboundPolicy({ blockPrivate: config.events.blockPrivateTargets });
  // Channels fetch every URL they did not choose through this (client media links, WhatsApp's media CDN).
  const mediaDownloads = createMediaDownloader(outbound, { maxBytes: config.media.maxBytes, timeoutMs: config.media.fetchTimeoutMs });

  const blobs = await createBlobStore(config.media.store);
  const pipeline = new InboundPipeline(store, blobs, clock, logger, conversationEventData);
  let instances: InstanceService | undefined;
  let dispatcher: Dispatcher | undefined;
  let reports: ChannelReports | undefined;
  // A channel's reports go through core, which stores them (and their events) before the channel is answered.
  const current = async (id: string) => (await store.instances.findById(id))!;
  const channelServices: ChannelServices = {
    auth: store.channelAuth,
    identities: store.identities,
    settings: async (id) => {
      const row = await store.settings.find(id);
      return row === null ? DEFAULT_SETTINGS : pickSettings(row);
    },
    proxy: async (id) => {
      const row = await store.proxies.find(id);
      return row === null || !row.enabled || row.host === '' ? undefined : row;
    },
    logger,
    clock,
    media: mediaDownloads,
  };
  const channels = new ChannelHost(
    options.channels ?? options.channelsFor?.(channelServices, config) ?? builtInChannels(config, channelServices),
    (instance) => ({
      connectionChanged: (patch, notice) => instances!.applyConnection(instance.id, patch, undefined, notice),
      qrUpdated: (qr) => instances!.qrUpdated(instance.id, qr),
      received: async (messages) => void (await pipeline.receive(await current(instance.id), messages)),
      statusChanged: async (updates) => pipeline.statuses(await current(instance.id), updates),
      report: async (report) => reports!.handle(await current(instance.id), report),
      findMessage: (keyId) => store.messages.findByKeyId(instance.id, keyId),
    }),
    logger,
  );
  instances = new InstanceService(store, channels, clock, logger, {
    clientName: config.clientName,
    reservedTokens: [apiKey],
    eventData: lifecycleEventData,
    onEndpointsChanged: async () => dispatcher?.refresh(),
  });
  const instanceConfig = new InstanceConfigService(store, clock);
  const messaging = new MessagingService(store, channels, pipeline);
  const conversations = new ConversationQueries(store, blobs, channels, clock);
  const chatActions = new ChatActionsService(store, channels, (instance, patch) => reports!.handle(instance, { kind: 'chats', action: 'update', chats: [patch] }));
  const profiles = new ProfileService(store, channels, chatActions);
  const groups = new GroupService(channels, messaging);
  const labels = new LabelService(store.labels, channels, messaging);
  const providerWebhooks = new ProviderWebhooks(store, channels, pipeline, clock, logger, config.clientName);
  // The engine (built below) caches each instance's bot configuration; changes made here drop it at once.
  const chatbots = new ChatbotConfigService(store, clock, { enabled: config.chatbots.enabled, rules: providerRules, onChanged: (id) => chatbotEngine?.configChanged(id) });
  const openAiCreds = new OpenAiCredsService(store, clock, {
    enabled: config.chatbots.enabled.openai,
    globalKey: config.chatbots.openAiGlobalKey,
    listModels: (apiKey) => listOpenAiModels(fetch, config.chatbots.openAiBaseUrl, apiKey, config.chatbots.timeoutMs),
    onChanged: (id) => chatbotEngine?.configChanged(id),
  });
  // The chatbot engine consumes the outbox like the dispatcher, so it runs on the dispatching node(s).
  const botFetch = policyFetch(outbound);
  const chatbotEngine = !config.events.dispatch
    ? undefined
    : new ChatbotEngine(store, options.chatbotProviders ?? builtInChatbotProviders(), config.chatbots.enabled, new MessagingChatbotOutlet(store, messaging, channels, blobs), chatbotEventData, clock, logger, {
        serverUrl: config.serverUrl,
        globalApiKey: apiKey,
        timeoutMs: config.chatbots.timeoutMs,
        openAiBaseUrl: config.chatbots.openAiBaseUrl,
        openAiGlobalKey: config.chatbots.openAiGlobalKey,
        typebotApiVersion: config.chatbots.typebotApiVersion,
        retryDelaysMs: [2_000, 10_000, 30_000],
        fetch: botFetch.fetch,
        wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        gapWaitMs: 2_000,
        pollIntervalMs: 1_000,
        concurrency: 32,
      });
  const chatbotSessions = new ChatbotSessionService(store, () => chatbotEngine, chatbotEventData, clock);
  const sinkFactories = options.sinks ?? (await builtInSinks(config.events, config.serverName));
  const available = new Set<Transport>(sinkFactories.map((s) => s.transport));
  const eventConfig = new EventConfigService(store, clock, outbound, available, async () => dispatcher?.refresh());
  const metrics = new PipelineMetrics(store, config.clientName);
  reports = new ChannelReports(store, clock, logger, whatsAppEventData, new ChannelMetrics(metrics.registry));
  const reaper =
    config.deleteInstanceAfterMinutes === false
      ? undefined
      : new InstanceReaper(store, instances, clock, logger, { clientName: config.clientName, minutes: config.deleteInstanceAfterMinutes });

  const http = await buildHttpServer({
    ctx: { config, version, instances, instanceConfig, eventConfig, messaging, conversations, providerWebhooks, chatbots, openAiCreds, chatbotSessions, chatActions, profiles, groups, labels, ping: () => store.ping() },
    store,
    apiKey,
    logger,
    metricsRegistry: metrics.registry,
    outbound,
  });

  const sinks = new Map<Transport, EventSink>();
  for (const factory of sinkFactories) {
    sinks.set(
      factory.transport,
      factory.create({
        logger,
        outbound: { check: (url) => outbound.check(url), lookup: (host) => outbound.lookup(host), connectLookup: outbound.connectLookup },
        requestTimeoutMs: config.events.requestTimeoutMs,
        nonRetryableStatuses: new Set(config.events.nonRetryableStatuses),
        httpServer: http.server,
        authorizeSocket: async (key, instanceName) => {
          if (key === undefined || key === '') return false;
          if (secretsEqual(key, apiKey)) return true;
          if (instanceName === null) return false;
          const instance = await store.instances.findByName(instanceName);
          return instance !== undefined && secretsEqual(key, instance.token);
        },
      }),
    );
  }

  const tokens = new Map<string, string | null>();
  const tokenOf = async (instanceId: string | null): Promise<string | null> => {
    if (!config.exposeTokenInEvents || instanceId === null) return null;
    if (!tokens.has(instanceId)) tokens.set(instanceId, (await store.instances.findById(instanceId))?.token ?? null);
    return tokens.get(instanceId) ?? null;
  };
  if (config.events.dispatch) {
    const e = config.events;
    dispatcher = new Dispatcher(store, sinks, clock, logger, {
      render: async (transport, endpoint, event) => {
        const mediaKeyId = mediaKeyIdOf(endpoint, event);
        const inlineMedia = mediaKeyId === undefined || event.instanceId === null ? undefined : await conversations.mediaBase64(event.instanceId, mediaKeyId);
        return renderEvent(transport, endpoint, event, { serverUrl: config.serverUrl, serverName: config.serverName, apikey: await tokenOf(event.instanceId), inlineMedia });
      },
      attempted: metrics.attempted,
    }, {
      schedule: e.retryScheduleMs,
      jitterRatio: e.jitterRatio,
      probeIntervalMs: e.probeIntervalMs,
      concurrency: e.deliveryConcurrency,
      windowSize: 2000,
      pollIntervalMs: 1000,
      retainDeliveredMs: e.retainDeliveredMs,
      retainDeadMs: e.retainDeadMs,
    });
  }

  let stopping: Promise<void> | undefined;
  return {
    http,
    store,
    instances,
    dispatcher,
    reaper,
    chatbotEngine,
    async start() {
      await syncGlobalEndpoints(store, config.events, clock.now());
      const address = await http.listen({ host: config.host, port: config.port });
      await store.transaction((tx) =>
        tx.outbox.append(
          [{ event: 'APPLICATION_STARTUP', instanceId: null, instanceName: null, data: lifecycleEventData.applicationStartup({ serverName: config.serverName, version }) }],
          clock.now(),
        ),
      );
      await dispatcher?.start();
      await chatbotEngine?.start();
      providerWebhooks.start();
      const resumed = await instances.resumeAll();
      reaper?.start();
      if (config.whatsappBusiness.appSecret === undefined) {
        logger.warn('WA_BUSINESS_APP_SECRET is not set: POST /webhook/meta accepts unsigned deliveries; set it to verify X-Hub-Signature-256');
      }
      logger.info({ address, resumed, database: store.dialect, transports: [...sinks.keys()] }, 'Parley is listening');
      return address;
    },
    stop() {
      stopping ??= (async () => {
        reaper?.stop();
        // Connected socket.io clients would hold the HTTP server open: drop them first.
        await sinks.get('websocket')?.close();
        await http.close();
        await providerWebhooks.stop();
        // Turns in progress finish (or stay stored for the next start) before channels and the database close.
        await chatbotEngine?.stop();
        await botFetch.close();
        await dispatcher?.stop();
        await Promise.all([...sinks.values()].map((s) => s.close().catch((error: unknown) => logger.warn({ err: error }, 'closing a transport failed'))));
        await channels.closeAll();
        await mediaDownloads.close();
        await store.close();
      })();
      return stopping;
    },
  };
}

/** The settings fields of a stored settings row (without its id and timestamps). */
function pickSettings(row: InstanceSettings): InstanceSettings {
  const settings = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof InstanceSettings)[]) (settings as Record<string, unknown>)[key] = row[key];
  return settings;
}

export { version as parleyVersion };
