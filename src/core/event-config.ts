// Per-instance event transports (`/webhook/set`, `/rabbitmq/set` …) and the delivery API (list, replay, re-enable).
import { badRequest, notFound } from '../domain/errors.js';
import type { DeliveryStatus, Endpoint, Transport } from '../domain/delivery.js';
import { DEFAULT_EVENT_NAMES, type EventName } from '../domain/events.js';
import type { Instance } from '../domain/instance.js';
import type { Clock } from '../ports/clock.js';
import type { EndpointSettings } from '../ports/events.js';
import type { Store } from '../ports/store.js';

/** Checks that Parley may send to a URL (scheme, resolved address); throws with the reason otherwise. */
export interface OutboundCheck {
  check(url: URL): Promise<void>;
}

export interface TransportRequest {
  enabled: boolean;
  /** Resolved event names; empty or absent with `enabled` = every event. */
  events?: EventName[];
  config: Record<string, unknown>;
}

export interface DeliveryListQuery {
  status?: DeliveryStatus;
  eventId?: string;
  from?: Date;
  to?: Date;
  endpointId?: string;
  limit: number;
  beforeSeq?: number;
}

export class EventConfigService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly outbound: OutboundCheck,
    /** Transports switched on by the environment (webhook always is). */
    private readonly available: ReadonlySet<Transport>,
    /** Resolves once this node's dispatcher uses the new configuration. */
    private readonly onEndpointsChanged: () => Promise<void>,
  ) {}

  isAvailable(transport: Transport): boolean {
    return this.available.has(transport);
  }

  /** Evolution's rules: disabled stores no events; enabled with none listed means all of them. */
  static settingsOf(request: TransportRequest): EndpointSettings {
    const events = !request.enabled ? [] : request.events === undefined || request.events.length === 0 ? [...DEFAULT_EVENT_NAMES] : [...new Set(request.events)];
    return { enabled: request.enabled, events, config: request.config };
  }

  async checkUrl(field: string, url: string): Promise<void> {
    try {
      await this.outbound.check(new URL(url));
    } catch (error) {
      throw badRequest(`${field} ${url} is not allowed: ${error instanceof Error ? (error as { reason?: string }).reason ?? error.message : String(error)}`);
    }
  }

  async set(instance: Instance, transport: Transport, request: TransportRequest): Promise<Endpoint> {
    if (!this.isAvailable(transport)) throw badRequest(`${transport} events are disabled on this server: set ${transport.toUpperCase()}_ENABLED=true`);
    const endpoint = await this.store.endpoints.upsertForInstance(instance.id, transport, EventConfigService.settingsOf(request), this.clock.now());
    await this.onEndpointsChanged();
    return endpoint;
  }

  async find(instance: Instance, transport: Transport): Promise<Endpoint | null> {
    if (!this.isAvailable(transport)) throw badRequest(`${transport} events are disabled on this server: set ${transport.toUpperCase()}_ENABLED=true`);
    return this.store.endpoints.findForInstance(instance.id, transport);
  }

  listEndpoints(instance: Instance): Promise<Endpoint[]> {
    return this.store.endpoints.listForInstance(instance.id);
  }

  /** Turns an endpoint back on (e.g. after its receiver answered 410) and resumes its pending deliveries. */
  async enableEndpoint(instance: Instance, endpointId: string): Promise<Endpoint> {
    const endpoint = await this.store.endpoints.findById(endpointId);
    if (endpoint === null || endpoint.instanceId !== instance.id) throw notFound(`Endpoint "${endpointId}" not found`);
    await this.store.endpoints.setEnabled(endpoint.id, true, null, this.clock.now());
    await this.onEndpointsChanged();
    return (await this.store.endpoints.findById(endpoint.id))!;
  }

  /** Deliveries of the instance's events; callers with an instance token see only the instance's own endpoints. */
  listDeliveries(instance: Instance, query: DeliveryListQuery, includeGlobal: boolean) {
    return this.store.deliveries.list({ instanceId: instance.id, ownEndpointsOnly: !includeGlobal, ...query });
  }

  async replay(instance: Instance, query: Omit<DeliveryListQuery, 'limit' | 'beforeSeq'>, includeGlobal: boolean): Promise<number> {
    const count = await this.store.deliveries.replay({ instanceId: instance.id, ownEndpointsOnly: !includeGlobal, ...query }, this.clock.now());
    await this.onEndpointsChanged();
    return count;
  }
}
