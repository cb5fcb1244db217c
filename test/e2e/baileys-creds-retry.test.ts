// A creds write that fails (database briefly unavailable) is retried: Baileys announces each creds change once, and
// losing one can unlink the device.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { baileysChannel } from '../../src/channels/baileys/index.js';
import { baileysSettings } from '../../src/channels/registry.js';
import type { ChannelServices } from '../../src/ports/channel.js';
import { FakeSocketFactory } from '../fakes/fake-baileys-socket.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, type TestServer } from '../helpers/server.js';
import { actLikeWhatsApp, OWNER, uniqueName } from './baileys-helpers.js';

for (const kind of databaseKinds()) {
  describe(`Baileys creds writes are retried [${kind.name}]`, () => {
    const fake = new FakeSocketFactory();
    actLikeWhatsApp(fake);
    let server: TestServer;
    let services: ChannelServices;
    let failuresLeft = 2;
    let attempts = 0;

    before(async () => {
      server = await startTestServer(kind, {
        channelsFor: (real, config) => {
          services = real;
          const auth = {
            ...real.auth,
            loadCreds: real.auth.loadCreds.bind(real.auth),
            getKeys: real.auth.getKeys.bind(real.auth),
            setKeys: real.auth.setKeys.bind(real.auth),
            wipe: real.auth.wipe.bind(real.auth),
            instancesWithCreds: real.auth.instancesWithCreds.bind(real.auth),
            saveCreds: async (instanceId: string, creds: string, at: Date) => {
              attempts += 1;
              if (failuresLeft > 0) {
                failuresLeft -= 1;
                throw new Error('database unavailable');
              }
              await real.auth.saveCreds(instanceId, creds, at);
            },
          };
          return [baileysChannel({ ...baileysSettings(config), makeSocket: fake.makeSocket, watchdogIdleMs: 0, connectWaitMs: 2_000 }, { ...real, auth })];
        },
      });
    });
    after(() => server.close());

    it('the login is stored although the first two writes failed', async () => {
      const name = uniqueName('creds');
      const created = await createInstance(server, { instanceName: name, integration: 'WHATSAPP-BAILEYS' });
      const id = created.instance.instanceId as string;
      const connect = await server.call('GET', `/instance/connect/${name}`);
      assert.equal(connect.status, 200, connect.text);
      fake.latest(name).scan(OWNER);
      const deadline = Date.now() + 10_000;
      let stored: string | undefined;
      while (Date.now() < deadline && !(stored ?? '').includes(OWNER.id)) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        stored = await services.auth.loadCreds(id);
      }
      assert.ok(stored?.includes(OWNER.id), 'the linked login reached the database');
      assert.equal(failuresLeft, 0, 'both failing writes happened');
      assert.ok(attempts >= 3, `retried after the failures (${attempts} attempts)`);
    });
  });
}
