// The EVOLUTION channel end to end: inbound by POST /webhook/evolution (answered after storing), outbound by the send
// routes (stored, SEND_MESSAGE), the find routes, and the capability 400 for what the channel cannot do.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';

for (const kind of databaseKinds()) {
  describe(`EVOLUTION channel [${kind.name}]`, () => {
    let server: TestServer;
    const sink = new WebhookSink();
    let instanceId = '';

    before(async () => {
      await sink.start();
      server = await startTestServer(kind);
      const created = await createInstance(server, {
        instanceName: 'evo',
        integration: 'EVOLUTION',
        number: '5511000000001',
        webhook: { url: sink.url, events: ['MESSAGES_UPSERT', 'SEND_MESSAGE', 'CONTACTS_UPSERT', 'CONTACTS_UPDATE', 'CHATS_UPSERT', 'CHATS_UPDATE'] },
      });
      instanceId = created.instance.instanceId;
      assert.equal(created.instance.status, 'open', 'EVOLUTION instances are open');
    });
    after(async () => {
      await server.close();
      await sink.stop();
    });

    const inbound = (id: string, text: string, from = '5511988887777@s.whatsapp.net', pushName = 'Ana') =>
      server.call('POST', '/webhook/evolution', {
        apikey: null,
        body: { numberId: '5511000000001', key: { id, remoteJid: from, fromMe: false }, pushName, message: { conversation: text }, messageType: 'conversation' },
      });

    it('stores an inbound message before answering, and emits MESSAGES_UPSERT, CHATS_UPSERT, CONTACTS_UPSERT', async () => {
      const res = await inbound('IN-1', 'hello');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { status: 'success' });
      // Stored before the 200: readable right away.
      const found = await server.call('POST', '/chat/findMessages/evo', { body: { where: { key: { id: 'IN-1' } } } });
      assert.equal(found.body.messages.total, 1);
      const record = found.body.messages.records[0];
      assert.deepEqual(record.key, { remoteJid: '5511988887777@s.whatsapp.net', fromMe: false, id: 'IN-1' });
      assert.equal(record.message.conversation, 'hello');
      assert.equal(record.status, 'DELIVERY_ACK');
      await sink.waitFor(() => ['messages.upsert', 'chats.upsert', 'contacts.upsert'].every((e) => sink.events(e).length === 1));
      const upsert = sink.events('messages.upsert')[0];
      assert.deepEqual(Object.keys(upsert.data).sort(), ['instanceId', 'key', 'message', 'messageTimestamp', 'messageType', 'pushName', 'source', 'status']);
      assert.equal(upsert.data.pushName, 'Ana');
      assert.equal(upsert.data.instanceId, instanceId);
      assert.deepEqual(sink.events('contacts.upsert')[0].data, { remoteJid: '5511988887777@s.whatsapp.net', pushName: 'Ana', profilePicUrl: null, instanceId });
      assert.deepEqual(sink.events('chats.upsert')[0].data, [{ remoteJid: '5511988887777@s.whatsapp.net', instanceId, name: 'Ana', unreadMessages: 1 }]);
    });

    it('deduplicates a redelivered message (same key id)', async () => {
      assert.equal((await inbound('IN-1', 'hello again')).status, 200);
      const found = await server.call('POST', '/chat/findMessages/evo', { body: { where: { key: { id: 'IN-1' } } } });
      assert.equal(found.body.messages.total, 1);
      assert.equal(found.body.messages.records[0].message.conversation, 'hello');
    });

    it('updates the contact and chat on the next message', async () => {
      const before = sink.received.length;
      await inbound('IN-2', 'second', '5511988887777@s.whatsapp.net', 'Ana Lima');
      await sink.waitFor(() => sink.events('contacts.update').length === 1 && sink.events('chats.update').length === 1);
      assert.equal(sink.events('contacts.update')[0].data.pushName, 'Ana Lima');
      assert.ok(sink.received.length > before);
      const chats = await server.call('POST', '/chat/findChats/evo', { body: {} });
      assert.equal(chats.body.length, 1);
      assert.equal(chats.body[0].remoteJid, '5511988887777@s.whatsapp.net');
      assert.equal(chats.body[0].unreadCount, 2);
      assert.equal(chats.body[0].lastMessage.message.conversation, 'second');
      assert.equal(chats.body[0].pushName, 'Ana Lima');
    });

    it('answers an unknown numberId with a clear 404, and a malformed body with 400', async () => {
      const res = await server.call('POST', '/webhook/evolution', { apikey: null, body: { numberId: '999', key: { remoteJid: 'x@s.whatsapp.net' }, message: { conversation: 'x' } } });
      assertEvolutionError(res, 404, 'No EVOLUTION instance has number "999"');
      assertEvolutionError(await server.call('POST', '/webhook/evolution', { apikey: null, body: { numberId: '5511000000001' } }), 400, 'instance requires property "key"');
    });

    it('sends text: 201 with the msg object, stored, SEND_MESSAGE emitted', async () => {
      const res = await server.call('POST', '/message/sendText/evo', { body: { number: '+55 (11) 98888-7777', text: 'hi there' } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.key.remoteJid, '5511988887777@s.whatsapp.net');
      assert.equal(res.body.key.fromMe, true);
      assert.match(res.body.key.id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(res.body.message, { conversation: 'hi there' });
      assert.equal(res.body.messageType, 'conversation');
      assert.equal(res.body.status, 'PENDING');
      await sink.waitFor(() => sink.events('send.message').length === 1);
      assert.equal(sink.events('send.message')[0].data.key.id, res.body.key.id);
      const found = await server.call('POST', '/chat/findMessages/evo', { body: { where: { key: { fromMe: true } } } });
      assert.equal(found.body.messages.total, 1);
    });

    it('sends media by URL and by base64; validates with Evolution’s texts', async () => {
      const byUrl = await server.call('POST', '/message/sendMedia/evo', { body: { number: '5511988887777', mediatype: 'image', media: 'https://example.com/a.jpg', caption: 'pic' } });
      assert.equal(byUrl.status, 201, byUrl.text);
      assert.equal(byUrl.body.messageType, 'imageMessage');
      assert.equal(byUrl.body.message.imageMessage.caption, 'pic');
      const b64 = Buffer.from('%PDF-1.4 fake').toString('base64');
      assertEvolutionError(await server.call('POST', '/message/sendMedia/evo', { body: { number: '5511988887777', mediatype: 'document', media: b64 } }), 400, 'For base64 the file name must be informed.');
      const doc = await server.call('POST', '/message/sendMedia/evo', { body: { number: '5511988887777', mediatype: 'document', media: b64, fileName: 'a.pdf' } });
      assert.equal(doc.status, 201, doc.text);
      const media = await server.call('POST', '/chat/getBase64FromMediaMessage/evo', { body: { message: { key: { id: doc.body.key.id } } } });
      assert.equal(media.status, 201, media.text);
      assert.equal(media.body.base64, b64);
      assert.equal(media.body.fileName, 'a.pdf');
      assertEvolutionError(await server.call('POST', '/message/sendText/evo', { body: { number: '5511988887777', text: '  ' } }), 400, 'Text is required');
    });

    it('accepts a multipart upload on sendMedia, naming the document after the file', async () => {
      const form = new FormData();
      form.set('number', '5511988887777');
      form.set('mediatype', 'document');
      form.set('file', new Blob([Buffer.from('hello file')], { type: 'text/plain' }), 'notes.txt');
      const response = await fetch(`${server.url}/message/sendMedia/evo`, { method: 'POST', headers: { apikey: 'test-global-key-0123456789abcdef' }, body: form });
      const body = (await response.json()) as any;
      assert.equal(response.status, 201, JSON.stringify(body));
      assert.equal(body.message.documentMessage.fileName, 'notes.txt');
    });

    it('answers what the channel cannot do with Evolution’s 400', async () => {
      assertEvolutionError(await server.call('POST', '/message/sendPoll/evo', { body: { number: '5511988887777', name: 'Q', selectableCount: 1, values: ['a', 'b'] } }), 400, 'Method not available on Evolution Channel');
      assertEvolutionError(await server.call('POST', '/message/sendLocation/evo', { body: { number: '5511988887777', latitude: 1, longitude: 2, name: 'n', address: 'a' } }), 400, 'Method not available on Evolution Channel');
      assertEvolutionError(await server.call('POST', '/chat/whatsappNumbers/evo', { body: { numbers: ['5511988887777'] } }), 400, 'Method not available on Evolution Channel');
      assertEvolutionError(await server.call('POST', '/chat/markMessageAsRead/evo', { body: { readMessages: [{ id: 'IN-1', fromMe: false, remoteJid: '5511988887777@s.whatsapp.net' }] } }), 400, 'Method not available on Evolution Channel');
      assertEvolutionError(await server.call('GET', '/template/find/evo'), 400, 'Method not available on Evolution Channel');
    });

    it('finds contacts, the chat by remoteJid, and counts in fetchInstances', async () => {
      const contacts = await server.call('POST', '/chat/findContacts/evo', { body: {} });
      assert.equal(contacts.body.length, 1);
      assert.equal(contacts.body[0].pushName, 'Ana Lima');
      assert.equal(contacts.body[0].type, 'contact');
      const chat = await server.call('GET', '/chat/findChatByRemoteJid/evo?remoteJid=5511988887777@s.whatsapp.net');
      assert.equal(chat.body.remoteJid, '5511988887777@s.whatsapp.net');
      const missing = await server.call('GET', '/chat/findChatByRemoteJid/evo');
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body, { error: 'remoteJid is a required query parameter' });
      const none = await server.call('GET', '/chat/findChatByRemoteJid/evo?remoteJid=nobody@s.whatsapp.net');
      assert.equal(none.text, 'null');
      const row = (await server.call('GET', '/instance/fetchInstances?instanceName=evo')).body[0];
      assert.deepEqual(row._count, { Message: 6, Contact: 1, Chat: 1 });
    });

    it('paginates findMessages newest first', async () => {
      const page1 = await server.call('POST', '/chat/findMessages/evo', { body: { page: 1, offset: 2 } });
      assert.equal(page1.body.messages.total, 6);
      assert.equal(page1.body.messages.pages, 3);
      assert.equal(page1.body.messages.currentPage, 1);
      assert.equal(page1.body.messages.records.length, 2);
      const page3 = await server.call('POST', '/chat/findMessages/evo', { body: { page: 3, offset: 2 } });
      assert.equal(page3.body.messages.records.at(-1).key.id, 'IN-1', 'the oldest last');
    });
  });
}
