// Global endpoints come from the environment; they are stored as endpoint rows (fixed ids) so their deliveries are
// durable like any other. Evolution's global switches cover 28 events; Parley accepts all 31.
import type { EventsConfig } from '../config/events-env.js';
import type { Transport } from '../domain/delivery.js';
import { DEFAULT_EVENT_NAMES } from '../domain/events.js';
import type { EndpointSettings } from '../ports/events.js';
import type { Store } from '../ports/store.js';

export const globalEndpointId = (transport: Transport) => `global:${transport}`;

export function globalEndpointSettings(events: EventsConfig): [Transport, EndpointSettings][] {
  const w = events.webhook;
  const p = events.pusher;
  return [
    ['webhook', {
      enabled: w.globalEnabled && w.globalUrl !== undefined,
      events: w.globalEvents,
      config: { url: w.globalUrl ?? '', byEvents: w.globalByEvents, headers: {}, ...(w.globalSecret ? { secret: w.globalSecret } : {}) },
    }],
    ['websocket', { enabled: events.websocket.enabled && events.websocket.globalEvents, events: [...DEFAULT_EVENT_NAMES], config: {} }],
    ['rabbitmq', { enabled: events.rabbitmq.enabled && events.rabbitmq.globalEnabled, events: events.rabbitmq.globalEvents, config: {} }],
    ['nats', { enabled: events.nats.enabled && events.nats.globalEnabled, events: events.nats.globalEvents, config: {} }],
    ['sqs', { enabled: events.sqs.enabled && events.sqs.globalEnabled, events: events.sqs.globalEvents, config: {} }],
    ['kafka', { enabled: events.kafka.enabled && events.kafka.globalEnabled, events: events.kafka.globalEvents, config: {} }],
    ['mqtt', { enabled: events.mqtt.enabled && events.mqtt.globalEnabled, events: events.mqtt.globalEvents, config: {} }],
    ['pusher', {
      enabled: p.enabled && p.globalEnabled,
      events: p.globalEvents,
      config: { appId: p.globalAppId, key: p.globalKey, secret: p.globalSecret, cluster: p.globalCluster, useTLS: p.globalUseTls },
    }],
  ];
}

/** Writes the environment's global endpoints; ones switched off stay stored, disabled, so their history remains. */
export async function syncGlobalEndpoints(store: Store, events: EventsConfig, at: Date): Promise<void> {
  for (const [transport, settings] of globalEndpointSettings(events)) {
    const id = globalEndpointId(transport);
    if (!settings.enabled && (await store.endpoints.findById(id)) === null) continue;
    await store.endpoints.upsertGlobal(id, transport, settings, at);
  }
}
