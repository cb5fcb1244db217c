// n8n: `POST webhookUrl` with Evolution's fields (`chatInput` + `sessionId` follow n8n's AI Agent memory convention),
// Basic auth when configured. The reply is `output` (AI Agent node), else `answer`, else `text`; an array answer
// (`[{output}]`, "When Last Node Finishes") is unwrapped, a plain-text answer is the reply, an empty body is none.
import type { BotContext, BotInput, BotTurn, ChatbotProvider } from '../../ports/chatbots.js';
import { parseJson, record, send, str } from './http.js';
import { configString, gatewayVariables, requiredConfig } from './input.js';

const PROVIDER = 'n8n';
const REPLY_KEYS = ['output', 'answer', 'text'];

export const n8nProvider: ChatbotProvider = {
  name: 'n8n',
  async reply(ctx: BotContext, input: BotInput): Promise<BotTurn> {
    const user = configString(ctx, 'basicAuthUser');
    // The create schema spells it basicAuthPassword; Evolution's code and Manager use basicAuthPass.
    const password = configString(ctx, 'basicAuthPass') ?? configString(ctx, 'basicAuthPassword');
    const headers: Record<string, string> = user === undefined ? {} : { authorization: `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}` };
    const { remoteJid, pushName, instanceName, serverUrl, apiKey } = gatewayVariables(ctx, input);
    const body = { chatInput: input.text, sessionId: ctx.session.sessionId, remoteJid, pushName, keyId: input.key.id, fromMe: input.key.fromMe, instanceName, serverUrl, apiKey };
    const call = {
      provider: PROVIDER, fetch: ctx.fetch, url: requiredConfig(ctx, PROVIDER, 'webhookUrl'), headers, json: body, timeoutMs: ctx.timeoutMs,
      secrets: [password, headers.authorization?.slice(6), ctx.instance.token],
    };
    const response = await send(call);
    const text = response.contentType.includes('json') ? replyOf(parseJson(call, response.text)) : response.text;
    const trimmed = text?.trim() ?? '';
    return { replies: trimmed === '' ? [] : [{ kind: 'text', text: trimmed }] };
  },
};

function replyOf(body: unknown): string | undefined {
  if (Array.isArray(body)) return replyOf(body[0]);
  if (typeof body === 'string') return body;
  const object = record(body);
  if (object === undefined) return undefined;
  for (const key of REPLY_KEYS) {
    const value = object[key];
    if (typeof value === 'string') return value;
    if (value !== undefined && value !== null) return str(value) ?? JSON.stringify(value);
  }
  return undefined;
}
