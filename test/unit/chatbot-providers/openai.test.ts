// The OpenAI provider against a local fake OpenAI API over real HTTP: chatCompletion with history, the `assistant`
// bot type on Responses + Conversations with a function call round, images, models list, Whisper, errors, timeouts.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { listOpenAiModels, openAiProvider, transcribeAudio } from '../../../src/chatbots/providers/openai.js';
import { FakeOpenAi } from '../../fakes/fake-openai.js';
import { harness, imageInput, PNG_BASE64, providerFails, REMOTE_JID, textInput, texts } from './context.js';

const KEY = 'sk-test-key';

describe('OpenAI provider', () => {
  let fake: FakeOpenAi;
  before(async () => {
    fake = await new FakeOpenAi(KEY).listen();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  const chatBot = (config: Record<string, unknown> = {}, options: { timeoutMs?: number } = {}) =>
    harness('openai', { openaiCredsId: 'creds-1', botType: 'chatCompletion', model: 'gpt-4.1-mini', maxTokens: 300, ...config }, { openAiBaseUrl: fake.baseUrl, openAiKey: KEY, ...options });

  it('chatCompletion: sends the fixed messages, the history and the new message; keeps the last 10 in context', async () => {
    const bot = chatBot({ systemMessages: ['You are ACME.'], assistantMessages: ['How can I help?'], userMessages: ['I am a customer.'] });
    const first = await openAiProvider.reply(bot.ctx, textInput('Hi'));
    assert.deepEqual(texts(first), ['echo: Hi']);
    bot.keep(first);
    const second = await openAiProvider.reply(bot.ctx, textInput('Where is my order?'));
    assert.deepEqual(texts(second), ['echo: Where is my order?']);

    const calls = fake.to('/v1/chat/completions');
    assert.equal(calls.length, 2);
    assert.equal(calls[0]!.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(calls[1]!.body, {
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'You are ACME.' },
        { role: 'assistant', content: 'How can I help?' },
        { role: 'user', content: 'I am a customer.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'echo: Hi' },
        { role: 'user', content: 'Where is my order?' },
      ],
      max_completion_tokens: 300,
    });
    assert.deepEqual(second.context, {
      history: [
        { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'echo: Hi' },
        { role: 'user', content: 'Where is my order?' }, { role: 'assistant', content: 'echo: Where is my order?' },
      ],
    });

    for (let i = 0; i < 6; i++) bot.keep(await openAiProvider.reply(bot.ctx, textInput(`message ${i}`)));
    const history = bot.ctx.session.context.history as { content: string }[];
    assert.equal(history.length, 10);
    assert.equal(history.at(-1)!.content, 'echo: message 5');
    assert.equal(history[0]!.content, 'message 1', 'the oldest messages were dropped');
  });

  it('chatCompletion: reads a history Evolution stored as a JSON string, and defaults max tokens to 500', async () => {
    const bot = chatBot({ maxTokens: undefined });
    bot.ctx.session.context = { history: JSON.stringify([{ role: 'user', content: 'old' }, { role: 'assistant', content: 'older answer' }]) };
    await openAiProvider.reply(bot.ctx, textInput('new'));
    const body = fake.to('/v1/chat/completions')[0]!.body;
    assert.deepEqual(body.messages, [{ role: 'user', content: 'old' }, { role: 'assistant', content: 'older answer' }, { role: 'user', content: 'new' }]);
    assert.equal(body.max_completion_tokens, 500);
  });

  it('chatCompletion: an image goes as an image_url part (data URI or URL) with the caption as text', async () => {
    const bot = chatBot();
    const turn = await openAiProvider.reply(bot.ctx, imageInput('What is this?', { base64: PNG_BASE64, mimetype: 'image/png' }));
    assert.deepEqual(texts(turn), ['echo: What is this?']);
    assert.deepEqual(fake.to('/v1/chat/completions')[0]!.body.messages.at(-1), {
      role: 'user',
      content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }],
    });
    await openAiProvider.reply(bot.ctx, imageInput('', { url: 'https://cdn.example/cat.jpg', mimetype: 'image/jpeg' }));
    const content = fake.to('/v1/chat/completions')[1]!.body.messages.at(-1).content;
    assert.deepEqual(content[1], { type: 'image_url', image_url: { url: 'https://cdn.example/cat.jpg' } });
    assert.equal(content[0].text, 'imageMessage|3EB0IMG|', 'without a caption the whole text is sent');
    // The stored history keeps text only.
    assert.deepEqual((turn.context!.history as unknown[])[0], { role: 'user', content: 'What is this?' });
  });

  it('assistant: creates one conversation, then posts each turn to /responses in it with the prompt id', async () => {
    const bot = harness('openai', { openaiCredsId: 'creds-1', botType: 'assistant', assistantId: 'pmpt_support' }, { openAiBaseUrl: fake.baseUrl, openAiKey: KEY });
    const first = await openAiProvider.reply(bot.ctx, textInput('Hi'));
    assert.deepEqual(texts(first), ['echo: Hi']);
    assert.match(first.sessionId!, /^conv_/);
    bot.keep(first);
    const second = await openAiProvider.reply(bot.ctx, textInput('And again'));
    assert.equal(second.sessionId, first.sessionId);

    assert.equal(fake.to('/v1/conversations').length, 1);
    assert.deepEqual(fake.to('/v1/conversations')[0]!.body, { metadata: { remoteJid: REMOTE_JID, instanceName: 'inst1' } });
    const responses = fake.to('/v1/responses');
    assert.deepEqual(responses[1]!.body, {
      prompt: { id: 'pmpt_support' },
      conversation: first.sessionId,
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'And again' }] }],
    });
    assert.equal(fake.conversations.get(first.sessionId!)!.items.filter((i) => i.role === 'user').length, 2);
  });

  it('assistant: runs function calls against functionUrl and feeds the outputs back until a message comes', async () => {
    const bot = harness('openai', { openaiCredsId: 'creds-1', botType: 'assistant', assistantId: 'pmpt_orders', functionUrl: fake.functionUrl }, { openAiBaseUrl: fake.baseUrl, openAiKey: KEY });
    fake.functionAnswer = { status: 'shipped', eta: 'tomorrow' };
    fake.responseOutputs.push({ kind: 'function_call', name: 'order_status', arguments: { orderId: 'A1' } }, { kind: 'text', text: 'Your order ships tomorrow.' });
    const turn = await openAiProvider.reply(bot.ctx, textInput('Where is order A1?'));
    assert.deepEqual(texts(turn), ['Your order ships tomorrow.']);

    assert.deepEqual(fake.to('/function')[0]!.body, { functionName: 'order_status', functionArguments: { orderId: 'A1', remoteJid: REMOTE_JID, pushName: 'Ana' } });
    const responses = fake.to('/v1/responses');
    assert.equal(responses.length, 2);
    const callId = (fake.conversations.get(turn.sessionId!)!.items.find((i) => i.type === 'function_call') as { call_id: string }).call_id;
    assert.deepEqual(responses[1]!.body.input, [{ type: 'function_call_output', call_id: callId, output: JSON.stringify({ status: 'shipped', eta: 'tomorrow' }) }]);
    assert.equal(responses[1]!.body.conversation, turn.sessionId);
  });

  it('assistant: a legacy asst_ id needs a model; with one, model and instructions are sent; images as input_image', async () => {
    const legacy = harness('openai', { openaiCredsId: 'creds-1', botType: 'assistant', assistantId: 'asst_abc' }, { openAiBaseUrl: fake.baseUrl, openAiKey: KEY });
    await assert.rejects(openAiProvider.reply(legacy.ctx, textInput('Hi')), /Assistants API was shut down.*pmpt_/);

    const bot = harness('openai', { openaiCredsId: 'creds-1', botType: 'assistant', assistantId: 'asst_abc', model: 'gpt-4.1-mini', systemMessages: ['Be brief.'], maxTokens: 200 }, { openAiBaseUrl: fake.baseUrl, openAiKey: KEY });
    await openAiProvider.reply(bot.ctx, imageInput('Look', { url: 'https://cdn.example/pic.jpg', mimetype: 'image/jpeg' }));
    const body = fake.to('/v1/responses')[0]!.body;
    assert.equal(body.model, 'gpt-4.1-mini');
    assert.equal(body.instructions, 'Be brief.');
    assert.equal(body.max_output_tokens, 200);
    assert.deepEqual(body.input[0].content, [{ type: 'input_text', text: 'Look' }, { type: 'input_image', image_url: 'https://cdn.example/pic.jpg' }]);
  });

  it('a 5xx, a refused key and a timeout are clear errors that never show the key', async () => {
    const bot = chatBot();
    fake.failNext(503, 'The engine is currently overloaded');
    await providerFails(() => openAiProvider.reply(bot.ctx, textInput('Hi')), { provider: 'OpenAI', status: 503, retryable: true, includes: /HTTP 503.*overloaded/, secrets: [KEY] });

    const wrongKey = harness('openai', { openaiCredsId: 'creds-1', botType: 'chatCompletion', model: 'gpt-4.1-mini' }, { openAiBaseUrl: fake.baseUrl, openAiKey: 'sk-wrong-key-999' });
    await providerFails(() => openAiProvider.reply(wrongKey.ctx, textInput('Hi')), { provider: 'OpenAI', status: 401, retryable: false, includes: /invalid_api_key/, secrets: ['sk-wrong-key-999'] });

    const slow = chatBot({}, { timeoutMs: 100 });
    fake.hangNext();
    await providerFails(() => openAiProvider.reply(slow.ctx, textInput('Hi')), { provider: 'OpenAI', retryable: true, includes: /did not answer within 100 ms/ });

    fake.answerNext({ status: 200, text: '{"choices": [', contentType: 'application/json' });
    await providerFails(() => openAiProvider.reply(bot.ctx, textInput('Hi')), { provider: 'OpenAI', retryable: false, includes: /malformed JSON/ });
  });

  it('refuses to run without credentials', async () => {
    const bot = harness('openai', { openaiCredsId: 'unknown', botType: 'chatCompletion', model: 'gpt-4.1-mini' }, { openAiBaseUrl: fake.baseUrl, openAiKey: KEY });
    await assert.rejects(openAiProvider.reply(bot.ctx, textInput('Hi')), /no usable credentials/);
    assert.equal(fake.requests.length, 0);
  });

  it('lists models and transcribes audio with whisper-1', async () => {
    const models = await listOpenAiModels(fetch, fake.baseUrl, KEY, 5_000);
    assert.deepEqual(models.map((m) => m.id), fake.models);
    await assert.rejects(listOpenAiModels(fetch, fake.baseUrl, 'sk-bad-key', 5_000), /OpenAI .*HTTP 401/);

    const audio = Buffer.from('OggS fake opus bytes');
    fake.transcription = 'olá, tudo bem?';
    assert.equal(await transcribeAudio(fetch, fake.baseUrl, KEY, audio, 'audio/ogg; codecs=opus', 'pt-BR'), 'olá, tudo bem?');
    const parts = fake.to('/v1/audio/transcriptions')[0]!.multipart!;
    const part = (name: string) => parts.find((p) => p.name === name);
    assert.equal(part('model')!.data.toString(), 'whisper-1');
    assert.equal(part('language')!.data.toString(), 'pt');
    assert.equal(part('file')!.filename, 'audio.ogg');
    assert.deepEqual(part('file')!.data, audio);
  });
});
