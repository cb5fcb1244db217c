// Typebot's chat API, both versions (Evolution's TYPEBOT_API_VERSION, default `old`):
//   latest  POST {url}/api/v1/typebots/{typebot}/startChat {prefilledVariables}
//           POST {url}/api/v1/sessions/{sessionId}/continueChat {message:{type:"text", text}} (a plain-string message
//           is sent again if an older server refuses the object with 400)
//   old     POST {url}/api/v1/sendMessage {startParams:{publicId, typebot, prefilledVariables}} then {message, sessionId}
// The version is the bot's `apiVersion`, else the Typebot settings' `apiVersion`, else `old`. The session's sessionId
// is Typebot's session id; a session Typebot no longer knows (404) is started again. A new session starts the flow
// with the prefilled variables; the user's first message is sent on only when the start produced no bubbles (as in
// Evolution, the message that triggered the bot otherwise just starts it).
import type { BotContext, BotInput, BotTurn, ChatbotProvider } from '../../ports/chatbots.js';
import { ChatbotProviderError } from '../../ports/chatbots.js';
import { record, sendJson, str, unexpected, type ProviderCall } from './http.js';
import { configString, joinUrl, questionText, remoteConversation, requiredConfig } from './input.js';
import { typebotReplies } from './typebot-messages.js';

const PROVIDER = 'Typebot';

type ApiVersion = 'latest' | 'old';

export const typebotProvider: ChatbotProvider = {
  name: 'typebot',

  async reply(ctx: BotContext, input: BotInput): Promise<BotTurn> {
    const api = new TypebotApi(ctx);
    const message = { text: input.image === undefined ? input.text : questionText(input), imageUrl: attachableUrl(input) };
    const known = remoteConversation(ctx);
    if (known !== undefined) {
      try {
        return toTurn(await api.continue(known, message), known);
      } catch (error) {
        if (!(error instanceof ChatbotProviderError && error.status === 404)) throw error;
        // Typebot expired the session: start the flow again.
      }
    }
    const started = await api.start(prefilledVariables(ctx, input.pushName, {}));
    const sessionId = started.sessionId;
    const first = typebotReplies(started.answer);
    if (first.replies.length === 0 && first.awaitsInput && message.text !== '') return toTurn(await api.continue(sessionId, message), sessionId);
    return toTurn(started.answer, sessionId);
  },

  /** `/typebot/start`: starts the flow without user input, with the route's variables prefilled. */
  async start(ctx: BotContext, variables: Record<string, unknown>): Promise<BotTurn> {
    const api = new TypebotApi(ctx);
    const started = await api.start(prefilledVariables(ctx, null, variables));
    return toTurn(started.answer, started.sessionId);
  },
};

class TypebotApi {
  private readonly url: string;
  private readonly typebot: string;
  private readonly version: ApiVersion;

  constructor(private readonly ctx: BotContext) {
    this.url = requiredConfig(ctx, PROVIDER, 'url');
    this.typebot = requiredConfig(ctx, PROVIDER, 'typebot');
    const version = configString(ctx, 'apiVersion') ?? str(ctx.settings.extra.apiVersion);
    this.version = version === 'latest' ? 'latest' : 'old';
  }

  async start(prefilled: Record<string, unknown>): Promise<{ sessionId: string; answer: Record<string, unknown> }> {
    const call = this.version === 'latest'
      ? this.call(`api/v1/typebots/${encodeURIComponent(this.typebot)}/startChat`, { prefilledVariables: prefilled })
      : this.call('api/v1/sendMessage', { startParams: { publicId: this.typebot, typebot: this.typebot, prefilledVariables: prefilled } });
    const answer = record(await sendJson(call));
    const sessionId = str(answer?.sessionId);
    if (answer === undefined || sessionId === undefined || sessionId === '') throw unexpected(call, 'started a chat without a sessionId', answer);
    return { sessionId, answer };
  }

  async continue(sessionId: string, message: { text: string; imageUrl: string | undefined }): Promise<Record<string, unknown>> {
    if (this.version === 'old') return this.answer(this.call('api/v1/sendMessage', { message: message.text, sessionId }));
    const path = `api/v1/sessions/${encodeURIComponent(sessionId)}/continueChat`;
    const object = { type: 'text', text: message.text, ...(message.imageUrl === undefined ? {} : { attachedFileUrls: [message.imageUrl] }) };
    try {
      return await this.answer(this.call(path, { message: object }));
    } catch (error) {
      if (!(error instanceof ChatbotProviderError && error.status === 400)) throw error;
      return this.answer(this.call(path, { message: message.text }));
    }
  }

  private async answer(call: ProviderCall): Promise<Record<string, unknown>> {
    const answer = record(await sendJson(call));
    if (answer === undefined) throw unexpected(call, 'answered an empty body', answer);
    return answer;
  }

  private call(path: string, json: unknown): ProviderCall {
    // Published bots need no auth, and Evolution sends none; the prefilled apiKey must not leak into messages.
    return { provider: PROVIDER, fetch: this.ctx.fetch, url: joinUrl(this.url, path), json, timeoutMs: this.ctx.timeoutMs, secrets: [this.ctx.globalApiKey, this.ctx.instance.token] };
  }
}

/**
 * Stored session parameters, then the caller's variables, then Evolution's fixed ones (which win):
 * remoteJid, pushName, instanceName, serverUrl, apiKey (the GLOBAL key, as in Evolution) and ownerJid.
 */
function prefilledVariables(ctx: BotContext, pushName: string | null, variables: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...ctx.session.parameters, ...variables };
  const ownerJid = ctx.instance.ownerJid;
  return {
    ...merged,
    remoteJid: ctx.session.remoteJid,
    pushName: pushName || str(merged.pushName) || ctx.session.pushName || '',
    instanceName: ctx.instance.name,
    serverUrl: ctx.serverUrl,
    apiKey: ctx.globalApiKey,
    ...(ownerJid === undefined || ownerJid === null ? {} : { ownerJid }),
  };
}

/** Typebot takes attachments as URLs only. */
function attachableUrl(input: BotInput): string | undefined {
  const url = input.image?.url;
  return url !== undefined && /^https?:\/\//i.test(url) ? url : undefined;
}

function toTurn(answer: Record<string, unknown>, sessionId: string): BotTurn {
  const { replies, awaitsInput } = typebotReplies(answer);
  return { replies, sessionId, finished: !awaitsInput };
}
