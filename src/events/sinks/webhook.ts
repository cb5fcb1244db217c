// Webhook transport: one HTTP POST per event with Evolution's body, kept-alive connections, Standard Webhooks
// signature headers when the endpoint has a secret, and the outbound target policy at connect time.
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import type { DeliveryOutcome, Endpoint } from '../../domain/delivery.js';
import { OutboundBlockedError } from '../../lib/outbound-policy.js';
import { evolutionWebhookJwt, signWebhook } from '../../lib/standard-webhooks.js';
import type { EventSink, OutgoingEvent, SinkContext, SinkFactory } from '../../ports/event-sink.js';

/** The webhook settings stored in an endpoint's config. */
export interface WebhookConfig {
  url: string;
  headers?: Record<string, string>;
  byEvents?: boolean;
  base64?: boolean;
  secret?: string;
}

const MAX_RETRY_AFTER_MS = 24 * 3600_000;

export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const seconds = Number(v);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(v) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

class WebhookSink implements EventSink {
  readonly transport = 'webhook' as const;
  private readonly agent: Agent;

  constructor(private readonly ctx: SinkContext) {
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: 64,
      connect: { lookup: ctx.outbound.connectLookup as never, timeout: Math.min(ctx.requestTimeoutMs, 10_000) },
    });
  }

  async deliver(endpoint: Endpoint, event: OutgoingEvent): Promise<DeliveryOutcome> {
    const config = endpoint.config as unknown as WebhookConfig;
    const target = event.destination ?? config.url;
    let url: URL;
    try {
      url = new URL(target);
      // IP literals never reach a DNS lookup, so they are checked here.
      if (isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) await this.ctx.outbound.check(url);
    } catch (error) {
      return { ok: false, retryable: false, error: error instanceof Error ? error.message : String(error) };
    }
    const now = Date.now();
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Parley-Webhooks/1' };
    for (const [name, value] of Object.entries(config.headers ?? {})) {
      if (name.toLowerCase() === 'jwt_key') headers.authorization = `Bearer ${evolutionWebhookJwt(value, Math.floor(now / 1000))}`;
      else headers[name] = value;
    }
    // The event id goes out on every delivery (receivers deduplicate on it); the signature only with a secret.
    headers['webhook-id'] = event.id;
    if (config.secret) {
      const timestamp = Math.floor(now / 1000);
      headers['webhook-timestamp'] = String(timestamp);
      headers['webhook-signature'] = signWebhook(config.secret, event.id, timestamp, event.body);
    }
    try {
      const response = await request(url, {
        method: 'POST',
        headers,
        body: event.body,
        dispatcher: this.agent,
        headersTimeout: this.ctx.requestTimeoutMs,
        bodyTimeout: this.ctx.requestTimeoutMs,
      });
      await response.body.dump();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { ok: true, status };
      return {
        ok: false,
        status,
        error: `HTTP ${status}`,
        retryable: !this.ctx.nonRetryableStatuses.has(status) && status !== 410,
        disableEndpoint: status === 410,
        retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(response.headers['retry-after'], now) : undefined,
      };
    } catch (error) {
      const blocked = error instanceof OutboundBlockedError || (error as { cause?: unknown }).cause instanceof OutboundBlockedError;
      const message = error instanceof Error ? `${error.message}${(error as { code?: string }).code ? ` (${(error as { code?: string }).code})` : ''}` : String(error);
      return { ok: false, retryable: !blocked, error: message };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

export const webhookSink: SinkFactory = { transport: 'webhook', create: (ctx) => new WebhookSink(ctx) };
