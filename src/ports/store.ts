// Storage ports. To add a storage backend, implement `Store` (see src/storage/store.ts for the Kysely one).
import type { Instance, InstanceSettings, ProxySettings } from '../domain/instance.js';
import type { Endpoint } from '../domain/delivery.js';
import type { DeliveryRepository, EndpointRepository, OutboxRepository } from './events.js';
import type { ChatRepository, ContactRepository, MessageRepository, MessageUpdateRepository, ProviderInboxRepository } from './messages.js';
import type { ChannelAuthRepository, IdentityRepository } from './channel-state.js';
import type { LabelRepository } from './labels.js';
import type { ChatbotConfigRepository, ChatbotSessionRepository } from './chatbots.js';

/** A stored 1:1 configuration row of an instance, as Evolution exposes it (`Setting`, `Proxy`, …). */
export type StoredRow<T> = T & { id: string; instanceId: string; createdAt: Date; updatedAt: Date };

export interface InstanceCounts {
  messages: number;
  contacts: number;
  chats: number;
}

/** An instance with the relations `fetchInstances` shows. */
export interface InstanceView {
  instance: Instance;
  settings: StoredRow<InstanceSettings> | null;
  proxy: StoredRow<ProxySettings> | null;
  /** The instance's event transport configs (webhook, rabbitmq …). */
  endpoints: Endpoint[];
  counts: InstanceCounts;
}

export interface InstanceFilter {
  clientName: string;
  name?: string;
  id?: string;
  number?: string;
  tokenHash?: string;
}

export type ConnectionPatch = Partial<
  Pick<
    Instance,
    | 'connectionStatus'
    | 'ownerJid'
    | 'profileName'
    | 'profilePicUrl'
    | 'disconnectionReasonCode'
    | 'disconnectionObject'
    | 'disconnectionAt'
  >
>;

export interface InstanceRepository {
  /** Inserts; resolves false when the name is taken (unique constraint), so callers need no racy pre-check. */
  insert(instance: Instance, tokenHash: string): Promise<boolean>;
  findByName(name: string): Promise<Instance | undefined>;
  findById(id: string): Promise<Instance | undefined>;
  /** The instance of an integration that a provider routes to by account id (`Instance.number`). */
  findByNumber(clientName: string, integration: string, number: string): Promise<Instance | undefined>;
  list(filter: InstanceFilter): Promise<InstanceView[]>;
  updateConnection(id: string, patch: ConnectionPatch, at: Date): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Instances of this client created before `createdBefore` that never reached `open` (DEL_INSTANCE). */
  listUnopenedCreatedBefore(clientName: string, createdBefore: Date): Promise<Instance[]>;
  /** Every instance of this client, for boot. */
  listAll(clientName: string): Promise<Instance[]>;
}

export interface SettingsRepository {
  find(instanceId: string): Promise<StoredRow<InstanceSettings> | null>;
  upsert(instanceId: string, settings: InstanceSettings, at: Date): Promise<StoredRow<InstanceSettings>>;
}

export interface ProxyRepository {
  find(instanceId: string): Promise<StoredRow<ProxySettings> | null>;
  upsert(instanceId: string, proxy: ProxySettings, at: Date): Promise<StoredRow<ProxySettings>>;
}

export interface Repositories {
  instances: InstanceRepository;
  settings: SettingsRepository;
  proxies: ProxyRepository;
  outbox: OutboxRepository;
  endpoints: EndpointRepository;
  deliveries: DeliveryRepository;
  messages: MessageRepository;
  messageUpdates: MessageUpdateRepository;
  chats: ChatRepository;
  contacts: ContactRepository;
  inbox: ProviderInboxRepository;
  channelAuth: ChannelAuthRepository;
  identities: IdentityRepository;
  labels: LabelRepository;
  /** Chatbot bots, settings rows and OpenAI credentials. */
  chatbots: ChatbotConfigRepository;
  /** Chatbot sessions, the engine's input queue and its outbox cursor. */
  botSessions: ChatbotSessionRepository;
}

export interface Store extends Repositories {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `work` in one database transaction: all of it is stored, or none of it. Events appended through
   * `tx.outbox` are announced to `onEventsCommitted` listeners only after the commit.
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Called after every commit that stored events (node-local wake-up for the dispatcher). */
  onEventsCommitted(listener: (count: number) => void): void;
  close(): Promise<void>;
}
