// OpenAI bot type `chatCompletion`: stateless Chat Completions, so the conversation is the bot's fixed messages plus
// the last 10 messages kept in the session's `context.history`.
import type { BotContext, BotInput, BotTurn } from '../../ports/chatbots.js';
import { bearer, record, sendJson, str, unexpected } from './http.js';
import { imageUrl, joinUrl, questionText, requiredConfig } from './input.js';

const PROVIDER = 'OpenAI';
const HISTORY_LIMIT = 10;
const DEFAULT_MAX_TOKENS = 500;

interface ChatMessage {
  role: 'system' | 'assistant' | 'user';
  content: string | Record<string, unknown>[];
}

export async function chatCompletionTurn(ctx: BotContext, input: BotInput, apiKey: string): Promise<BotTurn> {
  const model = requiredConfig(ctx, PROVIDER, 'model');
  const history = storedHistory(ctx.session.context.history);
  const question = questionText(input);
  const image = input.image === undefined ? undefined : imageUrl(input.image);
  const current: ChatMessage = image === undefined
    ? { role: 'user', content: input.text }
    : { role: 'user', content: [{ type: 'text', text: question }, { type: 'image_url', image_url: { url: image } }] };
  const maxTokens = ctx.bot.config.maxTokens;
  const body = {
    model,
    messages: [
      ...fixedMessages(ctx.bot.config.systemMessages, 'system'),
      ...fixedMessages(ctx.bot.config.assistantMessages, 'assistant'),
      ...fixedMessages(ctx.bot.config.userMessages, 'user'),
      ...history,
      current,
    ],
    // `max_tokens` is deprecated and refused by reasoning models; `max_completion_tokens` is its documented successor.
    max_completion_tokens: typeof maxTokens === 'number' && maxTokens > 0 ? maxTokens : DEFAULT_MAX_TOKENS,
  };
  const call = { provider: PROVIDER, fetch: ctx.fetch, url: joinUrl(ctx.openAiBaseUrl, 'chat/completions'), headers: bearer(apiKey), json: body, timeoutMs: ctx.timeoutMs, secrets: [apiKey] };
  const answer = record(await sendJson(call));
  const choices = answer?.choices;
  const message = Array.isArray(choices) ? record(record(choices[0])?.message) : undefined;
  if (message === undefined) throw unexpected(call, 'answered without choices[0].message', answer);
  const text = str(message.content) ?? str(message.refusal) ?? '';
  // Images are not kept in the history: the stored context stays small, and the model saw the image in this turn.
  const nextHistory = [...history, { role: 'user' as const, content: image === undefined ? input.text : question }, ...(text === '' ? [] : [{ role: 'assistant' as const, content: text }])];
  return {
    replies: text === '' ? [] : [{ kind: 'text', text }],
    context: { ...ctx.session.context, history: nextHistory.slice(-HISTORY_LIMIT) },
  };
}

function fixedMessages(value: unknown, role: ChatMessage['role']): ChatMessage[] {
  if (!Array.isArray(value)) return [];
  return value.filter((content): content is string => typeof content === 'string' && content !== '').map((content) => ({ role, content }));
}

/** The history kept by an earlier turn; Evolution stored it as a JSON string, so that is read too. */
function storedHistory(value: unknown): ChatMessage[] {
  let list = value;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list) as unknown;
    } catch {
      return [];
    }
  }
  if (!Array.isArray(list)) return [];
  return list
    .map((item) => record(item))
    .filter((item): item is Record<string, unknown> => item !== undefined && (item.role === 'user' || item.role === 'assistant' || item.role === 'system') && typeof item.content === 'string')
    .map((item) => ({ role: item.role as ChatMessage['role'], content: item.content as string }))
    .slice(-HISTORY_LIMIT);
}
