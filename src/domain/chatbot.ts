// Chatbots: bots attached to an instance, their per-provider settings, and conversation sessions. Pure types.

export const CHATBOT_PROVIDERS = ['openai', 'dify', 'flowise', 'typebot', 'n8n', 'evoai', 'evolutionBot'] as const;
export type ChatbotProviderName = (typeof CHATBOT_PROVIDERS)[number];

/** Evolution's `IntegrationSession.type` value of each provider. */
export const SESSION_TYPE: Record<ChatbotProviderName, string> = {
  openai: 'openai', dify: 'dify', flowise: 'flowise', typebot: 'typebot', n8n: 'n8n', evoai: 'evoai', evolutionBot: 'evolution',
};

export type TriggerType = 'all' | 'keyword' | 'none' | 'advanced';
export type TriggerOperator = 'contains' | 'equals' | 'startsWith' | 'endsWith' | 'regex' | 'none';

/** How a bot behaves in a conversation. Settings rows hold defaults; a bot's own non-null values win. */
export interface BehaviourSettings {
  /** Minutes of inactivity after which the session ends; 0 = never. */
  expire: number;
  keywordFinish: string;
  /** Milliseconds of typing presence before each reply. */
  delayMessage: number;
  unknownMessage: string;
  listeningFromMe: boolean;
  stopBotFromMe: boolean;
  keepOpen: boolean;
  /** Seconds to wait for more messages from the same contact before answering them together; 0 = none. */
  debounceTime: number;
  ignoreJids: string[];
  splitMessages: boolean;
  timePerChar: number;
}

/** Evolution's defaults when an instance has no settings row (`fetchSettings`). */
export const DEFAULT_BEHAVIOUR: BehaviourSettings = {
  expire: 300,
  keywordFinish: 'bye',
  delayMessage: 1000,
  unknownMessage: 'Sorry, I dont understand',
  listeningFromMe: true,
  stopBotFromMe: true,
  keepOpen: false,
  debounceTime: 1,
  ignoreJids: [],
  splitMessages: false,
  timePerChar: 0,
};

export interface Bot {
  id: string;
  instanceId: string;
  provider: ChatbotProviderName;
  enabled: boolean;
  description: string | null;
  triggerType: TriggerType;
  triggerOperator: TriggerOperator | null;
  triggerValue: string | null;
  /** The bot's own behaviour values; absent/null ones come from the settings row. */
  behaviour: Partial<BehaviourSettings>;
  /** Provider fields (apiUrl, apiKey, botType, model …), as validated by the provider's wire schema. */
  config: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface ChatbotSettings extends BehaviourSettings {
  id: string;
  instanceId: string;
  provider: ChatbotProviderName;
  /** Bot answering when no trigger matches. */
  fallbackId: string | null;
  /** Provider-specific settings (OpenAI: openaiCredsId, speechToText). */
  extra: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type SessionStatus = 'opened' | 'paused' | 'closed';

/** One conversation of one contact with one bot (Evolution's `IntegrationSession`). */
export interface ChatbotSession {
  id: string;
  instanceId: string;
  remoteJid: string;
  provider: ChatbotProviderName;
  botId: string | null;
  /** The provider's conversation id (OpenAI thread/conversation, Dify conversation_id, Typebot session); initially the remoteJid. */
  sessionId: string;
  pushName: string | null;
  status: SessionStatus;
  awaitUser: boolean;
  /** Provider state kept between turns (e.g. chat history). */
  context: Record<string, unknown>;
  parameters: Record<string, unknown>;
  /** When the session ends for inactivity (durable timer); null = never. */
  expiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OpenAiCreds {
  id: string;
  instanceId: string;
  name: string;
  apiKey: string;
  createdAt: Date;
  updatedAt: Date;
}
