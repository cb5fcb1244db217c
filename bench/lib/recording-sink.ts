// A webhook receiver that records every request it gets for the runner's own message ids (`<prefix>-<index>`): which
// ids arrived, how often, in what order, with which `webhook-id` header; it can answer 500, answer late, or refuse
// connections altogether, so the crash, sink-outage and fanout workloads can disturb delivery on purpose.
import http from 'node:http';
import type { Socket } from 'node:net';

export interface Delivery {
  /** Times this id was answered 200. */
  count: number;
  /** `webhook-id` header of each 200-answered copy ('' when the server sent none). */
  webhookIds: string[];
  firstAt: number;
}

export type SinkMode = 'ok' | 'fail';

export class RecordingSink {
  /** Every request for one of our ids, whatever it was answered (attempts). */
  requests = 0;
  /** Ids answered 200, in arrival order (with repeats). */
  readonly order: number[] = [];
  readonly delivered = new Map<number, Delivery>();
  /** inbound → webhook latency of first copies, from the `benchSentAt` stamped in the message. */
  readonly latencies: number[] = [];
  firstAt = 0;
  lastAt = 0;
  mode: SinkMode = 'ok';
  /** Answer this much later (the fanout workload's slow receiver). */
  delayMs = 0;
  private server: http.Server | undefined;
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private waiters: (() => void)[] = [];

  /** Only ids `<prefix>-<n>` count; anything else is answered 200 and ignored. */
  constructor(public prefix: string) {}

  async start(port = 0): Promise<string> {
    await this.listen(port);
    return `http://127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get unique(): number {
    return this.delivered.size;
  }

  /** Extra copies beyond the first, over all ids. */
  get duplicated(): number {
    let d = 0;
    for (const v of this.delivered.values()) d += v.count - 1;
    return d;
  }

  /** Ids delivered more than once whose copies did not all carry the same (present) `webhook-id`. */
  get duplicatedDifferentEventId(): number {
    let d = 0;
    for (const v of this.delivered.values()) {
      if (v.count > 1 && (new Set(v.webhookIds).size > 1 || v.webhookIds.includes(''))) d += 1;
    }
    return d;
  }

  /** Forget everything recorded and count ids `<prefix>-<n>` from now on (a new phase on the same URL). */
  reset(prefix: string): void {
    this.prefix = prefix;
    this.requests = 0;
    this.order.length = 0;
    this.delivered.clear();
    this.latencies.length = 0;
    this.firstAt = 0;
    this.lastAt = 0;
  }

  /** Stop accepting connections and drop open ones: senders get "connection refused" until `accept()`. */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listen again on the same port after `refuse()`. */
  async accept(): Promise<void> {
    if (this.server === undefined) await this.listen(this.port);
  }

  /** Resolves true once `done()` holds (checked on every arrival), false after `timeoutMs`. */
  /** Resolves true once every id has arrived at least once (false after `timeoutMs`). */
  waitForAll(ids: Iterable<number>, timeoutMs: number): Promise<boolean> {
    const missing = new Set(ids);
    return this.waitUntil(() => {
      for (const i of missing) {
        if (!this.delivered.has(i)) return false;
        missing.delete(i);
      }
      return true;
    }, timeoutMs);
  }

  /** When the last of `ids` first arrived (epoch ms; 0 if none did). */
  lastFirstArrival(ids: Iterable<number>): number {
    let last = 0;
    for (const i of ids) last = Math.max(last, this.delivered.get(i)?.firstAt ?? 0);
    return last;
  }

  waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (done()) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(ok);
      };
      this.waiters.push(check);
      check();
    });
  }

  close(): Promise<void> {
    return this.refuse();
  }

  private async listen(port: number): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 30_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      let index: number | undefined;
      let sentAt: number | undefined;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: { key?: { id?: string }; message?: { benchSentAt?: number } } };
        const id = body.data?.key?.id;
        if (typeof id === 'string' && id.startsWith(`${this.prefix}-`)) {
          const n = Number(id.slice(this.prefix.length + 1));
          if (Number.isInteger(n)) index = n;
        }
        sentAt = body.data?.message?.benchSentAt;
      } catch {
        // not an event
      }
      if (index === undefined) {
        res.end('ok');
        return;
      }
      this.requests += 1;
      if (this.mode === 'fail') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('bench sink outage');
        return;
      }
      const prefix = this.prefix;
      const answer = () => {
        res.end('ok');
        // A late answer from before a reset() belongs to the previous phase.
        if (prefix === this.prefix) this.record(index, req.headers['webhook-id'], sentAt, now);
      };
      if (this.delayMs > 0) setTimeout(answer, this.delayMs);
      else answer();
    });
  }

  private record(index: number, webhookId: string | string[] | undefined, sentAt: number | undefined, receivedAt: number): void {
    const id = Array.isArray(webhookId) ? webhookId.join(',') : (webhookId ?? '');
    const seen = this.delivered.get(index);
    if (seen === undefined) {
      this.delivered.set(index, { count: 1, webhookIds: [id], firstAt: receivedAt });
      if (typeof sentAt === 'number') this.latencies.push(receivedAt - sentAt);
    } else {
      seen.count += 1;
      seen.webhookIds.push(id);
    }
    this.order.push(index);
    if (this.firstAt === 0) this.firstAt = receivedAt;
    this.lastAt = receivedAt;
    for (const wake of [...this.waiters]) wake();
  }
}
