// The provider registry (one provider per Evolution integration) and the shared request helper's guarantees:
// secrets echoed back by a provider are masked, URLs lose their query in messages, long bodies are cut.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { send } from '../../../src/chatbots/providers/http.js';
import { builtInChatbotProviders } from '../../../src/chatbots/providers/registry.js';
import { CHATBOT_PROVIDERS } from '../../../src/domain/chatbot.js';
import { FakeEvolutionBot } from '../../fakes/fake-evolution-bot.js';
import { providerFails } from './context.js';

describe('chatbot provider registry', () => {
  it('has exactly one provider per integration', () => {
    assert.deepEqual(builtInChatbotProviders().map((p) => p.name).sort(), [...CHATBOT_PROVIDERS].sort());
  });
});

describe('provider request helper', () => {
  let fake: FakeEvolutionBot;
  before(async () => {
    fake = await new FakeEvolutionBot().listen();
  });
  after(() => fake.close());

  it('masks secrets a provider echoes back, hides the query string and cuts long bodies', async () => {
    const secret = 'sk-live-SECRET-1234567890';
    fake.answerNext({ status: 400, json: { error: `Incorrect API key provided: ${secret}`, padding: 'x'.repeat(1000) } });
    const error = await providerFails(
      () => send({ provider: 'Test', fetch, url: `${fake.url}/bot?token=query-secret`, json: {}, timeoutMs: 1_000, secrets: [secret] }),
      { provider: 'Test', status: 400, retryable: false, secrets: [secret, 'query-secret'], includes: /Incorrect API key provided: \*\*\*/ },
    );
    assert.ok(error.message.length < 500, 'the body excerpt is short');
    assert.match(error.message, new RegExp(`^Test \\(${fake.url}/bot\\) answered HTTP 400`));
  });

  it('an unreachable host and an invalid URL are clear errors', async () => {
    const closed = await new FakeEvolutionBot().listen();
    const url = closed.botUrl;
    await closed.close();
    await providerFails(() => send({ provider: 'Test', fetch, url, json: {}, timeoutMs: 1_000 }), { provider: 'Test', retryable: true, includes: /could not be reached/ });
    await providerFails(() => send({ provider: 'Test', fetch, url: 'not a url', json: {}, timeoutMs: 1_000 }), { provider: 'Test', retryable: false, includes: /invalid URL/ });
  });
});
