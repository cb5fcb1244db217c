// The chatbot engine end to end: inbound through POST /webhook/evolution, bots configured through the API, a local
// EvolutionBot over real HTTP, replies recorded at the channel, a manual clock driving debounce, retries and expiry
// (`chatbotEngine.tick()` runs one pass and waits for its turns — no sleeping).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { evolutionChannel } from '../../src/channels/evolution/index.js';
import type { OutboundMessage } from '../../src/domain/outbound.js';
import type { ChannelFactory } from '../../src/ports/channel.js';
import { FakeEvolutionBot } from '../fakes/fake-evolution-bot.js';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';

class ManualClock {
  constructor(public t = Date.parse('2026-11-21T12:00:00Z')) {}
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

/** The EVOLUTION channel, recording what the engine asked it to send. */
function recordingChannel(sent: (OutboundMessage & { instance: string })[]): ChannelFactory {
  return {
    ...evolutionChannel,
    open(instance, events) {
      const connection = evolutionChannel.open(instance, events);
      return { ...connection, send: async (m) => (sent.push({ ...m, instance: instance.name }), connection.send(m)) };
    },
  };
}

const SETTINGS = { expire: 10, keywordFinish: 'bye', delayMessage: 1000, unknownMessage: 'Sorry, I dont understand', listeningFromMe: true, stopBotFromMe: true, keepOpen: false, debounceTime: 0, ignoreJids: [] as string[], splitMessages: false, timePerChar: 0 };
const ANA = '5511988887777@s.whatsapp.net';

for (const kind of databaseKinds()) {
  describe(`chatbot engine [${kind.name}]`, () => {
    let server: TestServer;
    const sink = new WebhookSink();
    const bot = new FakeEvolutionBot();
    const fallbackBot = new FakeEvolutionBot();
    const clock = new ManualClock();
    const sent: (OutboundMessage & { instance: string })[] = [];
    let numbers = 0;
    const env = { PARLEY_CHATBOT_TIMEOUT_MS: '300' };

    before(async () => {
      await sink.start();
      await bot.listen();
      await fallbackBot.listen();
      server = await startTestServer(kind, { clock, channels: [recordingChannel(sent)], env });
    });
    after(async () => {
      await server.close();
      await sink.stop();
      await bot.close();
      await fallbackBot.close();
    });

    const tick = () => server.parley.chatbotEngine!.tick();

    /** A fresh EVOLUTION instance with settings and bots; returns its name and number. */
    async function setup(name: string, settings: Partial<typeof SETTINGS> & Record<string, unknown>, bots: Record<string, unknown>[]) {
      const number = `55110000${String(++numbers).padStart(5, '0')}`;
      await createInstance(server, { instanceName: name, integration: 'EVOLUTION', number, webhook: { url: sink.url, events: ['CHATBOT_SESSION_UPDATE'] } });
      // Settings first: a new bot copies its missing behaviour values from them.
      const s = await server.call('POST', `/evolutionBot/settings/${name}`, { body: { ...SETTINGS, ...settings } });
      assert.equal(s.status, 200, s.text);
      const ids: string[] = [];
      for (const b of bots) {
        const created = await server.call('POST', `/evolutionBot/create/${name}`, { body: { enabled: true, apiUrl: bot.botUrl, ...b } });
        assert.equal(created.status, 201, created.text);
        ids.push(created.body.id);
      }
      return { name, number, ids };
    }

    const inbound = (number: string, text: string, o: { from?: string; fromMe?: boolean; participant?: string } = {}) =>
      server.call('POST', '/webhook/evolution', {
        apikey: null,
        body: { numberId: number, key: { id: `M${Math.random().toString(16).slice(2)}`, remoteJid: o.from ?? ANA, fromMe: o.fromMe ?? false, ...(o.participant ? { participant: o.participant } : {}) }, pushName: 'Ana', message: { conversation: text } },
      }).then((r) => assert.equal(r.status, 200, r.text));

    const sentTo = (instance: string) => sent.filter((m) => m.instance === instance).map((m) => (m.content.kind === 'text' ? m.content.text : m.content.kind));
    const queries = (fake: FakeEvolutionBot, instance: string) => fake.to('/bot').filter((r) => (r.body as any).inputs.instanceName === instance).map((r) => (r.body as any).query as string);
    const sessions = async (instance: string) => (await server.call('GET', `/chatbot/sessions/${instance}`)).body as any[];
    const sessionEvents = (instance: string) => sink.events('chatbot.session.update').filter((e) => e.instance === instance).map((e) => `${e.data.status}:${e.data.reason}`);

    it('holds a conversation: trigger → session opened → replies through the channel → keywordFinish deletes it', async () => {
      const { name, number } = await setup('talk', {}, [{ triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: 'hi' }]);
      await inbound(number, 'hello');
      await tick();
      assert.deepEqual(queries(bot, name), [], 'no trigger, no session: no bot call');

      await inbound(number, 'hi there');
      await tick();
      assert.deepEqual(queries(bot, name), ['hi there']);
      assert.deepEqual(sentTo(name), ['echo: hi there']);
      const reply = sent.find((m) => m.instance === name)!;
      assert.equal(reply.to, ANA);
      assert.equal(reply.delayMs, 1000);
      const [session] = await sessions(name);
      assert.equal(session.status, 'opened');
      assert.equal(session.provider, 'evolutionBot');
      assert.equal(session.type, 'evolution');
      assert.equal(session.remoteJid, ANA);
      assert.equal(session.awaitUser, true);
      assert.equal(session.expiresAt, new Date(clock.t + 10 * 60_000).toISOString());
      assert.equal(session.lastActivityAt, new Date(clock.t).toISOString());

      await inbound(number, 'how are you');
      await tick();
      assert.deepEqual(queries(bot, name), ['hi there', 'how are you'], 'the session answers without a trigger');
      const calls = bot.to('/bot').filter((r) => (r.body as any).inputs.instanceName === name);
      assert.equal((calls[0]!.body as any).inputs.sessionId, (calls[1]!.body as any).inputs.sessionId);

      await inbound(number, '  BYE ');
      await tick();
      assert.equal(queries(bot, name).length, 2, 'keywordFinish is not sent to the bot');
      assert.deepEqual(await sessions(name), []);
      await sink.waitFor(() => sessionEvents(name).length === 2);
      assert.deepEqual(sessionEvents(name), ['opened:started', 'delete:keywordFinish']);
    });

    it('ends a session on its expiry timer (keepOpen closes it), emitting the change; a closed session stays silent until reopened', async () => {
      const { name, number } = await setup('expiry', { expire: 1, keepOpen: true }, [{ triggerType: 'all' }]);
      await inbound(number, 'yo');
      await tick();
      assert.equal((await sessions(name))[0].expiresAt, new Date(clock.t + 60_000).toISOString());
      clock.advance(59_000);
      await tick();
      assert.equal((await sessions(name))[0].status, 'opened');
      clock.advance(2_000);
      await tick();
      const [closed] = await sessions(name);
      assert.equal(closed.status, 'closed');
      assert.equal(closed.expiresAt, null);
      await sink.waitFor(() => sessionEvents(name).includes('closed:expired'));

      await inbound(number, 'anyone?');
      await tick();
      assert.deepEqual(queries(bot, name), ['yo']);
      const reopened = await server.call('POST', `/evolutionBot/changeStatus/${name}`, { body: { remoteJid: ANA, status: 'opened' } });
      assert.deepEqual(reopened.body, { bot: { instanceName: name, bot: { remoteJid: ANA, status: 'opened', session: { count: 1 } } } });
      await inbound(number, 'back');
      await tick();
      assert.deepEqual(queries(bot, name), ['yo', 'back']);
    });

    it('pauses the session when a message is sent from the phone, and stays silent until reopened', async () => {
      const { name, number } = await setup('handoff', {}, [{ triggerType: 'all' }]);
      await inbound(number, 'the owner writes first', { fromMe: true });
      await tick();
      assert.deepEqual(await sessions(name), [], 'a message from the phone never starts a bot session (stopBotFromMe)');
      await inbound(number, 'hi');
      await tick();
      await inbound(number, 'a human answers', { fromMe: true });
      await tick();
      assert.equal((await sessions(name))[0].status, 'paused');
      await inbound(number, 'thanks human');
      await tick();
      assert.deepEqual(queries(bot, name), ['hi']);
      await sink.waitFor(() => sessionEvents(name).includes('paused:fromMe'));
      await server.call('POST', `/evolutionBot/changeStatus/${name}`, { body: { remoteJid: ANA, status: 'opened' } });
      await inbound(number, 'bot again');
      await tick();
      assert.deepEqual(queries(bot, name), ['hi', 'bot again']);
    });

    it('debounces: messages within debounceTime go to the bot as one input, each new message restarting the wait', async () => {
      const { name, number } = await setup('debounce', { debounceTime: 5 }, [{ triggerType: 'all' }]);
      await inbound(number, 'first');
      await inbound(number, 'second');
      await tick();
      clock.advance(3_000);
      await inbound(number, 'third');
      await tick();
      clock.advance(4_000);
      await tick();
      assert.deepEqual(queries(bot, name), [], 'the third message restarted the 5 s wait');
      clock.advance(1_500);
      await tick();
      assert.deepEqual(queries(bot, name), ['first\nsecond\nthird']);
      assert.deepEqual(sentTo(name), ['echo: first\nsecond\nthird']);
    });

    it('a burst of 10 messages from one contact opens one session and answers each message once', async () => {
      const { name, number } = await setup('burst', {}, [{ triggerType: 'all' }]);
      await Promise.all(Array.from({ length: 10 }, (_, i) => inbound(number, `m${i}`)));
      for (let i = 0; i < 5 && (queries(bot, name).join('\n').split('\n').length < 10); i++) await tick();
      const list = await sessions(name);
      assert.equal(list.length, 1);
      const lines = queries(bot, name).join('\n').split('\n').sort();
      assert.deepEqual(lines, Array.from({ length: 10 }, (_, i) => `m${i}`).sort());
      const sessionIds = new Set(bot.to('/bot').filter((r) => (r.body as any).inputs.instanceName === name).map((r) => (r.body as any).inputs.sessionId));
      assert.deepEqual([...sessionIds], [list[0].id]);
    });

    it('ignores groups by the `@g.us` wildcard and a contact listed on the bot', async () => {
      const bob = '5511777777777@s.whatsapp.net';
      const { name, number } = await setup('ignore', { ignoreJids: ['@g.us'] }, [{ triggerType: 'all', ignoreJids: [bob] }]);
      await inbound(number, 'group hello', { from: '120363000000000001@g.us', participant: ANA });
      await inbound(number, 'bob hello', { from: bob });
      await inbound(number, 'ana hello');
      await tick();
      assert.deepEqual(queries(bot, name), ['ana hello']);
      assert.deepEqual((await sessions(name)).map((s) => s.remoteJid), [ANA]);
    });

    it('answers with the fallback bot when no trigger matches', async () => {
      const { name, number } = await setup('fallback', {}, [{ triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'menu' }]);
      const fb = await server.call('POST', `/evolutionBot/create/${name}`, { body: { enabled: true, apiUrl: fallbackBot.botUrl, triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'never' } });
      await server.call('POST', `/evolutionBot/settings/${name}`, { body: { ...SETTINGS, botIdFallback: fb.body.id } });
      await inbound(number, 'something else');
      await tick();
      assert.deepEqual(queries(bot, name), []);
      assert.deepEqual(queries(fallbackBot, name), ['something else']);
      assert.equal((await sessions(name))[0].botId, fb.body.id);
    });

    it('retries a failing or hanging provider with backoff, then reports with unknownMessage; the session keeps working', async () => {
      const { name, number } = await setup('errors', { unknownMessage: 'We will be right back' }, [{ triggerType: 'all' }]);
      for (let i = 0; i < 4; i++) bot.failNext(500, 'down');
      await inbound(number, 'help');
      await tick();
      for (const wait of [2_000, 10_000, 30_000]) {
        clock.advance(wait);
        await tick();
      }
      assert.deepEqual(queries(bot, name), ['help', 'help', 'help', 'help'], 'one call and three retries');
      assert.deepEqual(sentTo(name), ['We will be right back']);
      assert.equal((await sessions(name))[0].status, 'opened');

      bot.hangNext();
      await inbound(number, 'still there?');
      await tick();
      assert.deepEqual(sentTo(name), ['We will be right back'], 'timed out: nothing sent yet');
      clock.advance(2_000);
      await tick();
      assert.deepEqual(sentTo(name), ['We will be right back', 'echo: still there?']);
    });

    it('scopes changeStatus and fetchSessions to the instance and validates them', async () => {
      const mine = await setup('routes', {}, [{ triggerType: 'all' }]);
      const other = await setup('routes-other', {}, [{ triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'x' }]);
      await inbound(mine.number, 'hi');
      await tick();
      const fetched = await server.call('GET', `/evolutionBot/fetchSessions/${mine.ids[0]}/${mine.name}`);
      assert.equal(fetched.status, 200, fetched.text);
      assert.equal(fetched.body.length, 1);
      assert.deepEqual(Object.keys(fetched.body[0]).sort(), ['awaitUser', 'botId', 'context', 'createdAt', 'id', 'instanceId', 'parameters', 'pushName', 'remoteJid', 'sessionId', 'status', 'type', 'updatedAt']);
      assertEvolutionError(await server.call('GET', `/evolutionBot/fetchSessions/${other.ids[0]}/${mine.name}`), 404, 'Bot not found');
      assertEvolutionError(await server.call('POST', `/evolutionBot/changeStatus/${mine.name}`, { body: { remoteJid: ANA, status: 'asleep' } }), 400, 'status is not one of enum values: opened,paused,closed,delete');
      assertEvolutionError(await server.call('POST', `/evolutionBot/changeStatus/${mine.name}`, { body: { status: 'paused' } }), 400, 'instance requires property "remoteJid"');
      assertEvolutionError(await server.call('POST', '/typebot/start/routes', { body: { remoteJid: ANA, url: 'http://x', typebot: 't' } }), 400, 'Typebot is disabled');

      const paused = await server.call('POST', `/evolutionBot/changeStatus/${mine.name}`, { body: { remoteJid: ANA, status: 'paused' } });
      assert.deepEqual(paused.body, { bot: { instanceName: mine.name, bot: { remoteJid: ANA, status: 'paused', session: { count: 1 } } } });
      assert.deepEqual((await server.call('GET', `/chatbot/sessions/${mine.name}?status=opened`)).body, []);
      const closed = await server.call('POST', `/evolutionBot/changeStatus/${mine.name}`, { body: { remoteJid: ANA, status: 'closed' } });
      assert.deepEqual(closed.body, { bot: { instanceName: mine.name, bot: { remoteJid: ANA, status: 'closed' } } });
      assert.deepEqual(await sessions(mine.name), [], 'closed without keepOpen deletes');
      const deleted = await server.call('POST', `/evolutionBot/changeStatus/${other.name}`, { body: { remoteJid: ANA, status: 'delete' } });
      assert.deepEqual(deleted.body, { bot: { remoteJid: ANA, status: 'delete' } });
      assert.equal((await server.call('GET', `/chatbot/sessions/${other.name}`, { apikey: 'wrong' })).status, 401);
    });
  });

  describe(`chatbot engine restart [${kind.name}]`, () => {
    it('continues a conversation after a restart: the session, a pending input and the cursor are stored', async () => {
      const bot = await new FakeEvolutionBot().listen();
      const clock = new ManualClock();
      const sent: (OutboundMessage & { instance: string })[] = [];
      let server = await startTestServer(kind, { clock, channels: [recordingChannel(sent)] });
      try {
        await createInstance(server, { instanceName: 'again', integration: 'EVOLUTION', number: '5511000099999' });
        await server.call('POST', '/evolutionBot/settings/again', { body: { ...SETTINGS, debounceTime: 5 } });
        await server.call('POST', '/evolutionBot/create/again', { body: { enabled: true, apiUrl: bot.botUrl, triggerType: 'all' } });
        const say = (text: string) => server.call('POST', '/webhook/evolution', { apikey: null, body: { numberId: '5511000099999', key: { id: `R-${text}`, remoteJid: ANA, fromMe: false }, message: { conversation: text } } });
        await say('one');
        await server.parley.chatbotEngine!.tick();
        clock.advance(6_000);
        await server.parley.chatbotEngine!.tick();
        assert.equal(bot.requests.length, 1);
        await say('two');
        await server.parley.chatbotEngine!.tick();
        assert.equal(bot.requests.length, 1, 'two is waiting for its debounce');
        await server.stop();

        clock.advance(6_000);
        server = await startTestServer(kind, { clock, channels: [recordingChannel(sent)], db: server.db });
        await server.parley.chatbotEngine!.tick();
        assert.deepEqual(bot.requests.map((r) => (r.body as any).query), ['one', 'two']);
        assert.equal((bot.requests[0]!.body as any).inputs.sessionId, (bot.requests[1]!.body as any).inputs.sessionId, 'the same session continues');
        assert.deepEqual(sent.map((m) => (m.content as { text: string }).text), ['echo: one', 'echo: two']);
        await say('two');
        await server.parley.chatbotEngine!.tick();
        assert.equal(bot.requests.length, 2, 'a redelivered message is not answered twice');
      } finally {
        await server.close();
        await bot.close();
      }
    });
  });
}
