// A local HTTP receiver for webhooks: records every request (headers, raw body), answers as told
// (status, delay), and can be stopped and restarted on the same port to simulate an outage.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
  at: number;
}

export class WebhookSink {
  readonly received: ReceivedHook[] = [];
  /** Status to answer; a function can decide per request. */
  status: number | ((hook: ReceivedHook) => number) = 200;
  delayMs = 0;
  headers: Record<string, string> = {};
  private server: http.Server | undefined;
  private port = 0;
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];

  async start(port = this.port): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
        const hook: ReceivedHook = { path: req.url ?? '/', headers: req.headers, raw, body, at: Date.now() };
        const answer = () => {
          const status = typeof this.status === 'function' ? this.status(hook) : this.status;
          if (status >= 200 && status < 300) {
            this.received.push(hook);
            this.notify();
          }
          res.writeHead(status, this.headers).end(status >= 200 && status < 300 ? 'ok' : 'no');
        };
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops listening and drops open connections (the receiver is "down"). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  events(name?: string): any[] {
    return this.received.map((h) => h.body).filter((b) => name === undefined || b.event === name);
  }

  /** Resolves when `predicate` holds (checked on every received hook), or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'webhooks'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${what}; received ${this.received.length}: ${this.received.map((h) => h.body?.event).join(',')}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ predicate, resolve: done });
    });
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => w.predicate());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}
