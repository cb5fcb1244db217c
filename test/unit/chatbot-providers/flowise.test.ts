// The Flowise provider against a local fake Flowise over real HTTP: memory keyed by the remoteJid across turns,
// Evolution's vars, Bearer only when the flow has a key, images as uploads, structured output, errors and timeouts.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { flowiseProvider } from '../../../src/chatbots/providers/flowise.js';
import { FakeFlowise } from '../../fakes/fake-flowise.js';
import { harness, imageInput, INSTANCE_TOKEN, PNG_BASE64, providerFails, REMOTE_JID, SERVER_URL, textInput, texts } from './context.js';

const KEY = 'flowise-key-789';

describe('Flowise provider', () => {
  let fake: FakeFlowise;
  before(async () => {
    fake = await new FakeFlowise().listen();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.sessions.clear();
  });

  it('a conversation: same sessionId on every turn, Evolution vars, Bearer when the flow has a key', async () => {
    const h = harness('flowise', { apiUrl: fake.flow('flow-protected', KEY), apiKey: KEY });
    const first = await flowiseProvider.reply(h.ctx, textInput('Hi'));
    h.keep(first);
    const secondInput = textInput('What did I say?');
    const second = await flowiseProvider.reply(h.ctx, secondInput);
    assert.deepEqual(texts(first), ['echo: Hi']);
    assert.deepEqual(texts(second), ['echo: What did I say?']);
    assert.deepEqual(fake.sessions.get(REMOTE_JID), ['Hi', 'What did I say?']);

    const call = fake.requests[1]!;
    assert.equal(call.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(call.body, {
      question: 'What did I say?',
      overrideConfig: {
        sessionId: REMOTE_JID,
        vars: { messageId: secondInput.key.id, fromMe: false, remoteJid: REMOTE_JID, pushName: 'Ana', instanceName: 'inst1', serverUrl: SERVER_URL, apiKey: INSTANCE_TOKEN },
      },
    });
  });

  it('an open flow gets no Authorization header; structured output is sent as JSON text', async () => {
    const h = harness('flowise', { apiUrl: fake.flow('flow-open') });
    fake.answerNext({ status: 200, json: { json: { city: 'Recife' }, question: 'Where?', chatId: 'x' } });
    const turn = await flowiseProvider.reply(h.ctx, textInput('Where?'));
    assert.deepEqual(texts(turn), ['{"city":"Recife"}']);
    assert.equal(fake.requests[0]!.headers.authorization, undefined);
  });

  it('images go in uploads: a URL as type url, bytes as a base64 data URI of type file', async () => {
    const h = harness('flowise', { apiUrl: fake.flow('flow-open') });
    await flowiseProvider.reply(h.ctx, imageInput('Describe', { url: 'https://cdn.example/cat.jpg', mimetype: 'image/jpeg' }));
    await flowiseProvider.reply(h.ctx, imageInput('Describe', { base64: PNG_BASE64, mimetype: 'image/png' }));
    assert.equal(fake.requests[0]!.body.question, 'Describe');
    assert.deepEqual(fake.requests[0]!.body.uploads, [{ data: 'https://cdn.example/cat.jpg', type: 'url', name: 'image.jpg', mime: 'image/jpeg' }]);
    assert.deepEqual(fake.requests[1]!.body.uploads, [{ data: `data:image/png;base64,${PNG_BASE64}`, type: 'file', name: 'image.png', mime: 'image/png' }]);
    assert.ok(fake.requests.every((r) => r.status === 200));
  });

  it('a 5xx, a wrong key, an unknown flow and a timeout are clear errors', async () => {
    const h = harness('flowise', { apiUrl: fake.flow('flow-protected', KEY), apiKey: KEY });
    fake.failNext(500, 'LLM chain failed');
    await providerFails(() => flowiseProvider.reply(h.ctx, textInput('Hi')), { provider: 'Flowise', status: 500, retryable: true, includes: /LLM chain failed/, secrets: [KEY, INSTANCE_TOKEN] });
    const wrong = harness('flowise', { apiUrl: fake.flow('flow-protected', KEY), apiKey: 'not-the-key' });
    await providerFails(() => flowiseProvider.reply(wrong.ctx, textInput('Hi')), { provider: 'Flowise', status: 401, retryable: false, includes: /Unauthorized Access/, secrets: ['not-the-key'] });
    const missing = harness('flowise', { apiUrl: `${fake.url}/api/v1/prediction/nope` });
    await providerFails(() => flowiseProvider.reply(missing.ctx, textInput('Hi')), { provider: 'Flowise', status: 404, includes: /Chatflow nope not found/ });
    const slow = harness('flowise', { apiUrl: fake.flow('flow-open') }, { timeoutMs: 100 });
    fake.hangNext();
    await providerFails(() => flowiseProvider.reply(slow.ctx, textInput('Hi')), { provider: 'Flowise', retryable: true, includes: /did not answer within 100 ms/ });
  });
});
