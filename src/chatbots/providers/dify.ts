// Dify's Service API, per bot type:
//   chatBot        POST {apiUrl}/chat-messages, blocking; the answer's conversation_id becomes the session's sessionId
//   agent          the same call streaming (agent apps refuse blocking): the SSE answer chunks are joined
//   textGenerator  POST {apiUrl}/completion-messages, blocking (no conversation)
//   workflow       POST {apiUrl}/workflows/run, blocking (Evolution accepts this type but never calls it); the reply is
//                  the first string among data.outputs.answer, .text, .output, .result, else the only string output
// `user` is the remoteJid, as in Evolution. An image goes as a remote URL, or is uploaded first when only its bytes
// are known (Dify does not take base64 in `url`). A conversation Dify no longer knows (404) starts a new one.
import type { BotContext, BotInput, BotTurn, ChatbotProvider } from '../../ports/chatbots.js';
import { ChatbotProviderError } from '../../ports/chatbots.js';
import { bearer, parseJson, record, send, sendJson, sendSse, str, unexpected, type ProviderCall } from './http.js';
import { configString, gatewayVariables, imageFileName, joinUrl, questionText, remoteConversation, requiredConfig } from './input.js';

const PROVIDER = 'Dify';
const WORKFLOW_OUTPUT_KEYS = ['answer', 'text', 'output', 'result'];

type DifyFile = { type: 'image'; transfer_method: 'remote_url'; url: string } | { type: 'image'; transfer_method: 'local_file'; upload_file_id: string };

export const difyProvider: ChatbotProvider = {
  name: 'dify',
  async reply(ctx: BotContext, input: BotInput): Promise<BotTurn> {
    const dify = new DifyApi(ctx);
    const botType = configString(ctx, 'botType') ?? 'chatBot';
    const files = await dify.files(input);
    const query = files.length > 0 ? questionText(input) : input.text;
    const variables = gatewayVariables(ctx, input);
    const user = ctx.session.remoteJid;
    const withFiles = files.length > 0 ? { files } : {};
    switch (botType) {
      case 'chatBot':
      case 'agent': {
        const streaming = botType === 'agent';
        const body = (conversationId: string | undefined) => ({
          inputs: variables, query, response_mode: streaming ? 'streaming' : 'blocking',
          ...(conversationId === undefined ? {} : { conversation_id: conversationId }), user, ...withFiles,
        });
        const chat = (conversationId: string | undefined) => (streaming ? dify.streamChat(body(conversationId)) : dify.blockingChat(body(conversationId)));
        const known = remoteConversation(ctx);
        try {
          return await chat(known);
        } catch (error) {
          // "Conversation does not exist": Dify forgot it (or it belongs to another app); start over.
          if (known !== undefined && error instanceof ChatbotProviderError && error.status === 404) return chat(undefined);
          throw error;
        }
      }
      case 'textGenerator': {
        const answer = record(await sendJson(dify.call('completion-messages', { inputs: { ...variables, query }, response_mode: 'blocking', user, ...withFiles })));
        return textTurn(str(answer?.answer));
      }
      case 'workflow': {
        const call = dify.call('workflows/run', { inputs: { ...variables, query }, response_mode: 'blocking', user, ...withFiles });
        const data = record(record(await sendJson(call))?.data);
        if (data === undefined) throw unexpected(call, 'answered a workflow run without data', data);
        if (data.status !== undefined && data.status !== 'succeeded' && data.status !== 'partial-succeeded') {
          throw unexpected(call, `answered a workflow run with status ${String(data.status)}`, data.error ?? data);
        }
        return textTurn(workflowAnswer(record(data.outputs)));
      }
      default:
        throw new Error(`Dify bot ${ctx.bot.id} has an unknown botType ${botType}`);
    }
  },
};

class DifyApi {
  private readonly apiUrl: string;
  private readonly apiKey: string | undefined;

  constructor(private readonly ctx: BotContext) {
    this.apiUrl = requiredConfig(ctx, PROVIDER, 'apiUrl');
    this.apiKey = configString(ctx, 'apiKey');
  }

  call(path: string, json?: unknown, form?: FormData): ProviderCall {
    return {
      provider: PROVIDER, fetch: this.ctx.fetch, url: joinUrl(this.apiUrl, path), headers: bearer(this.apiKey), timeoutMs: this.ctx.timeoutMs,
      secrets: [this.apiKey, this.ctx.instance.token], ...(json === undefined ? {} : { json }), ...(form === undefined ? {} : { form }),
    };
  }

  async files(input: BotInput): Promise<DifyFile[]> {
    const image = input.image;
    if (image === undefined) return [];
    if (image.url !== undefined && image.url !== '' && !image.url.startsWith('data:')) return [{ type: 'image', transfer_method: 'remote_url', url: image.url }];
    // Only bytes are known (base64, possibly as a data URI): upload them and refer to the upload.
    const base64 = (image.base64 ?? image.url ?? '').replace(/^data:[^,]*,/, '');
    if (base64 === '') return [];
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(Buffer.from(base64, 'base64'))], { type: image.mimetype }), imageFileName(image));
    form.append('user', this.ctx.session.remoteJid);
    const call = this.call('files/upload', undefined, form);
    const uploaded = record(await sendJson(call));
    const id = str(uploaded?.id);
    if (id === undefined) throw unexpected(call, 'answered an upload without an id', uploaded);
    return [{ type: 'image', transfer_method: 'local_file', upload_file_id: id }];
  }

  async blockingChat(body: Record<string, unknown>): Promise<BotTurn> {
    const call = this.call('chat-messages', body);
    const response = await send(call);
    // An app that only streams may still answer SSE; read either.
    if (response.contentType.includes('text/event-stream')) return this.streamed(call, response.text);
    const answer = record(parseJson(call, response.text));
    if (answer === undefined) throw unexpected(call, 'answered an empty body', response.text);
    return textTurn(str(answer.answer), str(answer.conversation_id));
  }

  async streamChat(body: Record<string, unknown>): Promise<BotTurn> {
    const call = this.call('chat-messages', body);
    const stream = new StreamedAnswer(call);
    await sendSse(call, (event) => stream.add(event.data));
    return stream.turn();
  }

  private streamed(call: ProviderCall, text: string): BotTurn {
    const stream = new StreamedAnswer(call);
    for (const block of text.split(/\r?\n\r?\n/)) {
      const data = block.split(/\r?\n/).filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
      if (data !== '') stream.add(data);
    }
    return stream.turn();
  }
}

/**
 * Joins a streamed answer: classic agents send `agent_message` chunks, chat apps `message` chunks; the newer agent
 * apps send chunks and then one full `message`, which then is the whole text. `message_replace` replaces the text.
 */
class StreamedAnswer {
  private agentText = '';
  private messageText = '';
  private replaced: string | undefined;
  private conversationId: string | undefined;

  constructor(private readonly call: ProviderCall) {}

  add(data: string): void {
    if (data === '') return;
    const event = record(parseJson(this.call, data));
    if (event === undefined) return;
    this.conversationId = str(event.conversation_id) ?? this.conversationId;
    const answer = str(event.answer) ?? '';
    switch (event.event) {
      case 'agent_message':
        this.agentText += answer;
        break;
      case 'message':
        this.messageText += answer;
        break;
      case 'message_replace':
        this.replaced = answer;
        break;
      case 'error':
        throw new ChatbotProviderError(
          `${PROVIDER} stream failed: ${str(event.message) ?? 'error'} (${str(event.code) ?? 'no code'})`,
          PROVIDER, typeof event.status === 'number' ? event.status : undefined, typeof event.status === 'number' && event.status >= 500,
        );
      default:
        break;
    }
  }

  turn(): BotTurn {
    const text = this.replaced ?? (this.messageText !== '' ? this.messageText : this.agentText);
    return textTurn(text, this.conversationId);
  }
}

function workflowAnswer(outputs: Record<string, unknown> | undefined): string | undefined {
  if (outputs === undefined) return undefined;
  for (const key of WORKFLOW_OUTPUT_KEYS) {
    const value = str(outputs[key]);
    if (value !== undefined) return value;
  }
  const strings = Object.values(outputs).filter((value): value is string => typeof value === 'string');
  return strings.length === 1 ? strings[0] : undefined;
}

function textTurn(text: string | undefined, sessionId?: string): BotTurn {
  const trimmed = text?.trim() ?? '';
  return { replies: trimmed === '' ? [] : [{ kind: 'text', text: trimmed }], ...(sessionId === undefined || sessionId === '' ? {} : { sessionId }) };
}
