// The EvoAI provider against a local fake A2A agent over real HTTP: JSON-RPC message/send with x-api-key, contextId
// carried between turns, images as file parts, replies from artifacts or status.message, errors and timeouts.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { evoAiProvider } from '../../../src/chatbots/providers/evoai.js';
import { FakeEvoAi } from '../../fakes/fake-evoai.js';
import { harness, imageInput, INSTANCE_TOKEN, PNG_BASE64, providerFails, REMOTE_JID, SERVER_URL, textInput, texts } from './context.js';

const KEY = 'evoai-key-321';

describe('EvoAI provider', () => {
  let fake: FakeEvoAi;
  before(async () => {
    fake = await new FakeEvoAi(KEY).listen();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.contexts.clear();
    fake.answerIn = 'artifact';
  });
  const bot = (options: { timeoutMs?: number; apiKey?: string } = {}) => harness('evoai', { agentUrl: fake.agentUrl(), apiKey: options.apiKey ?? KEY }, options);

  it('a conversation: message/send with the session as contextId, carried to the next turn', async () => {
    const h = bot();
    const input = textInput('Hi');
    const first = await evoAiProvider.reply(h.ctx, input);
    h.keep(first);
    const second = await evoAiProvider.reply(h.ctx, textInput('Again'));
    assert.deepEqual([...texts(first), ...texts(second)], ['echo: Hi', 'echo: Again']);
    assert.equal(first.sessionId, REMOTE_JID);
    assert.deepEqual(fake.contexts.get(REMOTE_JID), ['Hi', 'Again']);

    const call = fake.requests[0]!;
    assert.equal(call.headers['x-api-key'], KEY);
    assert.match(call.body.id, /^req-[0-9a-f]{8}$/);
    assert.deepEqual({ ...call.body, id: undefined }, {
      jsonrpc: '2.0', id: undefined, method: 'message/send',
      params: {
        contextId: REMOTE_JID,
        message: { role: 'user', kind: 'message', parts: [{ type: 'text', kind: 'text', text: 'Hi' }], messageId: input.key.id, metadata: { messageKey: input.key } },
        metadata: { fromMe: false, remoteJid: REMOTE_JID, pushName: 'Ana', instanceName: 'inst1', serverUrl: SERVER_URL, apiKey: INSTANCE_TOKEN },
      },
    });
  });

  it('an image is a file part with its base64 bytes; a reply in status.message is read too', async () => {
    fake.answerIn = 'status';
    const turn = await evoAiProvider.reply(bot().ctx, imageInput('What is this?', { base64: PNG_BASE64, mimetype: 'image/png' }));
    assert.deepEqual(texts(turn), ['echo: What is this?']);
    assert.deepEqual(fake.requests[0]!.body.params.message.parts, [
      { type: 'text', kind: 'text', text: 'What is this?' },
      { type: 'file', kind: 'file', file: { name: 'image.png', mimeType: 'image/png', bytes: PNG_BASE64 } },
    ]);
  });

  it('a JSON-RPC error, a 5xx, a wrong key and a timeout are clear errors', async () => {
    fake.answerNext({ status: 200, json: { jsonrpc: '2.0', id: 'x', error: { code: -32603, message: 'Agent crashed' } } });
    await providerFails(() => evoAiProvider.reply(bot().ctx, textInput('Hi')), { provider: 'EvoAI', includes: /JSON-RPC error -32603.*Agent crashed/ });
    fake.failNext(502, 'Bad Gateway');
    await providerFails(() => evoAiProvider.reply(bot().ctx, textInput('Hi')), { provider: 'EvoAI', status: 502, retryable: true, secrets: [KEY, INSTANCE_TOKEN] });
    await providerFails(() => evoAiProvider.reply(bot({ apiKey: 'wrong-evoai-key' }).ctx, textInput('Hi')), { provider: 'EvoAI', status: 401, includes: /Invalid API key/, secrets: ['wrong-evoai-key'] });
    fake.hangNext();
    await providerFails(() => evoAiProvider.reply(bot({ timeoutMs: 100 }).ctx, textInput('Hi')), { provider: 'EvoAI', retryable: true, includes: /did not answer within 100 ms/ });
  });
});
