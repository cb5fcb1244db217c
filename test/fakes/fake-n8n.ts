// A local n8n over real HTTP: `POST /webhook/{path}` for registered workflows (others answer n8n's 404 "The requested
// webhook … is not registered."). A workflow may require Basic auth (missing → 401, wrong → 403 "Authorization data
// is wrong!"), and answers the way its Respond mode would: `{output}` (AI Agent), `[{output}]` (last node), plain
// text, or an empty body. `answers` scripts replies (default: echo of chatInput).
import { FakeHttpApi, type FakeAnswer, type RecordedRequest } from './fake-http-api.js';

export type N8nRespond = 'agent' | 'lastNode' | 'text' | 'empty';

interface Workflow {
  basicAuth?: { user: string; password: string };
  respond: N8nRespond;
}

export class FakeN8n extends FakeHttpApi {
  readonly answers: string[] = [];
  /** sessionId → chat inputs received (an AI Agent's memory). */
  readonly memory = new Map<string, string[]>();
  private readonly workflows = new Map<string, Workflow>();

  /** Registers an active workflow; returns its production webhook URL. */
  workflow(path: string, workflow: Workflow): string {
    this.workflows.set(path, workflow);
    return `${this.url}/webhook/${path}`;
  }

  protected errorBody(status: number, message: string): unknown {
    return { code: status, message };
  }

  protected route(r: RecordedRequest): FakeAnswer {
    const path = /^\/webhook\/(.+)$/.exec(r.path)?.[1];
    const workflow = path === undefined ? undefined : this.workflows.get(path);
    if (workflow === undefined || r.method !== 'POST') {
      return this.json(404, { code: 404, message: `The requested webhook "${r.method} ${path ?? r.path}" is not registered.`, hint: "The workflow must be active for a production URL to run successfully." });
    }
    if (workflow.basicAuth !== undefined) {
      const auth = r.headers.authorization;
      if (typeof auth !== 'string' || !auth.startsWith('Basic ')) return { status: 401, text: 'Authorization is required!' };
      if (Buffer.from(auth.slice(6), 'base64').toString() !== `${workflow.basicAuth.user}:${workflow.basicAuth.password}`) return { status: 403, text: 'Authorization data is wrong!' };
    }
    const body = r.body as Record<string, unknown> | undefined;
    if (typeof body?.chatInput !== 'string' || typeof body.sessionId !== 'string') return this.error(500, 'Workflow could not be started: No chatInput or sessionId found');
    const seen = this.memory.get(body.sessionId) ?? [];
    seen.push(body.chatInput);
    this.memory.set(body.sessionId, seen);
    const answer = this.answers.shift() ?? `echo: ${body.chatInput}`;
    switch (workflow.respond) {
      case 'agent':
        return this.json(200, { output: answer });
      case 'lastNode':
        return this.json(200, [{ output: answer }]);
      case 'text':
        return { status: 200, text: answer };
      case 'empty':
        return { status: 200 };
    }
  }
}
