// Storage ports of the event pipeline: the outbox (append in the caller's transaction), endpoints and deliveries.
import type { Delivery, DeliveryStatus, DeliveryWithEvent, Endpoint, Transport } from '../domain/delivery.js';
import type { EventName, NewEvent, StoredEvent } from '../domain/events.js';

export interface OutboxRepository {
  /**
   * Stores events with new ULIDs and one pending delivery per enabled endpoint that wants each event. Runs inside the
   * caller's transaction, so the events exist exactly when the state change they describe does.
   */
  append(events: NewEvent[], at: Date): Promise<StoredEvent[]>;
  /** Events with `seq` < their seq ≤ `upTo` named in `names`, oldest first (outbox consumers: the chatbot engine). */
  after(seq: number, upTo: number, names: EventName[], limit: number): Promise<StoredEvent[]>;
  /**
   * The seqs after `seq` that are visible now, ascending. A consumer uses them to find gaps: on PostgreSQL a seq is
   * taken at insert, so a transaction may commit after a later seq is already visible.
   */
  seqsAfter(seq: number, limit: number): Promise<number[]>;
  /** The newest event's seq (0 when empty). */
  lastSeq(): Promise<number>;
}

export interface EndpointSettings {
  enabled: boolean;
  events: EventName[];
  config: Record<string, unknown>;
}

export interface EndpointRepository {
  findForInstance(instanceId: string, transport: Transport): Promise<Endpoint | null>;
  /** Per-instance endpoints: one per instance and transport. */
  upsertForInstance(instanceId: string, transport: Transport, settings: EndpointSettings, at: Date): Promise<Endpoint>;
  /** Global endpoints (from the environment) under a fixed id. */
  upsertGlobal(id: string, transport: Transport, settings: EndpointSettings, at: Date): Promise<Endpoint>;
  findById(id: string): Promise<Endpoint | null>;
  /** Endpoints that may still have work: not removed, or removed with deliveries left to drain. */
  listLive(): Promise<Endpoint[]>;
  listForInstance(instanceId: string): Promise<Endpoint[]>;
  setEnabled(id: string, enabled: boolean, reason: string | null, at: Date): Promise<void>;
  /** The instance is gone: its endpoints take no new events and are pruned once drained. */
  removeForInstance(instanceId: string, at: Date): Promise<void>;
  /** Per-instance transport rows as `fetchInstances` shows them. */
  listByInstances(instanceIds: string[]): Promise<Endpoint[]>;
}

export interface DeliveryUpdate {
  endpointId: string;
  eventSeq: number;
  patch: Pick<Delivery, 'status' | 'attempts' | 'step' | 'nextAttemptAt' | 'lastError' | 'lastStatus' | 'deliveredAt'>;
}

export interface DeliveryQuery {
  instanceId: string;
  status?: DeliveryStatus;
  eventId?: string;
  from?: Date;
  to?: Date;
  endpointId?: string;
  /** Only per-instance endpoints (callers with an instance token do not see global endpoints). */
  ownEndpointsOnly?: boolean;
  limit: number;
  /** Page: deliveries of events older than this seq. */
  beforeSeq?: number;
}

export interface DeliveryRepository {
  /** The endpoint's unfinished deliveries (pending and retrying, due or not), oldest event first. */
  unfinished(endpointId: string, limit: number): Promise<DeliveryWithEvent[]>;
  /** Marks successful attempts (one statement per endpoint). */
  markDelivered(endpointId: string, eventSeqs: number[], at: Date): Promise<void>;
  /** Applies failed attempts' new states. */
  update(updates: DeliveryUpdate[], at: Date): Promise<void>;
  /** After an endpoint recovers, its waiting retries become due now. */
  makeRetriesDue(endpointId: string, at: Date): Promise<number>;
  list(query: DeliveryQuery): Promise<(DeliveryWithEvent & { endpoint: Endpoint })[]>;
  /** Resets matching deliveries (any status) to pending, due now; the events keep their ids. */
  replay(query: Omit<DeliveryQuery, 'limit' | 'beforeSeq'>, at: Date): Promise<number>;
  counts(): Promise<Record<DeliveryStatus, number>>;
  /**
   * Deletes delivered deliveries older than `deliveredBefore` and dead ones older than `deadBefore`, then events
   * older than `deliveredBefore` with no delivery left, then removed endpoints with nothing left to drain.
   */
  prune(deliveredBefore: Date, deadBefore: Date): Promise<{ deliveries: number; events: number }>;
}
