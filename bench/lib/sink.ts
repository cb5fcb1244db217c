// The runner's own webhook receiver on loopback: counts events by id and measures inbound→webhook latency from the
// send time stamped in each message.
import http from 'node:http';

export class BenchSink {
  readonly latencies: number[] = [];
  readonly seen = new Map<string, number>();
  lastAt = 0;
  private server: http.Server | undefined;
  private waiters: (() => void)[] = [];

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.end('ok');
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: { key?: { id?: string }; message?: { benchSentAt?: number } } };
          const id = body.data?.key?.id;
          if (id === undefined) return;
          this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
          const sentAt = body.data?.message?.benchSentAt;
          const now = Date.now();
          if (typeof sentAt === 'number' && this.seen.get(id) === 1) this.latencies.push(now - sentAt);
          this.lastAt = now;
          for (const wake of this.waiters) wake();
        } catch {
          // not an event
        }
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  get unique(): number {
    return this.seen.size;
  }

  get duplicated(): number {
    let d = 0;
    for (const n of this.seen.values()) d += n - 1;
    return d;
  }

  /** Resolves when `count` distinct events arrived, or after `timeoutMs` (bounded: the load stops by itself). */
  waitFor(count: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        if (this.unique >= count) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(ok);
      };
      this.waiters.push(done);
      done();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}
