// Dify bots holding real conversations through the engine against local Dify apps: chatBot (blocking), agent
// (streaming SSE) and workflow; an image uploaded and referenced as a local file; a voice note transcribed through the
// instance's OpenAI settings and sent as `[audio] <text>` (compat §6.6, §6.7).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeDify } from '../fakes/fake-dify.js';
import { FakeOpenAi } from '../fakes/fake-openai.js';
import { ANA, ChatbotHarness, SERVER_URL } from '../helpers/chatbot-conversation.js';
import { databaseKinds } from '../helpers/databases.js';

const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

for (const kind of databaseKinds()) {
  describe(`Dify bots in conversation [${kind.name}]`, () => {
    const h = new ChatbotHarness();
    const chat = new FakeDify('chat', 'app-chat-key');
    const agent = new FakeDify('agent', 'app-agent-key');
    const workflow = new FakeDify('workflow', 'app-flow-key');
    const openai = new FakeOpenAi('sk-speech-key');

    before(async () => {
      for (const fake of [chat, agent, workflow, openai]) await fake.listen();
      await h.start(kind, { env: { DIFY_ENABLED: 'true', OPENAI_ENABLED: 'true', OPENAI_API_BASE_URL: openai.baseUrl } });
    });
    after(async () => {
      await h.close();
      for (const fake of [chat, agent, workflow, openai]) await fake.close();
    });

    async function setup(name: string, fake: FakeDify, botType: string, trigger: Record<string, unknown> = { triggerType: 'all' }) {
      const inst = await h.instance(name);
      await h.settings('dify', name);
      const botId = await h.bot('dify', name, { botType, apiUrl: fake.baseUrl, apiKey: fake.apiKey, ...trigger });
      return { ...inst, botId };
    }

    const callsOf = (fake: FakeDify, path: string, name: string) => fake.to(path).filter((r) => r.body?.inputs?.instanceName === name);

    for (const [botType, fake, mode] of [['chatBot', chat, 'blocking'], ['agent', agent, 'streaming']] as const) {
      it(`${botType}: keyword → session with Dify's conversation id → answer sent; the next turn continues it; keywordFinish deletes it`, async () => {
        const name = `dify-${botType.toLowerCase()}`;
        const { number, token, botId } = await setup(name, fake, botType, { triggerType: 'keyword', triggerOperator: 'contains', triggerValue: 'help' });
        await h.say(number, 'good morning');
        assert.deepEqual(callsOf(fake, '/v1/chat-messages', name), []);

        fake.answers.push(`Sure, ${botType} here.`);
        await h.say(number, 'I need help');
        const [first] = callsOf(fake, '/v1/chat-messages', name);
        assert.equal(first!.headers.authorization, `Bearer ${fake.apiKey}`);
        assert.deepEqual(first!.body, {
          inputs: { remoteJid: ANA, pushName: 'Ana', instanceName: name, serverUrl: SERVER_URL, apiKey: token },
          query: 'I need help', response_mode: mode, user: ANA,
        });
        assert.deepEqual(h.sent.filter((m) => m.instance === name).map((m) => [m.to, m.content]), [[ANA, { kind: 'text', text: `Sure, ${botType} here.` }]]);
        const [session] = await h.fetchSessions('dify', botId, name);
        assert.equal(session.type, 'dify');
        assert.equal(session.status, 'opened');
        assert.equal(fake.conversations.get(session.sessionId), ANA, 'the session keeps the conversation_id Dify created');

        await h.say(number, 'and more');
        assert.equal(callsOf(fake, '/v1/chat-messages', name)[1]!.body.conversation_id, session.sessionId);
        assert.deepEqual(h.texts(name), [`Sure, ${botType} here.`, 'echo: and more']);

        await h.say(number, 'bye');
        assert.equal(callsOf(fake, '/v1/chat-messages', name).length, 2);
        assert.deepEqual(await h.sessions(name), []);
        assert.deepEqual(await h.sessionUpdates(name, 2), ['opened:started', 'delete:keywordFinish']);
      });
    }

    it('agent: a stream ending with one full message is sent once, not doubled', async () => {
      const { name, number } = await setup('dify-agent-full', agent, 'agent');
      agent.finalFullMessage = true;
      agent.answers.push('The whole answer.');
      try {
        await h.say(number, 'question');
      } finally {
        agent.finalFullMessage = false;
      }
      assert.deepEqual(h.texts(name), ['The whole answer.']);
    });

    it("workflow: runs the workflow with the query in its inputs and sends its output; each turn runs it again", async () => {
      const { name, number, token, botId } = await setup('dify-workflow', workflow, 'workflow', { triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'quote' });
      workflow.answers.push('Your quote is 42.');
      await h.say(number, 'quote');
      const [run] = callsOf(workflow, '/v1/workflows/run', name);
      assert.deepEqual(run!.body, { inputs: { remoteJid: ANA, pushName: 'Ana', instanceName: name, serverUrl: SERVER_URL, apiKey: token, query: 'quote' }, response_mode: 'blocking', user: ANA });
      assert.equal((await h.fetchSessions('dify', botId, name))[0].sessionId, ANA, 'a workflow has no conversation id');
      await h.say(number, 'for two');
      assert.equal(callsOf(workflow, '/v1/workflows/run', name)[1]!.body.inputs.query, 'for two');
      assert.deepEqual(h.texts(name), ['Your quote is 42.', 'echo: for two']);
      await h.say(number, 'bye');
      assert.deepEqual(await h.sessions(name), []);
    });

    it('uploads an image known only by its bytes and sends it as a local_file with the caption as the query', async () => {
      const { name, number } = await setup('dify-image', chat, 'chatBot');
      await h.say(number, { imageMessage: { mimetype: 'image/jpeg', caption: 'is this broken?' }, base64: JPEG.toString('base64') });
      const upload = chat.to('/v1/files/upload').at(-1)!;
      const file = upload.multipart!.find((p) => p.name === 'file')!;
      assert.deepEqual([file.filename, file.contentType, file.data.equals(JPEG)], ['image.jpg', 'image/jpeg', true]);
      assert.equal(upload.multipart!.find((p) => p.name === 'user')!.data.toString(), ANA);
      const [message] = callsOf(chat, '/v1/chat-messages', name);
      const uploadId = [...chat.uploads.keys()].at(-1);
      assert.equal(message!.body.query, 'is this broken?');
      assert.deepEqual(message!.body.files, [{ type: 'image', transfer_method: 'local_file', upload_file_id: uploadId }]);
      assert.deepEqual(h.texts(name), ['echo: is this broken?']);
    });

    it('a voice note reaches Dify as `[audio] <text>` when the OpenAI settings turn speech-to-text on, and as its reference otherwise', async () => {
      const { name, number } = await setup('dify-audio', chat, 'chatBot');
      const voice = { audioMessage: { mimetype: 'audio/ogg; codecs=opus', ptt: true }, base64: Buffer.from('OggS-dify').toString('base64') };
      const plainId = await h.inbound(number, voice);
      await h.tick();
      assert.equal(callsOf(chat, '/v1/chat-messages', name)[0]!.body.query, `audioMessage|${plainId}`, 'speech-to-text is off');

      const credsId = await h.openAiCreds(name, openai.apiKey);
      await h.settings('openai', name, { openaiCredsId: credsId, speechToText: true });
      openai.transcription = 'please call me back';
      const before = openai.to('/v1/audio/transcriptions').length;
      await h.say(number, voice);
      const transcription = openai.to('/v1/audio/transcriptions')[before]!;
      assert.equal(transcription.headers.authorization, `Bearer ${openai.apiKey}`, 'the OpenAI settings credentials');
      assert.equal(transcription.multipart!.find((p) => p.name === 'model')!.data.toString(), 'whisper-1');
      assert.equal(callsOf(chat, '/v1/chat-messages', name)[1]!.body.query, '[audio] please call me back');
      assert.deepEqual(h.texts(name).at(-1), 'echo: [audio] please call me back');
    });
  });
}
