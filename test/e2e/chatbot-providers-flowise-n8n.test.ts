// Flowise and n8n bots holding real conversations through the engine against a local Flowise (chatflow with an API
// key, memory keyed by sessionId) and a local n8n (webhook with Basic auth, AI Agent answers); an image upload to
// Flowise; a voice note to n8n as `[audio] <text>` (compat §6.6, §6.7).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeFlowise } from '../fakes/fake-flowise.js';
import { FakeN8n } from '../fakes/fake-n8n.js';
import { FakeOpenAi } from '../fakes/fake-openai.js';
import { ANA, ChatbotHarness, SERVER_URL } from '../helpers/chatbot-conversation.js';
import { databaseKinds } from '../helpers/databases.js';

const BOB = '5511977776666@s.whatsapp.net';

for (const kind of databaseKinds()) {
  describe(`Flowise and n8n bots in conversation [${kind.name}]`, () => {
    const h = new ChatbotHarness();
    const flowise = new FakeFlowise();
    const n8n = new FakeN8n();
    const openai = new FakeOpenAi('sk-speech-key');

    before(async () => {
      for (const fake of [flowise, n8n, openai]) await fake.listen();
      await h.start(kind, { env: { FLOWISE_ENABLED: 'true', N8N_ENABLED: 'true', OPENAI_ENABLED: 'true', OPENAI_API_BASE_URL: openai.baseUrl } });
    });
    after(async () => {
      await h.close();
      for (const fake of [flowise, n8n, openai]) await fake.close();
    });

    const flowiseCalls = (name: string) => flowise.requests.filter((r) => r.body?.overrideConfig?.vars?.instanceName === name);
    const n8nCalls = (name: string) => n8n.requests.filter((r) => r.body?.instanceName === name);

    it('Flowise: keyword → session → answer sent; the next turn uses the same Flowise session; keywordFinish deletes it', async () => {
      const { name, number, token } = await h.instance('flowise-talk');
      await h.settings('flowise', name);
      const apiUrl = flowise.flow('support-flow', 'fw-secret');
      const botId = await h.bot('flowise', name, { apiUrl, apiKey: 'fw-secret', triggerType: 'keyword', triggerOperator: 'endsWith', triggerValue: '?' });
      await h.say(number, 'hello', { from: BOB });
      await h.say(number, 'hello');
      assert.deepEqual(flowiseCalls(name), []);

      flowise.answers.push('We open at 9.');
      const keyId = await h.inbound(number, 'when do you open?');
      await h.tick();
      const [first] = flowiseCalls(name);
      assert.equal(first!.headers.authorization, 'Bearer fw-secret');
      assert.deepEqual(first!.body, {
        question: 'when do you open?',
        overrideConfig: { sessionId: ANA, vars: { messageId: keyId, fromMe: false, remoteJid: ANA, pushName: 'Ana', instanceName: name, serverUrl: SERVER_URL, apiKey: token } },
      });
      assert.deepEqual(h.sent.filter((m) => m.instance === name).map((m) => [m.to, m.content]), [[ANA, { kind: 'text', text: 'We open at 9.' }]]);
      const [session] = await h.fetchSessions('flowise', botId, name);
      assert.deepEqual([session.type, session.status, session.sessionId], ['flowise', 'opened', ANA]);

      await h.say(number, 'and on sundays');
      assert.equal(flowiseCalls(name)[1]!.body.overrideConfig.sessionId, ANA);
      assert.deepEqual(flowise.sessions.get(ANA)?.slice(-2), ['when do you open?', 'and on sundays'], 'Flowise memory holds both turns');
      assert.deepEqual(h.texts(name), ['We open at 9.', 'echo: and on sundays']);

      await h.say(number, 'BYE');
      assert.equal(flowiseCalls(name).length, 2);
      assert.deepEqual(await h.sessions(name), []);
      assert.deepEqual(await h.sessionUpdates(name, 2), ['opened:started', 'delete:keywordFinish']);
    });

    it('Flowise: an image goes in uploads as a data URI, the caption as the question', async () => {
      const { name, number } = await h.instance('flowise-image');
      await h.settings('flowise', name);
      await h.bot('flowise', name, { apiUrl: flowise.flow('vision-flow'), triggerType: 'all' });
      const bytes = Buffer.from('89504e470d0a1a0a', 'hex');
      await h.say(number, { imageMessage: { mimetype: 'image/png', caption: 'read this label' }, base64: bytes.toString('base64') });
      const [call] = flowiseCalls(name);
      assert.equal(call!.body.question, 'read this label');
      assert.deepEqual(call!.body.uploads, [{ data: `data:image/png;base64,${bytes.toString('base64')}`, type: 'file', name: 'image.png', mime: 'image/png' }]);
    });

    it('n8n: Basic auth, chatInput and sessionId; the next turn carries the same sessionId; keywordFinish deletes the session', async () => {
      const { name, number, token } = await h.instance('n8n-talk');
      await h.settings('n8n', name);
      const webhookUrl = n8n.workflow('support', { basicAuth: { user: 'n8n-user', password: 's3cret' }, respond: 'agent' });
      const botId = await h.bot('n8n', name, { webhookUrl, basicAuthUser: 'n8n-user', basicAuthPass: 's3cret', triggerType: 'keyword', triggerOperator: 'regex', triggerValue: '^order \\d+$' });
      await h.say(number, 'order status');
      assert.deepEqual(n8nCalls(name), []);

      n8n.answers.push('Order 7 is on its way.');
      const keyId = await h.inbound(number, 'order 7');
      await h.tick();
      const [first] = n8nCalls(name);
      assert.equal(first!.headers.authorization, `Basic ${Buffer.from('n8n-user:s3cret').toString('base64')}`);
      assert.deepEqual(first!.body, { chatInput: 'order 7', sessionId: ANA, remoteJid: ANA, pushName: 'Ana', keyId, fromMe: false, instanceName: name, serverUrl: SERVER_URL, apiKey: token });
      assert.deepEqual(h.sent.filter((m) => m.instance === name).map((m) => [m.to, m.content]), [[ANA, { kind: 'text', text: 'Order 7 is on its way.' }]]);
      const [session] = await h.fetchSessions('n8n', botId, name);
      assert.deepEqual([session.type, session.status, session.sessionId], ['n8n', 'opened', ANA]);

      await h.say(number, 'thanks');
      assert.equal(n8nCalls(name)[1]!.body.sessionId, session.sessionId);
      assert.deepEqual(n8n.memory.get(ANA)?.slice(-2), ['order 7', 'thanks']);
      assert.deepEqual(h.texts(name), ['Order 7 is on its way.', 'echo: thanks']);

      await h.say(number, 'bye');
      assert.deepEqual(await h.sessions(name), []);
      assert.deepEqual(await h.sessionUpdates(name, 2), ['opened:started', 'delete:keywordFinish']);
    });

    it('n8n: wrong Basic auth is a client error: reported with unknownMessage at once, not retried', async () => {
      const { name, number } = await h.instance('n8n-denied');
      await h.settings('n8n', name, { unknownMessage: 'The assistant is unavailable.' });
      const webhookUrl = n8n.workflow('locked', { basicAuth: { user: 'n8n-user', password: 'right' }, respond: 'lastNode' });
      await h.bot('n8n', name, { webhookUrl, basicAuthUser: 'n8n-user', basicAuthPass: 'wrong', triggerType: 'all' });
      await h.say(number, 'hi');
      assert.deepEqual(n8n.to('/webhook/locked').map((r) => r.status), [403]);
      assert.deepEqual(h.texts(name), ['The assistant is unavailable.']);
      assert.equal((await h.sessions(name))[0].status, 'opened', 'the session stays usable');
    });

    it('n8n: a voice note arrives as `[audio] <text>` with speech-to-text on', async () => {
      const { name, number } = await h.instance('n8n-audio');
      await h.settings('n8n', name);
      await h.bot('n8n', name, { webhookUrl: n8n.workflow('voice', { respond: 'text' }), triggerType: 'all' });
      const credsId = await h.openAiCreds(name, openai.apiKey);
      await h.settings('openai', name, { openaiCredsId: credsId, speechToText: true });
      openai.transcription = 'cancel my order';
      await h.say(number, { audioMessage: { mimetype: 'audio/ogg; codecs=opus', ptt: true }, base64: Buffer.from('OggS-n8n').toString('base64') });
      assert.equal(n8nCalls(name)[0]!.body.chatInput, '[audio] cancel my order');
      assert.deepEqual(h.texts(name), ['echo: [audio] cancel my order']);
    });
  });
}
