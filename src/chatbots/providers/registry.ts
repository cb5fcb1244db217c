// Every built-in bot provider, one line each. The engine looks a bot's provider up by its `name`.
import type { ChatbotProvider } from '../../ports/chatbots.js';
import { difyProvider } from './dify.js';
import { evoAiProvider } from './evoai.js';
import { evolutionBotProvider } from './evolution-bot.js';
import { flowiseProvider } from './flowise.js';
import { n8nProvider } from './n8n.js';
import { openAiProvider } from './openai.js';
import { typebotProvider } from './typebot.js';

export function builtInChatbotProviders(): ChatbotProvider[] {
  return [
    openAiProvider,
    difyProvider,
    flowiseProvider,
    typebotProvider,
    n8nProvider,
    evoAiProvider,
    evolutionBotProvider,
  ];
}
