// Instance routes end to end: create, fetch, connect, state, presence, logout, delete — on every test database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeChannel } from '../fakes/fake-channel.js';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, type TestServer } from '../helpers/server.js';

for (const kind of databaseKinds()) {
  describe(`instance lifecycle [${kind.name}]`, () => {
    let server: TestServer;
    const fake = new FakeChannel('WHATSAPP-BAILEYS');

    before(async () => {
      server = await startTestServer(kind, { channels: [fake] });
    });
    after(() => server.close());

    it('creates an instance and answers the compat create shape', async () => {
      const body = await createInstance(server, { instanceName: 'alpha', rejectCall: true, msgCall: 'busy' });
      assert.deepEqual(Object.keys(body).sort(), ['hash', 'instance', 'settings']);
      assert.deepEqual(Object.keys(body.instance).sort(), [
        'accessTokenWaBusiness', 'instanceId', 'instanceName', 'integration', 'status', 'webhookWaBusiness',
      ]);
      assert.equal(body.instance.instanceName, 'alpha');
      assert.match(body.instance.instanceId, /^[0-9a-f-]{36}$/);
      assert.equal(body.instance.integration, 'WHATSAPP-BAILEYS');
      assert.equal(body.instance.status, 'close');
      assert.equal(body.instance.webhookWaBusiness, null);
      assert.equal(body.instance.accessTokenWaBusiness, '');
      assert.match(body.hash, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
      assert.deepEqual(body.settings, {
        rejectCall: true, msgCall: 'busy', groupsIgnore: false, alwaysOnline: false,
        readMessages: false, readStatus: false, syncFullHistory: false, wavoipToken: '',
      });
    });

    it('keeps a given token and refuses a taken name with 403', async () => {
      const body = await createInstance(server, { instanceName: 'beta', token: 'beta-token-123' });
      assert.equal(body.hash, 'beta-token-123');
      const again = await server.call('POST', '/instance/create', { body: { instanceName: 'beta', integration: 'EVOLUTION', number: '551100' } });
      assertEvolutionError(again, 403, 'This name "beta" is already in use.');
    });

    it('creates a BUSINESS instance with the Meta webhook URL, and requires its token and number', async () => {
      const missing = await server.call('POST', '/instance/create', { body: { instanceName: 'biz', integration: 'WHATSAPP-BUSINESS' } });
      assertEvolutionError(missing, 400, 'token is required');
      const noNumber = await server.call('POST', '/instance/create', {
        body: { instanceName: 'biz', integration: 'WHATSAPP-BUSINESS', token: 'EAAG-meta-token' },
      });
      assertEvolutionError(noNumber, 400, 'number is required');
      const ok = await server.call('POST', '/instance/create', {
        body: { instanceName: 'biz', integration: 'WHATSAPP-BUSINESS', token: 'EAAG-meta-token', number: '1234567890', businessId: '99' },
      });
      assert.equal(ok.status, 201);
      assert.equal(ok.body.instance.webhookWaBusiness, `http://localhost:0/webhook/meta`);
      // No channel is installed for BUSINESS in this server: it is stored, and honestly `close`.
      assert.equal(ok.body.instance.status, 'close');
    });

    it('lists instances with the full compat row shape', async () => {
      const res = await server.call('GET', '/instance/fetchInstances');
      assert.equal(res.status, 200);
      const alpha = res.body.find((r: any) => r.name === 'alpha');
      assert.deepEqual(Object.keys(alpha).sort(), [
        'Chatwoot', 'Nats', 'Proxy', 'Rabbitmq', 'Setting', 'Sqs', 'Websocket', '_count', 'businessId', 'clientName',
        'connectionStatus', 'createdAt', 'disconnectionAt', 'disconnectionObject', 'disconnectionReasonCode', 'id',
        'integration', 'name', 'number', 'ownerJid', 'profileName', 'profilePicUrl', 'token', 'updatedAt',
      ]);
      assert.equal(alpha.clientName, 'parley');
      assert.deepEqual(alpha._count, { Message: 0, Contact: 0, Chat: 0 });
      assert.equal(alpha.Setting.rejectCall, true);
      assert.equal(alpha.Setting.instanceId, alpha.id);
      assert.ok(!Number.isNaN(Date.parse(alpha.createdAt)));
      const byId = await server.call('GET', `/instance/fetchInstances?instanceId=${alpha.id}`);
      assert.deepEqual(byId.body.map((r: any) => r.name), ['alpha']);
      const byName = await server.call('GET', '/instance/fetchInstances?instanceName=beta');
      assert.deepEqual(byName.body.map((r: any) => r.name), ['beta']);
      const byNumber = await server.call('GET', '/instance/fetchInstances?number=1234567890');
      assert.deepEqual(byNumber.body.map((r: any) => r.name), ['biz']);
      assertEvolutionError(await server.call('GET', '/instance/fetchInstances?instanceName=nobody'), 404, 'Instance "nobody" not found');
      assertEvolutionError(await server.call('GET', '/instance/fetchInstances?instanceId=nope'), 404);
    });

    it('connects with a QR, reports state, pairs, and refuses presence until open', async () => {
      const state0 = await server.call('GET', '/instance/connectionState/alpha');
      assert.deepEqual(state0.body, { instance: { instanceName: 'alpha', state: 'close' } });
      const presenceClosed = await server.call('POST', '/instance/setPresence/alpha', { body: { presence: 'available' } });
      assertEvolutionError(presenceClosed, 400, 'The "alpha" instance is not connected');

      const qr = await server.call('GET', '/instance/connect/alpha');
      assert.equal(qr.status, 200);
      assert.deepEqual(Object.keys(qr.body).sort(), ['base64', 'code', 'count', 'pairingCode']);
      assert.equal(qr.body.count, 1);
      assert.match(qr.body.base64, /^data:image\/png;base64,/);
      const connecting = await server.call('GET', '/instance/connectionState/alpha');
      assert.equal(connecting.body.instance.state, 'connecting');

      const pairing = await server.call('GET', '/instance/connect/alpha?number=5511988887777');
      assert.equal(pairing.body.pairingCode, 'ABCD1234');
      assert.ok(fake.calls.includes('connect:alpha:5511988887777'));

      await fake.pair('alpha');
      const open = await server.call('GET', '/instance/connect/alpha');
      assert.deepEqual(open.body, { instance: { instanceName: 'alpha', state: 'open' } });
      const row = (await server.call('GET', '/instance/fetchInstances?instanceName=alpha')).body[0];
      assert.equal(row.ownerJid, '5511999999999@s.whatsapp.net');
      assert.equal(row.profileName, 'Fake Phone');

      const presence = await server.call('POST', '/instance/setPresence/alpha', { body: { presence: 'composing' } });
      assert.equal(presence.status, 201);
      assert.deepEqual(presence.body, { presence: 'composing' });
      assert.ok(fake.calls.includes('presence:alpha:composing'));
    });

    it('refuses to connect an integration whose channel is not installed, with a clear 400', async () => {
      const res = await server.call('GET', '/instance/connect/biz');
      assertEvolutionError(res, 400, 'The "WHATSAPP-BUSINESS" integration is not available');
      assertEvolutionError(await server.call('POST', '/instance/setPresence/biz', { body: { presence: 'available' } }), 400, 'not available');
    });

    it('restarts only a connected instance', async () => {
      assertEvolutionError(await server.call('POST', '/instance/restart/beta'), 400, 'The "beta" instance is not connected');
      const res = await server.call('POST', '/instance/restart/alpha');
      assert.deepEqual(res.body, { instance: { instanceName: 'alpha', state: 'open' } });
    });

    it('logs out before answering, then refuses a second logout', async () => {
      const res = await server.call('DELETE', '/instance/logout/alpha');
      assert.deepEqual(res.body, { status: 'SUCCESS', error: false, response: { message: 'Instance logged out' } });
      const state = await server.call('GET', '/instance/connectionState/alpha');
      assert.equal(state.body.instance.state, 'close');
      assertEvolutionError(await server.call('DELETE', '/instance/logout/alpha'), 400, 'The "alpha" instance is not connected');
    });

    it('deletes before answering: the instance is gone for the very next request', async () => {
      await fake.pair('alpha').catch(() => undefined);
      await server.call('GET', '/instance/connect/alpha');
      await fake.pair('alpha');
      const res = await server.call('DELETE', '/instance/delete/alpha');
      assert.deepEqual(res.body, { status: 'SUCCESS', error: false, response: { message: 'Instance deleted' } });
      assert.ok(fake.calls.includes('logout:alpha'), 'an open instance is logged out before delete');
      assertEvolutionError(await server.call('GET', '/instance/connectionState/alpha'), 404, 'The "alpha" instance does not exist');
      const list = await server.call('GET', '/instance/fetchInstances');
      assert.ok(!list.body.some((r: any) => r.name === 'alpha'));
    });
  });
}
