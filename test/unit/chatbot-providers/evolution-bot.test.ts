// The EvolutionBot provider against a local fake generic bot over real HTTP: Evolution's body, conversation_id once
// known, quotes stripped, linkPreview, images as files, errors and timeouts.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { evolutionBotProvider } from '../../../src/chatbots/providers/evolution-bot.js';
import { FakeEvolutionBot } from '../../fakes/fake-evolution-bot.js';
import { harness, imageInput, INSTANCE_TOKEN, providerFails, REMOTE_JID, SERVER_URL, textInput, texts } from './context.js';

const KEY = 'evobot-key-654';

describe('EvolutionBot provider', () => {
  let fake: FakeEvolutionBot;
  before(async () => {
    fake = await new FakeEvolutionBot(KEY).listen();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });
  const bot = (options: { timeoutMs?: number; apiKey?: string } = {}) => harness('evolutionBot', { apiUrl: fake.botUrl, apiKey: options.apiKey ?? KEY }, options);

  it('a conversation: Evolution body with Bearer; a returned conversation_id is sent on the next turn', async () => {
    const h = bot();
    fake.answers.push({ message: "'Hello Ana'", linkPreview: false, conversation_id: 'conv-42' }, { message: "It's me" });
    const first = await evolutionBotProvider.reply(h.ctx, textInput('Hi'));
    assert.deepEqual(texts(first), ['Hello Ana'], 'surrounding single quotes are stripped');
    assert.equal(first.linkPreview, false);
    h.keep(first);
    const second = await evolutionBotProvider.reply(h.ctx, textInput('Who are you?'));
    assert.deepEqual(texts(second), ["It's me"]);
    assert.equal(second.linkPreview, undefined);

    assert.equal(fake.requests[0]!.headers.authorization, `Bearer ${KEY}`);
    const inputs = { sessionId: 'session-row-1', fromMe: false, remoteJid: REMOTE_JID, pushName: 'Ana', instanceName: 'inst1', serverUrl: SERVER_URL, apiKey: INSTANCE_TOKEN };
    assert.deepEqual(fake.requests[0]!.body, { inputs, query: 'Hi', user: REMOTE_JID });
    assert.deepEqual(fake.requests[1]!.body, { inputs, query: 'Who are you?', conversation_id: 'conv-42', user: REMOTE_JID });
  });

  it('keeps inner quotes; an image goes as a file URL with the caption as query', async () => {
    fake.answers.push({ message: "'it's'" });
    assert.deepEqual(texts(await evolutionBotProvider.reply(bot().ctx, textInput('x'))), ["'it's'"]);
    await evolutionBotProvider.reply(bot().ctx, imageInput('Look', { url: 'https://cdn.example/a.jpg?sig=1', mimetype: 'image/jpeg' }));
    assert.equal(fake.requests[1]!.body.query, 'Look');
    assert.deepEqual(fake.requests[1]!.body.files, [{ type: 'image', url: 'https://cdn.example/a.jpg?sig=1' }]);
  });

  it('a 5xx, a wrong key and a timeout are clear errors', async () => {
    fake.failNext(500, 'bot exploded');
    await providerFails(() => evolutionBotProvider.reply(bot().ctx, textInput('Hi')), { provider: 'EvolutionBot', status: 500, retryable: true, includes: /bot exploded/, secrets: [KEY, INSTANCE_TOKEN] });
    await providerFails(() => evolutionBotProvider.reply(bot({ apiKey: 'wrong-key-000' }).ctx, textInput('Hi')), { provider: 'EvolutionBot', status: 401, secrets: ['wrong-key-000'] });
    fake.hangNext();
    await providerFails(() => evolutionBotProvider.reply(bot({ timeoutMs: 100 }).ctx, textInput('Hi')), { provider: 'EvolutionBot', retryable: true, includes: /did not answer within 100 ms/ });
  });
});
