// A local Flowise over real HTTP: `POST /api/v1/prediction/{chatflowId}`. A flow may have an API key (then
// `Authorization: Bearer <key>` is required, else 401 "Unauthorized Access"); unknown flows answer 404. Bodies are
// checked (question, overrideConfig.sessionId/vars, uploads {data, type: file|url|audio, name, mime}); each session
// keeps its questions, so tests can see memory carried across turns. `answers` scripts replies (default: echo).
import { FakeHttpApi, randomId, type FakeAnswer, type RecordedRequest } from './fake-http-api.js';

export class FakeFlowise extends FakeHttpApi {
  readonly answers: string[] = [];
  /** sessionId → questions asked in it. */
  readonly sessions = new Map<string, string[]>();
  private readonly flows = new Map<string, string | undefined>();

  /** Adds a chatflow; returns its prediction URL (the bot's apiUrl). */
  flow(id: string, apiKey?: string): string {
    this.flows.set(id, apiKey);
    return `${this.url}/api/v1/prediction/${id}`;
  }

  protected errorBody(status: number, message: string): unknown {
    return { statusCode: status, success: false, message, stack: {} };
  }

  protected route(r: RecordedRequest): FakeAnswer {
    const match = /^\/api\/v1\/prediction\/([^/]+)$/.exec(r.path);
    if (match === null || r.method !== 'POST') return this.error(404, `Cannot ${r.method} ${r.path}`);
    const id = match[1]!;
    if (!this.flows.has(id)) return this.error(404, `Chatflow ${id} not found`);
    const key = this.flows.get(id);
    if (key !== undefined && this.bearer(r) !== key) return this.json(401, { error: 'Unauthorized Access' });
    const body = r.body as Record<string, unknown> | undefined;
    if (typeof body?.question !== 'string' || body.question === '') return this.error(400, 'Question is required');
    const override = body.overrideConfig as Record<string, unknown> | undefined;
    if (override !== undefined && (typeof override.sessionId !== 'string' || (override.vars !== undefined && typeof override.vars !== 'object'))) {
      return this.error(400, 'Invalid overrideConfig');
    }
    if (body.uploads !== undefined) {
      if (!Array.isArray(body.uploads)) return this.error(400, 'uploads must be a list');
      for (const upload of body.uploads as Record<string, unknown>[]) {
        const validData = upload.type === 'file' ? /^data:[^;]+;base64,/.test(String(upload.data)) : upload.type === 'url' ? /^https?:\/\//.test(String(upload.data)) : upload.type === 'audio';
        if (!validData || typeof upload.name !== 'string' || typeof upload.mime !== 'string') return this.error(400, 'Invalid upload');
      }
    }
    const sessionId = (override?.sessionId as string | undefined) ?? randomId('s-');
    const asked = this.sessions.get(sessionId) ?? [];
    asked.push(body.question);
    this.sessions.set(sessionId, asked);
    return this.json(200, {
      text: this.answers.shift() ?? `echo: ${body.question}`,
      question: body.question, chatId: sessionId, chatMessageId: randomId('cm-'), sessionId, memoryType: 'Buffer Memory',
    });
  }
}
