// WHATSAPP-BAILEYS create and login lifecycle over real HTTP with fake sockets: `qrcode:true` + `number` asks for a
// pairing code (compat §4.2), the create response shows the state the instance reached, and what a login learned
// (the number-check cache) is forgotten when the login goes (logout, or a disconnect that wipes it).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeSocketFactory } from '../fakes/fake-baileys-socket.js';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';
import { actLikeWhatsApp, createWithWebhook, hooksOf, linkInstance, startBaileysServer, uniqueName } from './baileys-helpers.js';

const PAIRING_RULE = 'number must be the phone number to pair, digits only (8 to 15)';

for (const kind of databaseKinds()) {
  describe(`WHATSAPP-BAILEYS create and login lifecycle (${kind.name})`, () => {
    let server: TestServer;
    const sink = new WebhookSink();
    const fake = new FakeSocketFactory();

    before(async () => {
      await sink.start();
      actLikeWhatsApp(fake);
      server = await startBaileysServer(kind, fake);
    });
    after(async () => {
      await server.close();
      await sink.stop();
    });

    const state = async (name: string) => (await server.call('GET', `/instance/connectionState/${name}`)).body.instance.state;

    it('create with qrcode:true and number answers a pairing code, status connecting, and sends it in QRCODE_UPDATED', async () => {
      const name = uniqueName('cpair');
      const created = await createWithWebhook(server, sink, name, { qrcode: true, number: '5511988887777' });
      assert.equal(created.instance.status, 'connecting');
      assert.match(created.qrcode.pairingCode, /^[A-Z0-9]{8}$/);
      assert.match(created.qrcode.code, /^2@/);
      assert.equal(created.qrcode.count, 1);
      const sock = fake.latest(name);
      assert.deepEqual(sock.callsOf('requestPairingCode'), [['5511988887777', undefined]]);
      // A pairing socket presents itself as a desktop browser (what WhatsApp needs to accept a code).
      assert.deepEqual((sock.config.browser ?? []).slice(0, 2), ['Ubuntu', 'Chrome']);
      await sink.waitFor(() => hooksOf(sink, name, 'qrcode.updated').some((e) => e.data.qrcode.pairingCode === created.qrcode.pairingCode), 10_000, 'pairing code event');
      assert.equal(await state(name), 'connecting');
      const row = (await server.call('GET', `/instance/fetchInstances?instanceName=${name}`)).body[0];
      assert.equal(row.number, '5511988887777');
    });

    it('a JID-like number pairs its user part', async () => {
      const name = uniqueName('cjid');
      const created = await createWithWebhook(server, sink, name, { qrcode: true, number: '5511988887777@s.whatsapp.net' });
      assert.match(created.qrcode.pairingCode, /^[A-Z0-9]{8}$/);
      assert.deepEqual(fake.latest(name).callsOf('requestPairingCode'), [['5511988887777', undefined]]);
    });

    it('create with qrcode:true and no number answers a QR without pairing code, status connecting', async () => {
      const name = uniqueName('cqr');
      const created = await createWithWebhook(server, sink, name, { qrcode: true });
      assert.equal(created.instance.status, 'connecting');
      assert.equal(created.qrcode.pairingCode, null);
      assert.deepEqual(fake.latest(name).callsOf('requestPairingCode'), []);
    });

    it('create without qrcode starts nothing: status close, no qrcode, no socket (a number alone is only stored)', async () => {
      const name = uniqueName('cnone');
      const created = await createWithWebhook(server, sink, name, { number: '5511988887777' });
      assert.equal(created.instance.status, 'close');
      assert.equal('qrcode' in created, false);
      assert.equal(fake.for(name).length, 0);
      assert.equal(await state(name), 'close');
    });

    it('qrcode:true with a number that cannot be paired is a 400 and creates nothing', async () => {
      for (const number of ['1234567', '55119888877776666@s.whatsapp.net']) {
        const name = uniqueName('cbad');
        const result = await server.call('POST', '/instance/create', { body: { instanceName: name, integration: 'WHATSAPP-BAILEYS', qrcode: true, number } });
        assertEvolutionError(result, 400, PAIRING_RULE);
        assertEvolutionError(await server.call('GET', `/instance/fetchInstances?instanceName=${name}`), 404);
        assert.equal(fake.for(name).length, 0);
      }
    });

    /** Links a new account after the previous login went; resolves once that one is open. */
    const relink = async (name: string) => {
      const opens = () => hooksOf(sink, name, 'connection.update').filter((e) => e.data.state === 'open').length;
      const before = opens();
      const sock = await linkInstance(server, fake, sink, name);
      await sink.waitFor(() => opens() > before, 10_000, `${name} open again`);
      return sock;
    };
    const lookup = (name: string) => server.call('POST', `/chat/whatsappNumbers/${name}`, { body: { numbers: ['14155550100'] } });

    it('logout forgets the number checks: the next account linked asks WhatsApp again', async () => {
      const name = uniqueName('nclog');
      await createWithWebhook(server, sink, name);
      const first = await linkInstance(server, fake, sink, name);
      assert.equal((await lookup(name)).status, 200);
      assert.equal((await lookup(name)).body[0].exists, true);
      assert.equal(first.callsOf('onWhatsApp').length, 1, 'the second lookup came from the cache');

      assert.equal((await server.call('DELETE', `/instance/logout/${name}`)).status, 200);
      const second = await relink(name);
      second.answer('onWhatsApp', async () => []);
      const after = await lookup(name);
      assert.equal(after.status, 200);
      assert.equal(after.body[0].exists, false, "the new account's answer, not the old cached one");
      assert.equal(second.callsOf('onWhatsApp').length, 1);
    });

    it('a disconnect that wipes the login (401 from the phone) forgets the number checks too', async () => {
      const name = uniqueName('nc401');
      await createWithWebhook(server, sink, name);
      const first = await linkInstance(server, fake, sink, name);
      await lookup(name);
      assert.equal(first.callsOf('onWhatsApp').length, 1);
      first.closeWith(401);
      await sink.waitFor(() => hooksOf(sink, name, 'connection.update').some((e) => e.data.state === 'close'), 10_000, 'close');

      const second = await relink(name);
      second.answer('onWhatsApp', async () => []);
      assert.equal((await lookup(name)).body[0].exists, false);
      assert.equal(second.callsOf('onWhatsApp').length, 1);
    });
  });
}
