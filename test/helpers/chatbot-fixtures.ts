// What the compat doc (§3.10, §8) says about each of the seven bot types, written out independently of src/, plus
// valid bodies for them. `credsId` is filled in for OpenAI once credentials exist.

export const BEHAVIOUR_FIELDS = [
  'expire', 'keywordFinish', 'delayMessage', 'unknownMessage', 'listeningFromMe', 'stopBotFromMe', 'keepOpen', 'debounceTime',
  'ignoreJids', 'splitMessages', 'timePerChar',
];

/** `fetchSettings` when nothing is stored (compat §3.10). */
export const DEFAULT_SETTINGS = {
  expire: 300, keywordFinish: 'bye', delayMessage: 1000, unknownMessage: 'Sorry, I dont understand', listeningFromMe: true,
  stopBotFromMe: true, keepOpen: false, debounceTime: 1, ignoreJids: [], splitMessages: false, timePerChar: 0,
};

export interface BotFixture {
  bot: string;
  /** Evolution's integration name in messages. */
  name: string;
  env?: string;
  fallbackKey: string;
  /** Provider columns of the bot row. */
  fields: string[];
  /** A provider field the schema requires (absent → `instance requires property "<field>"`). */
  required: string;
  duplicateText: string;
  /** Provider fields of a valid body; `n` makes the remote target distinct. */
  body(n: number, credsId: string): Record<string, unknown>;
  /** A provider-field change for update. */
  change: Record<string, unknown>;
}

export const BOTS: BotFixture[] = [
  {
    bot: 'openai', name: 'Openai', env: 'OPENAI_ENABLED', fallbackKey: 'openaiIdFallback',
    fields: ['openaiCredsId', 'botType', 'assistantId', 'functionUrl', 'model', 'systemMessages', 'assistantMessages', 'userMessages', 'maxTokens'],
    required: 'botType', duplicateText: 'Openai Bot already exists',
    body: (n, credsId) => ({ openaiCredsId: credsId, botType: 'chatCompletion', model: `gpt-test-${n}`, maxTokens: 300, systemMessages: ['Be brief.'] }),
    change: { maxTokens: 900 },
  },
  {
    bot: 'dify', name: 'Dify', env: 'DIFY_ENABLED', fallbackKey: 'difyIdFallback',
    fields: ['botType', 'apiUrl', 'apiKey'], required: 'botType', duplicateText: 'Dify already exists',
    body: (n) => ({ botType: 'chatBot', apiUrl: 'http://127.0.0.1:9/v1', apiKey: `app-${n}` }),
    change: { botType: 'agent' },
  },
  {
    bot: 'flowise', name: 'Flowise', env: 'FLOWISE_ENABLED', fallbackKey: 'flowiseIdFallback',
    fields: ['apiUrl', 'apiKey'], required: 'apiUrl', duplicateText: 'Flowise already exists',
    body: (n) => ({ apiUrl: `http://127.0.0.1:9/api/v1/prediction/flow-${n}`, apiKey: 'fw-key' }),
    change: { apiKey: 'fw-key-2' },
  },
  {
    bot: 'typebot', name: 'Typebot', env: 'TYPEBOT_ENABLED', fallbackKey: 'typebotIdFallback',
    fields: ['url', 'typebot'], required: 'typebot', duplicateText: 'Typebot already exists',
    body: (n) => ({ url: 'http://127.0.0.1:9', typebot: `my-typebot-${n}` }),
    change: { url: 'http://127.0.0.1:10' },
  },
  {
    bot: 'n8n', name: 'N8n', env: 'N8N_ENABLED', fallbackKey: 'n8nIdFallback',
    fields: ['webhookUrl', 'basicAuthUser', 'basicAuthPass'], required: 'webhookUrl', duplicateText: 'N8n already exists',
    body: (n) => ({ webhookUrl: `http://127.0.0.1:9/webhook/flow-${n}`, basicAuthUser: 'u', basicAuthPass: 'p' }),
    change: { basicAuthPass: 'p2' },
  },
  {
    bot: 'evoai', name: 'Evoai', env: 'EVOAI_ENABLED', fallbackKey: 'evoaiIdFallback',
    fields: ['agentUrl', 'apiKey'], required: 'agentUrl', duplicateText: 'Evoai already exists',
    body: (n) => ({ agentUrl: `http://127.0.0.1:9/agents/${n}`, apiKey: 'ea-key' }),
    change: { apiKey: 'ea-key-2' },
  },
  {
    bot: 'evolutionBot', name: 'EvolutionBot', fallbackKey: 'botIdFallback',
    fields: ['apiUrl', 'apiKey'], required: 'apiUrl', duplicateText: 'Evolution Bot already exists',
    body: (n) => ({ apiUrl: `http://127.0.0.1:9/bot/${n}`, apiKey: null }),
    change: { apiKey: 'eb-key' },
  },
];

export const ALL_ENABLED: Record<string, string> = Object.fromEntries(BOTS.filter((b) => b.env).map((b) => [b.env!, 'true']));

/** The bot row's keys (compat §8: common columns + provider columns). */
export function botRowKeys(f: BotFixture): string[] {
  return ['id', 'enabled', 'description', ...f.fields, ...BEHAVIOUR_FIELDS, 'triggerType', 'triggerOperator', 'triggerValue', 'createdAt', 'updatedAt', 'instanceId'].sort();
}

/** The settings row's keys: behaviour, the per-type fallback column, OpenAI extras, and the generic fallbackId. */
export function settingsRowKeys(f: BotFixture): string[] {
  const extra = f.bot === 'openai' ? ['openaiCredsId', 'speechToText'] : [];
  return ['id', ...BEHAVIOUR_FIELDS, f.fallbackKey, ...extra, 'createdAt', 'updatedAt', 'instanceId', 'fallbackId'].sort();
}

/** A full settings body (every schema's required fields). */
export function settingsBody(f: BotFixture, credsId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const extra = f.bot === 'openai' ? { openaiCredsId: credsId } : {};
  return {
    expire: 20, keywordFinish: '#stop', delayMessage: 500, unknownMessage: 'Pardon?', listeningFromMe: false, stopBotFromMe: true,
    keepOpen: true, debounceTime: 3, ignoreJids: ['@g.us'], splitMessages: true, timePerChar: 10, ...extra, ...over,
  };
}
