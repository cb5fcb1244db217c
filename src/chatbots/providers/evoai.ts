// EvoAI: an A2A agent over JSON-RPC 2.0, `message/send`, header `x-api-key`. The session's sessionId is the A2A
// `contextId` (the remoteJid at first; the agent's own contextId afterwards when it returns one). An image is a file
// part with its base64 bytes (or its URI when only that is known). The reply is the text parts of the first artifact,
// else of `result.status.message`, else of the result itself when the agent answered with a Message.
import { randomBytes } from 'node:crypto';
import type { BotContext, BotInput, BotTurn, ChatbotProvider } from '../../ports/chatbots.js';
import { record, sendJson, str, unexpected } from './http.js';
import { configString, gatewayVariables, imageFileName, questionText, requiredConfig } from './input.js';

const PROVIDER = 'EvoAI';

export const evoAiProvider: ChatbotProvider = {
  name: 'evoai',
  async reply(ctx: BotContext, input: BotInput): Promise<BotTurn> {
    const apiKey = configString(ctx, 'apiKey');
    const file = filePart(input);
    const parts: Record<string, unknown>[] = [{ type: 'text', kind: 'text', text: file === undefined ? input.text : questionText(input) }];
    if (file !== undefined) parts.push(file);
    const body = {
      jsonrpc: '2.0',
      id: `req-${randomBytes(4).toString('hex')}`,
      method: 'message/send',
      params: {
        contextId: ctx.session.sessionId,
        // A2A wants a unique id per message: the WhatsApp message id (Evolution sends the phone number).
        message: { role: 'user', kind: 'message', parts, messageId: input.key.id, metadata: { messageKey: input.key } },
        metadata: { fromMe: input.key.fromMe, ...gatewayVariables(ctx, input) },
      },
    };
    const call = {
      provider: PROVIDER, fetch: ctx.fetch, url: requiredConfig(ctx, PROVIDER, 'agentUrl'), json: body, timeoutMs: ctx.timeoutMs,
      headers: apiKeyHeader(apiKey), secrets: [apiKey, ctx.instance.token],
    };
    const answer = record(await sendJson(call));
    if (answer === undefined) throw unexpected(call, 'answered an empty body', answer);
    const error = record(answer.error);
    if (error !== undefined) throw unexpected(call, `answered JSON-RPC error ${String(error.code)}`, error.message ?? error);
    const result = record(answer.result);
    if (result === undefined) throw unexpected(call, 'answered without a result', answer);
    const text = replyText(result);
    const contextId = str(result.contextId);
    return { replies: text === '' ? [] : [{ kind: 'text', text }], ...(contextId === undefined || contextId === '' ? {} : { sessionId: contextId }) };
  },
};

function apiKeyHeader(apiKey: string | undefined): Record<string, string> {
  return apiKey === undefined ? {} : { 'x-api-key': apiKey };
}

function filePart(input: BotInput): Record<string, unknown> | undefined {
  const image = input.image;
  if (image === undefined) return undefined;
  const name = imageFileName(image);
  const base64 = image.base64?.replace(/^data:[^,]*,/, '');
  if (base64 !== undefined && base64 !== '') return { type: 'file', kind: 'file', file: { name, mimeType: image.mimetype, bytes: base64 } };
  if (image.url !== undefined && image.url !== '') return { type: 'file', kind: 'file', file: { name, mimeType: image.mimetype, uri: image.url } };
  return undefined;
}

function replyText(result: Record<string, unknown>): string {
  const artifacts = Array.isArray(result.artifacts) ? result.artifacts : [];
  const candidates = [record(artifacts[0])?.parts, record(record(result.status)?.message)?.parts, result.parts];
  for (const parts of candidates) {
    const text = textOf(parts);
    if (text !== '') return text;
  }
  return '';
}

/** Text parts (`type` in older A2A drafts, `kind` in the current spec) joined. */
function textOf(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  return parts
    .map(record)
    .filter((part) => part !== undefined && (part.type === 'text' || part.kind === 'text'))
    .map((part) => str(part!.text) ?? '')
    .join('\n')
    .trim();
}
