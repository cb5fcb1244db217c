// A local Pusher Channels HTTP API for tests: POST /apps/<appId>/events, authenticated as Pusher's REST API
// documents (auth_key, auth_timestamp, auth_version=1.0, body_md5, and auth_signature = HMAC-SHA256 hex, keyed by the
// app secret, of "POST\n<path>\n<sorted query without auth_signature>"). Records accepted events; can fail or stall.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePusherApp {
  appId: string;
  key: string;
  secret: string;
}

export interface FakePusherRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
  /** The client socket's port: equal ports mean a reused (kept-alive) connection. */
  remotePort: number | undefined;
  status: number;
  /** Why the request was refused, if it was. */
  refused?: string;
}

export interface FakePusherEvent {
  appId: string;
  name: string;
  channels: string[];
  data: string;
}

const MAX_DATA_BYTES = 10 * 1024;
const MAX_CLOCK_SKEW_S = 600;

export class FakePusher {
  readonly requests: FakePusherRequest[] = [];
  readonly events: FakePusherEvent[] = [];
  private readonly apps = new Map<string, FakePusherApp>();
  private failing = { count: 0, status: 500 };
  private stalling = 0;

  private constructor(private readonly server: Server, readonly port: number) {}

  /** `port`: listen on a given port (to "restart" Pusher where a sink already points); default a free one. */
  static async start(apps: FakePusherApp[], options: { port?: number } = {}): Promise<FakePusher> {
    let fake: FakePusher | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    fake = new FakePusher(server, (server.address() as AddressInfo).port);
    for (const app of apps) fake.apps.set(app.appId, app);
    return fake;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The next `count` requests answer `status`. */
  failNext(count: number, status = 500): void {
    this.failing = { count, status };
  }

  /** The next `count` requests never get an answer (for timeout tests). */
  stallNext(count: number): void {
    this.stalling = count;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const record: FakePusherRequest = { method: req.method ?? '', path: url.pathname, query, body, remotePort: req.socket.remotePort, status: 0 };
    this.requests.push(record);
    const answer = (status: number, text: string, refused?: string) => {
      record.status = status;
      if (refused) record.refused = refused;
      res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/plain' });
      res.end(text);
    };

    if (this.stalling > 0) {
      this.stalling -= 1;
      return; // never answered; close() destroys the socket
    }
    if (this.failing.count > 0) {
      this.failing.count -= 1;
      return answer(this.failing.status, 'Internal Server Error', 'told to fail');
    }
    const route = /^\/apps\/([^/]+)\/events$/.exec(url.pathname);
    if (req.method !== 'POST' || !route) return answer(404, 'Not found', 'no such route');
    const app = this.apps.get(decodeURIComponent(route[1]!));
    if (!app) return answer(404, 'Unknown app', 'unknown app');

    const refused = this.authenticate(app, req.method, url.pathname, query, body);
    if (refused) return answer(401, refused, refused);

    let event: { name?: unknown; channels?: unknown; channel?: unknown; data?: unknown };
    try {
      event = JSON.parse(body);
    } catch {
      return answer(400, 'Invalid JSON', 'invalid JSON');
    }
    const channels = Array.isArray(event.channels) ? event.channels.map(String) : typeof event.channel === 'string' ? [event.channel] : [];
    if (typeof event.name !== 'string' || typeof event.data !== 'string' || channels.length === 0) {
      return answer(400, 'name, data (a string) and channels are required', 'bad event');
    }
    if (Buffer.byteLength(event.data, 'utf8') > MAX_DATA_BYTES) return answer(413, 'Payload too large (max 10KB)', 'too large');
    this.events.push({ appId: app.appId, name: event.name, channels, data: event.data });
    answer(200, '{}');
  }

  /** Pusher's request authentication; returns the reason a request is refused, or undefined. */
  private authenticate(app: FakePusherApp, method: string, path: string, query: Record<string, string>, body: string): string | undefined {
    if (query.auth_key !== app.key) return 'Unknown auth_key';
    if (query.auth_version !== '1.0') return 'auth_version must be 1.0';
    const timestamp = Number(query.auth_timestamp);
    if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > MAX_CLOCK_SKEW_S) return 'Timestamp expired';
    if (body.length > 0 && query.body_md5 !== createHash('md5').update(body, 'utf8').digest('hex')) return 'Invalid body_md5';
    const signed = Object.keys(query)
      .filter((k) => k !== 'auth_signature')
      .map((k) => [k.toLowerCase(), query[k]!] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const expected = createHmac('sha256', app.secret).update(`${method}\n${path}\n${signed}`).digest('hex');
    const given = Buffer.from(query.auth_signature ?? '', 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, 'utf8'))) return 'Invalid signature';
    return undefined;
  }
}
