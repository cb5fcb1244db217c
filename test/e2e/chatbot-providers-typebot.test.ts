// Typebot bots holding real conversations through the engine against a local Typebot viewer, with
// TYPEBOT_API_VERSION `old` and `latest` (each version's own endpoints): a keyword starts the flow, a choice input is
// answered, keywordFinish and the end of the flow end the session (TYPEBOT_CHANGE_STATUS), `/typebot/start` with and
// without a stored session (TYPEBOT_START), and `[list]` / `[buttons]` markup sent as a list and buttons.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeTypebot, textBubble, type TypebotStep } from '../fakes/fake-typebot.js';
import { ANA, ChatbotHarness, SERVER_URL } from '../helpers/chatbot-conversation.js';
import { databaseKinds } from '../helpers/databases.js';
import { TEST_API_KEY } from '../helpers/server.js';

const SUPPORT: TypebotStep[] = [
  { messages: [textBubble('Welcome! What is your name?')], input: { type: 'text input', options: {} } },
  { messages: [textBubble('Thanks. Which team?')], input: { type: 'choice input', items: [{ id: 'c1', content: 'Sales' }, { id: 'c2', content: 'Support' }] } },
  { messages: [textBubble('Connecting you to the team.')], input: { type: 'text input', options: {} } },
];
const SHORT: TypebotStep[] = [{ messages: [textBubble('Hi! One question:')], input: { type: 'text input', options: {} } }, { messages: [textBubble('Noted, goodbye.')] }];
const MENU = ['[list]', '[title]Plans', '[description]Choose one', '[buttonText]See plans', '[footerText]ACME', '[menu]', '[section]', 'title: Monthly', '[row]', 'title: Basic', 'description: 10/month', 'rowId: basic', '[/row]', '[/section]', '[/menu]'].join('\n');
const PAY = ['[buttons]', '[title]Pay', '[description]How?', '[reply]', 'displayText: Card', 'id: card', '[url]', 'displayText: Website', 'url: https://acme.example/pay'].join('\n');

for (const kind of databaseKinds()) {
  for (const version of ['old', 'latest'] as const) {
    describe(`Typebot bots in conversation, TYPEBOT_API_VERSION=${version} [${kind.name}]`, () => {
      const h = new ChatbotHarness();
      const typebot = new FakeTypebot();

      before(async () => {
        await typebot.listen();
        typebot.flow('support', SUPPORT);
        typebot.flow('short', SHORT);
        typebot.flow('menu', [{ messages: [textBubble(`Our plans:\n${MENU}`), textBubble(PAY)], input: { type: 'text input', options: {} } }]);
        await h.start(kind, { env: { TYPEBOT_ENABLED: 'true', TYPEBOT_API_VERSION: version }, capabilities: ['list'] });
      });
      after(async () => {
        await h.close();
        await typebot.close();
      });

      const startPath = (publicId: string) => (version === 'latest' ? `/api/v1/typebots/${publicId}/startChat` : '/api/v1/sendMessage');
      const continuePath = (sessionId: string) => (version === 'latest' ? `/api/v1/sessions/${sessionId}/continueChat` : '/api/v1/sendMessage');
      const startVariables = (r: { body?: any }) => (version === 'latest' ? r.body.prefilledVariables : r.body.startParams.prefilledVariables);
      const typebotEvents = (name: string) => h.events(name, 'typebot.change-status').map((d) => d.status);

      it('keyword → flow started (session = Typebot session) → choice input answered → keywordFinish deletes the session', async () => {
        const { name, number } = await h.instance(`tb-talk-${version}`);
        await h.settings('typebot', name);
        const botId = await h.bot('typebot', name, { url: typebot.url, typebot: 'support', triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'start' });
        const before = typebot.requests.length;
        await h.say(number, 'hello');
        assert.equal(typebot.requests.length, before, 'no trigger: no call');

        await h.say(number, 'start');
        const [start] = typebot.requests.slice(before);
        assert.equal(start!.path, startPath('support'));
        if (version === 'old') assert.deepEqual([start!.body.startParams.publicId, start!.body.startParams.typebot], ['support', 'support']);
        assert.deepEqual(startVariables(start!), { remoteJid: ANA, pushName: 'Ana', instanceName: name, serverUrl: SERVER_URL, apiKey: TEST_API_KEY });
        assert.deepEqual(h.sent.filter((m) => m.instance === name).map((m) => [m.to, m.content]), [[ANA, { kind: 'text', text: 'Welcome! What is your name?' }]]);
        const [session] = await h.fetchSessions('typebot', botId, name);
        assert.deepEqual([session.type, session.status], ['typebot', 'opened']);
        assert.ok(typebot.sessions.has(session.sessionId), 'the session keeps the Typebot session id');
        const remote = typebot.sessions.get(session.sessionId)!;
        assert.deepEqual(remote.answers, [], 'the trigger only started the flow');

        await h.say(number, 'Ana Souza');
        const proceed = typebot.requests.at(-1)!;
        assert.equal(proceed.path, continuePath(session.sessionId));
        assert.deepEqual(proceed.body, version === 'latest' ? { message: { type: 'text', text: 'Ana Souza' } } : { message: 'Ana Souza', sessionId: session.sessionId });
        assert.deepEqual(h.texts(name).slice(1), ['Thanks. Which team?', '▶️ Sales\n▶️ Support']);

        await h.say(number, 'Support');
        assert.deepEqual(remote.answers, ['Ana Souza', 'Support']);
        assert.deepEqual(h.texts(name).slice(3), ['Connecting you to the team.']);

        await h.say(number, 'bye');
        assert.deepEqual(remote.answers, ['Ana Souza', 'Support'], 'keywordFinish is not sent to Typebot');
        assert.deepEqual(await h.sessions(name), []);
        assert.deepEqual(await h.sessionUpdates(name, 2), ['opened:started', 'delete:keywordFinish']);
        await h.sink.waitFor(() => typebotEvents(name).length === 1);
        assert.deepEqual(h.events(name, 'typebot.change-status'), [{ remoteJid: ANA, status: 'delete', session: null }]);
      });

      it('the end of the flow ends the session (closed with keepOpen), emitting TYPEBOT_CHANGE_STATUS', async () => {
        const { name, number } = await h.instance(`tb-end-${version}`);
        await h.settings('typebot', name, { keepOpen: true });
        await h.bot('typebot', name, { url: typebot.url, typebot: 'short', triggerType: 'all' });
        await h.say(number, 'hey');
        await h.say(number, 'my answer');
        assert.deepEqual(h.texts(name), ['Hi! One question:', 'Noted, goodbye.']);
        const [session] = await h.sessions(name);
        assert.equal(session.status, 'closed');
        assert.deepEqual(await h.sessionUpdates(name, 2), ['opened:started', 'closed:finished']);
        await h.sink.waitFor(() => typebotEvents(name).length === 1);
        assert.deepEqual(typebotEvents(name), ['closed']);
        await h.say(number, 'hello again');
        assert.equal(h.texts(name).length, 2, 'a closed session keeps the contact silent');
      });

      it('/typebot/start with startSession: TYPEBOT_START, first messages sent, the session stored and continued by the next message', async () => {
        const { name, number } = await h.instance(`tb-start-${version}`);
        const before = typebot.requests.length;
        const res = await h.call('POST', `/typebot/start/${name}`, { remoteJid: ANA, url: typebot.url, typebot: 'support', startSession: true, variables: [{ name: 'coupon', value: 'X1' }] });
        assert.equal(res.status, 200, res.text);
        const [start] = typebot.requests.slice(before);
        assert.equal(start!.path, startPath('support'));
        assert.deepEqual(startVariables(start!), { coupon: 'X1', remoteJid: ANA, pushName: '', instanceName: name, serverUrl: SERVER_URL, apiKey: TEST_API_KEY });
        assert.deepEqual(h.texts(name), ['Welcome! What is your name?']);
        const [session] = await h.sessions(name);
        assert.deepEqual([session.provider, session.status], ['typebot', 'opened']);
        assert.ok(typebot.sessions.has(session.sessionId));
        await h.sink.waitFor(() => h.events(name, 'typebot.start').length === 1);
        assert.deepEqual(h.events(name, 'typebot.start'), [{ remoteJid: ANA, url: typebot.url, typebot: 'support', variables: { coupon: 'X1' }, sessionId: session.sessionId }]);

        await h.say(number, 'Ana');
        assert.deepEqual(typebot.sessions.get(session.sessionId)!.answers, [], 'no settings row: the default debounce of 1 s applies');
        h.clock.advance(1_000);
        await h.tick();
        assert.deepEqual(typebot.sessions.get(session.sessionId)!.answers, ['Ana'], 'the stored session answers the next message');
        assert.deepEqual(h.texts(name).slice(1), ['Thanks. Which team?', '▶️ Sales\n▶️ Support']);
      });

      it('/typebot/start without startSession sends the first messages and keeps no session', async () => {
        const { name, number } = await h.instance(`tb-once-${version}`);
        const res = await h.call('POST', `/typebot/start/${name}`, { remoteJid: ANA, url: typebot.url, typebot: 'support', startSession: false });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(h.texts(name), ['Welcome! What is your name?']);
        assert.deepEqual(await h.sessions(name), []);
        await h.sink.waitFor(() => h.events(name, 'typebot.start').length === 1);
        const [event] = h.events(name, 'typebot.start');
        assert.ok(typebot.started.length > 0 && typeof event.sessionId === 'string');
        await h.say(number, 'Ana');
        h.clock.advance(1_000);
        await h.tick();
        assert.equal(h.texts(name).length, 1, 'without a session the next message is not answered');
      });

      it('sends [list] markup as a list and [buttons] markup as buttons', async () => {
        const { name, number } = await h.instance(`tb-menu-${version}`);
        await h.settings('typebot', name);
        await h.bot('typebot', name, { url: typebot.url, typebot: 'menu', triggerType: 'all' });
        await h.say(number, 'menu');
        assert.deepEqual(h.contents(name), [
          { kind: 'text', text: 'Our plans:' },
          { kind: 'list', title: 'Plans', description: 'Choose one', buttonText: 'See plans', footerText: 'ACME', sections: [{ title: 'Monthly', rows: [{ title: 'Basic', description: '10/month', rowId: 'basic' }] }] },
          { kind: 'buttons', title: 'Pay', description: 'How?', buttons: [{ type: 'reply', displayText: 'Card', id: 'card' }, { type: 'url', displayText: 'Website', url: 'https://acme.example/pay' }] },
        ]);
      });
    });
  }
}
