// The chatbot wire layer without a server: body leniency, draft mapping (aliases, both fallback spellings), row
// shapes, the per-provider rules, and the chatbot env variables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import type { Bot, ChatbotSettings } from '../../src/domain/chatbot.js';
import { zodValidatorCompiler } from '../../src/http/validation.js';
import { botBody, botDraft, settingsBody, settingsDraft, type BotBody } from '../../src/wire/chatbots/bodies.js';
import { providerRules } from '../../src/wire/chatbots/providers.js';
import { botRow, fetchSettingsResponse, settingsRow } from '../../src/wire/chatbots/rows.js';

/** Runs a body through the same validator the routes use. */
function validate(schema: unknown, body: unknown): { value?: any; messages?: string[] } {
  const check = zodValidatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '/' } as never) as (data: unknown) => { value?: unknown; error?: { messages: string[] } };
  const result = check(body);
  return result.error === undefined ? { value: result.value } : { messages: result.error.messages };
}

const AT = new Date('2026-01-02T03:04:05.006Z');

function bot(over: Partial<Bot> = {}): Bot {
  return {
    id: 'b1', instanceId: 'i1', provider: 'typebot', enabled: true, description: null, triggerType: 'all', triggerOperator: null, triggerValue: null,
    behaviour: { expire: 5 }, config: { url: 'http://t', typebot: 'pub' }, createdAt: AT, updatedAt: AT, ...over,
  };
}

describe('chatbot bodies', () => {
  it('takes the Manager\'s odd values: numbers and booleans as strings, "" for a cleared select or number', () => {
    const { value } = validate(botBody('typebot'), {
      enabled: 'true', triggerType: 'keyword', triggerOperator: '', triggerValue: 'hi', expire: '12', delayMessage: '', keepOpen: 'false',
      url: 'http://t', typebot: 'pub', unknownField: 1,
    });
    assert.equal(value.enabled, true);
    assert.equal(value.expire, 12);
    assert.equal(value.delayMessage, undefined);
    assert.equal(value.keepOpen, false);
    assert.equal(value.triggerOperator, null);
    assert.equal('unknownField' in value, false);
  });

  it('names the offending field in Evolution\'s style', () => {
    assert.deepEqual(validate(botBody('flowise'), { enabled: true, triggerType: 'all' }).messages, ['instance requires property "apiUrl"']);
    assert.deepEqual(validate(botBody('flowise'), { enabled: true, triggerType: 'all', apiUrl: 'x' }).messages, ['apiUrl must be an http(s) URL, got "x"']);
    assert.deepEqual(validate(botBody('typebot'), { enabled: true, triggerType: 'all', url: 'http://t', typebot: '' }).messages, ['The "typebot" cannot be empty']);
    assert.deepEqual(validate(botBody('dify'), { enabled: true, triggerType: 'all', botType: 'chat' }).messages, ['botType is not one of enum values: chatBot,textGenerator,agent,workflow']);
    assert.deepEqual(validate(botBody('dify'), { enabled: true, triggerType: 'all', botType: 'agent', timePerChar: 1.5 }).messages, ['timePerChar is not of a type(s) integer']);
  });

  it('keeps only the provider\'s fields in the config and maps n8n\'s basicAuthPassword', () => {
    const { value } = validate(botBody('n8n'), { enabled: true, triggerType: 'all', webhookUrl: 'http://n/webhook/x', basicAuthPassword: 'pw', apiUrl: 'http://other' });
    const draft = botDraft('n8n', value as BotBody);
    assert.deepEqual(draft.config, { webhookUrl: 'http://n/webhook/x', basicAuthPass: 'pw' });
    assert.deepEqual(draft.behaviour, {});
    const both = botDraft('n8n', { enabled: true, triggerType: 'all', webhookUrl: 'http://n', basicAuthPass: 'a', basicAuthPassword: 'b' } as BotBody);
    assert.equal(both.config.basicAuthPass, 'a', 'the code\'s spelling wins');
  });

  it('settings: the schema\'s required fields per type, both fallback spellings, fallbackId first', () => {
    assert.deepEqual(validate(settingsBody('dify'), { expire: 1, keywordFinish: '', delayMessage: 1, unknownMessage: '', listeningFromMe: true, stopBotFromMe: true, keepOpen: true, debounceTime: 0, ignoreJids: [], splitMessages: false }).messages, ['instance requires property "timePerChar"']);
    const typebot = validate(settingsBody('typebot'), { expire: 1, keywordFinish: 'x', delayMessage: 1, unknownMessage: 'u', listeningFromMe: true, stopBotFromMe: true, typebotIdFallback: 'bot-1' });
    assert.equal(typebot.messages, undefined);
    const draft = settingsDraft('typebot', typebot.value);
    assert.equal(draft.fallbackId, 'bot-1');
    assert.deepEqual(draft.behaviour, { expire: 1, keywordFinish: 'x', delayMessage: 1, unknownMessage: 'u', listeningFromMe: true, stopBotFromMe: true });
    assert.equal(settingsDraft('typebot', { fallbackId: 'a', typebotIdFallback: 'b' }).fallbackId, 'a');
    assert.equal(settingsDraft('typebot', {}).fallbackId, undefined, 'absent: keep the stored fallback');
    assert.equal(settingsDraft('evolutionBot', { botIdFallback: null }).fallbackId, null);
    assert.deepEqual(validate(settingsBody('openai'), { expire: 1, keywordFinish: '', delayMessage: 1, unknownMessage: '', listeningFromMe: true, stopBotFromMe: true, keepOpen: true, debounceTime: 0, ignoreJids: [] }).messages, ['instance requires property "openaiCredsId"']);
    assert.deepEqual(settingsDraft('openai', { openaiCredsId: 'c1', speechToText: true }).extra, { openaiCredsId: 'c1', speechToText: true });
  });
});

describe('chatbot rows', () => {
  it('a bot row has every provider and behaviour column, null where the settings row applies', () => {
    const row = botRow(bot());
    assert.equal(row.url, 'http://t');
    assert.equal(row.expire, 5);
    assert.equal(row.keywordFinish, null);
    assert.equal(row.createdAt, '2026-01-02T03:04:05.006Z');
    const openai = botRow(bot({ provider: 'openai', config: { openaiCredsId: 'c', botType: 'assistant', assistantId: 'a' } }));
    for (const field of ['model', 'functionUrl', 'systemMessages', 'maxTokens']) assert.equal(openai[field], null, field);
  });

  it('a settings row carries both fallback names; no row → Evolution\'s defaults', () => {
    const s: ChatbotSettings = {
      id: 's1', instanceId: 'i1', provider: 'evolutionBot', fallbackId: 'b1', extra: {}, createdAt: AT, updatedAt: AT,
      expire: 1, keywordFinish: 'k', delayMessage: 2, unknownMessage: 'u', listeningFromMe: true, stopBotFromMe: false, keepOpen: false,
      debounceTime: 3, ignoreJids: ['@g.us'], splitMessages: true, timePerChar: 4,
    };
    const row = settingsRow(s);
    assert.equal(row.botIdFallback, 'b1');
    assert.equal(row.fallbackId, 'b1');
    assert.deepEqual(fetchSettingsResponse('evolutionBot', s, bot({ provider: 'evolutionBot', config: { apiUrl: 'http://e' } })).fallback, botRow(bot({ provider: 'evolutionBot', config: { apiUrl: 'http://e' } })));
    const none = fetchSettingsResponse('dify', undefined, undefined);
    assert.deepEqual(none, {
      expire: 300, keywordFinish: 'bye', delayMessage: 1000, unknownMessage: 'Sorry, I dont understand', listeningFromMe: true, stopBotFromMe: true,
      keepOpen: false, debounceTime: 1, ignoreJids: [], splitMessages: false, timePerChar: 0, fallbackId: '', difyIdFallback: '', fallback: null,
    });
    assert.equal((fetchSettingsResponse('openai', undefined, undefined) as Record<string, unknown>).speechToText, false);
  });
});

describe('chatbot provider rules', () => {
  it('duplicates: same remote target; OpenAI chat bots differ by prompt too', () => {
    const dify = providerRules.dify;
    assert.equal(dify.targetKey({ apiUrl: 'u', apiKey: 'k', botType: 'agent' }), dify.targetKey({ apiUrl: 'u', apiKey: 'k', botType: 'chatBot' }));
    assert.notEqual(dify.targetKey({ apiUrl: 'u', apiKey: 'k' }), dify.targetKey({ apiUrl: 'u', apiKey: 'k2' }));
    const openai = providerRules.openai;
    const chat = { openaiCredsId: 'c', botType: 'chatCompletion', model: 'm', maxTokens: 100 };
    assert.notEqual(openai.targetKey({ ...chat, systemMessages: ['a'] }), openai.targetKey({ ...chat, systemMessages: ['b'] }));
    assert.equal(openai.check({ botType: 'assistant' }), 'Assistant ID is required');
    assert.equal(openai.check({ botType: 'chatCompletion', model: 'm', maxTokens: 1 }), undefined);
    assert.deepEqual(openai.defaultExtra!({ openaiCredsId: 'c' }), { openaiCredsId: 'c', speechToText: false });
  });
});

describe('chatbot env', () => {
  it('gates default to off (evolutionBot always on); TYPEBOT_API_VERSION old; OpenAI base URL and timeout', () => {
    const c = loadConfig({}).chatbots;
    assert.deepEqual(c.enabled, { openai: false, dify: false, flowise: false, typebot: false, n8n: false, evoai: false, evolutionBot: true });
    assert.equal(c.typebotApiVersion, 'old');
    assert.equal(c.openAiBaseUrl, 'https://api.openai.com/v1');
    assert.equal(c.openAiGlobalKey, undefined);
    assert.equal(c.timeoutMs, 60_000);
    const on = loadConfig({ DIFY_ENABLED: 'true', TYPEBOT_API_VERSION: 'latest', OPENAI_API_BASE_URL: 'http://127.0.0.1:1/v1/', OPENAI_API_KEY_GLOBAL: 'sk', PARLEY_CHATBOT_TIMEOUT_MS: '5000' }).chatbots;
    assert.equal(on.enabled.dify, true);
    assert.equal(on.typebotApiVersion, 'latest');
    assert.equal(on.openAiBaseUrl, 'http://127.0.0.1:1/v1');
    assert.equal(on.openAiGlobalKey, 'sk');
    assert.equal(on.timeoutMs, 5000);
    assert.throws(() => loadConfig({ TYPEBOT_API_VERSION: 'v3' }), (e: unknown) => e instanceof ConfigError && /TYPEBOT_API_VERSION: expected "old" or "latest"/.test(e.message));
  });
});
