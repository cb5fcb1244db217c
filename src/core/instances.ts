// Instance use cases: create, list, connect, restart, state, presence, logout, delete, resume at boot.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { badRequest, instanceNotConnected, nameInUse, notFound, unauthorized } from '../domain/errors.js';
import {
  DEFAULT_SETTINGS,
  initialConnectionState,
  type ConnectionState,
  type Instance,
  type InstanceSettings,
  type Integration,
  type Presence,
  type ProxySettings,
} from '../domain/instance.js';
import type { NewEvent } from '../domain/events.js';
import type { ConnectionNotice, ConnectResult, QrCode } from '../ports/channel.js';
import type { Clock } from '../ports/clock.js';
import type { LifecycleEventData } from '../ports/event-data.js';
import type { EndpointSettings } from '../ports/events.js';
import type { ConnectionPatch, InstanceView, Store, StoredRow } from '../ports/store.js';
import type { Transport } from '../domain/delivery.js';
import { sha256Hex } from '../lib/secrets.js';
import type { ChannelHost } from './channel-host.js';

export interface CreateInstanceInput {
  name: string;
  integration: Integration;
  token?: string;
  number?: string;
  businessId?: string;
  /** Initial state asked for a non-Baileys channel (Evolution's `status`). */
  status?: ConnectionState;
  settings: Partial<InstanceSettings>;
  proxy?: ProxySettings;
  /** Event transports configured in the create body (`webhook`, `rabbitmq` …), stored with the instance. */
  endpoints?: { transport: Transport; settings: EndpointSettings }[];
}

export interface CreatedInstance {
  instance: Instance;
  settings: StoredRow<InstanceSettings>;
  proxy: StoredRow<ProxySettings> | null;
}

export interface InstanceListQuery {
  name?: string;
  id?: string;
  number?: string;
  /** Set when the caller authenticated with an instance token: only instances with that token are visible. */
  token?: string;
}

export interface InstanceServiceOptions {
  clientName: string;
  /** Keys that must never become an instance token (the global key). */
  reservedTokens: string[];
  eventData: LifecycleEventData;
  /** Resolves once this node's dispatcher serves endpoints created here (e.g. a webhook given at create). */
  onEndpointsChanged?: () => Promise<void>;
}

export class InstanceService {
  constructor(
    private readonly store: Store,
    private readonly channels: ChannelHost,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: InstanceServiceOptions,
  ) {}

  channelAvailable(integration: Integration): boolean {
    return this.channels.isAvailable(integration);
  }

  async create(input: CreateInstanceInput): Promise<CreatedInstance> {
    if (input.integration === 'WHATSAPP-BUSINESS') {
      if (!input.token) throw badRequest('token is required');
      if (!input.number) throw badRequest('number is required');
    }
    if (input.integration === 'EVOLUTION' && !input.number) throw badRequest('number is required');
    const token = input.token ?? randomUUID().toUpperCase();
    if (this.options.reservedTokens.includes(token)) throw badRequest('token must not be the global API key');

    const now = this.clock.now();
    const available = this.channels.isAvailable(input.integration);
    const state =
      available && input.integration !== 'WHATSAPP-BAILEYS' && input.status !== undefined
        ? input.status
        : initialConnectionState(input.integration, available);
    const instance: Instance = {
      id: randomUUID(),
      name: input.name,
      clientName: this.options.clientName,
      integration: input.integration,
      connectionStatus: state,
      ownerJid: null,
      profileName: null,
      profilePicUrl: null,
      number: input.number ?? null,
      businessId: input.businessId ?? null,
      token,
      disconnectionReasonCode: null,
      disconnectionObject: null,
      disconnectionAt: null,
      createdAt: now,
      updatedAt: now,
    };
    const settings: InstanceSettings = { ...DEFAULT_SETTINGS, ...definedOnly(input.settings) };

    const created = await this.store.transaction(async (tx) => {
      if (!(await tx.instances.insert(instance, sha256Hex(token)))) return undefined;
      const storedSettings = await tx.settings.upsert(instance.id, settings, now);
      const storedProxy = input.proxy ? await tx.proxies.upsert(instance.id, input.proxy, now) : null;
      // Endpoints first, so the instance's own webhook receives its INSTANCE_CREATE.
      for (const e of input.endpoints ?? []) await tx.endpoints.upsertForInstance(instance.id, e.transport, e.settings, now);
      await tx.outbox.append([this.event(instance, 'INSTANCE_CREATE', this.options.eventData.instanceCreate(instance))], now);
      return { instance, settings: storedSettings, proxy: storedProxy };
    });
    if (created === undefined) throw nameInUse(input.name);
    if ((input.endpoints?.length ?? 0) > 0) await this.options.onEndpointsChanged?.();
    this.logger.info({ instance: instance.name, integration: instance.integration }, 'instance created');
    return created;
  }

  async list(query: InstanceListQuery): Promise<InstanceView[]> {
    // No stored value holds a NUL character (bodies with one are refused), so such a filter matches nothing.
    const impossible = [query.name, query.id, query.number].find((v) => v?.includes('\u0000'));
    // An instance token must match some instance before any filter can reveal what exists.
    if (query.token !== undefined) {
      const own = await this.store.instances.list({ clientName: this.options.clientName, tokenHash: sha256Hex(query.token) });
      if (own.length === 0) throw unauthorized();
    }
    if (impossible !== undefined) throw notFound(`Instance "${impossible}" not found`);
    const views = await this.store.instances.list({
      clientName: this.options.clientName,
      name: query.name,
      id: query.id,
      number: query.number,
      tokenHash: query.token === undefined ? undefined : sha256Hex(query.token),
    });
    if (views.length === 0) {
      if (query.name !== undefined) throw notFound(`Instance "${query.name}" not found`);
      if (query.id !== undefined) throw notFound(`Instance "${query.id}" not found`);
      if (query.number !== undefined) throw notFound(`Instance with number "${query.number}" not found`);
    }
    return views;
  }

  /** Connect (or report the current state). Non-open instances of an available channel start connecting. */
  async connect(instance: Instance, pairingNumber?: string): Promise<ConnectResult> {
    const connection = this.channels.connection(instance);
    return connection.connect({ pairingNumber });
  }

  async restart(instance: Instance): Promise<ConnectResult> {
    this.channels.factory(instance.integration);
    if (instance.connectionStatus === 'close') throw instanceNotConnected(instance.name);
    return this.channels.connection(instance).restart();
  }

  async setPresence(instance: Instance, presence: Presence): Promise<void> {
    const factory = this.channels.factory(instance.integration);
    if (!factory.capabilities.has('presence')) throw badRequest(factory.unsupportedMessage);
    if (instance.connectionStatus !== 'open') throw instanceNotConnected(instance.name);
    await this.channels.connection(instance).setPresence(presence);
  }

  /** Unlinks the account; finishes before it answers, so a client reading right after sees `close`. */
  async logout(instance: Instance): Promise<void> {
    if (instance.connectionStatus === 'close') throw instanceNotConnected(instance.name);
    this.channels.factory(instance.integration);
    await this.channels.connection(instance).logout();
    await this.channels.release(instance.id);
    await this.applyConnection(instance.id, { connectionStatus: 'close' }, (current) => [
      this.event(current, 'LOGOUT_INSTANCE', null),
    ]);
  }

  /**
   * Stores a connection change and its events in one transaction: CONNECTION_UPDATE when the state changed, plus
   * whatever `extra` adds. Channels report through here.
   */
  async applyConnection(
    instanceId: string,
    patch: ConnectionPatch,
    extra: (current: Instance) => NewEvent[] = () => [],
    notice: ConnectionNotice = {},
  ): Promise<void> {
    const now = this.clock.now();
    const data = this.options.eventData;
    await this.store.transaction(async (tx) => {
      const before = await tx.instances.findById(instanceId);
      if (before === undefined) return;
      await tx.instances.updateConnection(instanceId, patch, now);
      const after: Instance = { ...before, ...patch, updatedAt: now };
      const events: NewEvent[] = [];
      if (notice.qrLimitReached) {
        events.push(this.event(after, 'QRCODE_UPDATED', data.qrcodeLimitReached()));
        events.push(this.event(after, 'CONNECTION_UPDATE', data.connectionUpdate(after, { state: 'refused', statusReason: 428 })));
      }
      if (notice.statusInstance) events.push(this.event(after, 'STATUS_INSTANCE', data.statusInstance(after)));
      if (notice.loggedOut) events.push(this.event(after, 'LOGOUT_INSTANCE', null));
      if (patch.connectionStatus !== undefined && patch.connectionStatus !== before.connectionStatus) {
        events.push(this.event(after, 'CONNECTION_UPDATE', data.connectionUpdate(after, { state: patch.connectionStatus, statusReason: notice.statusReason })));
      }
      events.push(...extra(after));
      await tx.outbox.append(events, now);
    });
  }

  /** A channel's new QR (or pairing) code: the state becomes `connecting` and QRCODE_UPDATED is emitted, together. */
  async qrUpdated(instanceId: string, qr: QrCode): Promise<void> {
    await this.applyConnection(instanceId, { connectionStatus: 'connecting' }, (current) => [
      this.event(current, 'QRCODE_UPDATED', this.options.eventData.qrcodeUpdated(current, qr)),
    ]);
  }

  private event(instance: Instance, event: NewEvent['event'], data: unknown): NewEvent {
    return { event, instanceId: instance.id, instanceName: instance.name, data, sender: instance.ownerJid };
  }

  /** Logs out if connected, then removes the instance and everything it owns; finishes before it answers. */
  async delete(instance: Instance): Promise<void> {
    const live = this.channels.existing(instance.id);
    if (live !== undefined && instance.connectionStatus !== 'close') {
      await live.logout().catch((error: unknown) =>
        this.logger.warn({ instance: instance.name, err: error }, 'logout before delete failed; deleting anyway'),
      );
    }
    await this.channels.release(instance.id);
    const now = this.clock.now();
    await this.store.transaction(async (tx) => {
      // The events are fanned out to the instance's endpoints before those stop taking new events; they stay until
      // these deliveries drain.
      await tx.outbox.append(
        [this.event(instance, 'INSTANCE_DELETE', this.options.eventData.instanceDelete(instance)), this.event(instance, 'REMOVE_INSTANCE', null)],
        now,
      );
      await tx.instances.delete(instance.id);
      await tx.endpoints.removeForInstance(instance.id, now);
    });
    this.logger.info({ instance: instance.name }, 'instance deleted');
  }

  /** Boot: reopen the connection of every stored instance whose channel is installed. */
  async resumeAll(): Promise<number> {
    const instances = await this.store.instances.listAll(this.options.clientName);
    let resumed = 0;
    for (const instance of instances) {
      if (!this.channels.isAvailable(instance.integration)) continue;
      try {
        await this.channels.connection(instance).connect({ resume: true });
        resumed += 1;
      } catch (error) {
        this.logger.error({ instance: instance.name, err: error }, 'could not resume instance');
      }
    }
    return resumed;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
