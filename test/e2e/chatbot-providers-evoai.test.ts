// EvoAI bots holding real conversations through the engine against a local A2A agent (JSON-RPC `message/send`,
// `x-api-key`): the A2A contextId kept in the session, answers from artifacts or the status message, an image as a
// file part with its bytes (compat §6.6).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeEvoAi } from '../fakes/fake-evoai.js';
import { ANA, ChatbotHarness, SERVER_URL } from '../helpers/chatbot-conversation.js';
import { databaseKinds } from '../helpers/databases.js';

for (const kind of databaseKinds()) {
  describe(`EvoAI bots in conversation [${kind.name}]`, () => {
    const h = new ChatbotHarness();
    const evoai = new FakeEvoAi('evoai-key-321');

    before(async () => {
      await evoai.listen();
      await h.start(kind, { env: { EVOAI_ENABLED: 'true' } });
    });
    after(async () => {
      await h.close();
      await evoai.close();
    });

    const calls = (name: string) => evoai.requests.filter((r) => r.body?.params?.metadata?.instanceName === name);

    it('keyword → session → answer sent; the next turn carries the contextId; keywordFinish deletes the session', async () => {
      const { name, number, token } = await h.instance('evoai-talk');
      await h.settings('evoai', name);
      const botId = await h.bot('evoai', name, { agentUrl: evoai.agentUrl('agent-7'), apiKey: evoai.apiKey, triggerType: 'advanced', triggerValue: 'contains:agent' });
      await h.say(number, 'hello there');
      assert.deepEqual(calls(name), []);

      evoai.answers.push('Agent 7 at your service.');
      const keyId = await h.inbound(number, 'talk to an agent');
      await h.tick();
      const [first] = calls(name);
      assert.equal(first!.path, '/api/v1/a2a/agent-7');
      assert.equal(first!.headers['x-api-key'], evoai.apiKey);
      const body = first!.body;
      assert.deepEqual([body.jsonrpc, body.method], ['2.0', 'message/send']);
      assert.match(body.id, /^req-[0-9a-f]{8}$/);
      assert.equal(body.params.contextId, ANA, 'the first turn uses the remoteJid as context');
      assert.deepEqual(body.params.message.parts, [{ type: 'text', kind: 'text', text: 'talk to an agent' }]);
      assert.deepEqual([body.params.message.role, body.params.message.messageId, body.params.message.metadata.messageKey.id], ['user', keyId, keyId]);
      assert.deepEqual(body.params.metadata, { fromMe: false, remoteJid: ANA, pushName: 'Ana', instanceName: name, serverUrl: SERVER_URL, apiKey: token });
      assert.deepEqual(h.sent.filter((m) => m.instance === name).map((m) => [m.to, m.content]), [[ANA, { kind: 'text', text: 'Agent 7 at your service.' }]]);
      const [session] = await h.fetchSessions('evoai', botId, name);
      assert.deepEqual([session.type, session.status], ['evoai', 'opened']);
      assert.ok(evoai.contexts.has(session.sessionId), 'the session keeps the A2A contextId the agent answered in');

      evoai.answerIn = 'status';
      try {
        await h.say(number, 'what can you do');
      } finally {
        evoai.answerIn = 'artifact';
      }
      assert.equal(calls(name)[1]!.body.params.contextId, session.sessionId);
      assert.deepEqual(evoai.contexts.get(session.sessionId)?.slice(-2), ['talk to an agent', 'what can you do']);
      assert.deepEqual(h.texts(name), ['Agent 7 at your service.', 'echo: what can you do'], 'an answer in status.message is read too');

      await h.say(number, 'bye');
      assert.equal(calls(name).length, 2);
      assert.deepEqual(await h.sessions(name), []);
      assert.deepEqual(await h.sessionUpdates(name, 2), ['opened:started', 'delete:keywordFinish']);
    });

    it('sends an image as a file part with its bytes, the caption as the text part', async () => {
      const { name, number } = await h.instance('evoai-image');
      await h.settings('evoai', name);
      await h.bot('evoai', name, { agentUrl: evoai.agentUrl('vision'), apiKey: evoai.apiKey, triggerType: 'all' });
      const bytes = Buffer.from('ffd8ffe0', 'hex');
      await h.say(number, { imageMessage: { mimetype: 'image/jpeg', caption: 'what brand?' }, base64: bytes.toString('base64') });
      assert.deepEqual(calls(name)[0]!.body.params.message.parts, [
        { type: 'text', kind: 'text', text: 'what brand?' },
        { type: 'file', kind: 'file', file: { name: 'image.jpg', mimeType: 'image/jpeg', bytes: bytes.toString('base64') } },
      ]);
      assert.deepEqual(h.texts(name), ['echo: what brand?']);
    });

    it('an agent refusing the key (401) is reported with unknownMessage at once; the session stays open', async () => {
      const { name, number } = await h.instance('evoai-error');
      await h.settings('evoai', name, { unknownMessage: 'Try again later.' });
      await h.bot('evoai', name, { agentUrl: evoai.agentUrl('broken'), apiKey: 'not-the-key', triggerType: 'all' });
      await h.say(number, 'hi');
      assert.deepEqual(evoai.to('/api/v1/a2a/broken').map((r) => r.status), [401]);
      assert.deepEqual(h.texts(name), ['Try again later.']);
      assert.equal((await h.sessions(name))[0].status, 'opened');
    });
  });
}
