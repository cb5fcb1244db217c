// The delivery API (a Parley extension): queries and the shapes of deliveries and endpoints.
import { z } from 'zod';
import { DELIVERY_STATUSES, type DeliveryWithEvent, type Endpoint } from '../domain/delivery.js';
import { entryOf } from '../events/catalogue.js';
import { iso } from './common.js';

const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), { error: 'must be an ISO-8601 date-time' }).transform((v) => new Date(v));

export const deliveryListQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  eventId: z.string().optional(),
  endpointId: z.string().optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(1).optional().describe('Page: deliveries of events older than this `seq`'),
});

export const replayBody = z
  .object({
    eventId: z.string().optional(),
    status: z.enum(DELIVERY_STATUSES).optional(),
    endpointId: z.string().optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
  })
  .refine((b) => b.eventId !== undefined || b.from !== undefined || b.to !== undefined || b.status !== undefined, {
    error: 'give eventId, a time range (from/to) or a status to choose what to replay',
  });

export const enableEndpointBody = z.object({ endpointId: z.string().min(1) });

export function endpointView(e: Endpoint) {
  return {
    id: e.id,
    transport: e.transport,
    scope: e.instanceId === null ? 'global' : 'instance',
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    url: e.transport === 'webhook' ? e.config.url : undefined,
    events: e.events,
    updatedAt: iso(e.updatedAt),
  };
}

export function deliveryView(d: DeliveryWithEvent & { endpoint: Endpoint }) {
  return {
    seq: d.eventSeq,
    eventId: d.event.id,
    event: entryOf(d.event.event).wire,
    chat: d.event.chatKey,
    createdAt: iso(d.event.createdAt),
    endpoint: endpointView(d.endpoint),
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' || d.status === 'retrying' ? iso(d.nextAttemptAt) : null,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    deliveredAt: iso(d.deliveredAt),
  };
}
