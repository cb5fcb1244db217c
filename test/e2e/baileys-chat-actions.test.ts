// WhatsApp-Web-only chat, profile, privacy, label and call routes end to end: real HTTP → core → the real Baileys
// channel → a fake socket recording what Baileys is asked. Plus the same routes on an EVOLUTION instance (its 400).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { startBaileysServer, type BaileysTestServer } from '../helpers/baileys-server.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance } from '../helpers/server.js';
import type { FakeBaileysSocket } from '../fakes/fake-baileys-socket.js';

const PN = '14155550100@s.whatsapp.net';
const EVOLUTION_400 = 'Method not available on Evolution Channel';

for (const kind of databaseKinds()) {
  describe(`Baileys chat actions (${kind.name})`, () => {
    let t: BaileysTestServer;
    let socket: FakeBaileysSocket;
    const call = (method: string, path: string, body?: unknown) => t.server.call(method, `${path}/wa`, body === undefined ? {} : { body });

    before(async () => {
      t = await startBaileysServer(kind);
      socket = await t.openInstance('wa');
      await createInstance(t.server, { instanceName: 'evo', integration: 'EVOLUTION', number: '5511000000001' });
    });
    after(async () => t.server.close());

    it('whatsappNumbers: exists/jid/number per number; LIDs as given; the BR 9th digit tried both ways', async () => {
      socket.answer('onWhatsApp', async (...jids) => jids.filter((j) => j === PN || j === '553187654321@s.whatsapp.net').map((jid) => ({ jid, exists: true })));
      const res = await call('POST', '/chat/whatsappNumbers', { numbers: ['+1 (415) 555-0100', '5531987654321', '442071838750', '123456789012345@lid'] });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, [
        { exists: true, jid: PN, number: '+1 (415) 555-0100' },
        { exists: true, jid: '553187654321@s.whatsapp.net', number: '5531987654321' },
        { exists: false, jid: '442071838750@s.whatsapp.net', number: '442071838750' },
        { exists: true, jid: '123456789012345@lid', number: '123456789012345@lid', lid: '123456789012345@lid' },
      ]);
      assert.deepEqual(socket.callsOf('onWhatsApp').at(-1), [PN, '5531987654321@s.whatsapp.net', '553187654321@s.whatsapp.net', '442071838750@s.whatsapp.net']);
    });

    it('whatsappNumbers: a second lookup is served from the cache, without asking WhatsApp', async () => {
      const before = socket.callsOf('onWhatsApp').length;
      const res = await call('POST', '/chat/whatsappNumbers', { numbers: ['14155550100', '442071838750'] });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.map((r: { exists: boolean }) => r.exists), [true, false]);
      assert.equal(socket.callsOf('onWhatsApp').length, before);
    });

    it('whatsappNumbers: bulk lookups are split into batches and spaced out', async () => {
      socket.answer('onWhatsApp', async () => []);
      const numbers = Array.from({ length: 60 }, (_, i) => `4420700${String(i).padStart(5, '0')}`);
      const before = socket.callsOf('onWhatsApp').length;
      t.sleeps.length = 0;
      const res = await call('POST', '/chat/whatsappNumbers', { numbers });
      assert.equal(res.status, 200);
      assert.deepEqual(socket.callsOf('onWhatsApp').slice(before).map((c) => c.length), [50, 10]);
      assert.ok(t.sleeps.some((ms) => ms > 0 && ms <= 1_000), `the second query waited for its slot: ${t.sleeps.join(',')}`);
    });

    it('whatsappNumbers: validation', async () => {
      assertEvolutionError(await call('POST', '/chat/whatsappNumbers', {}), 400, 'instance requires property "numbers"');
      assertEvolutionError(await call('POST', '/chat/whatsappNumbers', { numbers: [] }), 400);
      assertEvolutionError(await call('POST', '/chat/whatsappNumbers', { numbers: ['1', '1'] }), 400);
    });

    it('archiveChat / markChatUnread: by last message or by chat, with Evolution answers', async () => {
      const key = { id: '3EB0LAST', remoteJid: '14155550100', fromMe: false };
      const archived = await call('POST', '/chat/archiveChat', { archive: true, lastMessage: { key, messageTimestamp: 1717171717 } });
      assert.equal(archived.status, 201, archived.text);
      assert.deepEqual(archived.body, { chatId: PN, archived: true });
      assert.deepEqual(socket.callsOf('chatModify').at(-1), [{ archive: true, lastMessages: [{ key: { ...key, remoteJid: PN }, messageTimestamp: 1717171717 }] }, PN]);

      const byChat = await call('POST', '/chat/archiveChat', { archive: false, chat: '123456789012345@lid' });
      assert.deepEqual(byChat.body, { chatId: '123456789012345@lid', archived: true });
      assert.deepEqual(socket.callsOf('chatModify').at(-1), [{ archive: false, lastMessages: [] }, '123456789012345@lid']);

      const unread = await call('POST', '/chat/markChatUnread', { lastMessage: { key } });
      assert.equal(unread.status, 201);
      assert.deepEqual(unread.body, { chatId: PN, markedChatUnread: true });
      assert.deepEqual(socket.callsOf('chatModify').at(-1), [{ markRead: false, lastMessages: [{ key: { ...key, remoteJid: PN } }] }, PN]);

      assertEvolutionError(await call('POST', '/chat/archiveChat', { archive: true }), 400, 'Inform "lastMessage"');
      assertEvolutionError(await call('POST', '/chat/archiveChat', { chat: PN }), 400, 'instance requires property "archive"');
      assertEvolutionError(await call('POST', '/chat/markChatUnread', {}), 400, 'Inform "lastMessage"');
    });

    it('deleteMessageForEveryone answers 201 with the revoke message; updateMessage 200 with the edit', async () => {
      const revoked = await call('DELETE', '/chat/deleteMessageForEveryone', { id: '3EB0MINE', remoteJid: PN, fromMe: true });
      assert.equal(revoked.status, 201, revoked.text);
      assert.equal(revoked.body.key.remoteJid, PN);
      assert.equal(revoked.body.message.protocolMessage.type, 'REVOKE');
      assert.equal(revoked.body.message.protocolMessage.key.id, '3EB0MINE');
      assert.equal(revoked.body.status, 'PENDING');

      const edited = await call('POST', '/chat/updateMessage', { number: '14155550100', key: { id: '3EB0MINE2', remoteJid: PN, fromMe: true }, text: 'corrected' });
      assert.equal(edited.status, 200, edited.text);
      assert.equal(edited.body.message.protocolMessage.type, 'MESSAGE_EDIT');
      assert.deepEqual(socket.callsOf('sendMessage').at(-1)?.slice(0, 2), [PN, { text: 'corrected', edit: { remoteJid: PN, fromMe: true, id: '3EB0MINE2' } }]);

      assertEvolutionError(await call('DELETE', '/chat/deleteMessageForEveryone', { id: 'x', remoteJid: PN }), 400, 'instance requires property "fromMe"');
      assertEvolutionError(await call('POST', '/chat/updateMessage', { key: { id: 'x', remoteJid: PN, fromMe: true } }), 400, 'instance requires property "text"');
    });

    it('updateMessage refuses a stored message that is neither text nor image/video', async () => {
      const sent = await call('POST', '/message/sendLocation', { number: '14155550100', latitude: 1, longitude: 2, name: 'here', address: 'there' });
      assert.equal(sent.status, 201, sent.text);
      const res = await call('POST', '/chat/updateMessage', { key: sent.body.key, text: 'nope' });
      assertEvolutionError(res, 400, 'Message not compatible');
    });

    it('sendPresence holds the presence for the delay, then pauses', async () => {
      t.sleeps.length = 0;
      const res = await call('POST', '/chat/sendPresence', { number: '14155550100', presence: 'composing', delay: 1200 });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, { presence: 'composing' });
      assert.deepEqual(socket.callsOf('sendPresenceUpdate').slice(-2), [['composing', PN], ['paused', PN]]);
      assert.ok(t.sleeps.includes(1200));
      assertEvolutionError(await call('POST', '/chat/sendPresence', { number: PN, presence: 'typing', delay: 1 }), 400, 'presence is not one of enum values');
      assertEvolutionError(await call('POST', '/chat/sendPresence', { number: PN, presence: 'paused' }), 400, 'instance requires property "delay"');
    });

    it('updateBlockStatus blocks and unblocks, a LID as given', async () => {
      const res = await call('POST', '/chat/updateBlockStatus', { number: '123456789012345@lid', status: 'block' });
      assert.equal(res.status, 201);
      assert.deepEqual(res.body, { block: 'success' });
      await call('POST', '/chat/updateBlockStatus', { number: '14155550100', status: 'unblock' });
      assert.deepEqual(socket.callsOf('updateBlockStatus').slice(-2), [['123456789012345@lid', 'block'], [PN, 'unblock']]);
      assertEvolutionError(await call('POST', '/chat/updateBlockStatus', { number: PN, status: 'mute' }), 400, 'status is not one of enum values: block,unblock');
    });

    it('profile: picture URL, profile (own and other), business profile', async () => {
      const pic = await call('POST', '/chat/fetchProfilePictureUrl', { number: '14155550100' });
      assert.deepEqual(pic.body, { wuid: PN, profilePictureUrl: `https://pps.fake.whatsapp.net/${encodeURIComponent(PN)}.jpg` });

      socket.answer('onWhatsApp', async (...jids) => jids.filter((j) => j === PN).map((jid) => ({ jid, exists: true })));
      socket.answer('getBusinessProfile', async (jid) => (jid === PN ? { description: 'Shop', email: 'a@b.c', website: ['https://shop.example'], category: 'Retail', address: 'Main St', business_hours: {}, wid: PN } : undefined));
      const other = await call('POST', '/chat/fetchProfile', { number: '14155550100' });
      assert.equal(other.status, 200, other.text);
      assert.deepEqual(other.body, {
        wuid: PN, name: null, numberExists: true, picture: `https://pps.fake.whatsapp.net/${encodeURIComponent(PN)}.jpg`,
        status: 'Hey there! I am using WhatsApp.', isBusiness: true, email: 'a@b.c', description: 'Shop', website: ['https://shop.example'],
      });
      const own = await call('POST', '/chat/fetchProfile', {});
      assert.equal(own.body.wuid, '5511999999999@s.whatsapp.net');
      assert.equal(own.body.name, 'Fake Phone');
      assert.equal(own.body.isBusiness, false);

      const missing = await call('POST', '/chat/fetchProfile', { number: '442071830000' });
      assertEvolutionError(missing, 400);
      assert.deepEqual(missing.body.response.message, [{ exists: false, jid: '442071830000@s.whatsapp.net', number: '442071830000' }]);

      const business = await call('POST', '/chat/fetchBusinessProfile', { number: PN });
      assert.deepEqual(business.body, { isBusiness: true, wid: PN, description: 'Shop', email: 'a@b.c', website: ['https://shop.example'], category: 'Retail', address: 'Main St', business_hours: {} });
      const notBusiness = await call('POST', '/chat/fetchBusinessProfile', { number: '442071830000' });
      assert.deepEqual(notBusiness.body, { isBusiness: false, message: 'Not is business profile', jid: '442071830000@s.whatsapp.net', exists: false, number: '442071830000', name: null });
      assertEvolutionError(await call('POST', '/chat/fetchProfilePictureUrl', {}), 400, 'instance requires property "number"');
    });

    // Pictures by URL (fetched by Parley under the outbound policy): test/e2e/baileys-media.test.ts.
    it('profile updates: name, status, picture (base64), remove', async () => {
      for (const [path, body] of [
        ['/chat/updateProfileName', { name: 'Shop' }],
        ['/chat/updateProfileStatus', { status: 'Open 9-5' }],
        ['/chat/updateProfilePicture', { picture: Buffer.from('jpeg bytes').toString('base64') }],
      ] as const) {
        const res = await call('POST', path, body);
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        assert.deepEqual(res.body, { update: 'success' });
      }
      const removed = await call('DELETE', '/chat/removeProfilePicture');
      assert.deepEqual(removed.body, { update: 'success' });
      const own = '5511999999999@s.whatsapp.net';
      assert.deepEqual(socket.callsOf('updateProfileName').at(-1), ['Shop']);
      assert.deepEqual(socket.callsOf('updateProfileStatus').at(-1), ['Open 9-5']);
      assert.deepEqual(socket.callsOf('updateProfilePicture').slice(-2), [[own, Buffer.from('jpeg bytes'), undefined]]);
      assert.deepEqual(socket.callsOf('removeProfilePicture').at(-1), [own]);
      assertEvolutionError(await call('POST', '/chat/updateProfilePicture', { picture: 'not media!' }), 400, 'Owned media must be a url or base64');
      assertEvolutionError(await call('POST', '/chat/updateProfileName', { name: '' }), 400, 'The "name" cannot be empty');
    });

    it('privacy: fetch shows the six settings; update sets all of them', async () => {
      const fetched = await t.server.call('GET', '/chat/fetchPrivacySettings/wa');
      assert.deepEqual(fetched.body, { readreceipts: 'all', profile: 'all', status: 'contacts', online: 'all', last: 'contacts', groupadd: 'all' });
      const settings = { readreceipts: 'none', profile: 'contacts', status: 'none', online: 'match_last_seen', last: 'contact_blacklist', groupadd: 'contacts' };
      const updated = await call('POST', '/chat/updatePrivacySettings', settings);
      assert.equal(updated.status, 201);
      assert.deepEqual(updated.body, { update: 'success', data: settings });
      assert.deepEqual(socket.callsOf('updateOnlinePrivacy').at(-1), ['match_last_seen']);
      assert.deepEqual(socket.callsOf('updateLastSeenPrivacy').at(-1), ['contact_blacklist']);
      assertEvolutionError(await call('POST', '/chat/updatePrivacySettings', { ...settings, online: 'contacts' }), 400, 'online is not one of enum values: all,match_last_seen');
      const { groupadd: _omitted, ...partial } = settings;
      assertEvolutionError(await call('POST', '/chat/updatePrivacySettings', partial), 400, 'instance requires property "groupadd"');
    });

    it('labels: findLabels from storage; handleLabel tags the chat through WhatsApp and in storage', async () => {
      const instance = (await t.server.parley.store.instances.findByName('wa'))!;
      await t.server.parley.store.labels.upsert(instance.id, { labelId: '5', name: 'VIP', color: 3, predefinedId: null }, new Date());
      const labels = await t.server.call('GET', '/label/findLabels/wa');
      assert.equal(labels.status, 200);
      assert.deepEqual(labels.body, [{ color: '3', name: 'VIP', id: '5', predefinedId: null }]);

      const added = await call('POST', '/label/handleLabel', { number: '14155550100', labelId: '5', action: 'add' });
      assert.deepEqual(added.body, { numberJid: PN, labelId: '5', add: true });
      assert.deepEqual(await t.server.parley.store.labels.labelsOfChat(instance.id, PN), ['5']);
      const removed = await call('POST', '/label/handleLabel', { number: PN, labelId: '5', action: 'remove' });
      assert.deepEqual(removed.body, { numberJid: PN, labelId: '5', remove: true });
      assert.deepEqual(await t.server.parley.store.labels.labelsOfChat(instance.id, PN), []);
      assert.deepEqual(socket.callsOf('addChatLabel'), [[PN, '5']]);
      assert.deepEqual(socket.callsOf('removeChatLabel'), [[PN, '5']]);
      assertEvolutionError(await call('POST', '/label/handleLabel', { number: PN, labelId: '5', action: 'toggle' }), 400, 'action is not one of enum values: add,remove');
    });

    it('call/offer: a clear 400 (WhatsApp Web cannot place calls), after validating the body', async () => {
      assertEvolutionError(await call('POST', '/call/offer', { number: PN, callDuration: 5 }), 400, 'Placing calls is not supported');
      assertEvolutionError(await call('POST', '/call/offer', { number: PN, callDuration: 99 }), 400, 'callDuration must be at most 15');
    });

    it('an EVOLUTION instance answers its "not available" 400 on every WhatsApp-Web-only route', async () => {
      const routes: [string, string, unknown?][] = [
        ['POST', '/chat/whatsappNumbers', { numbers: ['14155550100'] }],
        ['POST', '/chat/archiveChat', { archive: true, chat: PN }],
        ['POST', '/chat/markChatUnread', { chat: PN }],
        ['DELETE', '/chat/deleteMessageForEveryone', { id: 'x', remoteJid: PN, fromMe: true }],
        ['POST', '/chat/updateMessage', { key: { id: 'x', remoteJid: PN, fromMe: true }, text: 't' }],
        ['POST', '/chat/sendPresence', { number: PN, presence: 'composing', delay: 0 }],
        ['POST', '/chat/updateBlockStatus', { number: PN, status: 'block' }],
        ['POST', '/chat/fetchProfilePictureUrl', { number: PN }],
        ['POST', '/chat/fetchProfile', { number: PN }],
        ['POST', '/chat/fetchBusinessProfile', { number: PN }],
        ['POST', '/chat/updateProfileName', { name: 'x' }],
        ['POST', '/chat/updateProfileStatus', { status: 'x' }],
        ['POST', '/chat/updateProfilePicture', { picture: 'https://cdn.example/p.jpg' }],
        ['DELETE', '/chat/removeProfilePicture'],
        ['GET', '/chat/fetchPrivacySettings'],
        ['POST', '/chat/updatePrivacySettings', { readreceipts: 'all', profile: 'all', status: 'all', online: 'all', last: 'all', groupadd: 'all' }],
        ['GET', '/label/findLabels'],
        ['POST', '/label/handleLabel', { number: PN, labelId: '1', action: 'add' }],
      ];
      for (const [method, path, body] of routes) {
        assertEvolutionError(await t.server.call(method, `${path}/evo`, body === undefined ? {} : { body }), 400, EVOLUTION_400);
      }
    });
  });
}
