// A local Dify Service API (base `<url>/v1`) over real HTTP, for one app of a given mode:
//   POST /v1/chat-messages        chat/agent apps; blocking JSON or streaming SSE (agent apps refuse blocking with
//                                 400, as Dify does); conversations are created on the first turn and checked after
//                                 (unknown or another user's → 404 "Conversation Not Exists.")
//   POST /v1/completion-messages  text generator apps (inputs.query)
//   POST /v1/workflows/run        workflow apps; the answer is data.outputs[<outputKey>]
//   POST /v1/files/upload         multipart file + user → {id}; local_file references must name a known upload
// Every call needs `Authorization: Bearer <apiKey>` (else 401). `answers` scripts the next answers (default: echo).
import { FakeHttpApi, randomId, type FakeAnswer, type RecordedRequest } from './fake-http-api.js';

export type DifyMode = 'chat' | 'agent' | 'completion' | 'workflow';

export class FakeDify extends FakeHttpApi {
  readonly answers: string[] = [];
  /** conversation id → user. */
  readonly conversations = new Map<string, string>();
  readonly uploads = new Map<string, { name: string; mime: string; size: number }>();
  /** Agent streams: also end with one full `message` event, as Dify's newer agent apps do. */
  finalFullMessage = false;
  outputKey = 'text';

  constructor(readonly mode: DifyMode, readonly apiKey = 'app-test-key') {
    super();
  }

  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  protected errorBody(status: number, message: string): unknown {
    return { code: status >= 500 ? 'internal_server_error' : 'invalid_param', message, status };
  }

  protected route(r: RecordedRequest): FakeAnswer {
    if (this.bearer(r) !== this.apiKey) return this.json(401, { code: 'unauthorized', message: 'Access token is invalid', status: 401 });
    if (r.method !== 'POST') return this.json(405, { code: 'method_not_allowed', message: 'The method is not allowed for the requested URL.', status: 405 });
    switch (r.path) {
      case '/v1/files/upload':
        return this.upload(r);
      case '/v1/chat-messages':
        return this.chat(r.body);
      case '/v1/completion-messages':
        return this.completion(r.body);
      case '/v1/workflows/run':
        return this.workflow(r.body);
      default:
        return this.json(404, { code: 'not_found', message: 'The requested URL was not found on the server.', status: 404 });
    }
  }

  private chat(body: Record<string, unknown> | undefined): FakeAnswer {
    if (this.mode !== 'chat' && this.mode !== 'agent') return this.json(400, { code: 'not_chat_app', message: 'App mode is not chat', status: 400 });
    const invalid = this.common(body) ?? (typeof body?.query !== 'string' || body.query === '' ? 'query is required' : undefined);
    if (invalid !== undefined) return this.error(400, invalid);
    if (this.mode === 'agent' && body!.response_mode !== 'streaming') return this.error(400, 'Agent Chat App does not support blocking mode');
    const user = body!.user as string;
    let conversationId = body!.conversation_id;
    if (conversationId !== undefined && conversationId !== '') {
      if (typeof conversationId !== 'string' || this.conversations.get(conversationId) !== user) return this.json(404, { code: 'not_found', message: 'Conversation Not Exists.', status: 404 });
    } else {
      conversationId = randomId('c0ffee00-');
      this.conversations.set(conversationId as string, user);
    }
    const answer = this.answers.shift() ?? `echo: ${String(body!.query)}`;
    const messageId = randomId('m-');
    const base = { task_id: randomId('t-'), id: messageId, message_id: messageId, conversation_id: conversationId, created_at: 1_705_407_629 };
    if (body!.response_mode === 'streaming') {
      const event = this.mode === 'agent' ? 'agent_message' : 'message';
      const cut = [answer.slice(0, 3), answer.slice(3, 7), answer.slice(7)].filter((chunk) => chunk !== '');
      const sse = [
        'event: ping',
        ...(this.mode === 'agent' ? [`data: ${JSON.stringify({ event: 'agent_thought', ...base, thought: 'thinking', tool: '', position: 1 })}`] : []),
        ...cut.map((chunk) => `data: ${JSON.stringify({ event, ...base, answer: chunk })}`),
        ...(this.finalFullMessage ? [`data: ${JSON.stringify({ event: 'message', ...base, answer })}`] : []),
        `data: ${JSON.stringify({ event: 'message_end', ...base, metadata: { usage: { total_tokens: 12 } } })}`,
      ];
      return { status: 200, sse };
    }
    return this.json(200, { event: 'message', ...base, mode: 'chat', answer, metadata: { usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }, retriever_resources: [] } });
  }

  private completion(body: Record<string, unknown> | undefined): FakeAnswer {
    if (this.mode !== 'completion') return this.json(400, { code: 'app_unavailable', message: 'App unavailable, please check your app configurations.', status: 400 });
    const inputs = body?.inputs as Record<string, unknown> | undefined;
    const invalid = this.common(body) ?? (typeof inputs?.query !== 'string' || inputs.query === '' ? 'query in input form must be a string' : undefined);
    if (invalid !== undefined) return this.error(400, invalid);
    const messageId = randomId('m-');
    return this.json(200, { event: 'message', task_id: randomId('t-'), id: messageId, message_id: messageId, mode: 'completion', answer: this.answers.shift() ?? `echo: ${String(inputs!.query)}`, created_at: 1_705_407_629 });
  }

  private workflow(body: Record<string, unknown> | undefined): FakeAnswer {
    if (this.mode !== 'workflow') return this.json(400, { code: 'not_workflow_app', message: 'Please check if your app mode matches the right API route.', status: 400 });
    const invalid = this.common(body);
    if (invalid !== undefined) return this.error(400, invalid);
    const inputs = body!.inputs as Record<string, unknown>;
    const runId = randomId('wr-');
    return this.json(200, {
      workflow_run_id: runId, task_id: randomId('t-'),
      data: { id: runId, workflow_id: 'wf-1', status: 'succeeded', outputs: { [this.outputKey]: this.answers.shift() ?? `echo: ${String(inputs.query)}`, tokens: 12 }, error: null, elapsed_time: 0.5, total_tokens: 12, total_steps: 3, created_at: 1_705_407_629, finished_at: 1_705_407_630 },
    });
  }

  private upload(r: RecordedRequest): FakeAnswer {
    const file = r.multipart?.find((p) => p.name === 'file');
    const user = r.multipart?.find((p) => p.name === 'user')?.data.toString();
    if (file === undefined || file.filename === undefined) return this.json(400, { code: 'no_file_uploaded', message: 'Please upload your file.', status: 400 });
    if (user === undefined || user === '') return this.error(400, 'user is required');
    const id = randomId('f-');
    const mime = file.contentType ?? 'application/octet-stream';
    this.uploads.set(id, { name: file.filename, mime, size: file.data.length });
    return this.json(201, { id, name: file.filename, size: file.data.length, extension: file.filename.split('.').pop(), mime_type: mime, created_by: user, created_at: 1_705_407_629 });
  }

  /** Checks shared by every run endpoint; returns the error message, if any. */
  private common(body: Record<string, unknown> | undefined): string | undefined {
    if (body === undefined) return 'a JSON body is required';
    if (typeof body.inputs !== 'object' || body.inputs === null) return 'inputs is required';
    for (const [name, value] of Object.entries(body.inputs)) {
      if (value !== null && typeof value === 'object') return `${name} in input form must be a string`;
    }
    if (typeof body.user !== 'string' || body.user === '') return 'user is required';
    if (body.response_mode !== 'blocking' && body.response_mode !== 'streaming') return 'response_mode must be blocking or streaming';
    if (body.files !== undefined) {
      if (!Array.isArray(body.files)) return 'files must be a list';
      for (const file of body.files as Record<string, unknown>[]) {
        if (!['image', 'document', 'audio', 'video', 'custom'].includes(String(file.type))) return 'invalid file type';
        if (file.transfer_method === 'remote_url' && (typeof file.url !== 'string' || !/^https?:\/\//.test(file.url))) return 'invalid file url';
        if (file.transfer_method === 'local_file' && !this.uploads.has(String(file.upload_file_id))) return 'file not found';
        if (file.transfer_method !== 'remote_url' && file.transfer_method !== 'local_file') return 'invalid transfer method';
      }
    }
    return undefined;
  }
}
