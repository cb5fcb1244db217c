// A local EvoAI agent (A2A over JSON-RPC 2.0) over real HTTP: `POST /api/v1/a2a/{agentId}`, header `x-api-key`
// (else 401). Requests are checked as A2A `message/send` (jsonrpc, id, method, params.message with role, parts and
// messageId); a bad one gets a JSON-RPC error (-32600/-32601/-32602) with HTTP 200, as A2A servers answer. The result
// is a completed Task in the request's contextId, its text in `artifacts[0].parts` — or, with `answerIn = 'status'`,
// in `status.message.parts`. `answers` scripts replies (default: echo of the text parts).
import { FakeHttpApi, randomId, type FakeAnswer, type RecordedRequest } from './fake-http-api.js';

export class FakeEvoAi extends FakeHttpApi {
  readonly answers: string[] = [];
  /** contextId → texts received. */
  readonly contexts = new Map<string, string[]>();
  answerIn: 'artifact' | 'status' = 'artifact';

  constructor(readonly apiKey = 'evoai-key-321') {
    super();
  }

  agentUrl(agentId = 'agent-1'): string {
    return `${this.url}/api/v1/a2a/${agentId}`;
  }

  protected errorBody(status: number, message: string): unknown {
    return { detail: message };
  }

  protected route(r: RecordedRequest): FakeAnswer {
    if (r.method !== 'POST' || !/^\/api\/v1\/a2a\/[^/]+$/.test(r.path)) return this.error(404, 'Not Found');
    if (r.headers['x-api-key'] !== this.apiKey) return this.json(401, { detail: 'Invalid API key' });
    const body = r.body as Record<string, unknown> | undefined;
    const id = body?.id ?? null;
    const rpcError = (code: number, message: string) => this.json(200, { jsonrpc: '2.0', id, error: { code, message } });
    if (body?.jsonrpc !== '2.0' || (typeof id !== 'string' && typeof id !== 'number')) return rpcError(-32600, 'Invalid Request');
    if (body.method !== 'message/send') return rpcError(-32601, 'Method not found');
    const params = body.params as Record<string, unknown> | undefined;
    const message = params?.message as Record<string, unknown> | undefined;
    const parts = message?.parts;
    if (message?.role !== 'user' || typeof message.messageId !== 'string' || !Array.isArray(parts) || parts.length === 0) return rpcError(-32602, 'Invalid params');
    for (const part of parts as Record<string, unknown>[]) {
      const kind = part.kind ?? part.type;
      const file = part.file as Record<string, unknown> | undefined;
      const valid = (kind === 'text' && typeof part.text === 'string') || (kind === 'file' && typeof file?.name === 'string' && (typeof file.bytes === 'string' || typeof file.uri === 'string'));
      if (!valid) return rpcError(-32602, 'Invalid params: unsupported part');
    }
    const text = (parts as Record<string, unknown>[]).filter((p) => (p.kind ?? p.type) === 'text').map((p) => p.text as string).join(' ');
    const contextId = typeof params?.contextId === 'string' && params.contextId !== '' ? params.contextId : randomId('ctx-');
    const seen = this.contexts.get(contextId) ?? [];
    seen.push(text);
    this.contexts.set(contextId, seen);
    const answer = this.answers.shift() ?? `echo: ${text}`;
    const answerParts = [{ kind: 'text', type: 'text', text: answer }];
    const agentMessage = { role: 'agent', kind: 'message', messageId: randomId('msg-'), parts: answerParts, contextId };
    return this.json(200, {
      jsonrpc: '2.0', id,
      result: {
        id: randomId('task-'), contextId, kind: 'task',
        status: { state: 'completed', ...(this.answerIn === 'status' ? { message: agentMessage } : {}), timestamp: '2026-11-21T12:00:00Z' },
        artifacts: this.answerIn === 'artifact' ? [{ artifactId: randomId('art-'), parts: answerParts }] : [],
      },
    });
  }
}
