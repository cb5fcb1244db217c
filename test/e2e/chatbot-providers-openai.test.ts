// OpenAI bots holding real conversations through the engine against a local OpenAI API: chatCompletion (history in
// the session) and assistant (Responses + Conversations, a function call to functionUrl), an image as an image part,
// and a voice note transcribed with the bot's credentials (compat §6.6, §6.7).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeOpenAi } from '../fakes/fake-openai.js';
import { ANA, ChatbotHarness } from '../helpers/chatbot-conversation.js';
import { databaseKinds } from '../helpers/databases.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

for (const kind of databaseKinds()) {
  describe(`OpenAI bots in conversation [${kind.name}]`, () => {
    const h = new ChatbotHarness();
    const openai = new FakeOpenAi('sk-instance-key');

    before(async () => {
      await openai.listen();
      await h.start(kind, { env: { OPENAI_ENABLED: 'true', OPENAI_API_BASE_URL: openai.baseUrl } });
    });
    after(async () => {
      await h.close();
      await openai.close();
    });

    /** An instance with OpenAI credentials and settings; returns its name, number and credentials id. */
    async function setup(name: string) {
      const inst = await h.instance(name);
      const credsId = await h.openAiCreds(name, openai.apiKey);
      await h.settings('openai', name, { openaiCredsId: credsId });
      return { ...inst, credsId };
    }

    const chatCalls = (instance: string) => openai.to('/v1/chat/completions').filter((r) => r.body.messages.some((m: any) => m.content === `You serve ${instance}.`));

    it('chatCompletion: keyword → session → answer sent; the second turn carries the history; keywordFinish deletes it', async () => {
      const { name, number, credsId } = await setup('oa-chat');
      const botId = await h.bot('openai', name, {
        openaiCredsId: credsId, botType: 'chatCompletion', model: 'gpt-4.1-mini', maxTokens: 200, systemMessages: [`You serve ${name}.`],
        triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: 'hi',
      });
      await h.say(number, 'hello');
      assert.deepEqual(chatCalls(name), [], 'no trigger: no call');

      await h.say(number, 'hi there');
      const [first] = chatCalls(name);
      assert.equal(first!.headers.authorization, `Bearer ${openai.apiKey}`);
      assert.deepEqual(first!.body, { model: 'gpt-4.1-mini', messages: [{ role: 'system', content: `You serve ${name}.` }, { role: 'user', content: 'hi there' }], max_completion_tokens: 200 });
      assert.deepEqual(h.sent.filter((m) => m.instance === name).map((m) => ({ to: m.to, content: m.content, delayMs: m.delayMs })), [{ to: ANA, content: { kind: 'text', text: 'echo: hi there' }, delayMs: 1000 }]);
      const [session] = await h.fetchSessions('openai', botId, name);
      assert.equal(session.status, 'opened');
      assert.equal(session.type, 'openai');
      assert.equal(session.sessionId, ANA, 'chat completions keep no remote conversation: the history is the context');
      assert.equal(session.awaitUser, true);

      openai.chatReplies.push('Fine, thanks.');
      await h.say(number, 'how are you?');
      assert.deepEqual(chatCalls(name)[1]!.body.messages, [
        { role: 'system', content: `You serve ${name}.` },
        { role: 'user', content: 'hi there' },
        { role: 'assistant', content: 'echo: hi there' },
        { role: 'user', content: 'how are you?' },
      ]);
      assert.deepEqual(h.texts(name), ['echo: hi there', 'Fine, thanks.']);

      await h.say(number, 'Bye');
      assert.equal(chatCalls(name).length, 2, 'keywordFinish is not sent to OpenAI');
      assert.deepEqual(await h.sessions(name), []);
      assert.deepEqual(await h.sessionUpdates(name, 2), ['opened:started', 'delete:keywordFinish']);
    });

    it('assistant: one conversation per session, a function call run against functionUrl, the conversation continued', async () => {
      const { name, number, credsId } = await setup('oa-assistant');
      const botId = await h.bot('openai', name, {
        openaiCredsId: credsId, botType: 'assistant', assistantId: 'pmpt_support', functionUrl: openai.functionUrl, triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'support',
      });
      const conversationsBefore = openai.to('/v1/conversations').length;
      openai.responseOutputs.push({ kind: 'function_call', name: 'order_status', arguments: { order: '42' } }, { kind: 'text', text: 'Order 42 ships today.' });
      openai.functionAnswer = { status: 'shipping' };
      await h.say(number, 'support');

      const created = openai.to('/v1/conversations').slice(conversationsBefore);
      assert.equal(created.length, 1);
      assert.deepEqual(created[0]!.body, { metadata: { remoteJid: ANA, instanceName: name } });
      const [session] = await h.fetchSessions('openai', botId, name);
      assert.match(session.sessionId, /^conv_/, 'the session keeps the OpenAI conversation id');
      const responses = openai.to('/v1/responses').filter((r) => r.body.conversation === session.sessionId);
      assert.deepEqual(responses.map((r) => r.body.input), [
        [{ role: 'user', content: [{ type: 'input_text', text: 'support' }] }],
        [{ type: 'function_call_output', call_id: (openai.conversations.get(session.sessionId)!.items.find((i) => i.type === 'function_call') as any).call_id, output: '{"status":"shipping"}' }],
      ]);
      assert.deepEqual(responses[0]!.body.prompt, { id: 'pmpt_support' });
      assert.deepEqual(openai.to('/function').at(-1)!.body, { functionName: 'order_status', functionArguments: { order: '42', remoteJid: ANA, pushName: 'Ana' } });
      assert.deepEqual(h.texts(name), ['Order 42 ships today.']);

      await h.say(number, 'and tomorrow?');
      assert.equal(openai.to('/v1/conversations').length, conversationsBefore + 1, 'no new conversation on the second turn');
      const later = openai.to('/v1/responses').filter((r) => r.body.conversation === session.sessionId);
      assert.deepEqual(later.at(-1)!.body.input, [{ role: 'user', content: [{ type: 'input_text', text: 'and tomorrow?' }] }]);
      assert.deepEqual(h.texts(name), ['Order 42 ships today.', 'echo: and tomorrow?']);

      await h.say(number, 'bye');
      assert.deepEqual(await h.sessions(name), []);
      assert.deepEqual(await h.sessionUpdates(name, 2), ['opened:started', 'delete:keywordFinish']);
    });

    it('sends an image as an image_url part with the caption as the question', async () => {
      const { name, number, credsId } = await setup('oa-image');
      await h.bot('openai', name, { openaiCredsId: credsId, botType: 'chatCompletion', model: 'gpt-4o', maxTokens: 100, systemMessages: [`You serve ${name}.`], triggerType: 'all' });
      await h.say(number, { imageMessage: { mimetype: 'image/png', caption: 'what is this?' }, base64: PNG.toString('base64') });
      const [call] = chatCalls(name);
      assert.deepEqual(call!.body.messages.at(-1), {
        role: 'user',
        content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } }],
      });
      assert.deepEqual(h.texts(name), ['echo: what is this?']);
    });

    it('transcribes a voice note with the bot credentials and asks with the bare text', async () => {
      const { name, number, credsId } = await setup('oa-audio');
      await h.bot('openai', name, { openaiCredsId: credsId, botType: 'chatCompletion', model: 'gpt-4o', maxTokens: 100, systemMessages: [`You serve ${name}.`], triggerType: 'all' });
      const before = openai.to('/v1/audio/transcriptions').length;
      openai.transcription = 'what time do you open';
      await h.say(number, { audioMessage: { mimetype: 'audio/ogg; codecs=opus', ptt: true, seconds: 2 }, base64: Buffer.from('OggS-voice').toString('base64') });
      const [transcription] = openai.to('/v1/audio/transcriptions').slice(before);
      assert.equal(transcription!.headers.authorization, `Bearer ${openai.apiKey}`);
      assert.equal(transcription!.multipart!.find((p) => p.name === 'file')!.data.toString(), 'OggS-voice');
      assert.deepEqual(chatCalls(name)[0]!.body.messages.at(-1), { role: 'user', content: 'what time do you open' });
      assert.deepEqual(h.texts(name), ['echo: what time do you open']);
    });

    it('a bot created after the instance was seen without bots answers at once (the configuration cache is dropped)', async () => {
      const { name, number, credsId } = await setup('oa-late');
      await h.say(number, 'anyone?');
      assert.deepEqual(await h.sessions(name), [], 'no bot yet');
      await h.bot('openai', name, { openaiCredsId: credsId, botType: 'chatCompletion', model: 'gpt-4o', maxTokens: 100, systemMessages: [`You serve ${name}.`], triggerType: 'all' });
      await h.say(number, 'now?');
      assert.deepEqual(h.texts(name), ['echo: now?']);
    });
  });
}
