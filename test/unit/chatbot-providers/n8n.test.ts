// The n8n provider against a local fake n8n over real HTTP: Evolution's body, the session's sessionId as n8n's
// memory key, Basic auth, every Respond mode (agent output, last-node array, plain text, empty), errors and timeouts.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { n8nProvider } from '../../../src/chatbots/providers/n8n.js';
import { FakeN8n } from '../../fakes/fake-n8n.js';
import { harness, INSTANCE_TOKEN, providerFails, REMOTE_JID, SERVER_URL, textInput, texts } from './context.js';

describe('n8n provider', () => {
  let fake: FakeN8n;
  before(async () => {
    fake = await new FakeN8n().listen();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.memory.clear();
  });

  it('a conversation with Basic auth: Evolution fields, sessionId kept across turns, reply from output', async () => {
    const url = fake.workflow('support', { basicAuth: { user: 'bot', password: 's3cret-pass' }, respond: 'agent' });
    const h = harness('n8n', { webhookUrl: url, basicAuthUser: 'bot', basicAuthPass: 's3cret-pass' });
    const first = await n8nProvider.reply(h.ctx, textInput('Hi'));
    h.keep(first);
    const input = textInput('Still there?');
    const second = await n8nProvider.reply(h.ctx, input);
    assert.deepEqual([...texts(first), ...texts(second)], ['echo: Hi', 'echo: Still there?']);
    assert.deepEqual(fake.memory.get(REMOTE_JID), ['Hi', 'Still there?']);
    const call = fake.requests[1]!;
    assert.equal(call.headers.authorization, `Basic ${Buffer.from('bot:s3cret-pass').toString('base64')}`);
    assert.deepEqual(call.body, {
      chatInput: 'Still there?', sessionId: REMOTE_JID, remoteJid: REMOTE_JID, pushName: 'Ana', keyId: input.key.id, fromMe: false,
      instanceName: 'inst1', serverUrl: SERVER_URL, apiKey: INSTANCE_TOKEN,
    });
  });

  it('reads every Respond mode: [{output}], plain text, {answer}, and an empty body as no reply', async () => {
    const h = (path: string, respond: 'lastNode' | 'text' | 'empty' | 'agent') => harness('n8n', { webhookUrl: fake.workflow(path, { respond }) });
    assert.deepEqual(texts(await n8nProvider.reply(h('last', 'lastNode').ctx, textInput('a'))), ['echo: a']);
    assert.deepEqual(texts(await n8nProvider.reply(h('plain', 'text').ctx, textInput('b'))), ['echo: b']);
    assert.deepEqual(texts(await n8nProvider.reply(h('empty', 'empty').ctx, textInput('c'))), []);
    fake.answerNext({ status: 200, json: { answer: 'from answer' } });
    assert.deepEqual(texts(await n8nProvider.reply(h('agent', 'agent').ctx, textInput('d'))), ['from answer']);
    assert.equal(fake.requests[0]!.headers.authorization, undefined, 'no auth header without credentials');
  });

  it('wrong credentials, an inactive workflow, a failing workflow and a timeout are clear errors', async () => {
    const url = fake.workflow('locked', { basicAuth: { user: 'bot', password: 'right-pass' }, respond: 'agent' });
    await providerFails(() => n8nProvider.reply(harness('n8n', { webhookUrl: url, basicAuthUser: 'bot', basicAuthPass: 'wrong-pass' }).ctx, textInput('Hi')),
      { provider: 'n8n', status: 403, retryable: false, includes: /Authorization data is wrong/, secrets: ['wrong-pass'] });
    await providerFails(() => n8nProvider.reply(harness('n8n', { webhookUrl: `${fake.url}/webhook/inactive?token=abc123` }).ctx, textInput('Hi')),
      { provider: 'n8n', status: 404, includes: /is not registered/, secrets: ['abc123'] });
    fake.failNext(500, 'Error in workflow');
    await providerFails(() => n8nProvider.reply(harness('n8n', { webhookUrl: url, basicAuthUser: 'bot', basicAuthPass: 'right-pass' }).ctx, textInput('Hi')),
      { provider: 'n8n', status: 500, retryable: true, includes: /Error in workflow/, secrets: ['right-pass', INSTANCE_TOKEN] });
    fake.hangNext();
    await providerFails(() => n8nProvider.reply(harness('n8n', { webhookUrl: url }, { timeoutMs: 100 }).ctx, textInput('Hi')),
      { provider: 'n8n', retryable: true, includes: /did not answer within 100 ms/ });
  });
});
