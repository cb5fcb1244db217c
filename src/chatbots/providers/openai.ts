// OpenAI bots: `chatCompletion` (Chat Completions with the session's history) and `assistant` (Responses +
// Conversations). The API key comes from the bot's credentials (`openaiCredsId`), else the instance's settings creds.
import type { BotContext, BotInput, BotTurn, ChatbotProvider } from '../../ports/chatbots.js';
import { configString } from './input.js';
import { chatCompletionTurn } from './openai-chat.js';
import { responsesTurn } from './openai-responses.js';

export { listOpenAiModels, transcribeAudio } from './openai-api.js';

export const openAiProvider: ChatbotProvider = {
  name: 'openai',
  async reply(ctx: BotContext, input: BotInput): Promise<BotTurn> {
    const apiKey = await ctx.openAiKey(configString(ctx, 'openaiCredsId'));
    if (apiKey === undefined || apiKey === '') throw new Error(`OpenAI bot ${ctx.bot.id} has no usable credentials (openaiCredsId)`);
    const botType = configString(ctx, 'botType') ?? 'chatCompletion';
    if (botType === 'assistant') return responsesTurn(ctx, input, apiKey);
    if (botType === 'chatCompletion') return chatCompletionTurn(ctx, input, apiKey);
    throw new Error(`OpenAI bot ${ctx.bot.id} has an unknown botType ${botType}`);
  },
};
