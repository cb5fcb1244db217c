// A local Amazon SQS for tests, speaking the AWS JSON 1.0 protocol the SDK uses (POST / with
// `X-Amz-Target: AmazonSQS.<Action>`): GetQueueUrl, CreateQueue, SendMessage (FIFO deduplication within 5 minutes)
// and ReceiveMessage. Records every request; can fail or stall the next sends.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSqsRequest {
  action: string;
  input: Record<string, any>;
  headers: IncomingHttpHeaders;
}

interface Attribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface FakeSqsMessage {
  MessageId: string;
  Body: string;
  MD5OfBody: string;
  MessageAttributes: Record<string, Attribute>;
  MD5OfMessageAttributes?: string;
  Attributes: Record<string, string>;
}

interface Queue {
  name: string;
  attributes: Record<string, string>;
  messages: FakeSqsMessage[];
  /** MessageDeduplicationId → when it was first accepted, and the message id SQS answered with. */
  dedup: Map<string, { at: number; messageId: string; md5: string }>;
}

const DEDUP_WINDOW_MS = 5 * 60_000;
const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/** SQS's MD5OfMessageAttributes: per attribute, sorted by name, length-prefixed name, type, transport byte and value. */
export function md5OfMessageAttributes(attributes: Record<string, Attribute>): string {
  const parts: Buffer[] = [];
  const field = (value: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(value.length);
    parts.push(length, value);
  };
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(a.DataType, 'utf8'));
    const binary = a.BinaryValue !== undefined;
    parts.push(Buffer.from([binary ? 2 : 1]));
    field(binary ? Buffer.from(a.BinaryValue!, 'base64') : Buffer.from(a.StringValue ?? '', 'utf8'));
  }
  return md5(Buffer.concat(parts));
}

export class FakeSqs {
  readonly requests: FakeSqsRequest[] = [];
  readonly queues = new Map<string, Queue>();
  private failSends: { count: number; status: number } = { count: 0, status: 500 };
  private stallSends = 0;
  private sequence = 0n;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** When set, requests signed with another access key are refused (403). */
    private readonly accessKeyId: string | undefined,
  ) {}

  /** `port`: listen on a given port (to "restart" SQS where a sink already points); default a free one. */
  static async start(options: { accessKeyId?: string; port?: number } = {}): Promise<FakeSqs> {
    let fake: FakeSqs | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    fake = new FakeSqs(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options.accessKeyId);
    return fake;
  }

  /** The next `count` SendMessage calls answer `status` (an InternalError). */
  failNextSends(count: number, status = 500): void {
    this.failSends = { count, status };
  }

  /** The next `count` SendMessage calls never get an answer (for timeout tests). */
  stallNextSends(count: number): void {
    this.stallSends = count;
  }

  /** Requests of one action (`SendMessage` …), in arrival order. */
  calls(action: string): FakeSqsRequest[] {
    return this.requests.filter((r) => r.action === action);
  }

  queueUrl(name: string, account = '000000000000'): string {
    return `${this.url}/${account}/${name}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    let input: Record<string, any> = {};
    try {
      input = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return this.error(res, 400, 'InvalidParameterValue', 'InvalidParameterValue', 'body is not JSON');
    }
    this.requests.push({ action, input, headers: req.headers });

    if (req.method !== 'POST' || !String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.0')) {
      return this.error(res, 400, 'InvalidAction', 'InvalidAction', 'expected POST with application/x-amz-json-1.0');
    }
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith('AWS4-HMAC-SHA256 ') || (this.accessKeyId && !auth.includes(`Credential=${this.accessKeyId}/`))) {
      return this.error(res, 403, 'InvalidClientTokenId', 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    switch (action) {
      case 'GetQueueUrl': {
        const queue = this.queues.get(String(input.QueueName));
        if (!queue) return this.noQueue(res);
        return this.json(res, { QueueUrl: this.queueUrl(queue.name, input.QueueOwnerAWSAccountId) });
      }
      case 'CreateQueue':
        return this.createQueue(res, input);
      case 'SendMessage':
        return this.sendMessage(res, input);
      case 'ReceiveMessage': {
        const queue = this.queueOf(input.QueueUrl);
        if (!queue) return this.noQueue(res);
        // Simplified: a received message is gone (no visibility timeout, no DeleteMessage needed).
        const messages = queue.messages.splice(0, Number(input.MaxNumberOfMessages ?? 1));
        return this.json(res, { Messages: messages.map((m) => ({ ...m, ReceiptHandle: randomUUID() })) });
      }
      default:
        return this.error(res, 400, 'UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', `${action || target} is not supported`);
    }
  }

  private createQueue(res: ServerResponse, input: Record<string, any>): void {
    const name = String(input.QueueName ?? '');
    const attributes: Record<string, string> = { ...(input.Attributes ?? {}) };
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name.replace(/\.fifo$/, '')) || (attributes.FifoQueue === 'true') !== name.endsWith('.fifo')) {
      return this.error(res, 400, 'InvalidParameterValue', 'InvalidParameterValue', `invalid queue name ${name}`);
    }
    const existing = this.queues.get(name);
    if (existing && JSON.stringify(existing.attributes) !== JSON.stringify(attributes)) {
      return this.error(res, 400, 'QueueNameExists', 'QueueAlreadyExists', 'A queue already exists with the same name and a different value for attribute(s)');
    }
    if (!existing) this.queues.set(name, { name, attributes, messages: [], dedup: new Map() });
    this.json(res, { QueueUrl: this.queueUrl(name) });
  }

  private sendMessage(res: ServerResponse, input: Record<string, any>): void {
    if (this.stallSends > 0) {
      this.stallSends -= 1;
      return; // never answered; close() destroys the socket
    }
    if (this.failSends.count > 0) {
      this.failSends.count -= 1;
      return this.error(res, this.failSends.status, 'InternalError', 'InternalError', 'We encountered an internal error. Please try again.');
    }
    const queue = this.queueOf(input.QueueUrl);
    if (!queue) return this.noQueue(res);
    const body = String(input.MessageBody ?? '');
    const fifo = queue.attributes.FifoQueue === 'true';
    const contentDedup = queue.attributes.ContentBasedDeduplication === 'true';
    if (fifo && !input.MessageGroupId) return this.error(res, 400, 'MissingParameter', 'MissingParameter', 'The request must contain the parameter MessageGroupId.');
    if (fifo && !input.MessageDeduplicationId && !contentDedup) {
      return this.error(res, 400, 'InvalidParameterValue', 'InvalidParameterValue', 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
    const attributes: Record<string, Attribute> = input.MessageAttributes ?? {};
    const bodyMd5 = md5(body);
    const attributesMd5 = Object.keys(attributes).length ? md5OfMessageAttributes(attributes) : undefined;
    const dedupId = fifo ? String(input.MessageDeduplicationId ?? createHash('sha256').update(body).digest('hex')) : undefined;
    const now = Date.now();
    if (dedupId !== undefined) {
      const seen = queue.dedup.get(dedupId);
      // A duplicate within the window is accepted and answered like the original, but not enqueued again.
      if (seen && now - seen.at < DEDUP_WINDOW_MS) {
        return this.json(res, { MessageId: seen.messageId, MD5OfMessageBody: bodyMd5, MD5OfMessageAttributes: attributesMd5 });
      }
    }
    const messageId = randomUUID();
    this.sequence += 1n;
    const sequenceNumber = this.sequence.toString().padStart(20, '0');
    queue.messages.push({
      MessageId: messageId,
      Body: body,
      MD5OfBody: bodyMd5,
      MessageAttributes: attributes,
      MD5OfMessageAttributes: attributesMd5,
      Attributes: {
        SentTimestamp: String(now),
        ...(fifo ? { MessageGroupId: String(input.MessageGroupId), MessageDeduplicationId: dedupId!, SequenceNumber: sequenceNumber } : {}),
      },
    });
    if (dedupId !== undefined) queue.dedup.set(dedupId, { at: now, messageId, md5: bodyMd5 });
    this.json(res, { MessageId: messageId, MD5OfMessageBody: bodyMd5, MD5OfMessageAttributes: attributesMd5, ...(fifo ? { SequenceNumber: sequenceNumber } : {}) });
  }

  private queueOf(url: unknown): Queue | undefined {
    const name = String(url ?? '').split('/').pop() ?? '';
    return this.queues.get(name);
  }

  private noQueue(res: ServerResponse): void {
    this.error(res, 400, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
  }

  private json(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  }

  /** An AWS JSON error, with the awsQueryCompatible header real SQS sends (`<query code>;Sender`). */
  private error(res: ServerResponse, status: number, type: string, queryCode: string, message: string): void {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      'x-amzn-query-error': `${queryCode};${status >= 500 ? 'Receiver' : 'Sender'}`,
    });
    res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${type}`, message }));
  }
}
