// Environment variables of the chatbot integrations (Evolution's names and defaults, plus Parley's additions).
import { z } from 'zod';
import type { ChatbotProviderName } from '../domain/chatbot.js';
import { envBool, envInt, envOptionalString, envUrl } from './env-types.js';

export const chatbotsEnvSchema = z.object({
  OPENAI_ENABLED: envBool(false),
  OPENAI_API_KEY_GLOBAL: envOptionalString(),
  /** Parley: OpenAI-compatible base URL (Azure-style gateways, local servers, test fakes). */
  OPENAI_API_BASE_URL: envUrl(),
  DIFY_ENABLED: envBool(false),
  FLOWISE_ENABLED: envBool(false),
  TYPEBOT_ENABLED: envBool(false),
  TYPEBOT_API_VERSION: z
    .string()
    .optional()
    .transform((value, ctx): 'old' | 'latest' => {
      const v = (value ?? '').trim().toLowerCase();
      if (v === '' || v === 'old') return 'old';
      if (v === 'latest') return 'latest';
      ctx.addIssue({ code: 'custom', message: `expected "old" or "latest", got "${value}"` });
      return z.NEVER;
    }),
  N8N_ENABLED: envBool(false),
  EVOAI_ENABLED: envBool(false),
  /** Parley: timeout of each call to a bot provider (LLM answers can take a minute). */
  PARLEY_CHATBOT_TIMEOUT_MS: envInt(60_000, 100, 600_000),
});

export interface ChatbotsConfig {
  /** Which integrations answer their routes and messages (evolutionBot is always on, as in Evolution). */
  enabled: Record<ChatbotProviderName, boolean>;
  typebotApiVersion: 'old' | 'latest';
  /** Used when an instance has no OpenAI credentials of its own (getModels, speech-to-text). */
  openAiGlobalKey: string | undefined;
  openAiBaseUrl: string;
  timeoutMs: number;
}

export function shapeChatbotsConfig(env: z.output<typeof chatbotsEnvSchema>): ChatbotsConfig {
  return {
    enabled: {
      openai: env.OPENAI_ENABLED,
      dify: env.DIFY_ENABLED,
      flowise: env.FLOWISE_ENABLED,
      typebot: env.TYPEBOT_ENABLED,
      n8n: env.N8N_ENABLED,
      evoai: env.EVOAI_ENABLED,
      evolutionBot: true,
    },
    typebotApiVersion: env.TYPEBOT_API_VERSION,
    openAiGlobalKey: env.OPENAI_API_KEY_GLOBAL,
    openAiBaseUrl: env.OPENAI_API_BASE_URL ?? 'https://api.openai.com/v1',
    timeoutMs: env.PARLEY_CHATBOT_TIMEOUT_MS,
  };
}
