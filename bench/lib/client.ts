// An Evolution-wire HTTP client over kept-alive connections (the runner speaks only the public API).
import { Pool } from 'undici';

export interface Reply {
  status: number;
  body: any;
}

export class WireClient {
  private readonly pool: Pool;

  constructor(readonly base: string, private readonly apikey: string, connections: number) {
    this.pool = new Pool(base, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  async call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, auth = true): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (auth) headers.apikey = this.apikey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.pool.request({ method, path, headers, body: body === undefined ? undefined : JSON.stringify(body), headersTimeout: 60_000, bodyTimeout: 60_000 });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // plain text
    }
    return { status: res.statusCode, body: parsed };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Runs `n` tasks with at most `concurrency` in flight (optionally at a fixed offered `rate` per second). */
export async function runLoad(n: number, concurrency: number, rate: number | undefined, task: (i: number) => Promise<void>, onProgress?: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  const start = Date.now();
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      if (rate !== undefined) {
        const due = start + (i / rate) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await task(i);
      done += 1;
      onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
}
