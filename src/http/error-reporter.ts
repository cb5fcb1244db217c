// WEBHOOK_EVENTS_ERRORS: every error answered by the API is also POSTed to WEBHOOK_EVENTS_ERRORS_WEBHOOK in
// Evolution's shape. Best effort (no retries, a short timeout) — it is a diagnostic side channel, not an event
// stream. Unlike Evolution, the global API key is not put in the body (`api_key` is null).
import { Agent, request } from 'undici';
import type { FastifyBaseLogger } from 'fastify';
import type { OutboundPolicy } from '../lib/outbound-policy.js';
import { statusText } from '../wire/errors.js';

export class ErrorReporter {
  private readonly agent: Agent;

  constructor(
    private readonly url: string,
    private readonly serverUrl: string,
    policy: OutboundPolicy,
    private readonly logger: FastifyBaseLogger,
  ) {
    this.agent = new Agent({ connect: { lookup: policy.connectLookup as never, timeout: 5_000 }, keepAliveTimeout: 10_000 });
  }

  report(status: number, message: unknown): void {
    const body = JSON.stringify({
      event: 'error',
      data: { error: statusText(status), message, status, response: { message } },
      date_time: new Date().toISOString(),
      api_key: null,
      server_url: this.serverUrl,
    });
    request(this.url, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: this.agent, headersTimeout: 5_000, bodyTimeout: 5_000 })
      .then((r) => r.body.dump())
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not report an error to WEBHOOK_EVENTS_ERRORS_WEBHOOK'));
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
