// The Dify provider against a local fake Dify over real HTTP: chatBot (blocking, conversation carried, stale
// conversation restarted), agent (SSE streaming), textGenerator, workflow, images (remote URL or uploaded bytes),
// errors and timeouts.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { difyProvider } from '../../../src/chatbots/providers/dify.js';
import { FakeDify, type DifyMode } from '../../fakes/fake-dify.js';
import { GLOBAL_KEY, harness, imageInput, INSTANCE_TOKEN, PNG_BASE64, providerFails, REMOTE_JID, SERVER_URL, textInput, texts } from './context.js';

const KEY = 'app-test-key';
const VARIABLES = { remoteJid: REMOTE_JID, pushName: 'Ana', instanceName: 'inst1', serverUrl: SERVER_URL, apiKey: INSTANCE_TOKEN };

describe('Dify provider', () => {
  const fakes: FakeDify[] = [];
  after(() => Promise.all(fakes.map((f) => f.close())));
  async function app(mode: DifyMode): Promise<FakeDify> {
    const fake = await new FakeDify(mode, KEY).listen();
    fakes.push(fake);
    return fake;
  }
  const bot = (fake: FakeDify, botType: string, options: { timeoutMs?: number; apiKey?: string } = {}) =>
    harness('dify', { botType, apiUrl: fake.baseUrl, apiKey: options.apiKey ?? KEY }, options);

  it('chatBot: blocking chat-messages; the conversation_id is kept and sent on the next turn', async () => {
    const fake = await app('chat');
    const h = bot(fake, 'chatBot');
    const first = await difyProvider.reply(h.ctx, textInput('Hi'));
    assert.deepEqual(texts(first), ['echo: Hi']);
    assert.ok(fake.conversations.has(first.sessionId!));
    h.keep(first);
    const second = await difyProvider.reply(h.ctx, textInput('More'));
    assert.equal(second.sessionId, first.sessionId);

    const [call1, call2] = fake.to('/v1/chat-messages');
    assert.equal(call1!.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(call1!.body, { inputs: VARIABLES, query: 'Hi', response_mode: 'blocking', user: REMOTE_JID });
    assert.deepEqual(call2!.body, { inputs: VARIABLES, query: 'More', response_mode: 'blocking', conversation_id: first.sessionId, user: REMOTE_JID });
    assert.ok(!JSON.stringify(call1!.body).includes(GLOBAL_KEY), 'Dify gets the instance token, not the global key');
  });

  it('chatBot: a conversation Dify no longer knows starts a new one', async () => {
    const fake = await app('chat');
    const h = bot(fake, 'chatBot');
    h.ctx.session.sessionId = 'forgotten-conversation';
    const turn = await difyProvider.reply(h.ctx, textInput('Hi'));
    assert.deepEqual(texts(turn), ['echo: Hi']);
    assert.notEqual(turn.sessionId, 'forgotten-conversation');
    const calls = fake.to('/v1/chat-messages');
    assert.deepEqual(calls.map((c) => [c.status, c.body.conversation_id]), [[404, 'forgotten-conversation'], [200, undefined]]);
  });

  it('agent: streams, joining the agent_message chunks; the conversation is carried', async () => {
    const fake = await app('agent');
    const h = bot(fake, 'agent');
    fake.answers.push('Hello from the agent!', 'Second answer');
    const first = await difyProvider.reply(h.ctx, textInput('Hi'));
    assert.deepEqual(texts(first), ['Hello from the agent!']);
    h.keep(first);
    fake.finalFullMessage = true; // newer agents end with the full text in one `message` event
    const second = await difyProvider.reply(h.ctx, textInput('Again'));
    assert.deepEqual(texts(second), ['Second answer']);
    const calls = fake.to('/v1/chat-messages');
    assert.equal(calls[0]!.body.response_mode, 'streaming');
    assert.equal(calls[1]!.body.conversation_id, first.sessionId);
    assert.equal(second.sessionId, first.sessionId);
  });

  it('agent: an error event in the stream is a clear error', async () => {
    const fake = await app('agent');
    fake.answerNext({ status: 200, sse: ['event: ping', `data: ${JSON.stringify({ event: 'error', status: 400, code: 'provider_quota_exceeded', message: 'Your quota is used up' })}`] });
    await providerFails(() => difyProvider.reply(bot(fake, 'agent').ctx, textInput('Hi')), { provider: 'Dify', retryable: false, includes: /quota is used up \(provider_quota_exceeded\)/ });
  });

  it('textGenerator: completion-messages with the query among the inputs', async () => {
    const fake = await app('completion');
    const turn = await difyProvider.reply(bot(fake, 'textGenerator').ctx, textInput('Write a haiku'));
    assert.deepEqual(texts(turn), ['echo: Write a haiku']);
    assert.equal(turn.sessionId, undefined);
    assert.deepEqual(fake.to('/v1/completion-messages')[0]!.body, { inputs: { ...VARIABLES, query: 'Write a haiku' }, response_mode: 'blocking', user: REMOTE_JID });
  });

  it('workflow: workflows/run; the reply is the answer/text/output/result output', async () => {
    const fake = await app('workflow');
    const turn = await difyProvider.reply(bot(fake, 'workflow').ctx, textInput('Summarize'));
    assert.deepEqual(texts(turn), ['echo: Summarize']);
    assert.deepEqual(fake.to('/v1/workflows/run')[0]!.body, { inputs: { ...VARIABLES, query: 'Summarize' }, response_mode: 'blocking', user: REMOTE_JID });
    fake.outputKey = 'answer';
    fake.answers.push('From the answer key');
    assert.deepEqual(texts(await difyProvider.reply(bot(fake, 'workflow').ctx, textInput('Again'))), ['From the answer key']);
    fake.answerNext({ status: 200, json: { workflow_run_id: 'w', task_id: 't', data: { status: 'failed', outputs: {}, error: 'node LLM failed' } } });
    await providerFails(() => difyProvider.reply(bot(fake, 'workflow').ctx, textInput('Again')), { provider: 'Dify', includes: /status failed.*node LLM failed/ });
  });

  it('images: a URL goes as remote_url; bytes are uploaded first and sent as local_file', async () => {
    const fake = await app('chat');
    await difyProvider.reply(bot(fake, 'chatBot').ctx, imageInput('What is it?', { url: 'https://cdn.example/cat.jpg', mimetype: 'image/jpeg' }));
    const byUrl = fake.to('/v1/chat-messages')[0]!.body;
    assert.equal(byUrl.query, 'What is it?');
    assert.deepEqual(byUrl.files, [{ type: 'image', transfer_method: 'remote_url', url: 'https://cdn.example/cat.jpg' }]);

    await difyProvider.reply(bot(fake, 'chatBot').ctx, imageInput('And this?', { base64: PNG_BASE64, mimetype: 'image/png' }));
    const upload = fake.to('/v1/files/upload')[0]!;
    assert.equal(upload.multipart!.find((p) => p.name === 'user')!.data.toString(), REMOTE_JID);
    const file = upload.multipart!.find((p) => p.name === 'file')!;
    assert.deepEqual(file.data, Buffer.from(PNG_BASE64, 'base64'));
    assert.equal(file.filename, 'image.png');
    const [uploadId] = [...fake.uploads.keys()];
    assert.deepEqual(fake.to('/v1/chat-messages')[1]!.body.files, [{ type: 'image', transfer_method: 'local_file', upload_file_id: uploadId }]);
  });

  it('a 5xx, a refused key and a timeout are clear errors that never show a key', async () => {
    const fake = await app('chat');
    fake.failNext(500, 'Internal Server Error');
    await providerFails(() => difyProvider.reply(bot(fake, 'chatBot').ctx, textInput('Hi')), { provider: 'Dify', status: 500, retryable: true, includes: /HTTP 500.*Internal Server Error/, secrets: [KEY, INSTANCE_TOKEN] });
    await providerFails(() => difyProvider.reply(bot(fake, 'chatBot', { apiKey: 'app-wrong-key' }).ctx, textInput('Hi')), { provider: 'Dify', status: 401, retryable: false, secrets: ['app-wrong-key'] });
    fake.hangNext();
    await providerFails(() => difyProvider.reply(bot(fake, 'chatBot', { timeoutMs: 100 }).ctx, textInput('Hi')), { provider: 'Dify', retryable: true, includes: /did not answer within 100 ms/ });
    const agent = await app('agent');
    agent.hangNext();
    await providerFails(() => difyProvider.reply(bot(agent, 'agent', { timeoutMs: 100 }).ctx, textInput('Hi')), { provider: 'Dify', retryable: true, includes: /did not answer within 100 ms/ });
  });
});
