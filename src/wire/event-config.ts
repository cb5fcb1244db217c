// `/webhook|websocket|rabbitmq|nats|sqs|kafka|mqtt|pusher/set|find` bodies and rows (compat §3.9), plus the
// transport objects of `/instance/create`.
import { z } from 'zod';
import type { Endpoint, Transport } from '../domain/delivery.js';
import type { EventName } from '../domain/events.js';
import { isValidWebhookSecret } from '../lib/standard-webhooks.js';
import { resolveEventName } from '../events/catalogue.js';
import { iso } from './common.js';

/** Event names in any spelling (`MESSAGES_UPSERT`, `messages.upsert`, `GROUPS_UPDATE`) → config names. */
export const eventsField = z
  .array(z.string())
  .optional()
  .transform((names, ctx) => {
    if (names === undefined) return undefined;
    const resolved: EventName[] = [];
    names.forEach((name, index) => {
      const event = resolveEventName(name);
      if (event === undefined) ctx.addIssue({ code: 'custom', path: [index], message: `events[${index}] "${name}" is not a known event` });
      else resolved.push(event);
    });
    return resolved;
  });

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);

export const headersField = z
  .record(z.string(), z.string())
  .optional()
  .superRefine((headers, ctx) => {
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `headers: "${name}" is not a valid header name` });
      else if (RESERVED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: [name], message: `headers: "${name}" is set by Parley and cannot be overridden` });
      if (/[\r\n\0]/.test(value)) ctx.addIssue({ code: 'custom', path: [name], message: `headers: the value of "${name}" must not contain line breaks` });
    }
  });

const httpUrl = z.string().refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), { error: 'must be an http(s) URL' });

export const webhookFields = z.object({
  enabled: z.boolean(),
  url: z.string(),
  headers: headersField,
  byEvents: z.boolean().optional(),
  base64: z.boolean().optional(),
  events: eventsField,
  /** Parley: a Standard Webhooks secret (`whsec_…`), `true` to have one generated, `false`/null to stop signing. */
  secret: z
    .union([z.string(), z.boolean(), z.null()])
    .optional()
    .refine((v) => typeof v !== 'string' || isValidWebhookSecret(v), { error: 'must be "whsec_" followed by base64 of 24 to 64 random bytes, or true to generate one' }),
}).superRefine((w, ctx) => {
  if (w.enabled && !httpUrl.safeParse(w.url).success) ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an http(s) URL' });
});

export const webhookSetBody = z.object({ webhook: webhookFields });

export const simpleTransportFields = z.object({ enabled: z.boolean(), events: eventsField });

export const pusherFields = z.object({
  enabled: z.boolean(),
  appId: z.string(),
  key: z.string(),
  secret: z.string(),
  cluster: z.string(),
  useTLS: z.boolean(),
  events: eventsField,
});

export const SIMPLE_TRANSPORTS = ['websocket', 'rabbitmq', 'nats', 'sqs', 'kafka', 'mqtt'] as const;
export type SimpleTransport = (typeof SIMPLE_TRANSPORTS)[number];

export const simpleSetBody = (transport: SimpleTransport) => z.object({ [transport]: simpleTransportFields }) as z.ZodType<Record<string, z.output<typeof simpleTransportFields>>>;
export const pusherSetBody = z.object({ pusher: pusherFields });

/** The Webhook row (compat §3.9), plus Parley's `signed`. The secret itself is never shown again. */
export function webhookRow(e: Endpoint, generatedSecret?: string) {
  const c = e.config;
  return {
    id: e.id,
    url: c.url,
    headers: c.headers ?? {},
    enabled: e.enabled,
    events: e.events,
    webhookByEvents: c.byEvents === true,
    webhookBase64: c.base64 === true,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
    instanceId: e.instanceId,
    signed: typeof c.secret === 'string',
    ...(generatedSecret !== undefined ? { secret: generatedSecret } : {}),
    ...(e.disabledReason !== null ? { disabledReason: e.disabledReason } : {}),
  };
}

export function transportRow(e: Endpoint) {
  const base = { id: e.id, enabled: e.enabled, events: e.events, createdAt: iso(e.createdAt), updatedAt: iso(e.updatedAt), instanceId: e.instanceId };
  if (e.transport !== 'pusher') return base;
  const c = e.config;
  return { id: e.id, enabled: e.enabled, appId: c.appId, key: c.key, secret: c.secret, cluster: c.cluster, useTLS: c.useTLS, events: e.events, createdAt: base.createdAt, updatedAt: base.updatedAt, instanceId: e.instanceId };
}

/** The transport objects `/instance/create` accepts; their presence means enabled (Evolution ignores any `enabled`). */
export const createTransportFields = {
  webhook: z.object({ url: httpUrl, headers: headersField, byEvents: z.boolean().optional(), base64: z.boolean().optional(), events: eventsField }).optional(),
  websocket: z.object({ events: eventsField }).optional(),
  rabbitmq: z.object({ events: eventsField }).optional(),
  nats: z.object({ events: eventsField }).optional(),
  sqs: z.object({ events: eventsField }).optional(),
  kafka: z.object({ events: eventsField }).optional(),
  mqtt: z.object({ events: eventsField }).optional(),
  pusher: z.object({ appId: z.string(), key: z.string(), secret: z.string(), cluster: z.string(), useTLS: z.boolean(), events: eventsField }).optional(),
};

export type TransportKey = Transport;
