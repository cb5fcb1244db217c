// The seven bot types as Evolution spells them (compat §3.10, §8): provider fields with their schemas, the settings
// fields each schema requires, the per-type fallback column, Evolution's integration name and duplicate rules.
import type { ZodType } from 'zod';
import type { BehaviourSettings, ChatbotProviderName } from '../../domain/chatbot.js';
import type { ProviderRules } from '../../core/chatbot-config.js';
import { optionalBool, optionalInt, optionalStringList, optionalText, optionalUrl, requiredText, requiredUrl } from './fields.js';
import { z } from 'zod';

export interface ProviderWire {
  provider: ChatbotProviderName;
  /** Provider fields of the create/update body, in the row's column order. */
  fields: Record<string, ZodType>;
  /** Body names accepted for a field (n8n's schema says basicAuthPassword; the code and Manager use basicAuthPass). */
  aliases?: Record<string, string>;
  /** The settings table's fallback column (`typebotIdFallback` …). */
  fallbackKey: string;
  /** Behaviour fields the settings schema requires. */
  settingsRequired: readonly (keyof BehaviourSettings)[];
  /** Provider-specific settings fields (OpenAI). */
  settingsExtra?: Record<string, ZodType>;
  rules: ProviderRules;
}

const ALL_SETTINGS = [
  'expire', 'keywordFinish', 'delayMessage', 'unknownMessage', 'listeningFromMe', 'stopBotFromMe', 'keepOpen', 'debounceTime',
  'ignoreJids', 'splitMessages', 'timePerChar',
] as const satisfies readonly (keyof BehaviourSettings)[];
const FIRST_NINE = ALL_SETTINGS.slice(0, 9);
const FIRST_SIX = ALL_SETTINGS.slice(0, 6);

const key = (...values: unknown[]) => JSON.stringify(values.map((v) => v ?? null));
const none = () => undefined;

/** Rules of the providers whose remote bot is identified by two of their fields. */
function simpleRules(name: string, duplicateText: string, ...keyFields: string[]): ProviderRules {
  return { name, duplicateText, check: none, targetKey: (c) => key(...keyFields.map((f) => c[f])) };
}

const openaiCredsId = (values: Record<string, unknown>) => {
  const id = values.openaiCredsId;
  return typeof id === 'string' && id !== '' ? id : undefined;
};

export const PROVIDER_WIRE: Record<ChatbotProviderName, ProviderWire> = {
  openai: {
    provider: 'openai',
    fields: {
      openaiCredsId: requiredText(),
      botType: z.enum(['assistant', 'chatCompletion']),
      assistantId: optionalText(),
      functionUrl: optionalUrl(),
      model: optionalText(),
      systemMessages: optionalStringList(),
      assistantMessages: optionalStringList(),
      userMessages: optionalStringList(),
      maxTokens: optionalInt(1),
    },
    fallbackKey: 'openaiIdFallback',
    settingsRequired: FIRST_NINE,
    settingsExtra: { openaiCredsId: requiredText(), speechToText: optionalBool() },
    rules: {
      name: 'Openai',
      duplicateText: 'Openai Bot already exists',
      check(c) {
        if (c.botType === 'assistant' && !c.assistantId) return 'Assistant ID is required';
        if (c.botType === 'chatCompletion' && !c.model) return 'Model is required';
        if (c.botType === 'chatCompletion' && !c.maxTokens) return 'Max tokens is required';
        return undefined;
      },
      // Evolution compares model + maxTokens only; two prompts on one model are different bots, so Parley adds them.
      targetKey: (c) =>
        c.botType === 'assistant'
          ? key('assistant', c.openaiCredsId, c.assistantId)
          : key('chatCompletion', c.openaiCredsId, c.model, c.maxTokens, c.systemMessages),
      credsId: openaiCredsId,
      defaultExtra: (c) => ({ openaiCredsId: openaiCredsId(c) ?? null, speechToText: false }),
    },
  },
  dify: {
    provider: 'dify',
    fields: { botType: z.enum(['chatBot', 'textGenerator', 'agent', 'workflow']), apiUrl: optionalUrl(), apiKey: optionalText() },
    fallbackKey: 'difyIdFallback',
    settingsRequired: ALL_SETTINGS,
    rules: simpleRules('Dify', 'Dify already exists', 'apiUrl', 'apiKey'),
  },
  flowise: {
    provider: 'flowise',
    fields: { apiUrl: requiredUrl(), apiKey: optionalText() },
    fallbackKey: 'flowiseIdFallback',
    settingsRequired: FIRST_NINE,
    rules: simpleRules('Flowise', 'Flowise already exists', 'apiUrl', 'apiKey'),
  },
  typebot: {
    provider: 'typebot',
    fields: { url: requiredUrl(), typebot: requiredText() },
    fallbackKey: 'typebotIdFallback',
    settingsRequired: FIRST_SIX,
    rules: simpleRules('Typebot', 'Typebot already exists', 'url', 'typebot'),
  },
  n8n: {
    provider: 'n8n',
    fields: { webhookUrl: requiredUrl(), basicAuthUser: optionalText(), basicAuthPass: optionalText() },
    aliases: { basicAuthPassword: 'basicAuthPass' },
    fallbackKey: 'n8nIdFallback',
    settingsRequired: ALL_SETTINGS,
    rules: simpleRules('N8n', 'N8n already exists', 'webhookUrl', 'basicAuthUser', 'basicAuthPass'),
  },
  evoai: {
    provider: 'evoai',
    fields: { agentUrl: requiredUrl(), apiKey: optionalText() },
    fallbackKey: 'evoaiIdFallback',
    settingsRequired: ALL_SETTINGS,
    rules: simpleRules('Evoai', 'Evoai already exists', 'agentUrl', 'apiKey'),
  },
  evolutionBot: {
    provider: 'evolutionBot',
    fields: { apiUrl: requiredUrl(), apiKey: optionalText() },
    fallbackKey: 'botIdFallback',
    settingsRequired: ALL_SETTINGS,
    rules: simpleRules('EvolutionBot', 'Evolution Bot already exists', 'apiUrl', 'apiKey'),
  },
};

export const providerRules = Object.fromEntries(Object.entries(PROVIDER_WIRE).map(([p, w]) => [p, w.rules])) as Record<ChatbotProviderName, ProviderRules>;

/** Behaviour field names in Evolution's column order. */
export const BEHAVIOUR_FIELDS = ALL_SETTINGS;
