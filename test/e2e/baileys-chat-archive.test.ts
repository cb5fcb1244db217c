// A chat's archived state (migration 008) over real HTTP with the real Baileys channel on a fake socket: stored by
// /chat/archiveChat and by WhatsApp's own `chats.update {archived}` syncs, with one CHATS_UPDATE per real change.
// Evolution's Chat rows have no such field, so findChats and findChatByRemoteJid keep their shape.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeSocketFactory, type FakeBaileysSocket } from '../fakes/fake-baileys-socket.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';
import { actLikeWhatsApp, createWithWebhook, hooksOf, linkInstance, startBaileysServer, uniqueName } from './baileys-helpers.js';

const PN = '5511988887777@s.whatsapp.net';

for (const kind of databaseKinds()) {
  describe(`WHATSAPP-BAILEYS chat archived state (${kind.name})`, () => {
    let server: TestServer;
    let sock: FakeBaileysSocket;
    let instanceId: string;
    const sink = new WebhookSink();
    const fake = new FakeSocketFactory();
    const name = uniqueName('arch');

    before(async () => {
      await sink.start();
      actLikeWhatsApp(fake);
      server = await startBaileysServer(kind, fake);
      instanceId = (await createWithWebhook(server, sink, name)).instance.instanceId;
      sock = await linkInstance(server, fake, sink, name);
      // A sent message gives the chat its row (and a place in findChats).
      const sent = await server.call('POST', `/message/sendText/${name}`, { body: { number: PN, text: 'hello' } });
      assert.equal(sent.status, 201, sent.text);
    });
    after(async () => {
      await server.close();
      await sink.stop();
    });

    const stored = async () => (await server.parley.store.chats.findByRemoteJid(instanceId, PN))?.archived;
    const chatUpdates = () => hooksOf(sink, name, 'chats.update').filter((e) => e.data.some((c: { remoteJid: string }) => c.remoteJid === PN));
    const archive = (value: boolean) => server.call('POST', `/chat/archiveChat/${name}`, { body: { archive: value, chat: PN } });

    it('a chat starts unarchived', async () => {
      assert.equal(await stored(), false);
    });

    it('archiveChat stores the state and announces it once; asking again changes nothing and announces nothing', async () => {
      const res = await archive(true);
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(sock.callsOf('chatModify').at(-1)?.[1], PN);
      assert.equal(await stored(), true);
      await sink.waitFor(() => chatUpdates().length === 1, 10_000, 'CHATS_UPDATE');

      assert.equal((await archive(true)).status, 201);
      assert.equal(sock.callsOf('chatModify').length, 2, 'WhatsApp is still asked');
      assert.equal(await stored(), true);
      // The unarchive below produces the next CHATS_UPDATE; had the repeat produced one, it would come first.
      assert.equal((await archive(false)).status, 201);
      assert.equal(await stored(), false);
      await sink.waitFor(() => chatUpdates().length >= 2, 10_000, 'CHATS_UPDATE of the unarchive');
      assert.equal(chatUpdates().length, 2);
    });

    it("WhatsApp's own chats.update {archived} (another device archived it) is stored", async () => {
      const before = chatUpdates().length;
      sock.ev.emit('chats.update', [{ id: PN, archived: true }]);
      await sink.waitFor(() => chatUpdates().length === before + 1, 10_000, 'CHATS_UPDATE from the sync');
      assert.equal(await stored(), true);
      sock.ev.emit('chats.update', [{ id: PN, archived: false }]);
      await sink.waitFor(() => chatUpdates().length === before + 2, 10_000, 'CHATS_UPDATE from the second sync');
      assert.equal(await stored(), false);
    });

    it('findChats and findChatByRemoteJid keep Evolution\'s shape (no archived field)', async () => {
      await archive(true);
      const chats = await server.call('POST', `/chat/findChats/${name}`, { body: { where: { remoteJid: PN } } });
      assert.equal(chats.status, 200, chats.text);
      assert.equal(chats.body.length, 1);
      assert.equal('archived' in chats.body[0], false);
      const one = await server.call('GET', `/chat/findChatByRemoteJid/${name}?remoteJid=${encodeURIComponent(PN)}`);
      assert.equal(one.status, 200, one.text);
      assert.equal(one.body.remoteJid, PN);
      assert.equal('archived' in one.body, false);
    });
  });
}
