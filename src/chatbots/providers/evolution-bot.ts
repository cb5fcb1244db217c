// EvolutionBot: a generic HTTP bot. `POST apiUrl` with Evolution's body (Bearer apiKey when set); the reply is
// `message` (one pair of surrounding single quotes stripped, as low-code tools often add them) and the optional
// boolean `linkPreview`. `conversation_id` is the session's sessionId once it differs from the remoteJid (a bot may
// set it by answering a `conversation_id`).
import type { BotContext, BotInput, BotTurn, ChatbotProvider } from '../../ports/chatbots.js';
import { bearer, record, sendJson, str } from './http.js';
import { configString, gatewayVariables, imageUrl, questionText, remoteConversation, requiredConfig } from './input.js';

const PROVIDER = 'EvolutionBot';

export const evolutionBotProvider: ChatbotProvider = {
  name: 'evolutionBot',
  async reply(ctx: BotContext, input: BotInput): Promise<BotTurn> {
    const apiKey = configString(ctx, 'apiKey');
    const image = input.image === undefined ? undefined : imageUrl(input.image);
    const conversationId = remoteConversation(ctx);
    const body = {
      inputs: { sessionId: ctx.session.id, fromMe: input.key.fromMe, ...gatewayVariables(ctx, input) },
      query: image === undefined ? input.text : questionText(input),
      ...(conversationId === undefined ? {} : { conversation_id: conversationId }),
      user: ctx.session.remoteJid,
      ...(image === undefined ? {} : { files: [{ type: 'image', url: image }] }),
    };
    const call = {
      provider: PROVIDER, fetch: ctx.fetch, url: requiredConfig(ctx, PROVIDER, 'apiUrl'), headers: bearer(apiKey), json: body,
      timeoutMs: ctx.timeoutMs, secrets: [apiKey, ctx.instance.token],
    };
    const answer = record(await sendJson(call));
    const message = unquote(str(answer?.message) ?? '').trim();
    const linkPreview = answer?.linkPreview;
    // Not in Evolution: a bot that answers a conversation_id (as Dify-like bots do) gets it back on the next turn.
    const nextConversation = str(answer?.conversation_id);
    return {
      replies: message === '' ? [] : [{ kind: 'text', text: message }],
      ...(typeof linkPreview === 'boolean' ? { linkPreview } : {}),
      ...(nextConversation === undefined || nextConversation === '' ? {} : { sessionId: nextConversation }),
    };
  },
};

function unquote(message: string): string {
  if (message.length >= 2 && message.startsWith("'") && message.endsWith("'")) {
    const inner = message.slice(1, -1);
    // Quotes inside mean the outer ones belong to the text.
    if (!inner.includes("'")) return inner;
  }
  return message;
}
