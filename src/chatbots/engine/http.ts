// The fetch bot providers use: every target checked against the outbound policy (cloud metadata always refused,
// private ranges when configured), at URL level and again at connect time.
import { Agent, fetch as undiciFetch } from 'undici';
import type { OutboundPolicy } from '../../lib/outbound-policy.js';

export function policyFetch(policy: OutboundPolicy): { fetch: typeof fetch; close(): Promise<void> } {
  const agent = new Agent({ connect: { lookup: policy.connectLookup as never } });
  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    // IP literals never reach a DNS lookup, so the URL is checked here too.
    await policy.check(url);
    return (await undiciFetch(input as never, { ...(await encodeForm(init)), dispatcher: agent } as never)) as unknown as Response;
  };
  return { fetch: guarded as typeof fetch, close: () => agent.close() };
}

/**
 * undici's own fetch does not recognise Node's built-in FormData (another undici copy) and would send
 * `[object FormData]` as text: a multipart body is encoded here, with its boundary header.
 */
async function encodeForm(init: RequestInit | undefined): Promise<RequestInit | undefined> {
  if (!(init?.body instanceof FormData)) return init;
  const encoded = new Response(init.body);
  const headers = new Headers(init.headers);
  headers.set('content-type', encoded.headers.get('content-type')!);
  return { ...init, headers: Object.fromEntries(headers), body: new Uint8Array(await encoded.arrayBuffer()) };
}
