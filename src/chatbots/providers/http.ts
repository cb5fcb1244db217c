// One way for every bot provider to call its API: a per-call timeout, JSON or server-sent-event answers, and errors
// that name the provider, the status and a short excerpt of the body — with the call's secrets masked out.
import { ChatbotProviderError } from '../../ports/chatbots.js';

export interface ProviderCall {
  /** Provider name for messages (`Dify`, `OpenAI` …). */
  provider: string;
  fetch: typeof fetch;
  url: string;
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as multipart/form-data. */
  form?: FormData;
  timeoutMs: number;
  /** Values that must never appear in an error message (API keys, passwords). */
  secrets?: (string | undefined)[];
}

export interface ProviderResponse {
  status: number;
  contentType: string;
  text: string;
}

/** A server-sent event: its `event:` name (if any) and its `data:` lines joined by `\n`. */
export interface SseEvent {
  event?: string;
  data: string;
}

const EXCERPT_CHARS = 300;

/** Sends the call and reads the whole body; throws ChatbotProviderError on non-2xx, timeouts and network errors. */
export async function send(call: ProviderCall): Promise<ProviderResponse> {
  const response = await open(call);
  const text = await readBody(call, response);
  if (!response.ok) throw httpError(call, response.status, text);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
}

/** Sends the call and parses a JSON answer; an empty body is `undefined`. */
export async function sendJson(call: ProviderCall): Promise<unknown> {
  const { text } = await send(call);
  return parseJson(call, text);
}

/** Sends the call and hands every server-sent event to `onEvent` as it arrives (the timeout covers the whole stream). */
export async function sendSse(call: ProviderCall, onEvent: (event: SseEvent) => void): Promise<void> {
  const response = await open(call);
  if (!response.ok) throw httpError(call, response.status, await readBody(call, response));
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.includes('text/event-stream')) {
    // Some servers answer an error as JSON with status 200 instead of streaming.
    const text = await readBody(call, response);
    throw failure(call, `expected an event stream, got ${contentType || 'no content type'}: ${excerpt(call, text)}`, response.status, false);
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      buffer = drainEvents(buffer.replace(/\r\n?/g, '\n'), onEvent);
    }
  } catch (error) {
    if (error instanceof ChatbotProviderError) throw error;
    throw transportError(call, error);
  }
  drainEvents(`${buffer}${decoder.decode()}\n\n`, onEvent);
}

/** Parses JSON, throwing a clear error for a malformed body. */
export function parseJson(call: Pick<ProviderCall, 'provider' | 'url' | 'secrets'>, text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw failure(call, `answered malformed JSON: ${excerpt(call, text)}`, undefined, false);
  }
}

/** A ChatbotProviderError for an answer that parsed but is not what the API documents. */
export function unexpected(call: Pick<ProviderCall, 'provider' | 'url' | 'secrets'>, what: string, body: unknown): ChatbotProviderError {
  return failure(call, `${what}: ${excerpt(call, JSON.stringify(body) ?? String(body))}`, undefined, false);
}

export function bearer(token: string | undefined): Record<string, string> {
  return token === undefined || token === '' ? {} : { authorization: `Bearer ${token}` };
}

/** A plain object, or undefined. */
export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `https://host/path` without query or credentials, for messages (webhook URLs may carry tokens in the query). */
export function where(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

async function open(call: ProviderCall): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, text/event-stream;q=0.9, */*;q=0.5', ...call.headers };
  let body: string | FormData | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.form !== undefined) {
    body = call.form;
  }
  let url: URL;
  try {
    url = new URL(call.url);
  } catch {
    throw failure(call, `is configured with an invalid URL`, undefined, false);
  }
  try {
    return await call.fetch(url, {
      method: call.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(call.timeoutMs),
      redirect: 'follow',
    });
  } catch (error) {
    throw transportError(call, error);
  }
}

async function readBody(call: ProviderCall, response: Response): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw transportError(call, error);
  }
}

function drainEvents(buffer: string, onEvent: (event: SseEvent) => void): string {
  let end = buffer.indexOf('\n\n');
  while (end !== -1) {
    const block = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    let name: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }
    if (name !== undefined || data.length > 0) onEvent({ ...(name === undefined ? {} : { event: name }), data: data.join('\n') });
    end = buffer.indexOf('\n\n');
  }
  return buffer;
}

function httpError(call: ProviderCall, status: number, text: string): ChatbotProviderError {
  const retryable = status === 408 || status === 429 || status >= 500;
  return failure(call, `answered HTTP ${status}: ${excerpt(call, text) || '(empty body)'}`, status, retryable);
}

function transportError(call: ProviderCall, error: unknown): ChatbotProviderError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return failure(call, `did not answer within ${call.timeoutMs} ms`, undefined, true);
  }
  const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return failure(call, `could not be reached: ${mask(call, cause)}`, undefined, true);
}

function failure(call: Pick<ProviderCall, 'provider' | 'url'>, what: string, status: number | undefined, retryable: boolean): ChatbotProviderError {
  return new ChatbotProviderError(`${call.provider} (${where(call.url)}) ${what}`, call.provider, status, retryable);
}

function excerpt(call: Pick<ProviderCall, 'secrets'>, text: string): string {
  // Masked before cutting, so a key straddling the cut cannot leak half of itself.
  const flat = mask(call, text.replace(/\s+/g, ' ').trim());
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
}

function mask(call: Pick<ProviderCall, 'secrets'>, text: string): string {
  let out = text;
  for (const secret of call.secrets ?? []) {
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
