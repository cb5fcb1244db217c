// A local OpenAI API (base `<url>/v1`) over real HTTP:
//   GET  /v1/models                 the models list
//   POST /v1/chat/completions       validates model and messages (roles, text and image_url parts)
//   POST /v1/conversations          → {id: conv_…}; conversations keep their items
//   POST /v1/responses              in a conversation; answers a message, or a scripted function_call whose
//                                   function_call_output must come back (with its call_id) in the next request
//   POST /v1/audio/transcriptions   multipart (file + model) → {text}
//   POST /function                  a stand-in for a bot's functionUrl (no auth): records, answers `functionAnswer`
// Every /v1 call needs `Authorization: Bearer <apiKey>` (else 401 with OpenAI's error body). Replies are scripted
// with `chatReplies`, `responseOutputs`, `transcription`; unscripted replies echo the user's text.
import { FakeHttpApi, randomId, type FakeAnswer, type RecordedRequest } from './fake-http-api.js';

export type ScriptedOutput = { kind: 'text'; text: string } | { kind: 'function_call'; name: string; arguments: Record<string, unknown> };

interface Conversation {
  id: string;
  metadata: Record<string, unknown>;
  items: Record<string, unknown>[];
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

export class FakeOpenAi extends FakeHttpApi {
  readonly chatReplies: string[] = [];
  readonly responseOutputs: ScriptedOutput[] = [];
  readonly conversations = new Map<string, Conversation>();
  transcription = 'transcribed words';
  functionAnswer: unknown = { ok: true };
  readonly models = ['gpt-4.1-mini', 'gpt-4o', 'whisper-1'];

  constructor(readonly apiKey = 'sk-test-key') {
    super();
  }

  /** The base URL to configure (`openAiBaseUrl`). */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  get functionUrl(): string {
    return `${this.url}/function`;
  }

  protected errorBody(status: number, message: string): unknown {
    return { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null } };
  }

  protected route(r: RecordedRequest): FakeAnswer {
    if (r.path === '/function' && r.method === 'POST') return this.json(200, this.functionAnswer);
    if (this.bearer(r) !== this.apiKey) {
      return this.json(401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    }
    const route = `${r.method} ${r.path}`;
    switch (route) {
      case 'GET /v1/models':
        return this.json(200, { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'openai' })) });
      case 'POST /v1/chat/completions':
        return this.chat(r.body);
      case 'POST /v1/conversations':
        return this.createConversation(r.body);
      case 'POST /v1/responses':
        return this.respond(r.body);
      case 'POST /v1/audio/transcriptions':
        return this.transcribe(r);
      default:
        return this.error(404, `Invalid URL (${route})`);
    }
  }

  private chat(body: Record<string, unknown> | undefined): FakeAnswer {
    if (typeof body?.model !== 'string' || body.model === '') return this.error(400, 'you must provide a model parameter');
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) return this.error(400, "Invalid 'messages': empty array.");
    for (const [index, message] of messages.entries()) {
      if (!ROLES.has(message?.role)) return this.error(400, `Invalid value for 'messages[${index}].role'.`);
      const content = message.content;
      if (typeof content === 'string') continue;
      if (!Array.isArray(content)) return this.error(400, `Invalid type for 'messages[${index}].content'.`);
      for (const part of content) {
        const valid = (part?.type === 'text' && typeof part.text === 'string') || (part?.type === 'image_url' && typeof part.image_url?.url === 'string' && /^(https?:|data:image\/)/.test(part.image_url.url));
        if (!valid) return this.error(400, `Invalid content part in 'messages[${index}]'.`);
      }
    }
    const last = messages[messages.length - 1];
    const text = this.chatReplies.shift() ?? `echo: ${textOf(last.content)}`;
    return this.json(200, {
      id: randomId('chatcmpl-'), object: 'chat.completion', created: 1_763_712_000, model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
  }

  private createConversation(body: Record<string, unknown> | undefined): FakeAnswer {
    const metadata = (body?.metadata ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string' || key.length > 64 || value.length > 512) return this.error(400, "Invalid 'metadata': values must be strings up to 512 characters.");
    }
    const conversation: Conversation = { id: randomId('conv_'), metadata, items: [] };
    this.conversations.set(conversation.id, conversation);
    return this.json(200, { id: conversation.id, object: 'conversation', created_at: 1_763_712_000, metadata });
  }

  private respond(body: Record<string, unknown> | undefined): FakeAnswer {
    const prompt = body?.prompt as Record<string, unknown> | undefined;
    if (typeof body?.model !== 'string' && typeof prompt?.id !== 'string') return this.error(400, 'Missing required parameter: model.');
    const conversation = typeof body?.conversation === 'string' ? this.conversations.get(body.conversation) : undefined;
    if (body?.conversation !== undefined && conversation === undefined) {
      return this.json(404, { error: { message: `Conversation with id '${String(body.conversation)}' not found.`, type: 'invalid_request_error', param: 'conversation', code: null } });
    }
    const items = (Array.isArray(body?.input) ? body.input : [{ role: 'user', content: body?.input }]) as Record<string, unknown>[];
    let question = '';
    for (const item of items) {
      if (item.type === 'function_call_output') {
        const pending = conversation?.items.find((i) => i.type === 'function_call' && i.call_id === item.call_id);
        if (pending === undefined || typeof item.output !== 'string') return this.error(400, `No tool call found for function call output with call_id ${String(item.call_id)}.`);
        question = `function ${String(pending.name)} returned ${item.output}`;
      } else if (item.role === 'user') {
        const content = item.content;
        const parts = typeof content === 'string' ? [{ type: 'input_text', text: content }] : Array.isArray(content) ? content : undefined;
        const valid = parts?.every((p) => (p?.type === 'input_text' && typeof p.text === 'string') || (p?.type === 'input_image' && typeof p.image_url === 'string'));
        if (parts === undefined || !valid) return this.error(400, "Invalid 'input': unsupported content part.");
        question = parts.filter((p) => p.type === 'input_text').map((p) => p.text as string).join(' ');
      } else {
        return this.error(400, "Invalid 'input' item.");
      }
    }
    if (conversation !== undefined && conversation.items.some((i) => i.type === 'function_call' && !conversation.items.some((o) => o.type === 'function_call_output' && o.call_id === i.call_id) && !items.some((o) => o.call_id === i.call_id))) {
      return this.error(400, 'No tool output found for function call.');
    }
    conversation?.items.push(...items);
    const scripted = this.responseOutputs.shift() ?? { kind: 'text', text: `echo: ${question}` };
    const output: Record<string, unknown>[] = [{ type: 'reasoning', id: randomId('rs_'), summary: [] }];
    if (scripted.kind === 'function_call') {
      output.push({ type: 'function_call', id: randomId('fc_'), call_id: randomId('call_'), name: scripted.name, arguments: JSON.stringify(scripted.arguments), status: 'completed' });
    } else {
      output.push({ type: 'message', id: randomId('msg_'), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: scripted.text, annotations: [] }] });
    }
    conversation?.items.push(...output);
    return this.json(200, {
      id: randomId('resp_'), object: 'response', status: 'completed', model: body?.model ?? 'gpt-4.1-mini', output,
      ...(conversation === undefined ? {} : { conversation: { id: conversation.id } }),
      usage: { input_tokens: 20, output_tokens: 9, total_tokens: 29 },
    });
  }

  private transcribe(r: RecordedRequest): FakeAnswer {
    const parts = r.multipart ?? [];
    const file = parts.find((p) => p.name === 'file');
    const model = parts.find((p) => p.name === 'model')?.data.toString();
    if (file === undefined || file.filename === undefined || file.data.length === 0) return this.error(400, "Missing required parameter: 'file'.");
    if (model !== 'whisper-1' && model !== 'gpt-4o-transcribe' && model !== 'gpt-4o-mini-transcribe') return this.error(400, `Invalid model ${String(model)}.`);
    return this.json(200, { text: this.transcription });
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.filter((p) => p?.type === 'text').map((p) => p.text as string).join(' ') : '';
}
