// Downloading media from URLs Parley did not choose (API clients' media links, WhatsApp's media CDN as named inside
// received messages): every connection — redirect hops included — goes through the outbound policy at connect time
// (so neither a DNS name nor a redirect can reach a forbidden address), bounded in size and in time.
import { isIP } from 'node:net';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import { OutboundBlockedError, type OutboundPolicy } from './outbound-policy.js';

/** Why a media URL could not be fetched; the message is fit for the API client. */
export class MediaFetchError extends Error {
  constructor(
    readonly reason: 'invalid' | 'refused' | 'unreachable' | 'status' | 'too-large' | 'timeout',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'MediaFetchError';
  }
}

export interface FetchedMedia {
  data: Buffer;
  /** The Content-Type the server sent, when it sent one. */
  mimetype?: string;
  /** From Content-Disposition, else the last segment of the final URL's path. */
  fileName?: string;
}

export interface MediaLimits {
  maxBytes?: number;
  timeoutMs?: number;
}

export interface MediaDownloaderOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Redirects followed at most (each hop is checked again). */
  maxRedirects?: number;
}

export interface MediaDownloader {
  fetch(url: string, limits?: MediaLimits): Promise<FetchedMedia>;
  /** For libraries that fetch by themselves (Baileys' media download): connections under the same policy. */
  readonly dispatcher: Dispatcher;
  readonly maxBytes: number;
  readonly timeoutMs: number;
  close(): Promise<void>;
}

/** An undici connector that refuses what the policy refuses: IP literals here, names through the policy's lookup. */
function guardedConnector(policy: OutboundPolicy, timeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ lookup: policy.connectLookup as never, timeout: timeoutMs } as buildConnector.BuildOptions);
  return (options, callback) => {
    // A literal address never reaches the lookup, so it is checked before connecting.
    const host = options.hostname.replace(/^\[|\]$/g, '');
    const refusal = isIP(host) === 0 ? undefined : policy.refusal(host);
    if (refusal !== undefined) callback(new OutboundBlockedError(host, refusal), null);
    else connect(options, callback);
  };
}

function blockedCause(error: unknown): OutboundBlockedError | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof OutboundBlockedError) return e;
  }
  return undefined;
}

/** Any failure of a fetch as a MediaFetchError. */
export function asMediaFetchError(error: unknown, timeoutMs: number): MediaFetchError {
  if (error instanceof MediaFetchError) return error;
  const blocked = blockedCause(error);
  if (blocked !== undefined) return new MediaFetchError('refused', `refused by the outbound policy: ${blocked.reason}`);
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code?.includes('TIMEOUT') === true || e.cause?.code?.includes('TIMEOUT') === true) {
    return new MediaFetchError('timeout', `no complete answer within ${timeoutMs} ms`);
  }
  const code = e.cause?.code ?? e.code;
  return new MediaFetchError('unreachable', `${e.cause?.message ?? e.message ?? String(error)}${code ? ` (${code})` : ''}`);
}

function fileNameOf(disposition: string | undefined, url: URL): string | undefined {
  const star = disposition === undefined ? null : /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(disposition);
  const plain = disposition === undefined ? null : /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  try {
    const named = star?.[1] ?? plain?.[1] ?? url.pathname.split('/').pop();
    return named === undefined || named === '' ? undefined : decodeURIComponent(named.trim());
  } catch {
    return undefined;
  }
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Drops a body not read to its end (undici reports the abort as an error event, which nobody else listens to). */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

export function createMediaDownloader(policy: OutboundPolicy, options: MediaDownloaderOptions): MediaDownloader {
  const connectTimeout = Math.min(options.timeoutMs, 10_000);
  const agent = new Agent({ connect: guardedConnector(policy, connectTimeout), headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, keepAliveTimeout: 10_000 });
  const maxRedirects = options.maxRedirects ?? 5;

  async function fetchOnce(start: URL, maxBytes: number, signal: AbortSignal): Promise<FetchedMedia> {
    let url = start;
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MediaFetchError('invalid', `only http and https URLs can be fetched, not ${url.protocol}`);
      const response = await request(url, { method: 'GET', dispatcher: agent, signal, headers: { 'user-agent': 'Parley-Media/1', accept: '*/*' } });
      const location = header(response.headers.location);
      if (response.statusCode >= 300 && response.statusCode < 400 && location !== undefined) {
        await response.body.dump();
        if (hop >= maxRedirects) throw new MediaFetchError('unreachable', `more than ${maxRedirects} redirects`);
        url = new URL(location, url);
        continue;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        throw new MediaFetchError('status', `the server answered HTTP ${response.statusCode}`, response.statusCode);
      }
      const tooLarge = () => new MediaFetchError('too-large', `the media is larger than ${maxBytes} bytes (PARLEY_MEDIA_MAX_MB)`);
      if (Number(header(response.headers['content-length']) ?? '0') > maxBytes) {
        discard(response.body);
        throw tooLarge();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          discard(response.body);
          throw tooLarge();
        }
        chunks.push(chunk as Buffer);
      }
      const mimetype = header(response.headers['content-type'])?.trim();
      const fileName = fileNameOf(header(response.headers['content-disposition']), url);
      return { data: Buffer.concat(chunks), ...(mimetype ? { mimetype } : {}), ...(fileName ? { fileName } : {}) };
    }
  }

  return {
    dispatcher: agent,
    maxBytes: options.maxBytes,
    timeoutMs: options.timeoutMs,
    async fetch(target, limits = {}) {
      const maxBytes = Math.min(limits.maxBytes ?? options.maxBytes, options.maxBytes);
      const timeoutMs = limits.timeoutMs ?? options.timeoutMs;
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        throw new MediaFetchError('invalid', 'not a valid URL');
      }
      try {
        return await fetchOnce(url, maxBytes, AbortSignal.timeout(timeoutMs));
      } catch (error) {
        throw asMediaFetchError(error, timeoutMs);
      }
    },
    close: () => agent.close(),
  };
}
