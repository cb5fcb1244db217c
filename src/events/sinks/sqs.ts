// Amazon SQS transport: one FIFO queue per instance and event (Evolution's naming, compat §5.3), resolved with
// GetQueueUrl and created on first use, then SendMessage with the rendered body. HTTP only: the SDK's agent
// reconnects on its own, so a broker outage needs no special handling beyond a fresh request on the next deliver.
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  SQSClient,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type { EventName } from '../../domain/events.js';
import type { DeliveryOutcome, Endpoint } from '../../domain/delivery.js';
import type { EventSink, OutgoingEvent, SinkContext, SinkFactory } from '../../ports/event-sink.js';

/** Structurally EventsConfig['sqs'], plus the server name used in global MessageGroupIds. */
export interface SqsSettings {
  enabled: boolean;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  accountId: string | undefined;
  region: string;
  endpoint: string | undefined;
  maxPayloadSize: number;
  globalEnabled: boolean;
  forceSingleQueue: boolean;
  globalPrefixName: string;
  globalEvents: EventName[];
  /** SERVER_NAME; Evolution puts it in global MessageGroupIds. */
  serverName?: string;
}

/** Upper bound of one delivery (all SQS calls together), whatever WEBHOOK_REQUEST_TIMEOUT_MS says. */
const MAX_WAIT_MS = 10_000;
/** SQS queue names: 1–80 chars of [A-Za-z0-9_-], FIFO ones ending in `.fifo`. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

/**
 * The queue an event goes to. Evolution replaces only the FIRST dot (`event.replace('.', '_')`), which turns
 * `send.message.update` into the invalid name `inst1_send_message.update.fifo`; Parley replaces every dot.
 */
export function sqsQueueName(settings: Pick<SqsSettings, 'globalPrefixName' | 'forceSingleQueue'>, endpoint: Endpoint, event: OutgoingEvent): string {
  const global = endpoint.instanceId === null;
  const prefix = global ? settings.globalPrefixName : (event.instanceName ?? '');
  const suffix = global && settings.forceSingleQueue ? 'singlequeue' : event.wireName.replace(/\./g, '_');
  return `${prefix}_${suffix}.fifo`;
}

/** MessageGroupId: `evolution` per instance (one ordered stream per queue), `<server>-<event>-<instance>` global. */
export function sqsMessageGroupId(serverName: string, endpoint: Endpoint, event: OutgoingEvent): string {
  if (endpoint.instanceId !== null) return 'evolution';
  // SQS allows only printable ASCII in group ids (max 128); anything else in an instance name becomes `_`.
  return `${serverName}-${event.wireName}-${event.instanceName ?? ''}`.replace(/[^\x21-\x7e]/g, '_').slice(0, 128);
}

interface AwsError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

class SqsSink implements EventSink {
  readonly transport = 'sqs' as const;
  private client: SQSClient | null = null;
  /** Resolved queue URLs per endpoint, so forget() drops exactly that endpoint's. */
  private readonly urls = new Map<string, Map<string, string>>();
  private readonly timeoutMs: number;

  constructor(private readonly settings: SqsSettings, ctx: SinkContext) {
    this.timeoutMs = Math.min(ctx.requestTimeoutMs, MAX_WAIT_MS);
  }

  private sqs(): SQSClient {
    if (this.client) return this.client;
    const { accessKeyId, secretAccessKey } = this.settings;
    this.client = new SQSClient({
      region: this.settings.region,
      endpoint: this.settings.endpoint,
      // Without explicit keys the SDK's default chain applies (env, profile, instance role).
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
      // Retries and backoff are the dispatcher's; one attempt per delivery keeps the time bound honest.
      maxAttempts: 1,
      requestHandler: { connectionTimeout: this.timeoutMs, requestTimeout: this.timeoutMs, throwOnRequestTimeout: true },
    });
    return this.client;
  }

  async deliver(endpoint: Endpoint, event: OutgoingEvent): Promise<DeliveryOutcome> {
    if (Buffer.byteLength(event.body, 'utf8') > this.settings.maxPayloadSize) {
      return { ok: false, retryable: false, error: 'payload too large for SQS' };
    }
    const queueName = sqsQueueName(this.settings, endpoint, event);
    if (!QUEUE_NAME.test(queueName)) return { ok: false, retryable: false, error: `invalid SQS queue name "${queueName}"` };

    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`SQS did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    try {
      const queueUrl = await this.queueUrl(endpoint.id, queueName, abort.signal);
      const attributes: Record<string, MessageAttributeValue> = { event: { DataType: 'String', StringValue: event.wireName } };
      // SQS refuses empty attribute values; server-wide events have no instance.
      if (event.instanceName) attributes.instance = { DataType: 'String', StringValue: event.instanceName };
      await this.sqs().send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: event.body,
          MessageGroupId: sqsMessageGroupId(this.settings.serverName ?? 'parley', endpoint, event),
          // Evolution uses Date.now(); the event id makes a retry of an already-accepted send a no-op in SQS.
          MessageDeduplicationId: event.id,
          MessageAttributes: attributes,
        }),
        { abortSignal: abort.signal },
      );
      return { ok: true };
    } catch (error) {
      return this.failure(endpoint.id, queueName, error, abort.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async queueUrl(endpointId: string, queueName: string, signal: AbortSignal): Promise<string> {
    const cached = this.urls.get(endpointId)?.get(queueName);
    if (cached) return cached;
    const sqs = this.sqs();
    let url: string | undefined;
    try {
      const found = await sqs.send(
        new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: this.settings.accountId || undefined }),
        { abortSignal: signal },
      );
      url = found.QueueUrl;
    } catch (error) {
      if ((error as AwsError).name !== 'QueueDoesNotExist') throw error;
      const created = await sqs.send(
        new CreateQueueCommand({ QueueName: queueName, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } }),
        { abortSignal: signal },
      );
      url = created.QueueUrl;
    }
    if (!url) throw new Error(`SQS returned no URL for queue ${queueName}`);
    let perEndpoint = this.urls.get(endpointId);
    if (!perEndpoint) this.urls.set(endpointId, (perEndpoint = new Map()));
    perEndpoint.set(queueName, url);
    return url;
  }

  private failure(endpointId: string, queueName: string, error: unknown, signal: AbortSignal): DeliveryOutcome {
    const e = (error ?? {}) as AwsError;
    const status = e.$metadata?.httpStatusCode;
    const name = e.name ?? 'Error';
    // The queue was deleted behind our back: resolve (and re-create) it on the next attempt.
    if (name === 'QueueDoesNotExist') this.urls.get(endpointId)?.delete(queueName);
    const message = signal.aborted
      ? String((signal.reason as Error | undefined)?.message ?? 'SQS request timed out')
      : `${name}: ${e.message ?? String(error)}`;
    const retryable =
      signal.aborted ||
      status === undefined || // network error, timeout, missing credentials
      status >= 500 ||
      status === 429 ||
      name === 'QueueDoesNotExist' ||
      name === 'QueueDeletedRecently' ||
      /throttl/i.test(name) ||
      Boolean(e.$retryable);
    return status === undefined ? { ok: false, retryable, error: message } : { ok: false, retryable, error: message, status };
  }

  async forget(endpointId: string): Promise<void> {
    this.urls.delete(endpointId);
  }

  async close(): Promise<void> {
    this.urls.clear();
    this.client?.destroy();
    this.client = null;
  }
}

export function sqsSink(settings: SqsSettings): SinkFactory {
  return { transport: 'sqs', create: (ctx) => new SqsSink(settings, ctx) };
}
