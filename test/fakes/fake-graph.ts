// A local Meta Graph API (WhatsApp Cloud API) for tests, on 127.0.0.1 over real HTTP:
//   POST /{version}/{phone_number_id}/messages        send (→ wamid) or mark read (→ {success:true})
//   POST /{version}/{phone_number_id}/media           multipart upload (file, type, messaging_product) → {id}
//   GET  /{version}/{media_id}                        → {url: <this server>/media-bytes/<id>, mime_type, sha256, file_size, id}
//   GET  /media-bytes/{media_id}                      the bytes (Bearer required, as on Meta's CDN)
//   POST|GET /{version}/{waba_id}/message_templates   create / list templates
// Every call needs `Authorization: Bearer <one of the tokens>` (else 401, code 190). Every request is recorded; errors
// can be queued (`failNext`), and signed webhook deliveries built (`signedDelivery`).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export interface FakeGraphRequest {
  method: string;
  /** Path without the query, e.g. `/v25.0/1234/messages`. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, when the request sent JSON. */
  json?: Record<string, unknown>;
  /** Parsed multipart/form-data fields, when the request sent a form. */
  multipart?: MultipartPart[];
  raw: Buffer;
  /** What the fake answered. */
  status: number;
  /** The JSON body the fake answered (not set for media bytes). */
  response?: unknown;
}

export interface FakeGraphError {
  /** HTTP status (default 400). */
  status?: number;
  code: number;
  message?: string;
  type?: string;
  subcode?: number;
  details?: string;
  retryAfterS?: number;
}

type Route = 'messages' | 'media' | 'any';

interface StoredMedia {
  data: Buffer;
  mimeType: string;
}

export class FakeGraph {
  readonly requests: FakeGraphRequest[] = [];
  readonly media = new Map<string, StoredMedia>();
  readonly templates: Record<string, unknown>[] = [];
  private readonly failures: { route: Route; error: FakeGraphError }[] = [];
  private readonly tokens: Set<string>;

  private constructor(private readonly server: Server, readonly port: number, tokens: string[]) {
    this.tokens = new Set(tokens);
  }

  static async start(options: { tokens?: string[] } = {}): Promise<FakeGraph> {
    let fake: FakeGraph | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    fake = new FakeGraph(server, (server.address() as AddressInfo).port, options.tokens ?? ['test-token']);
    return fake;
  }

  /** The `graphUrl` to configure: `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Message sends (not read receipts) that reached the fake, in order, including refused ones. */
  sends(): FakeGraphRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages') && r.json?.status !== 'read');
  }

  /** The next `count` requests on `route` answer this Graph error instead. */
  failNext(count: number, error: FakeGraphError, route: Route = 'messages'): void {
    for (let i = 0; i < count; i++) this.failures.push({ route, error });
  }

  /** Drops queued failures. */
  clearFailures(): void {
    this.failures.length = 0;
  }

  /** The next `count` sends answer 429 with Meta's throughput error 130429. */
  throttleNext(count: number): void {
    this.failNext(count, { status: 429, code: 130429, message: '(#130429) Rate limit hit', details: 'Cloud API message throughput has been reached.' });
  }

  /** Stores bytes as if a user had sent them; returns the media id to put in a webhook. */
  addMedia(data: Buffer, mimeType: string): string {
    const id = String(1_000_000_000_000 + Math.floor(Math.random() * 1e12));
    this.media.set(id, { data, mimeType });
    return id;
  }

  /** A webhook delivery as Meta would POST it: the raw body and its X-Hub-Signature-256 header. */
  signedDelivery(payload: unknown, appSecret: string): { body: string; headers: Record<string, string> } {
    return signedDelivery(payload, appSecret);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const record: FakeGraphRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      raw,
      status: 0,
    };
    const contentType = req.headers['content-type'] ?? '';
    if (contentType.startsWith('application/json')) {
      try {
        record.json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        // recorded raw; the route answers the error
      }
    } else if (contentType.startsWith('multipart/form-data')) {
      record.multipart = parseMultipart(raw, contentType);
    }
    this.requests.push(record);
    const answer = this.route(record);
    record.status = answer.status;
    if (!Buffer.isBuffer(answer.body)) record.response = answer.body;
    const headers: Record<string, string> = { 'content-type': answer.contentType ?? 'application/json' };
    if (answer.retryAfterS !== undefined) headers['retry-after'] = String(answer.retryAfterS);
    res.writeHead(answer.status, headers);
    res.end(Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body));
  }

  private route(r: FakeGraphRequest): { status: number; body: unknown; contentType?: string; retryAfterS?: number } {
    const auth = r.headers.authorization;
    if (typeof auth !== 'string' || !auth.startsWith('Bearer ') || !this.tokens.has(auth.slice(7))) {
      return graphError({ status: 401, code: 190, type: 'OAuthException', message: 'Invalid OAuth access token - Cannot parse access token' });
    }
    const bytes = /^\/media-bytes\/([^/]+)$/.exec(r.path);
    if (bytes !== null && r.method === 'GET') {
      const stored = this.media.get(bytes[1]!);
      return stored === undefined ? { status: 404, body: 'not found', contentType: 'text/plain' } : { status: 200, body: stored.data, contentType: stored.mimeType };
    }
    const match = /^\/(v\d+\.\d+)\/([^/]+)(?:\/([a-z_]+))?$/.exec(r.path);
    if (match === null) return graphError({ status: 404, code: 100, message: 'Unknown path components' });
    const [, , node, edge] = match as unknown as [string, string, string, string | undefined];
    const route: Route | undefined = edge === 'messages' ? 'messages' : edge === 'media' ? 'media' : undefined;
    const failure = this.failures.findIndex((f) => f.route === 'any' || f.route === route);
    if (failure !== -1) return graphError(this.failures.splice(failure, 1)[0]!.error);

    if (r.method === 'POST' && edge === 'messages') return this.message(r);
    if (r.method === 'POST' && edge === 'media') return this.upload(r);
    if (r.method === 'GET' && edge === undefined) {
      const stored = this.media.get(node);
      if (stored === undefined) return graphError({ code: 100, message: `Unsupported get request. Object with ID '${node}' does not exist` });
      return {
        status: 200,
        body: {
          messaging_product: 'whatsapp',
          url: `${this.url}/media-bytes/${node}`,
          mime_type: stored.mimeType,
          sha256: createHash('sha256').update(stored.data).digest('hex'),
          file_size: String(stored.data.length),
          id: node,
        },
      };
    }
    if (edge === 'message_templates' && r.method === 'POST') {
      const body = r.json ?? {};
      if (typeof body.name !== 'string' || typeof body.category !== 'string' || typeof body.language !== 'string' || !Array.isArray(body.components)) {
        return graphError({ code: 100, message: 'Invalid parameter', details: 'name, category, language and components are required' });
      }
      const id = String(Math.floor(Math.random() * 1e15));
      this.templates.push({ ...body, id, status: 'APPROVED' });
      return { status: 200, body: { id, status: 'PENDING', category: body.category } };
    }
    if (edge === 'message_templates' && r.method === 'GET') {
      return { status: 200, body: { data: this.templates, paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } } } };
    }
    return graphError({ status: 400, code: 100, message: `Unsupported ${r.method.toLowerCase()} request` });
  }

  private message(r: FakeGraphRequest): { status: number; body: unknown } {
    const body = r.json;
    if (body === undefined || body.messaging_product !== 'whatsapp') return graphError({ code: 100, message: 'The parameter messaging_product is required.' });
    if (body.status === 'read') {
      return typeof body.message_id === 'string' && body.message_id.startsWith('wamid.')
        ? { status: 200, body: { success: true } }
        : graphError({ code: 131009, message: 'Parameter value is not valid', details: 'message_id is invalid' });
    }
    const type = body.type;
    if (typeof body.to !== 'string' || !/^\d+$/.test(body.to)) return graphError({ code: 131009, message: 'Parameter value is not valid', details: 'to must be digits' });
    if (typeof type !== 'string' || typeof body[type] !== 'object' || body[type] === null) {
      return graphError({ code: 131008, message: 'Required parameter is missing', details: `the ${String(type)} object is required` });
    }
    const object = body[type] as Record<string, unknown>;
    if (typeof object.id === 'string' && !this.media.has(object.id)) return graphError({ code: 131053, message: 'Media upload error', details: `unknown media id ${object.id}` });
    return {
      status: 200,
      body: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.${randomBytes(18).toString('base64url')}` }] },
    };
  }

  private upload(r: FakeGraphRequest): { status: number; body: unknown } {
    const parts = r.multipart ?? [];
    const field = (name: string) => parts.find((p) => p.name === name);
    const file = field('file');
    if (field('messaging_product')?.data.toString() !== 'whatsapp' || file === undefined || field('type') === undefined) {
      return graphError({ code: 100, message: 'Invalid parameter', details: 'file, type and messaging_product are required' });
    }
    const id = String(2_000_000_000_000 + Math.floor(Math.random() * 1e12));
    this.media.set(id, { data: file.data, mimeType: field('type')!.data.toString() });
    return { status: 200, body: { id } };
  }
}

function graphError(error: FakeGraphError): { status: number; body: unknown; retryAfterS?: number } {
  const message = error.message ?? `(#${error.code}) error`;
  return {
    status: error.status ?? 400,
    body: {
      error: {
        message,
        type: error.type ?? 'OAuthException',
        code: error.code,
        ...(error.subcode === undefined ? {} : { error_subcode: error.subcode }),
        error_data: { messaging_product: 'whatsapp', details: error.details ?? message },
        fbtrace_id: `A${randomBytes(8).toString('hex')}`,
      },
    },
    ...(error.retryAfterS === undefined ? {} : { retryAfterS: error.retryAfterS }),
  };
}

/** Splits a multipart/form-data body into its parts. */
export function parseMultipart(raw: Buffer, contentType: string): MultipartPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (boundary === null) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: MultipartPart[] = [];
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = raw.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after the delimiter and before the next
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const head = part.subarray(0, split).toString('utf8');
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      const filename = /filename="([^"]*)"/i.exec(head)?.[1];
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
      if (name !== undefined) {
        parts.push({ name, data: part.subarray(split + 4), ...(filename === undefined ? {} : { filename }), ...(type === undefined ? {} : { contentType: type.trim() }) });
      }
    }
    start = next;
  }
  return parts;
}

/** A webhook delivery as Meta would POST it: the raw body and its `X-Hub-Signature-256` header. */
export function signedDelivery(payload: unknown, appSecret: string): { body: string; headers: Record<string, string> } {
  // Meta escapes non-ASCII characters in the JSON it signs.
  const body = JSON.stringify(payload).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
    },
  };
}
