// The fetch bot providers use: every target checked against the outbound policy (cloud metadata always refused,
// private ranges when configured), at URL level and again at connect time.
import { Agent, fetch as undiciFetch } from 'undici';
import type { OutboundPolicy } from '../../lib/outbound-policy.js';

const MAX_REDIRECTS = 5;

export function policyFetch(policy: OutboundPolicy): { fetch: typeof fetch; close(): Promise<void> } {
  const agent = new Agent({ connect: { lookup: policy.connectLookup as never } });
  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const request = { ...(await encodeForm(init)), dispatcher: agent, redirect: 'manual' as const };
    // Redirects are followed here, so every hop is checked: IP literals never reach the connect-time lookup.
    for (let hop = 0; ; hop++) {
      await policy.check(url);
      const response = (await undiciFetch(url, request as never)) as unknown as Response;
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return response;
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url.origin}`);
      await response.body?.cancel();
      url = new URL(location, url);
      // A 303 (and a 301/302 after POST, as browsers do) continues as GET without a body.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && request.method === 'POST')) {
        Object.assign(request, { method: 'GET', body: undefined });
      }
    }
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
