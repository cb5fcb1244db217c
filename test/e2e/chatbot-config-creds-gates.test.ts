// OpenAI credentials, getModels (against a local fake of OpenAI's `/models`) and the chatbot env gates (compat §3.10,
// §9), over real HTTP on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { BOTS, settingsBody } from '../helpers/chatbot-fixtures.js';
import { DOWN_KEY, GLOBAL_KEY, GOOD_KEY, sorted, startChatbotConfigNode, startFakeOpenAi, type ChatbotConfigNode, type FakeOpenAi } from '../helpers/chatbot-config-node.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, type TestServer } from '../helpers/server.js';

for (const kind of databaseKinds()) {
  describe(`chatbot config: OpenAI credentials and models [${kind.name}]`, () => {
    let node: ChatbotConfigNode;
    let server: TestServer;
    let openai: ChatbotConfigNode['openai'];
    let fresh: ChatbotConfigNode['fresh'];
    let newCreds: ChatbotConfigNode['newCreds'];

    before(async () => {
      node = await startChatbotConfigNode(kind);
      ({ server, openai, fresh, newCreds } = node);
    });
    after(() => node.close());

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
  });

  describe(`chatbot env gates [${kind.name}]`, () => {
    let server: TestServer;
    let openai: FakeOpenAi;
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
