// The Graph API over HTTP for one access token: JSON calls, multipart uploads and binary downloads, each retried with
// exponential backoff and jitter on Meta's rate limits, 5xx answers and network errors, for a bounded total time.
import { DomainError } from '../../domain/errors.js';
import { errorBodyOf, GraphError, graphFailure, retriesExhausted, retryKind, type RetryKind } from './errors.js';
import type { TokenBucket } from './rate-limiter.js';

export interface RetryPolicy {
  /** First backoff (doubled per retry; Meta's pair-rate limit starts at twice this and grows 4×). */
  initialDelayMs: number;
  /** Longest single backoff for throughput and temporary errors (pair-rate backoffs may reach twice this). */
  maxDelayMs: number;
  /** Total time a call may spend retrying before the caller gets an error. */
  totalMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 500, maxDelayMs: 8_000, totalMs: 30_000 };

export interface GraphClientOptions {
  graphUrl: string;
  graphVersion: string;
  token: string;
  fetch: typeof fetch;
  retry: RetryPolicy;
  /** Aborted when the connection closes: pending calls and backoffs stop. */
  signal: AbortSignal;
  requestTimeoutMs?: number;
}

const USER_AGENT = 'Parley-CloudAPI/1.0';

export class GraphClient {
  private readonly base: string;
  private readonly origin: string;

  constructor(private readonly options: GraphClientOptions) {
    const version = options.graphVersion.replace(/^\/+|\/+$/g, '');
    this.base = options.graphUrl.replace(/\/+$/, '') + (version === '' ? '' : `/${version}`);
    this.origin = new URL(options.graphUrl).origin;
  }

  /** `{graphUrl}/{version}/{path}`. */
  url(path: string): string {
    return `${this.base}/${path.replace(/^\/+/, '')}`;
  }

  /** POST JSON; `limiter` makes the call wait for the number's send budget first (and slow down on 130429). */
  postJson<T>(path: string, body: unknown, limiter?: TokenBucket): Promise<T> {
    return this.withRetry(limiter, async () => {
      const response = await this.fetchOnce(this.url(path), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await readJson(response)) as T;
    });
  }

  /** POST multipart/form-data (media upload); `form` is built per attempt. */
  postForm<T>(path: string, form: () => FormData): Promise<T> {
    return this.withRetry(undefined, async () => (await readJson(await this.fetchOnce(this.url(path), { method: 'POST', body: form() }))) as T);
  }

  /** GET a Graph path, or an absolute URL on the Graph host (paging links). */
  getJson<T>(pathOrUrl: string): Promise<T> {
    const url = /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : this.url(pathOrUrl);
    if (new URL(url).origin !== this.origin) return Promise.reject(new Error(`refusing to send the access token to ${new URL(url).origin}`));
    return this.withRetry(undefined, async () => (await readJson(await this.fetchOnce(url, { method: 'GET' }))) as T);
  }

  /**
   * Downloads media bytes from the URL Graph returned. The Bearer header is required by Meta; it is only sent over
   * HTTPS or to the configured Graph host, never in clear text to a third party.
   */
  download(url: string): Promise<{ data: Buffer; contentType: string | undefined }> {
    const target = new URL(url);
    const withToken = target.protocol === 'https:' || target.origin === this.origin;
    return this.withRetry(undefined, async () => {
      const response = await this.fetchOnce(target.href, { method: 'GET' }, withToken);
      if (!response.ok) await readJson(response);
      return { data: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? undefined };
    });
  }

  private async fetchOnce(url: string, init: RequestInit, withToken = true): Promise<Response> {
    const headers = new Headers(init.headers);
    if (withToken) headers.set('authorization', `Bearer ${this.options.token}`);
    headers.set('user-agent', USER_AGENT);
    const signal = AbortSignal.any([this.options.signal, AbortSignal.timeout(this.options.requestTimeoutMs ?? 20_000)]);
    try {
      return await this.options.fetch(url, { ...init, headers, signal });
    } catch (error) {
      if (this.options.signal.aborted) throw closedError();
      throw new GraphError(0, undefined, undefined, error);
    }
  }

  private async withRetry<T>(limiter: TokenBucket | undefined, attempt: () => Promise<T>): Promise<T> {
    const { retry, signal } = this.options;
    const started = Date.now();
    const tries: Record<RetryKind, number> = { throughput: 0, 'pair-rate': 0, temporary: 0 };
    for (;;) {
      if (signal.aborted) throw closedError();
      if (limiter !== undefined) await limiter.take();
      try {
        return await attempt();
      } catch (error) {
        const kind = retryKind(error);
        if (kind === undefined) throw error instanceof GraphError ? graphFailure(error) : error;
        if (kind === 'throughput') limiter?.drain();
        const delay = backoffMs(retry, kind, tries[kind]++, error instanceof GraphError ? error.retryAfterS : undefined);
        const elapsed = Date.now() - started;
        if (elapsed + delay > retry.totalMs) throw retriesExhausted(error, elapsed);
        await sleep(delay, signal);
      }
    }
  }
}

/** Exponential with "equal jitter" (half fixed, half random); Meta's pair-rate limit asks for roughly 4^n seconds. */
export function backoffMs(policy: RetryPolicy, kind: RetryKind, retryIndex: number, retryAfterS?: number): number {
  const ceiling = kind === 'pair-rate' ? policy.maxDelayMs * 2 : policy.maxDelayMs;
  const exponential = kind === 'pair-rate' ? policy.initialDelayMs * 2 * 4 ** retryIndex : policy.initialDelayMs * 2 ** retryIndex;
  const base = Math.min(ceiling, exponential);
  const jittered = base / 2 + Math.random() * (base / 2);
  return Math.round(Math.max(jittered, (retryAfterS ?? 0) * 1000));
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new GraphError(response.status, errorBodyOf(json), Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
  }
  // Not retried: a 200 may mean Meta accepted the message, and sending it again would duplicate it.
  if (json === undefined) throw new DomainError('unavailable', [`WhatsApp Business API answered HTTP ${response.status} without a JSON body`]);
  return json;
}

/** Waits `ms`, or rejects with the "connection closed" error when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(closedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(closedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function closedError(): DomainError {
  return new DomainError('unavailable', ['The WhatsApp Business API connection of this instance was closed']);
}
