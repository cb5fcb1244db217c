// Chatbot bots end to end (compat §3.10, §8) for all seven bot types, over real HTTP on SQLite and PostgreSQL: the
// create → find → fetch → update → delete round trip with Evolution's row shapes, validation texts, OpenAI's bot
// requirements, sessions going with their bot, instance scoping, and the OpenAPI document.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { BOTS, DEFAULT_SETTINGS, botRowKeys, settingsBody, settingsRowKeys } from '../helpers/chatbot-fixtures.js';
import { ISO, sorted, startChatbotConfigNode, type ChatbotConfigNode } from '../helpers/chatbot-config-node.js';
import { databaseKinds } from '../helpers/databases.js';
import { callApi, type TestServer } from '../helpers/server.js';

for (const kind of databaseKinds()) {
  describe(`chatbot config: bots [${kind.name}]`, () => {
    let node: ChatbotConfigNode;
    let server: TestServer;
    let fresh: ChatbotConfigNode['fresh'];
    let newCreds: ChatbotConfigNode['newCreds'];
    let create: ChatbotConfigNode['create'];

    before(async () => {
      node = await startChatbotConfigNode(kind);
      ({ server, fresh, newCreds, create } = node);
    });
    after(() => node.close());

    for (const f of BOTS) {
      describe(f.bot, () => {
        it('create 201 → find → fetch → update → delete, with Evolution row shapes; missing behaviour copied from defaults into a new settings row', async () => {
          const inst = await fresh();
          const credsId = await newCreds(inst.name);
          const created = await create(f, inst.name, credsId, { triggerValue: 'hello', description: 'greeter', expire: '15', triggerOperator: 'equals' });
          assert.equal(created.status, 201, created.text);
          const row = created.body;
          assert.deepEqual(sorted(Object.keys(row)), botRowKeys(f));
          assert.equal(typeof row.id, 'string');
          assert.equal(row.instanceId, inst.id);
          assert.match(row.createdAt, ISO);
          assert.match(row.updatedAt, ISO);
          assert.equal(row.enabled, true);
          assert.equal(row.description, 'greeter');
          assert.deepEqual([row.triggerType, row.triggerOperator, row.triggerValue], ['keyword', 'equals', 'hello']);
          assert.equal(row.expire, 15, 'a number sent as a string is taken');
          for (const field of ['keywordFinish', 'delayMessage', 'unknownMessage', 'listeningFromMe', 'stopBotFromMe', 'keepOpen', 'debounceTime', 'ignoreJids', 'splitMessages', 'timePerChar'] as const) {
            assert.deepEqual(row[field], DEFAULT_SETTINGS[field], `${field} copied from the defaults`);
          }
          for (const [field, value] of Object.entries(f.body(1, credsId))) assert.deepEqual(row[field], value, field);
          for (const field of f.fields) assert.ok(field in row && row[field] !== undefined, `${field} present`);

          const settings = await server.call('GET', `/${f.bot}/fetchSettings/${inst.name}`);
          assert.equal(settings.status, 200, settings.text);
          assert.deepEqual(sorted(Object.keys(settings.body)), sorted([...settingsRowKeys(f), 'fallback']));
          assert.equal(settings.body.expire, 15, 'the implicit settings row takes the values the bot got');
          assert.equal(settings.body.fallbackId, null);
          assert.equal(settings.body.fallback, null);
          if (f.bot === 'openai') assert.equal(settings.body.openaiCredsId, credsId);

          const found = await server.call('GET', `/${f.bot}/find/${inst.name}`);
          assert.equal(found.status, 200);
          assert.deepEqual(found.body, [row]);
          const fetched = await server.call('GET', `/${f.bot}/fetch/${row.id}/${inst.name}`);
          assert.deepEqual(fetched.body, row);
          const unknown = await server.call('GET', `/${f.bot}/fetch/no-such-bot/${inst.name}`);
          assert.equal(unknown.status, 200);
          assert.equal(unknown.text, 'null');

          const updated = await server.call('PUT', `/${f.bot}/update/${row.id}/${inst.name}`, {
            body: { enabled: false, triggerType: 'keyword', triggerOperator: 'contains', triggerValue: 'hi', ...f.body(1, credsId), ...f.change, delayMessage: 2500 },
          });
          assert.equal(updated.status, 200, updated.text);
          assert.deepEqual(sorted(Object.keys(updated.body)), botRowKeys(f));
          assert.equal(updated.body.enabled, false);
          assert.equal(updated.body.triggerOperator, 'contains');
          assert.equal(updated.body.delayMessage, 2500);
          assert.equal(updated.body.expire, 15, 'fields left out keep their values');
          assert.equal(updated.body.description, 'greeter');
          for (const [field, value] of Object.entries(f.change)) assert.deepEqual(updated.body[field], value);
          assert.equal(updated.body.createdAt, row.createdAt);

          const deleted = await server.call('DELETE', `/${f.bot}/delete/${row.id}/${inst.name}`);
          assert.equal(deleted.status, 200);
          assert.deepEqual(deleted.body, { bot: { id: row.id } });
          assert.equal((await server.call('GET', `/${f.bot}/fetch/${row.id}/${inst.name}`)).text, 'null');
          assertEvolutionError(await server.call('DELETE', `/${f.bot}/delete/${row.id}/${inst.name}`), 404, `${f.name} not found`);
          const body = { enabled: true, triggerType: 'all', ...f.body(1, credsId) };
          assertEvolutionError(await server.call('PUT', `/${f.bot}/update/${row.id}/${inst.name}`, { body }), 404, `${f.name} not found`);
        });

        it('validation answers 400 with Evolution\'s texts', async () => {
          const inst = await fresh();
          const credsId = await newCreds(inst.name);
          const withoutRequired = { enabled: true, triggerType: 'all', ...f.body(1, credsId), [f.required]: undefined };
          assertEvolutionError(await server.call('POST', `/${f.bot}/create/${inst.name}`, { body: withoutRequired }), 400, `instance requires property "${f.required}"`);
          assertEvolutionError(await server.call('POST', `/${f.bot}/create/${inst.name}`, { body: { ...f.body(1, credsId), triggerType: 'all' } }), 400, 'instance requires property "enabled"');
          assertEvolutionError(await create(f, inst.name, credsId, { triggerType: 'sometimes' }), 400, 'triggerType is not one of enum values: all,keyword,none,advanced');
          assertEvolutionError(await create(f, inst.name, credsId, { triggerOperator: '', triggerValue: 'x' }), 400, 'Trigger operator and value are required');
          assertEvolutionError(await create(f, inst.name, credsId, { triggerValue: '' }), 400, 'Trigger operator and value are required');
          assertEvolutionError(await create(f, inst.name, credsId, { triggerType: 'advanced' }), 400, 'Trigger value is required');
          assertEvolutionError(await create(f, inst.name, credsId, { triggerOperator: 'regex', triggerValue: '(' }), 400, 'triggerValue is not a valid regular expression');
          assertEvolutionError(await create(f, inst.name, credsId, { expire: -1, triggerValue: 'x' }), 400, 'expire must be at least 0');

          // A cleared operator select ("") is fine for an "all" bot.
          const all = await create(f, inst.name, credsId, { triggerType: 'all', triggerOperator: '' });
          assert.equal(all.status, 201, all.text);
          assert.equal(all.body.triggerOperator, null);
          const allText = `You already have a ${f.name} with an "All" trigger, you cannot have more bots while it is active`;
          assertEvolutionError(await create(f, inst.name, credsId, { ...f.body(2, credsId), triggerType: 'all' }), 400, allText);
          const disabledAll = await create(f, inst.name, credsId, { ...f.body(3, credsId), triggerType: 'all', enabled: false });
          assert.equal(disabledAll.status, 201, 'a disabled second "all" bot is harmless');
          const enable = { ...f.body(3, credsId), triggerType: 'all', enabled: true };
          assertEvolutionError(await server.call('PUT', `/${f.bot}/update/${disabledAll.body.id}/${inst.name}`, { body: enable }), 400, allText);

          assertEvolutionError(await create(f, inst.name, credsId, { triggerValue: 'unique' }), 400, f.duplicateText);
          const keyword = await create(f, inst.name, credsId, { ...f.body(4, credsId), triggerValue: 'menu' });
          assert.equal(keyword.status, 201, keyword.text);
          assertEvolutionError(await create(f, inst.name, credsId, { ...f.body(5, credsId), triggerValue: 'menu' }), 400, 'Trigger already exists');
          const otherOperator = await create(f, inst.name, credsId, { ...f.body(5, credsId), triggerOperator: 'startsWith', triggerValue: 'menu' });
          assert.equal(otherOperator.status, 201, 'another operator with the same value is another trigger');
          const adv = await create(f, inst.name, credsId, { ...f.body(6, credsId), triggerType: 'advanced', triggerValue: 'contains:price' });
          assert.equal(adv.status, 201, adv.text);
          assertEvolutionError(await create(f, inst.name, credsId, { ...f.body(7, credsId), triggerType: 'advanced', triggerValue: 'contains:price' }), 400, 'Trigger already exists');
          // Updating a bot to its own trigger and target is not a duplicate.
          const same = await server.call('PUT', `/${f.bot}/update/${keyword.body.id}/${inst.name}`, { body: { enabled: true, triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'menu', ...f.body(4, credsId) } });
          assert.equal(same.status, 200, same.text);
        });
      });
    }

    it('OpenAI: assistant and chatCompletion requirements, credentials of another instance are unknown', async () => {
      const inst = await fresh();
      const other = await fresh();
      const credsId = await newCreds(inst.name);
      const foreign = await newCreds(other.name);
      const base = { enabled: true, triggerType: 'all', openaiCredsId: credsId };
      assertEvolutionError(await server.call('POST', `/openai/create/${inst.name}`, { body: { ...base, botType: 'assistant' } }), 400, 'Assistant ID is required');
      assertEvolutionError(await server.call('POST', `/openai/create/${inst.name}`, { body: { ...base, botType: 'chatCompletion', maxTokens: 5 } }), 400, 'Model is required');
      assertEvolutionError(await server.call('POST', `/openai/create/${inst.name}`, { body: { ...base, botType: 'chatCompletion', model: 'm' } }), 400, 'Max tokens is required');
      assertEvolutionError(await server.call('POST', `/openai/create/${inst.name}`, { body: { ...base, openaiCredsId: foreign, botType: 'assistant', assistantId: 'asst_1' } }), 400, 'Openai Creds not found');
      assertEvolutionError(await server.call('POST', `/openai/create/${inst.name}`, { body: { ...base, botType: 'assistant', assistantId: 'a', functionUrl: 'ftp://x' } }), 400, 'functionUrl must be an http(s) URL');
      const ok = await server.call('POST', `/openai/create/${inst.name}`, { body: { ...base, botType: 'assistant', assistantId: 'asst_1', systemMessages: 'one line' } });
      assert.equal(ok.status, 201, ok.text);
      assert.deepEqual(ok.body.systemMessages, ['one line']);
      assert.equal(ok.body.model, null);
      assertEvolutionError(await server.call('POST', `/openai/settings/${inst.name}`, { body: settingsBody(BOTS[0]!, foreign) }), 400, 'Openai Creds not found');
    });

    it('deleting a bot deletes its sessions (foreign key), other bots\' sessions stay', async () => {
      const inst = await fresh();
      const make = async (n: number) =>
        (await server.call('POST', `/evolutionBot/create/${inst.name}`, { body: { enabled: true, triggerType: 'keyword', triggerOperator: 'equals', triggerValue: `k${n}`, apiUrl: `http://127.0.0.1:9/s${n}` } })).body;
      const [gone, kept] = [await make(1), await make(2)];
      const now = new Date();
      for (const [n, b] of [[1, gone], [2, kept]] as const) {
        await server.parley.store.botSessions.insert({
          id: `sess-${inst.id}-${n}`, instanceId: inst.id, remoteJid: `55119999999${n}@s.whatsapp.net`, provider: 'evolutionBot', botId: b.id,
          sessionId: 'x', pushName: null, status: 'opened', awaitUser: false, context: {}, parameters: {}, expiresAt: null, createdAt: now, updatedAt: now,
        });
      }
      await server.call('DELETE', `/evolutionBot/delete/${gone.id}/${inst.name}`);
      const left = await server.parley.store.botSessions.list({ instanceId: inst.id });
      assert.deepEqual(left.map((s) => s.botId), [kept.id]);
    });

    it('n8n: basicAuthPassword (the schema\'s spelling) is stored as basicAuthPass', async () => {
      const inst = await fresh();
      const res = await server.call('POST', `/n8n/create/${inst.name}`, { body: { enabled: true, triggerType: 'all', webhookUrl: 'http://127.0.0.1:9/webhook/x', basicAuthUser: 'u', basicAuthPassword: 'secret' } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.basicAuthPass, 'secret');
      assert.equal('basicAuthPassword' in res.body, false);
    });

    it('bots are scoped to their instance: another instance\'s token is refused, another instance\'s bot id is unknown', async () => {
      const a = await fresh();
      const b = await fresh();
      const bot = (await server.call('POST', `/evolutionBot/create/${a.name}`, { body: { enabled: true, triggerType: 'all', apiUrl: 'http://127.0.0.1:9/a' } })).body;
      const asB = (method: string, path: string, body?: unknown) => callApi(server.url, b.token, method, path, { body });
      assertEvolutionError(await asB('GET', `/evolutionBot/find/${a.name}`), 401);
      assertEvolutionError(await asB('GET', `/evolutionBot/fetch/${bot.id}/${a.name}`), 401);
      assertEvolutionError(await asB('DELETE', `/evolutionBot/delete/${bot.id}/${a.name}`), 401);
      // B's own routes with A's bot id.
      const fetched = await asB('GET', `/evolutionBot/fetch/${bot.id}/${b.name}`);
      assert.equal(fetched.status, 200);
      assert.equal(fetched.text, 'null');
      assert.deepEqual((await asB('GET', `/evolutionBot/find/${b.name}`)).body, []);
      assertEvolutionError(await asB('PUT', `/evolutionBot/update/${bot.id}/${b.name}`, { enabled: false, triggerType: 'all', apiUrl: 'http://127.0.0.1:9/hijack' }), 404, 'EvolutionBot not found');
      assertEvolutionError(await asB('DELETE', `/evolutionBot/delete/${bot.id}/${b.name}`), 404, 'EvolutionBot not found');
      assertEvolutionError(await asB('POST', `/evolutionBot/settings/${b.name}`, settingsBody(BOTS[6]!, '', { fallbackId: bot.id })), 400, 'does not exist');
      // A's bot is untouched and still reachable with A's token.
      const mine = await callApi(server.url, a.token, 'GET', `/evolutionBot/fetch/${bot.id}/${a.name}`);
      assert.deepEqual(mine.body, bot);
      // A bot id of another type is unknown to this type.
      assert.equal((await server.call('GET', `/dify/fetch/${bot.id}/${a.name}`)).text, 'null');
    });

    it('OpenAPI document lists the chatbot routes', async () => {
      const doc = await server.call('GET', '/docs/openapi.json');
      assert.equal(doc.status, 200);
      for (const f of BOTS) assert.ok(doc.body.paths[`/${f.bot}/create/{instanceName}`], f.bot);
      assert.ok(doc.body.paths['/openai/getModels/{instanceName}']);
    });
  });
}
