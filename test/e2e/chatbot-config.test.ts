// Chatbot configuration end to end (compat §3.10, §8, §9) for all seven bot types, over real HTTP on SQLite and
// PostgreSQL: round trips with the response shapes, settings and both fallback spellings, ignoreJid, validation texts,
// env gates, instance scoping, OpenAI credentials and getModels against a local fake of OpenAI's `/models`.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { ALL_ENABLED, BOTS, DEFAULT_SETTINGS, botRowKeys, settingsBody, settingsRowKeys, type BotFixture } from '../helpers/chatbot-fixtures.js';
import { databaseKinds } from '../helpers/databases.js';
import { callApi, createInstance, startTestServer, type TestServer } from '../helpers/server.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const GOOD_KEY = 'sk-fake-good';
const GLOBAL_KEY = 'sk-fake-global';
const DOWN_KEY = 'sk-fake-down';
const sorted = (keys: string[]) => [...keys].sort();

/** OpenAI's `GET /models`: the list for known keys, OpenAI's 401 body otherwise. Records the keys it saw. */
async function startFakeOpenAi(): Promise<{ url: string; keys: string[]; close(): Promise<void> }> {
  const keys: string[] = [];
  const server: Server = createServer((req, res) => {
    const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    keys.push(key);
    res.setHeader('content-type', 'application/json');
    if (req.method !== 'GET' || req.url !== '/v1/models') {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
    } else if (key === DOWN_KEY) {
      res.statusCode = 503;
      res.end(JSON.stringify({ error: { message: 'The engine is currently overloaded', type: 'server_error' } }));
    } else if (key === GOOD_KEY || key === GLOBAL_KEY) {
      res.end(JSON.stringify({ object: 'list', data: [{ id: `model-for-${key}`, object: 'model', created: 1, owned_by: 'fake' }] }));
    } else {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, keys, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const kind of databaseKinds()) {
  describe(`chatbot config [${kind.name}]`, () => {
    let server: TestServer;
    let openai: Awaited<ReturnType<typeof startFakeOpenAi>>;
    let seq = 0;

    async function fresh(): Promise<{ name: string; id: string; token: string }> {
      seq += 1;
      const created = await createInstance(server, { instanceName: `cb-${seq}` });
      return { name: created.instance.instanceName, id: created.instance.instanceId, token: created.hash };
    }

    async function newCreds(instance: string, name = 'main', apiKey = `sk-${Math.random()}`): Promise<string> {
      const res = await server.call('POST', `/openai/creds/${instance}`, { body: { name, apiKey } });
      assert.equal(res.status, 201, res.text);
      return res.body.id;
    }

    async function create(f: BotFixture, instance: string, credsId: string, body: Record<string, unknown>) {
      return server.call('POST', `/${f.bot}/create/${instance}`, { body: { enabled: true, triggerType: 'keyword', triggerOperator: 'equals', ...f.body(1, credsId), ...body } });
    }

    before(async () => {
      openai = await startFakeOpenAi();
      server = await startTestServer(kind, { env: { ...ALL_ENABLED, OPENAI_API_BASE_URL: `${openai.url}/v1` } });
    });
    after(async () => {
      await server.close();
      await openai.close();
    });

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

        it('settings: defaults when none, both fallback spellings in and out, fallback bot in fetchSettings, cleared when the bot goes', async () => {
          const inst = await fresh();
          const credsId = await newCreds(inst.name);
          const defaults = await server.call('GET', `/${f.bot}/fetchSettings/${inst.name}`);
          assert.equal(defaults.status, 200);
          assert.deepEqual({ ...defaults.body, [f.fallbackKey]: undefined, openaiCredsId: undefined, speechToText: undefined }, {
            ...DEFAULT_SETTINGS, fallbackId: '', fallback: null, [f.fallbackKey]: undefined, openaiCredsId: undefined, speechToText: undefined,
          });

          const bot = (await create(f, inst.name, credsId, { triggerType: 'all' })).body;
          // The Manager's spelling.
          const set = await server.call('POST', `/${f.bot}/settings/${inst.name}`, { body: settingsBody(f, credsId, { [f.fallbackKey]: bot.id }) });
          assert.equal(set.status, 200, set.text);
          assert.deepEqual(sorted(Object.keys(set.body)), settingsRowKeys(f));
          assert.equal(set.body[f.fallbackKey], bot.id);
          assert.equal(set.body.fallbackId, bot.id);
          assert.deepEqual(set.body.ignoreJids, ['@g.us']);
          assert.equal(set.body.keywordFinish, '#stop');
          assert.equal(set.body.instanceId, inst.id);

          const fetched = await server.call('GET', `/${f.bot}/fetchSettings/${inst.name}`);
          assert.deepEqual(fetched.body.fallback, bot);
          assert.equal(fetched.body.fallbackId, bot.id);

          // Evolution's code spelling clears it; then sets it again.
          const cleared = await server.call('POST', `/${f.bot}/settings/${inst.name}`, { body: settingsBody(f, credsId, { fallbackId: '' }) });
          assert.equal(cleared.body.fallbackId, null);
          assert.equal(cleared.body[f.fallbackKey], null);
          const again = await server.call('POST', `/${f.bot}/settings/${inst.name}`, { body: settingsBody(f, credsId, { fallbackId: bot.id }) });
          assert.equal(again.body[f.fallbackKey], bot.id);
          const kept = await server.call('POST', `/${f.bot}/settings/${inst.name}`, { body: settingsBody(f, credsId, { expire: 7 }) });
          assert.equal(kept.body.fallbackId, bot.id, 'a body without a fallback keeps the stored one');
          assert.equal(kept.body.id, set.body.id);

          assertEvolutionError(
            await server.call('POST', `/${f.bot}/settings/${inst.name}`, { body: settingsBody(f, credsId, { fallbackId: 'no-such-bot' }) }),
            400, 'The fallback bot "no-such-bot" does not exist',
          );
          assertEvolutionError(await server.call('POST', `/${f.bot}/settings/${inst.name}`, { body: { keywordFinish: 'x' } }), 400, 'instance requires property "expire"');

          await server.call('DELETE', `/${f.bot}/delete/${bot.id}/${inst.name}`);
          const after = await server.call('GET', `/${f.bot}/fetchSettings/${inst.name}`);
          assert.equal(after.body.fallbackId, null);
          assert.equal(after.body.fallback, null);
        });

        it('ignoreJid adds once and removes, creating the settings row when there is none', async () => {
          const inst = await fresh();
          const jid = '5511999999999@s.whatsapp.net';
          const add = await server.call('POST', `/${f.bot}/ignoreJid/${inst.name}`, { body: { remoteJid: jid, action: 'add' } });
          assert.equal(add.status, 200, add.text);
          assert.deepEqual(add.body, { ignoreJids: [jid] });
          const twice = await server.call('POST', `/${f.bot}/ignoreJid/${inst.name}`, { body: { remoteJid: jid, action: 'add' } });
          assert.deepEqual(twice.body, { ignoreJids: [jid] });
          const settings = await server.call('GET', `/${f.bot}/fetchSettings/${inst.name}`);
          assert.deepEqual(settings.body.ignoreJids, [jid]);
          assert.equal(settings.body.expire, DEFAULT_SETTINGS.expire);
          assert.equal(typeof settings.body.id, 'string');
          const removed = await server.call('POST', `/${f.bot}/ignoreJid/${inst.name}`, { body: { remoteJid: jid, action: 'remove' } });
          assert.deepEqual(removed.body, { ignoreJids: [] });
          assertEvolutionError(await server.call('POST', `/${f.bot}/ignoreJid/${inst.name}`, { body: { remoteJid: jid, action: 'toggle' } }), 400, 'action is not one of enum values: add,remove');
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
          id: `sess-${seq}-${n}`, instanceId: inst.id, remoteJid: `55119999999${n}@s.whatsapp.net`, provider: 'evolutionBot', botId: b.id,
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

    it('OpenAI credentials: 201 row, duplicate texts within the instance, list with bots, delete takes their bots along', async () => {
      const inst = await fresh();
      const created = await server.call('POST', `/openai/creds/${inst.name}`, { body: { name: 'team', apiKey: 'sk-team' } });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(sorted(Object.keys(created.body)), ['apiKey', 'createdAt', 'id', 'instanceId', 'name', 'updatedAt']);
      assert.equal(created.body.name, 'team');
      assert.equal(created.body.instanceId, inst.id);
      assertEvolutionError(
        await server.call('POST', `/openai/creds/${inst.name}`, { body: { name: 'other', apiKey: 'sk-team' } }),
        400, 'This API key is already registered. Please use a different API key.',
      );
      assertEvolutionError(
        await server.call('POST', `/openai/creds/${inst.name}`, { body: { name: 'team', apiKey: 'sk-other' } }),
        400, 'This credential name is already in use. Please choose a different name.',
      );
      assertEvolutionError(await server.call('POST', `/openai/creds/${inst.name}`, { body: { name: 'x' } }), 400, 'instance requires property "apiKey"');
      // Another instance may register the same name and key (Evolution: unique across all instances).
      const other = await fresh();
      assert.equal((await server.call('POST', `/openai/creds/${other.name}`, { body: { name: 'team', apiKey: 'sk-team' } })).status, 201);

      const bot = (await server.call('POST', `/openai/create/${inst.name}`, { body: { enabled: true, triggerType: 'all', openaiCredsId: created.body.id, botType: 'assistant', assistantId: 'asst_9' } })).body;
      const list = await server.call('GET', `/openai/creds/${inst.name}`);
      assert.equal(list.status, 200);
      assert.equal(list.body.length, 1);
      assert.deepEqual(list.body[0], { ...created.body, OpenaiAssistant: [bot] });

      assertEvolutionError(await server.call('DELETE', `/openai/creds/${created.body.id}/${other.name}`), 404, 'Openai Creds not found');
      const deleted = await server.call('DELETE', `/openai/creds/${created.body.id}/${inst.name}`);
      assert.equal(deleted.status, 200);
      assert.deepEqual(deleted.body, { openaiCreds: { id: created.body.id } });
      assert.deepEqual((await server.call('GET', `/openai/find/${inst.name}`)).body, []);
      assert.equal((await server.call('GET', `/openai/fetchSettings/${inst.name}`)).body.openaiCredsId, null);
    });

    it('getModels: the given credentials, else the settings\' credentials; OpenAI\'s refusal is a 400', async () => {
      const inst = await fresh();
      const good = await newCreds(inst.name, 'good', GOOD_KEY);
      const bad = await newCreds(inst.name, 'bad', 'sk-fake-bad');
      const given = await server.call('GET', `/openai/getModels/${inst.name}?openaiCredsId=${good}`);
      assert.equal(given.status, 200, given.text);
      assert.deepEqual(given.body, [{ id: `model-for-${GOOD_KEY}`, object: 'model', created: 1, owned_by: 'fake' }]);
      assert.equal(openai.keys.at(-1), GOOD_KEY);

      assertEvolutionError(await server.call('GET', `/openai/getModels/${inst.name}`), 400, 'No OpenAI credentials');
      await server.call('POST', `/openai/settings/${inst.name}`, { body: settingsBody(BOTS[0]!, good) });
      const fromSettings = await server.call('GET', `/openai/getModels/${inst.name}`);
      assert.equal(fromSettings.status, 200, fromSettings.text);
      assert.equal(fromSettings.body[0].id, `model-for-${GOOD_KEY}`);

      const refused = await server.call('GET', `/openai/getModels/${inst.name}?openaiCredsId=${bad}`);
      assertEvolutionError(refused, 400, 'Error fetching models');
      assert.ok(!refused.text.includes('sk-fake-bad'), 'the key is not echoed');
      assertEvolutionError(await server.call('GET', `/openai/getModels/${inst.name}?openaiCredsId=nope`), 400, 'Openai Creds not found');
      const down = await newCreds(inst.name, 'down', DOWN_KEY);
      const unavailable = await server.call('GET', `/openai/getModels/${inst.name}?openaiCredsId=${down}`);
      assert.equal(unavailable.status, 503, 'OpenAI failing is not the caller\'s mistake');
      assert.match(unavailable.body.response.message[0], /^Error fetching models/);
    });

    it('OpenAPI document lists the chatbot routes', async () => {
      const doc = await server.call('GET', '/docs/openapi.json');
      assert.equal(doc.status, 200);
      for (const f of BOTS) assert.ok(doc.body.paths[`/${f.bot}/create/{instanceName}`], f.bot);
      assert.ok(doc.body.paths['/openai/getModels/{instanceName}']);
    });
  });

  describe(`chatbot env gates [${kind.name}]`, () => {
    let server: TestServer;
    let openai: Awaited<ReturnType<typeof startFakeOpenAi>>;
    let instance: string;

    before(async () => {
      openai = await startFakeOpenAi();
      // Gates left at Evolution's defaults (off) except OpenAI, which lists models with the global key.
      server = await startTestServer(kind, { env: { OPENAI_ENABLED: 'true', OPENAI_API_KEY_GLOBAL: GLOBAL_KEY, OPENAI_API_BASE_URL: `${openai.url}/v1` } });
      instance = (await createInstance(server, { instanceName: 'gates' })).instance.instanceName;
    });
    after(async () => {
      await server.close();
      await openai.close();
    });

    for (const f of BOTS.filter((b) => b.bot !== 'openai' && b.env !== undefined)) {
      it(`${f.bot} is disabled by default: every route answers 400 "${f.name} is disabled", before body validation`, async () => {
        const text = `${f.name} is disabled`;
        assertEvolutionError(await server.call('POST', `/${f.bot}/create/${instance}`, { body: {} }), 400, text);
        assertEvolutionError(await server.call('GET', `/${f.bot}/find/${instance}`), 400, text);
        assertEvolutionError(await server.call('GET', `/${f.bot}/fetch/x/${instance}`), 400, text);
        assertEvolutionError(await server.call('PUT', `/${f.bot}/update/x/${instance}`, { body: {} }), 400, text);
        assertEvolutionError(await server.call('DELETE', `/${f.bot}/delete/x/${instance}`), 400, text);
        assertEvolutionError(await server.call('POST', `/${f.bot}/settings/${instance}`, { body: {} }), 400, text);
        assertEvolutionError(await server.call('GET', `/${f.bot}/fetchSettings/${instance}`), 400, text);
        assertEvolutionError(await server.call('POST', `/${f.bot}/ignoreJid/${instance}`, { body: {} }), 400, text);
      });
    }

    it('evolutionBot has no gate', async () => {
      assert.equal((await server.call('GET', `/evolutionBot/find/${instance}`)).status, 200);
    });

    it('the gate runs after authentication', async () => {
      assertEvolutionError(await server.call('GET', `/dify/find/${instance}`, { apikey: 'wrong' }), 401);
    });

    it('getModels falls back to OPENAI_API_KEY_GLOBAL', async () => {
      const res = await server.call('GET', `/openai/getModels/${instance}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body[0].id, `model-for-${GLOBAL_KEY}`);
    });
  });

  describe(`chatbot OpenAI gate [${kind.name}]`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(kind);
      await createInstance(server, { instanceName: 'nogpt' });
    });
    after(() => server.close());

    it('OpenAI routes answer 400 "Openai is disabled"', async () => {
      for (const [method, path] of [['POST', '/openai/creds/nogpt'], ['GET', '/openai/creds/nogpt'], ['DELETE', '/openai/creds/x/nogpt'], ['GET', '/openai/getModels/nogpt'], ['POST', '/openai/create/nogpt'], ['GET', '/openai/fetchSettings/nogpt']] as const) {
        assertEvolutionError(await server.call(method, path, method === 'POST' ? { body: {} } : {}), 400, 'Openai is disabled');
      }
    });
  });
}
