// The WHATSAPP-BAILEYS connection end to end over real HTTP with fake sockets that emit Baileys' own typed events:
// QR (create with qrcode:true, connect), QRCODE_UPDATED, pairing code, open, the QR limit, every disconnect code's
// behaviour, logout, restart, and resume at boot from the credentials stored in the database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { FakeSocketFactory } from '../fakes/fake-baileys-socket.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';
import { actLikeWhatsApp, createWithWebhook, hooksOf, linkInstance, OWNER, OWNER_JID, startBaileysServer, uniqueName } from './baileys-helpers.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

for (const kind of databaseKinds()) {
  describe(`WHATSAPP-BAILEYS connection (${kind.name})`, () => {
    let server: TestServer;
    const sink = new WebhookSink();
    const fake = new FakeSocketFactory();

    before(async () => {
      await sink.start();
      actLikeWhatsApp(fake);
      server = await startBaileysServer(kind, fake, { env: { QRCODE_LIMIT: '3' } });
    });
    after(async () => {
      await server.close();
      await sink.stop();
    });

    const state = async (name: string) => (await server.call('GET', `/instance/connectionState/${name}`)).body.instance.state;
    const row = async (name: string) => (await server.call('GET', `/instance/fetchInstances?instanceName=${name}`)).body[0];
    const creds = (id: string) => server.parley.store.channelAuth.loadCreds(id);

    it('create with qrcode:true answers a QR as a decodable PNG data URL and sends QRCODE_UPDATED', async () => {
      const name = uniqueName('qr');
      const created = await createWithWebhook(server, sink, name, { qrcode: true });
      const qr = created.qrcode;
      assert.equal(qr.pairingCode, null);
      assert.equal(qr.count, 1);
      assert.match(qr.code, /^2@/);
      assert.match(qr.base64, /^data:image\/png;base64,/);
      const png = Buffer.from(qr.base64.slice('data:image/png;base64,'.length), 'base64');
      assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
      const meta = await sharp(png).metadata();
      assert.equal(meta.format, 'png');
      assert.ok((meta.width ?? 0) >= 100 && meta.width === meta.height);

      await sink.waitFor(() => hooksOf(sink, name, 'qrcode.updated').length === 1, 10_000, 'QRCODE_UPDATED');
      const event = hooksOf(sink, name, 'qrcode.updated')[0];
      assert.deepEqual(event.data, { qrcode: { instance: name, pairingCode: null, code: qr.code, base64: qr.base64 } });
      await sink.waitFor(() => hooksOf(sink, name, 'connection.update').some((e) => e.data.state === 'connecting'));
      assert.equal(await state(name), 'connecting');

      // The socket asked for the instance's settings: markOnlineOnConnect follows alwaysOnline (default false).
      const sock = fake.latest(name);
      assert.equal(sock.config.markOnlineOnConnect, false);
      assert.equal(sock.config.syncFullHistory, false);
      assert.deepEqual((sock.config.browser ?? []).slice(0, 2), ['Parley', 'Chrome']);

      // A new QR from WhatsApp: connect shows it with the next count, and the webhook gets it too.
      sock.emitQr('2@second-qr');
      await sink.waitFor(() => hooksOf(sink, name, 'qrcode.updated').length === 2);
      const again = await server.call('GET', `/instance/connect/${name}`);
      assert.equal(again.status, 200);
      assert.equal(again.body.code, '2@second-qr');
      assert.equal(again.body.count, 2);
      assert.equal(fake.for(name).length, 1, 'connect while connecting reuses the socket');
    });

    it('scanning: restart required (515) reconnects at once with the stored login and reaches open with the owner', async () => {
      const name = uniqueName('scan');
      const created = await createWithWebhook(server, sink, name);
      const sock = await linkInstance(server, fake, sink, name);
      assert.equal(fake.for(name).length, 2);
      assert.equal(fake.for(name)[0]!.endedWith !== null, true);
      assert.equal(sock.authState.creds.registered, true, 'the second socket got the creds the first one registered');
      const open = hooksOf(sink, name, 'connection.update').find((e) => e.data.state === 'open');
      assert.deepEqual(open.data, {
        instance: name, wuid: OWNER_JID, profileName: 'Fake Phone', profilePictureUrl: `https://pps.fake.whatsapp.net/${encodeURIComponent(OWNER_JID)}.jpg`, state: 'open', statusReason: 200,
      });
      assert.equal(await state(name), 'open');
      const r = await row(name);
      assert.equal(r.ownerJid, OWNER_JID);
      assert.equal(r.profileName, 'Fake Phone');
      const stored = await creds(created.instance.instanceId);
      assert.ok(stored !== undefined && stored.includes(OWNER.id), 'creds with `me` are in the database');
      const connect = await server.call('GET', `/instance/connect/${name}`);
      assert.deepEqual(connect.body, { instance: { instanceName: name, state: 'open' } });
    });

    it('pairing code: connect with a number asks Baileys once the socket is ready and answers the code', async () => {
      const name = uniqueName('pair');
      await createWithWebhook(server, sink, name);
      const result = await server.call('GET', `/instance/connect/${name}?number=%2B5511988887777`);
      assert.equal(result.status, 200);
      assert.match(result.body.pairingCode, /^[A-Z0-9]{8}$/);
      const sock = fake.latest(name);
      assert.deepEqual(sock.callsOf('requestPairingCode'), [['5511988887777', undefined]]);
      await sink.waitFor(() => hooksOf(sink, name, 'qrcode.updated').some((e) => e.data.qrcode.pairingCode === result.body.pairingCode));
      assert.deepEqual((sock.config.browser ?? []).slice(0, 2), ['Ubuntu', 'Chrome']);
    });

    it('QR limit: past QRCODE_LIMIT the socket is closed, QRCODE_UPDATED says so, CONNECTION_UPDATE refused then close', async () => {
      const name = uniqueName('limit');
      await createWithWebhook(server, sink, name);
      await server.call('GET', `/instance/connect/${name}`);
      const sock = fake.latest(name);
      sock.emitQr('2@qr-2');
      sock.emitQr('2@qr-3');
      sock.emitQr('2@qr-4');
      await sink.waitFor(() => hooksOf(sink, name, 'connection.update').some((e) => e.data.state === 'close'), 10_000, 'close after limit');
      assert.equal(sock.ended, true);
      const qrs = hooksOf(sink, name, 'qrcode.updated');
      assert.equal(qrs.length, 4);
      assert.deepEqual(qrs[3].data, { message: 'QR code limit reached, please login again', statusCode: 500 });
      const updates = hooksOf(sink, name, 'connection.update').map((e) => `${e.data.state}:${e.data.statusReason}`);
      assert.deepEqual(updates.slice(-2), ['refused:428', 'close:428']);
      assert.equal(await state(name), 'close');
      assert.equal(fake.for(name).length, 1, 'no reconnect after the limit');
      // A new connect starts counting again.
      const next = await server.call('GET', `/instance/connect/${name}`);
      assert.equal(next.body.count, 1);
    });

    for (const code of [408, 428, 503, 599]) {
      it(`disconnect ${code} on an open instance: connecting with the reason, backoff, a new socket, open again`, async () => {
        const name = uniqueName(`d${code}`);
        const created = await createWithWebhook(server, sink, name);
        const sock = await linkInstance(server, fake, sink, name);
        const sockets = fake.for(name).length;
        sock.closeWith(code);
        await fake.waitFor(name, sockets + 1);
        await sink.waitFor(() => hooksOf(sink, name, 'connection.update').filter((e) => e.data.state === 'open').length === 2, 10_000, 'open again');
        const updates = hooksOf(sink, name, 'connection.update').map((e) => `${e.data.state}:${e.data.statusReason}`);
        assert.ok(updates.includes(`connecting:${code}`), updates.join(','));
        const r = await row(name);
        assert.equal(r.disconnectionReasonCode, code);
        assert.equal(JSON.parse(r.disconnectionObject).error.statusCode, code);
        assert.ok(await creds(created.instance.instanceId), 'creds kept');
        assert.equal(hooksOf(sink, name, 'logout.instance').length, 0);
      });
    }

    const finals: { code: number; wiped: boolean; logoutEvent: boolean }[] = [
      { code: 401, wiped: true, logoutEvent: true },
      { code: 403, wiped: true, logoutEvent: false },
      { code: 440, wiped: false, logoutEvent: false },
      { code: 411, wiped: true, logoutEvent: false },
    ];
    for (const { code, wiped, logoutEvent } of finals) {
      it(`disconnect ${code}: stays closed${wiped ? ', credentials wiped' : ', credentials kept'}, STATUS_INSTANCE${logoutEvent ? ' and LOGOUT_INSTANCE' : ''}`, async () => {
        const name = uniqueName(`f${code}`);
        const created = await createWithWebhook(server, sink, name);
        const sock = await linkInstance(server, fake, sink, name);
        const sockets = fake.for(name).length;
        sock.closeWith(code);
        await sink.waitFor(() => hooksOf(sink, name, 'connection.update').some((e) => e.data.state === 'close'), 10_000, 'close');
        const status = hooksOf(sink, name, 'status.instance');
        assert.equal(status.length, 1);
        assert.equal(status[0].data.status, 'closed');
        assert.equal(status[0].data.disconnectionReasonCode, code);
        assert.equal(hooksOf(sink, name, 'logout.instance').length, logoutEvent ? 1 : 0);
        assert.equal(hooksOf(sink, name, 'connection.update').find((e) => e.data.state === 'close').data.statusReason, code);
        assert.equal(await state(name), 'close');
        assert.equal((await creds(created.instance.instanceId)) === undefined, wiped);
        assert.equal(fake.for(name).length, sockets, 'no reconnect');
      });
    }

    it('bad session (500): the first reconnects, a repeat wipes the login and stays closed', async () => {
      const name = uniqueName('d500');
      const created = await createWithWebhook(server, sink, name);
      const sock = await linkInstance(server, fake, sink, name);
      const sockets = fake.for(name).length;
      sock.closeWith(500);
      const second = await fake.waitFor(name, sockets + 1);
      await sink.waitFor(() => hooksOf(sink, name, 'connection.update').filter((e) => e.data.state === 'open').length === 2);
      second.closeWith(500);
      await sink.waitFor(() => hooksOf(sink, name, 'connection.update').some((e) => e.data.state === 'close'));
      assert.equal(await creds(created.instance.instanceId), undefined);
      assert.equal(fake.for(name).length, sockets + 1);
    });

    it('logout unlinks the device, wipes the login, closes, and emits LOGOUT_INSTANCE once', async () => {
      const name = uniqueName('logout');
      const created = await createWithWebhook(server, sink, name);
      const sock = await linkInstance(server, fake, sink, name);
      const result = await server.call('DELETE', `/instance/logout/${name}`);
      assert.equal(result.status, 200);
      assert.equal(sock.callsOf('logout').length, 1);
      assert.equal(await state(name), 'close');
      assert.equal(await creds(created.instance.instanceId), undefined);
      await sink.waitFor(() => hooksOf(sink, name, 'logout.instance').length === 1);
      assert.equal(hooksOf(sink, name, 'status.instance').length, 1);
      const again = await server.call('DELETE', `/instance/logout/${name}`);
      assert.equal(again.status, 400);
      // It can be linked again with a new QR.
      const connect = await server.call('GET', `/instance/connect/${name}`);
      assert.equal(connect.body.count, 1);
    });

    it('restart replaces the socket with one on the same login; never two live sockets', async () => {
      const name = uniqueName('restart');
      await createWithWebhook(server, sink, name);
      const sock = await linkInstance(server, fake, sink, name);
      const result = await server.call('POST', `/instance/restart/${name}`);
      assert.equal(result.status, 200);
      const all = fake.for(name);
      assert.equal(all.length, 3);
      assert.equal(sock.ended, true);
      assert.equal(all.filter((s) => !s.ended).length, 1);
      assert.equal(all[2]!.authState.creds.me?.id, OWNER.id);
      assert.equal(await state(name), 'open');
    });
  });

  describe(`WHATSAPP-BAILEYS watchdog (${kind.name})`, () => {
    it('an open socket that receives nothing and fails its keep-alive is restarted, with CONNECTION_UPDATE', async () => {
      const sink = await new WebhookSink().start();
      const fake = new FakeSocketFactory();
      actLikeWhatsApp(fake);
      const checks: (() => void)[] = [];
      const server = await startBaileysServer(kind, fake, {
        settings: { watchdogIdleMs: 20, repeat: (_ms, fn) => (checks.push(fn), () => undefined) },
      });
      try {
        const name = uniqueName('deaf');
        await createWithWebhook(server, sink, name);
        const sock = await linkInstance(server, fake, sink, name);
        const sockets = fake.for(name).length;
        sock.answer('query', async () => Promise.reject(new Error('Timed Out')));
        await new Promise((r) => setTimeout(r, 40)); // past the 20 ms idle window, with no frame received
        checks.at(-1)!();
        await fake.waitFor(name, sockets + 1);
        await sink.waitFor(() => hooksOf(sink, name, 'connection.update').filter((e) => e.data.state === 'open').length === 2, 10_000, 'open after restart');
        assert.equal(sock.ended, true);
        const updates = hooksOf(sink, name, 'connection.update').map((e) => `${e.data.state}:${e.data.statusReason}`);
        assert.ok(updates.includes('connecting:408'), updates.join(','));
        assert.equal(sock.callsOf('query').length, 1);
      } finally {
        await server.close();
        await sink.stop();
      }
    });
  });

  describe(`WHATSAPP-BAILEYS boot resume (${kind.name})`, () => {
    it('instances with a stored login reconnect at boot without a QR; unlinked ones stay closed', async () => {
      const sink = await new WebhookSink().start();
      const fake = new FakeSocketFactory();
      actLikeWhatsApp(fake);
      const first = await startBaileysServer(kind, fake);
      const linked = uniqueName('boot');
      const unlinked = uniqueName('idle');
      try {
        await createWithWebhook(first, sink, linked);
        await createWithWebhook(first, sink, unlinked);
        await linkInstance(first, fake, sink, linked);
        await first.stop();

        const afterFake = new FakeSocketFactory();
        actLikeWhatsApp(afterFake);
        const second = await startBaileysServer(kind, afterFake, { db: first.db, settings: { resumeConcurrency: 1 } });
        try {
          const sock = await afterFake.waitFor(linked, 1);
          assert.equal(sock.authState.creds.me?.id, OWNER.id, 'the login came back from the database');
          await sink.waitFor(() => hooksOf(sink, linked, 'connection.update').filter((e) => e.data.state === 'open').length === 2, 10_000, 'open after boot');
          const state = await second.call('GET', `/instance/connectionState/${linked}`);
          assert.equal(state.body.instance.state, 'open');
          assert.equal(afterFake.for(unlinked).length, 0, 'no socket without a login');
        } finally {
          await second.close();
        }
      } finally {
        await sink.stop();
      }
    });
  });
}
