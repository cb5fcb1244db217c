// Graph API failures: what Meta answered, whether it is worth retrying, and the domain error the caller sees.
import { badRequest, DomainError } from '../../domain/errors.js';

/** Meta's synchronous error body: `{error:{message, type, code, error_subcode, error_user_title, error_user_msg, error_data, fbtrace_id}}`. */
export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  error_data?: { details?: string; messaging_product?: string };
  fbtrace_id?: string;
}

/** A Graph API call that failed: an HTTP error status (with Meta's error body when it sent one), or no answer at all. */
export class GraphError extends Error {
  constructor(
    /** HTTP status; 0 when the request never got an answer (network error, timeout). */
    readonly status: number,
    readonly body: GraphErrorBody | undefined,
    /** Seconds from a `Retry-After` header, when Meta sent one. */
    readonly retryAfterS?: number,
    cause?: unknown,
  ) {
    super(describeGraphError(status, body, cause), cause === undefined ? undefined : { cause });
    this.name = 'GraphError';
  }

  get code(): number | undefined {
    return this.body?.code;
  }
}

/** Meta's throughput limits: the number's mps (130429), the app's call rate (4), the WABA's limit (80007). */
const THROUGHPUT_CODES = new Set([4, 80007, 130429]);
/** Too many messages to one recipient: Meta asks for a much slower, 4^n-second backoff. */
export const PAIR_RATE_CODE = 131056;
/** Meta's "temporary", "unknown" and "service unavailable" errors. */
const TEMPORARY_CODES = new Set([1, 2, 131000, 131016, 135000]);

export type RetryKind = 'throughput' | 'pair-rate' | 'temporary';

/** How a failure should be retried, or undefined when retrying cannot help (the caller gets a clear error at once). */
export function retryKind(error: unknown): RetryKind | undefined {
  if (!(error instanceof GraphError)) return undefined;
  const code = error.code;
  if (code === PAIR_RATE_CODE) return 'pair-rate';
  if (code !== undefined && THROUGHPUT_CODES.has(code)) return 'throughput';
  if (code !== undefined && TEMPORARY_CODES.has(code)) return 'temporary';
  if (error.status === 429) return 'throughput';
  if (error.status === 0 || error.status >= 500) return 'temporary';
  return undefined;
}

function describeGraphError(status: number, body: GraphErrorBody | undefined, cause?: unknown): string {
  if (status === 0) return `WhatsApp Business API unreachable: ${cause instanceof Error ? cause.message : String(cause)}`;
  if (body === undefined) return `WhatsApp Business API answered HTTP ${status}`;
  return metaText(body) + ` (HTTP ${status})`;
}

/** `Meta error 131047 (Re-engagement message): Message failed to send because … [fbtrace_id AbC]`. */
function metaText(body: GraphErrorBody): string {
  const code = body.code === undefined ? 'unknown code' : `${body.code}${body.error_subcode === undefined ? '' : `/${body.error_subcode}`}`;
  const message = (body.message ?? 'no message').replace(/^\(#\d+\)\s*/, '');
  const details = [body.error_user_title, body.error_user_msg, body.error_data?.details]
    .filter((part): part is string => typeof part === 'string' && part !== '' && part !== message)
    .join(' — ');
  const trace = body.fbtrace_id === undefined ? '' : ` [fbtrace_id ${body.fbtrace_id}]`;
  return `WhatsApp Business API error ${code}: ${message}${details === '' ? '' : ` — ${details}`}${trace}`;
}

const HINTS: Record<number, string> = {
  190: 'the access token (instance token) is invalid or expired',
  131026: 'the message is undeliverable to this number (not on WhatsApp, outdated app, or it blocked the business)',
  131047: 'more than 24 hours have passed since the customer last wrote; send an approved template instead',
  132000: 'the template parameters do not match the approved template',
  132001: 'the template does not exist in this language',
};

/** The domain error for a Graph failure that will not be retried (a client-side mistake Meta refused). */
export function graphFailure(error: GraphError): DomainError {
  if (error.body === undefined) {
    return error.status >= 500 || error.status === 0 ? new DomainError('unavailable', [error.message]) : badRequest(error.message);
  }
  const hint = error.code === undefined ? undefined : HINTS[error.code];
  return badRequest(hint === undefined ? metaText(error.body) : `${metaText(error.body)} (${hint})`);
}

/** The domain error after transient failures outlasted the retry budget. */
export function retriesExhausted(error: unknown, elapsedMs: number): DomainError {
  const what = error instanceof GraphError && error.body !== undefined ? metaText(error.body) : error instanceof Error ? error.message : String(error);
  const limit = retryKind(error) === 'temporary' ? 'is unavailable' : 'kept rate limiting this number';
  return new DomainError('unavailable', [
    `WhatsApp Business API ${limit}; gave up after ${Math.round(elapsedMs / 1000)} s of retries. Last error: ${what}`,
  ]);
}

/** Reads Meta's error body out of any JSON answer (or undefined when it is not one). */
export function errorBodyOf(json: unknown): GraphErrorBody | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const error = (json as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  return error as GraphErrorBody;
}
