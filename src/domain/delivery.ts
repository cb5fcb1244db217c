// Event endpoints (where events go) and deliveries (one event to one endpoint), with the retry rules.
import type { EventName, StoredEvent } from './events.js';

export const TRANSPORTS = ['webhook', 'websocket', 'rabbitmq', 'sqs', 'nats', 'kafka', 'mqtt', 'pusher'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** One destination: a per-instance transport config, or a global one from the environment (instanceId null). */
export interface Endpoint {
  id: string;
  instanceId: string | null;
  transport: Transport;
  enabled: boolean;
  events: EventName[];
  /** Transport-specific settings (a webhook's url, headers, byEvents, base64, secret …), validated by the route. */
  config: Record<string, unknown>;
  /** Why Parley turned the endpoint off (e.g. the receiver answered 410 Gone); cleared by re-enabling. */
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  endpointId: string;
  eventSeq: number;
  instanceId: string | null;
  /** Deliveries with the same key go out in event order on one endpoint (the chat, else the instance). */
  orderKey: string;
  status: DeliveryStatus;
  attempts: number;
  /** Index into the retry schedule of the next scheduled attempt. */
  step: number;
  nextAttemptAt: Date;
  lastError: string | null;
  lastStatus: number | null;
  deliveredAt: Date | null;
  updatedAt: Date;
}

export interface DeliveryWithEvent extends Delivery {
  event: StoredEvent;
}

/** What a transport reports for one attempt. */
export type DeliveryOutcome =
  | { ok: true; status?: number }
  | {
      ok: false;
      error: string;
      status?: number;
      /** False: do not retry (e.g. 400/401/403/404/422). */
      retryable: boolean;
      /** The receiver asked to wait (Retry-After). */
      retryAfterMs?: number;
      /** The receiver said the endpoint is gone (410): stop sending to it. */
      disableEndpoint?: boolean;
    };

/** The state a delivery moves to after an attempt, given the retry schedule (delays in ms, first = 0). */
export function nextDeliveryState(
  delivery: Pick<Delivery, 'attempts' | 'step'>,
  outcome: DeliveryOutcome,
  schedule: readonly number[],
  now: Date,
  jitter: () => number,
): Pick<Delivery, 'status' | 'attempts' | 'step' | 'nextAttemptAt' | 'lastError' | 'lastStatus' | 'deliveredAt'> {
  const attempts = delivery.attempts + 1;
  if (outcome.ok) {
    return { status: 'delivered', attempts, step: delivery.step, nextAttemptAt: now, lastError: null, lastStatus: outcome.status ?? null, deliveredAt: now };
  }
  const failed = { attempts, lastError: outcome.error.slice(0, 1000), lastStatus: outcome.status ?? null, deliveredAt: null };
  const step = delivery.step + 1;
  if (!outcome.retryable || outcome.disableEndpoint || step >= schedule.length) {
    return { ...failed, status: 'dead', step: delivery.step, nextAttemptAt: now };
  }
  const planned = schedule[step]! * (1 + jitter());
  const delay = Math.max(planned, outcome.retryAfterMs ?? 0);
  return { ...failed, status: 'retrying', step, nextAttemptAt: new Date(now.getTime() + Math.round(delay)) };
}
