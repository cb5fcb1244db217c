// Trigger resolution (compat §6.2, across providers as Parley answers once) and ignoreJids matching.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIgnored } from '../../src/chatbots/engine/config.js';
import { findTriggeredBot, matchesAdvanced } from '../../src/chatbots/engine/triggers.js';
import type { Bot, ChatbotProviderName } from '../../src/domain/chatbot.js';

let n = 0;
function bot(provider: ChatbotProviderName, trigger: Pick<Bot, 'triggerType'> & Partial<Pick<Bot, 'triggerOperator' | 'triggerValue' | 'enabled'>>): Bot {
  n += 1;
  return {
    id: `bot-${n}`, instanceId: 'i', provider, enabled: trigger.enabled ?? true, description: `bot ${n}`, triggerType: trigger.triggerType,
    triggerOperator: trigger.triggerOperator ?? null, triggerValue: trigger.triggerValue ?? null, behaviour: {}, config: {}, createdAt: new Date(), updatedAt: new Date(),
  };
}
const only = (...bots: Bot[]) => ({ bots: [['dify', bots]] as [ChatbotProviderName, Bot[]][], fallbacks: [] });

describe('keyword operators', () => {
  const cases: [Bot['triggerOperator'], string, string, boolean][] = [
    ['equals', 'Hello', 'Hello', true],
    ['equals', 'Hello', 'hello', false],
    ['equals', 'Hello', 'Hello there', false],
    ['regex', '^order #\\d+$', 'order #42', true],
    ['regex', '^order #\\d+$', 'Order #42', false],
    ['regex', '([unclosed', '([unclosed', false],
    ['startsWith', 'menu', 'menu please', true],
    ['startsWith', 'menu', 'the menu', false],
    ['endsWith', '?', 'what time?', true],
    ['endsWith', '?', 'what time', false],
    ['contains', 'price', 'the price is', true],
    ['contains', 'price', 'the PRICE is', false],
  ];
  for (const [operator, value, content, expected] of cases) {
    it(`${operator} "${value}" vs "${content}" → ${expected}`, () => {
      const b = bot('dify', { triggerType: 'keyword', triggerOperator: operator, triggerValue: value });
      assert.equal(findTriggeredBot([content], only(b))?.bot.id, expected ? b.id : undefined);
    });
  }
  it('a keyword bot without a value never matches', () => {
    assert.equal(findTriggeredBot(['anything'], only(bot('dify', { triggerType: 'keyword', triggerOperator: 'contains', triggerValue: '' }))), undefined);
  });
});

describe('advanced expressions', () => {
  it('compare accent-stripped, lower-cased text', () => {
    assert.equal(matchesAdvanced('Quero ver o CARDÁPIO', 'contains:cardapio'), true);
    assert.equal(matchesAdvanced('quero ver o cardapio', 'contains:cardápio'), true);
    assert.equal(matchesAdvanced('Olá, bom dia', 'startswith:ola'), true);
    assert.equal(matchesAdvanced('Preço', 'exact:preco'), true);
    assert.equal(matchesAdvanced('preço total', 'exact:preco'), false);
    assert.equal(matchesAdvanced('fim da conversa', 'endswith:conversa'), true);
  });
  it('all comma values of a term must match; repeated operators are OR; different operators are AND', () => {
    assert.equal(matchesAdvanced('quero pizza grande', 'contains:pizza,grande'), true);
    assert.equal(matchesAdvanced('quero pizza pequena', 'contains:pizza,grande'), false);
    assert.equal(matchesAdvanced('quero lasanha', 'contains:pizza contains:lasanha'), true);
    assert.equal(matchesAdvanced('quero pizza', 'contains:pizza notcontains:cancelar'), true);
    assert.equal(matchesAdvanced('quero cancelar a pizza', 'contains:pizza notcontains:cancelar'), false);
    assert.equal(matchesAdvanced('oi quero pizza', 'startswith:oi,ola contains:pizza'), false, 'oi and ola must both start the text');
  });
  it('an expression without a known operator matches nothing', () => {
    assert.equal(matchesAdvanced('pizza', 'pizza'), false);
    assert.equal(matchesAdvanced('pizza', 'bogus:pizza'), false);
    assert.equal(matchesAdvanced('pizza', ''), false);
  });
});

describe('resolution order across providers', () => {
  it('specific triggers win over catch-all bots of any provider, in compat operator order', () => {
    const all = bot('openai', { triggerType: 'all' });
    const contains = bot('dify', { triggerType: 'keyword', triggerOperator: 'contains', triggerValue: 'pizza' });
    const equals = bot('evolutionBot', { triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'pizza' });
    const advanced = bot('typebot', { triggerType: 'advanced', triggerValue: 'exact:pizza' });
    const candidates = { bots: [['openai', [all]], ['dify', [contains]], ['typebot', [advanced]], ['evolutionBot', [equals]]] as [ChatbotProviderName, Bot[]][], fallbacks: [] };
    assert.equal(findTriggeredBot(['pizza'], candidates)?.bot.id, advanced.id);
    assert.equal(findTriggeredBot(['Pizza'], candidates)?.bot.id, advanced.id, 'advanced is case-insensitive');
    const withoutAdvanced = { ...candidates, bots: candidates.bots.filter(([p]) => p !== 'typebot') };
    assert.equal(findTriggeredBot(['pizza'], withoutAdvanced)?.bot.id, equals.id);
    assert.equal(findTriggeredBot(['big pizza'], withoutAdvanced)?.bot.id, contains.id);
    assert.deepEqual(findTriggeredBot(['hello'], withoutAdvanced), { bot: all, by: 'catchAll' });
  });
  it('`none` matches every message like `all`; disabled bots never answer', () => {
    const disabled = bot('dify', { triggerType: 'all', enabled: false });
    const none = bot('n8n', { triggerType: 'none' });
    assert.equal(findTriggeredBot(['x'], { bots: [['dify', [disabled]], ['n8n', [none]]], fallbacks: [] })?.bot.id, none.id);
  });
  it('a specific trigger of a later debounced message beats a catch-all', () => {
    const all = bot('dify', { triggerType: 'all' });
    const kw = bot('n8n', { triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'menu' });
    assert.equal(findTriggeredBot(['hi', 'menu'], { bots: [['dify', [all]], ['n8n', [kw]]], fallbacks: [] })?.bot.id, kw.id);
  });
  it('without a match, the fallback of the first provider that names one answers', () => {
    const kw = bot('dify', { triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'menu' });
    const fbFlowise = bot('flowise', { triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'zzz' });
    const fbN8n = bot('n8n', { triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'yyy' });
    const candidates = { bots: [['dify', [kw]]] as [ChatbotProviderName, Bot[]][], fallbacks: [['dify', undefined], ['flowise', fbFlowise], ['n8n', fbN8n]] as [ChatbotProviderName, Bot | undefined][] };
    assert.deepEqual(findTriggeredBot(['hello'], candidates), { bot: fbFlowise, by: 'fallback' });
    assert.equal(findTriggeredBot(['menu'], candidates)?.bot.id, kw.id);
    assert.equal(findTriggeredBot(['hello'], { bots: [], fallbacks: [] }), undefined);
  });
});

describe('ignoreJids', () => {
  it('`@g.us` ignores every group, `@s.whatsapp.net` every contact, anything else one JID', () => {
    assert.equal(isIgnored('123-456@g.us', ['@g.us']), true);
    assert.equal(isIgnored('5511999999999@s.whatsapp.net', ['@g.us']), false);
    assert.equal(isIgnored('5511999999999@s.whatsapp.net', ['@s.whatsapp.net']), true);
    assert.equal(isIgnored('12345@lid', ['@s.whatsapp.net']), true);
    assert.equal(isIgnored('123-456@g.us', ['@s.whatsapp.net']), false);
    assert.equal(isIgnored('5511999999999@s.whatsapp.net', ['5511999999999@s.whatsapp.net']), true);
    assert.equal(isIgnored('5511888888888@s.whatsapp.net', ['5511999999999@s.whatsapp.net']), false);
    assert.equal(isIgnored('5511888888888@s.whatsapp.net', []), false);
  });
});
