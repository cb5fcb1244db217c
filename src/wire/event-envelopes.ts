// Evolution's event envelopes, one function per transport format (compat §5.2). Each event is rendered once per
// delivery from the stored event; the same bytes are sent and signed.
import type { Endpoint, Transport } from '../domain/delivery.js';
import type { StoredEvent } from '../domain/events.js';
import type { OutgoingEvent } from '../ports/event-sink.js';
import { entryOf } from '../events/catalogue.js';

export interface EnvelopeContext {
  serverUrl: string;
  serverName: string;
  /** The instance token, when AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES=true; else null. */
  apikey: string | null;
  /** Media bytes (base64) put in `data.message.base64` for endpoints with `base64` on. */
  inlineMedia?: string;
}

/** The message key id of a message event whose media an endpoint may want inline, else undefined. */
export function mediaKeyIdOf(endpoint: Endpoint, event: StoredEvent): string | undefined {
  if (endpoint.config.base64 !== true || (event.event !== 'MESSAGES_UPSERT' && event.event !== 'SEND_MESSAGE')) return undefined;
  const data = event.data as { key?: { id?: string }; message?: Record<string, unknown> } | null;
  const message = data?.message;
  if (message === undefined || typeof message.base64 === 'string') return undefined;
  const hasMedia = ['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage', 'ptvMessage'].some((k) => k in message);
  return hasMedia ? data?.key?.id : undefined;
}

function base(event: StoredEvent, ctx: EnvelopeContext) {
  const data =
    ctx.inlineMedia === undefined
      ? event.data
      : { ...(event.data as Record<string, unknown>), message: { ...((event.data as { message: Record<string, unknown> }).message), base64: ctx.inlineMedia } };
  return {
    event: entryOf(event.event).wire,
    instance: event.instanceName,
    data,
    server_url: ctx.serverUrl,
    // Evolution labels local time as UTC; Parley sends the real UTC instant.
    date_time: event.createdAt.toISOString(),
    sender: event.sender ?? undefined,
    apikey: ctx.apikey,
  };
}

/** The webhook URL an event goes to: the endpoint URL, plus `/<suffix>` when `byEvents` is on. */
export function webhookDestination(endpoint: Endpoint, event: StoredEvent): string {
  const url = String(endpoint.config.url ?? '');
  return endpoint.config.byEvents === true ? `${url.replace(/\/+$/, '')}/${entryOf(event.event).suffix}` : url;
}

function payloadFor(transport: Transport, endpoint: Endpoint, event: StoredEvent, ctx: EnvelopeContext): Record<string, unknown> {
  const b = base(event, ctx);
  switch (transport) {
    case 'webhook': {
      const { event: name, instance, data, server_url, date_time, sender, apikey } = b;
      return { event: name, instance, data, destination: webhookDestination(endpoint, event), date_time, sender, server_url, apikey };
    }
    case 'pusher': {
      const data = event.event === 'QRCODE_UPDATED' ? withoutQrBase64(b.data) : b.data;
      return { event: b.event, instance: b.instance, data, destination: String(endpoint.config.appId ?? ''), date_time: b.date_time, sender: b.sender, server_url: b.server_url, apikey: b.apikey };
    }
    case 'kafka':
      return { ...b, timestamp: event.createdAt.getTime() };
    case 'sqs':
      return { event: b.event, instance: b.instance, dataType: 'json', data: b.data, server: ctx.serverName, server_url: b.server_url, date_time: b.date_time, sender: b.sender, apikey: b.apikey };
    default:
      return b;
  }
}

function withoutQrBase64(data: unknown): unknown {
  const d = data as { qrcode?: Record<string, unknown> } | null;
  if (d?.qrcode === undefined) return data;
  const { base64: _dropped, ...qrcode } = d.qrcode;
  return { ...d, qrcode };
}

export function renderEvent(transport: Transport, endpoint: Endpoint, event: StoredEvent, ctx: EnvelopeContext): OutgoingEvent {
  const entry = entryOf(event.event);
  const payload = payloadFor(transport, endpoint, event, ctx);
  return {
    id: event.id,
    name: event.event,
    wireName: entry.wire,
    suffix: entry.suffix,
    instanceId: event.instanceId,
    instanceName: event.instanceName,
    chatKey: event.chatKey ?? null,
    createdAt: event.createdAt,
    payload,
    body: JSON.stringify(payload),
    destination: transport === 'webhook' ? webhookDestination(endpoint, event) : null,
  };
}
