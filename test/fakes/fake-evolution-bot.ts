// A local generic "EvolutionBot" HTTP bot over real HTTP: `POST /bot`. With an API key set, `Authorization: Bearer`
// must match (else 401). Checks Evolution's body (inputs with sessionId/remoteJid/instanceName…, query, user) and
// answers `{message, linkPreview?}`; each conversation_id keeps its queries. `answers` scripts replies, as objects
// (`{message, linkPreview}`) or strings (default: echo of the query).
import { FakeHttpApi, type FakeAnswer, type RecordedRequest } from './fake-http-api.js';

export class FakeEvolutionBot extends FakeHttpApi {
  readonly answers: (string | Record<string, unknown>)[] = [];

  constructor(readonly apiKey?: string) {
    super();
  }

  get botUrl(): string {
    return `${this.url}/bot`;
  }

  protected errorBody(status: number, message: string): unknown {
    return { error: message };
  }

  protected route(r: RecordedRequest): FakeAnswer {
    if (r.method !== 'POST' || r.path !== '/bot') return this.error(404, 'not found');
    if (this.apiKey !== undefined && this.bearer(r) !== this.apiKey) return this.error(401, 'unauthorized');
    const body = r.body as Record<string, unknown> | undefined;
    const inputs = body?.inputs as Record<string, unknown> | undefined;
    if (typeof body?.query !== 'string' || typeof body.user !== 'string' || typeof inputs?.sessionId !== 'string' || typeof inputs.remoteJid !== 'string' || typeof inputs.instanceName !== 'string') {
      return this.error(400, 'query, user and inputs.{sessionId, remoteJid, instanceName} are required');
    }
    const next = this.answers.shift() ?? `echo: ${body.query}`;
    return this.json(200, typeof next === 'string' ? { message: next } : next);
  }
}
