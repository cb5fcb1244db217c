// Chatbot settings end to end (compat §3.10) for all seven bot types, over real HTTP on SQLite and PostgreSQL: the
// defaults, both fallback spellings in and out, the fallback bot in fetchSettings (cleared when the bot goes), and
// ignoreJid.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { BOTS, DEFAULT_SETTINGS, settingsBody, settingsRowKeys } from '../helpers/chatbot-fixtures.js';
import { sorted, startChatbotConfigNode, type ChatbotConfigNode } from '../helpers/chatbot-config-node.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestServer } from '../helpers/server.js';

for (const kind of databaseKinds()) {
  describe(`chatbot config: settings [${kind.name}]`, () => {
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
      });
    }
  });
}
