// WhatsApp Web inbound end to end: Baileys' typed events emitted by the fake socket → `bindInbound` → the real app's
// core (inbound pipeline, channel reports, outbox) → a webhook sink over real HTTP, and back out through the find
// routes. The channel's own factory (socket lifecycle) is not part of this test: a minimal factory here opens a
// fake socket and binds the inbound side to it, the way the channel does.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { aesEncryptGCM, hmacSign, initAuthCreds, proto, type BaileysEventMap, type SignalKeyStore, type WAMessage } from 'baileys';
import Long from 'long';
import { pino } from 'pino';
import { bindInbound } from '../../src/channels/baileys/inbound/index.js';
import { HISTORY_BATCH } from '../../src/core/channel-reports.js';
import { DEFAULT_SETTINGS, type Instance } from '../../src/domain/instance.js';
import type { ChannelEvents, ChannelFactory } from '../../src/ports/channel.js';
import { FakeBaileysSocket } from '../fakes/fake-baileys-socket.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';

const ME = '5511999999999:12@s.whatsapp.net';
const PN = '5511988887777@s.whatsapp.net';
const LID = '123456789012345@lid';
const GROUP = '120363000000000001@g.us';
const ALL_EVENTS = [
  'MESSAGES_SET', 'MESSAGES_UPSERT', 'MESSAGES_EDITED', 'MESSAGES_UPDATE', 'MESSAGES_DELETE', 'CONTACTS_SET', 'CONTACTS_UPSERT', 'CONTACTS_UPDATE',
  'PRESENCE_UPDATE', 'CHATS_SET', 'CHATS_UPSERT', 'CHATS_UPDATE', 'CHATS_DELETE', 'GROUPS_UPSERT', 'GROUP_UPDATE', 'GROUP_PARTICIPANTS_UPDATE',
  'LABELS_EDIT', 'LABELS_ASSOCIATION', 'CALL',
];

const memoryKeys: SignalKeyStore = { get: async () => ({}), set: async () => {} };

/** Opens a fake Baileys socket per instance and binds the inbound side to it through the host's ChannelEvents. */
class InboundOnlyChannel implements ChannelFactory {
  readonly integration = 'WHATSAPP-BAILEYS' as const;
  readonly capabilities = new Set(['text'] as const);
  readonly unsupportedMessage = 'Method not available';
  readonly sockets = new Map<string, FakeBaileysSocket>();
  server: TestServer | undefined;

  open(instance: Instance, events: ChannelEvents) {
    const socket = new FakeBaileysSocket({ auth: { creds: { ...initAuthCreds(), me: { id: ME, name: 'Me' } }, keys: memoryKeys } });
    this.sockets.set(instance.name, socket);
    const unbind = bindInbound(socket.ev, {
      instance,
      events,
      socket: () => socket,
      settings: async () => (await this.server!.parley.store.settings.find(instance.id)) ?? DEFAULT_SETTINGS,
      logger: pino({ level: 'silent' }),
    });
    return {
      connect: async () => {
        await events.connectionChanged({ connectionStatus: 'open', ownerJid: '5511999999999@s.whatsapp.net' });
        return { state: 'open' as const };
      },
      restart: async () => ({ state: 'open' as const }),
      logout: async () => {},
      close: async () => unbind(),
      setPresence: async () => {},
      send: async () => {
        throw new Error('not used');
      },
    };
  }
}

let sequence = 0;
const nextId = () => `3EB0${String(++sequence).padStart(18, '0')}`;

function waMessage(fields: Partial<WAMessage> & { content?: proto.IMessage }): WAMessage {
  const { content, ...rest } = fields;
  return {
    key: { remoteJid: PN, fromMe: false, id: nextId() },
    messageTimestamp: Long.fromNumber(1717171717, true),
    pushName: 'Ana',
    ...rest,
    ...(content ? { message: proto.Message.decode(proto.Message.encode(content).finish()) } : {}),
  } as WAMessage;
}

for (const kind of databaseKinds()) {
  describe(`Baileys inbound end to end (${kind.name})`, () => {
    const channel = new InboundOnlyChannel();
    const sink = new WebhookSink();
    let server: TestServer;
    let name: string;
    let socket: FakeBaileysSocket;

    const emit = <K extends keyof BaileysEventMap>(event: K, data: BaileysEventMap[K]) => socket.ev.emit(event, data);
    const wait = (event: string, predicate: (data: any) => boolean = () => true, count = 1) =>
      sink.waitFor(() => sink.events(event).filter((e) => predicate(e.data)).length >= count, 10_000, event);
    const settings = (values: Partial<typeof DEFAULT_SETTINGS>) => server.call('POST', `/settings/set/${name}`, { body: { ...DEFAULT_SETTINGS, ...values } });

    before(async () => {
      await sink.start();
      server = await startTestServer(kind, { channels: [channel] });
      channel.server = server;
      name = `inbound-${kind.name}-${Date.now()}`;
      await createInstance(server, { instanceName: name, webhook: { url: sink.url, events: ALL_EVENTS } });
      const connected = await server.call('GET', `/instance/connect/${name}`);
      assert.equal(connected.status, 200, connected.text);
      socket = channel.sockets.get(name)!;
    });

    after(async () => {
      await server.close();
      await sink.stop();
    });

    it('a live message from a LID chat: MESSAGES_UPSERT with both forms, the identity learned, found by either form, read when readMessages', async () => {
      assert.equal((await settings({ readMessages: true })).status, 201);
      const message = waMessage({ key: { remoteJid: LID, remoteJidAlt: PN, addressingMode: 'lid', fromMe: false, id: nextId() }, content: { extendedTextMessage: { text: 'oi' } } });
      emit('messages.upsert', { type: 'notify', messages: [message] });
      await wait('messages.upsert', (d) => d.key.id === message.key.id);
      const data = sink.events('messages.upsert').find((e) => e.data.key.id === message.key.id)!.data;
      assert.deepEqual(data.key, { remoteJid: LID, remoteJidAlt: PN, addressingMode: 'lid', fromMe: false, id: message.key.id });
      assert.deepEqual(data.message, { conversation: 'oi' });
      assert.equal(data.messageType, 'conversation');
      assert.equal(data.messageTimestamp, 1717171717);
      assert.equal(data.status, 'DELIVERY_ACK');
      for (const jid of [LID, PN]) {
        const found = await server.call('POST', `/chat/findMessages/${name}`, { body: { where: { key: { remoteJid: jid } } } });
        assert.equal(found.status, 200);
        assert.deepEqual(found.body.messages.records.map((r: any) => r.key.id), [message.key.id], `findMessages by ${jid}`);
        const chats = await server.call('POST', `/chat/findChats/${name}`, { body: { where: { remoteJid: jid } } });
        assert.deepEqual(chats.body.map((c: any) => c.remoteJid), [LID], `findChats by ${jid}`);
      }
      assert.deepEqual(socket.callsOf('readMessages'), [[[message.key]]]);
      // `append` (the offline backlog) is real traffic too, but is not marked read.
      const backlog = waMessage({ content: { conversation: 'sent while offline' } });
      emit('messages.upsert', { type: 'append', messages: [backlog] });
      await wait('messages.upsert', (d) => d.key.id === backlog.key.id);
      assert.equal(socket.callsOf('readMessages').length, 1);
      await settings({});
    });

    it('acks, receipts, edits and revokes of a stored message', async () => {
      const sent = waMessage({ key: { remoteJid: PN, fromMe: true, id: nextId() }, content: { conversation: 'typo' }, status: proto.WebMessageInfo.Status.SERVER_ACK });
      emit('messages.upsert', { type: 'append', messages: [sent] });
      await wait('messages.upsert', (d) => d.key.id === sent.key.id);
      emit('messages.update', [{ key: sent.key, update: { status: proto.WebMessageInfo.Status.DELIVERY_ACK } }]);
      await wait('messages.update', (d) => d.keyId === sent.key.id && d.status === 'DELIVERY_ACK');
      emit('message-receipt.update', [{ key: sent.key, receipt: { userJid: PN, readTimestamp: Long.fromNumber(1717171800) } }]);
      await wait('messages.update', (d) => d.keyId === sent.key.id && d.status === 'READ');
      emit('messages.update', [{ key: sent.key, update: { message: { editedMessage: { message: { conversation: 'fixed' } } }, messageTimestamp: 1717171900 } }]);
      await wait('messages.edited');
      const edited = sink.events('messages.edited')[0].data;
      assert.deepEqual(edited, { key: { remoteJid: PN, fromMe: true, id: sent.key.id }, type: 14, editedMessage: { conversation: 'fixed' }, timestampMs: 1717171900000 });
      await wait('messages.update', (d) => d.keyId === sent.key.id && d.status === 'EDITED');
      const stored = await server.call('POST', `/chat/findMessages/${name}`, { body: { where: { key: { id: sent.key.id } } } });
      assert.deepEqual(stored.body.messages.records[0].message, { conversation: 'fixed' });
      emit('messages.update', [{ key: sent.key, update: { message: null, messageStubType: proto.WebMessageInfo.StubType.REVOKE } }]);
      await wait('messages.delete', (d) => d.id === sent.key.id);
      const after = await server.call('POST', `/chat/findMessages/${name}`, { body: { where: { key: { id: sent.key.id } } } });
      assert.equal(after.body.messages.records[0].status, 'DELETED');
    });

    it('poll votes: decrypted with the stored poll secret, aggregated into MESSAGES_UPDATE', async () => {
      const secret = randomBytes(32);
      const poll = waMessage({
        key: { remoteJid: PN, fromMe: true, id: nextId() },
        content: { pollCreationMessageV3: { name: 'Lunch?', options: [{ optionName: 'Pizza' }, { optionName: 'Sushi' }], selectableOptionsCount: 1 }, messageContextInfo: { messageSecret: secret } },
      });
      emit('messages.upsert', { type: 'append', messages: [poll] });
      await wait('messages.upsert', (d) => d.key.id === poll.key.id);
      // The phone's side of WhatsApp's scheme: a key from the poll secret, ids and JIDs; AES-GCM with id + voter as AAD.
      const vote = (option: string) => {
        const plain = proto.Message.PollVoteMessage.encode({ selectedOptions: [createHash('sha256').update(option).digest()] }).finish();
        const sign = Buffer.concat([Buffer.from(poll.key.id!), Buffer.from('5511999999999@s.whatsapp.net'), Buffer.from(PN), Buffer.from('Poll Vote'), new Uint8Array([1])]);
        const key = hmacSign(sign, hmacSign(secret, new Uint8Array(32), 'sha256'), 'sha256');
        const iv = randomBytes(12);
        return waMessage({ content: { pollUpdateMessage: { pollCreationMessageKey: poll.key, vote: { encPayload: aesEncryptGCM(plain, key, iv, Buffer.from(`${poll.key.id}\u0000${PN}`)), encIv: iv }, senderTimestampMs: Long.fromNumber(1717171800000) } } });
      };
      emit('messages.upsert', { type: 'notify', messages: [vote('Sushi')] });
      await wait('messages.update', (d) => d.keyId === poll.key.id && d.pollUpdates !== undefined);
      emit('messages.upsert', { type: 'notify', messages: [vote('Pizza')] });
      await wait('messages.update', (d) => d.keyId === poll.key.id && d.pollUpdates !== undefined, 2);
      const updates = sink.events('messages.update').filter((e) => e.data.keyId === poll.key.id).map((e) => e.data.pollUpdates);
      assert.deepEqual(updates, [
        [{ name: 'Pizza', voters: [] }, { name: 'Sushi', voters: [PN] }],
        [{ name: 'Pizza', voters: [PN] }, { name: 'Sushi', voters: [] }],
      ]);
      // The votes are not chat messages.
      assert.equal(sink.events('messages.upsert').filter((e) => e.data.messageType === 'pollUpdateMessage').length, 0);
    });

    it('a message that fails to decrypt is announced (ciphertext) and counted, and its re-sent copy is still stored', async () => {
      const id = nextId();
      emit('messages.upsert', { type: 'notify', messages: [waMessage({ key: { remoteJid: PN, fromMe: false, id }, messageStubType: proto.WebMessageInfo.StubType.CIPHERTEXT, messageStubParameters: ['No session record'] })] });
      await wait('messages.upsert', (d) => d.key.id === id);
      const data = sink.events('messages.upsert').find((e) => e.data.key.id === id)!.data;
      assert.equal(data.messageType, 'ciphertext');
      assert.equal(data.messageStubType, 2);
      assert.deepEqual(data.messageStubParameters, ['No session record']);
      const metrics = await server.call('GET', '/metrics');
      assert.match(metrics.text, new RegExp(`parley_whatsapp_decrypt_failures_total\\{instance="${name}"\\} 1`));
      emit('messages.upsert', { type: 'notify', messages: [waMessage({ key: { remoteJid: PN, fromMe: false, id }, content: { conversation: 'decrypted on retry' } })] });
      await wait('messages.upsert', (d) => d.key.id === id && d.messageType === 'conversation');
    });

    it('history sync: ignored unless syncFullHistory; then stored in batches with progress', async () => {
      const chat = '5511977776666@s.whatsapp.net';
      const messages = Array.from({ length: HISTORY_BATCH * 2 + 7 }, (_, i) => waMessage({ key: { remoteJid: chat, fromMe: i % 2 === 0, id: nextId() }, messageTimestamp: 1700000000 + i, content: { conversation: `old ${i}` } }));
      const history: BaileysEventMap['messaging-history.set'] = {
        chats: [{ id: chat, name: 'Old friend', unreadCount: 2, conversationTimestamp: Long.fromNumber(1700000999, true) }],
        contacts: [{ id: chat, notify: 'Old friend', lid: '555000111222333@lid' }],
        messages,
        lidPnMappings: [{ lid: '777000111222333@lid', pn: '5511955554444@s.whatsapp.net' }],
        isLatest: true,
        progress: 100,
      };
      emit('messaging-history.set', history);
      // The identity is learned either way; the conversation data only with syncFullHistory.
      const marker = waMessage({ content: { conversation: 'after ignored history' } });
      emit('messages.upsert', { type: 'notify', messages: [marker] });
      await wait('messages.upsert', (d) => d.key.id === marker.key.id);
      assert.equal(sink.events('messages.set').length, 0);
      const none = await server.call('POST', `/chat/findMessages/${name}`, { body: { where: { key: { remoteJid: chat } } } });
      assert.equal(none.body.messages.total, 0);

      await settings({ syncFullHistory: true });
      emit('messaging-history.set', history);
      await wait('messages.set', () => true, 3);
      const sets = sink.events('messages.set').map((e) => e.data);
      assert.deepEqual(sets.map((s) => s.length), [HISTORY_BATCH, HISTORY_BATCH, 7]);
      assert.equal(sets[0][0].message.conversation, 'old 0');
      await wait('chats.set');
      assert.deepEqual(sink.events('chats.set')[0].data, [{ remoteJid: chat, instanceId: sets[0][0].instanceId, name: 'Old friend' }]);
      await wait('contacts.set');
      assert.deepEqual(sink.events('contacts.set')[0].data, [{ remoteJid: chat, pushName: 'Old friend', profilePicUrl: null, instanceId: sets[0][0].instanceId, remoteJidAlt: '555000111222333@lid' }]);
      const stored = await server.call('POST', `/chat/findMessages/${name}`, { body: { where: { key: { remoteJid: '555000111222333@lid' } }, offset: 1 } });
      assert.equal(stored.body.messages.total, HISTORY_BATCH * 2 + 7, 'found by the LID the history taught');
      // A second delivery of the same chunk stores nothing new and announces nothing.
      emit('messaging-history.set', history);
      const marker2 = waMessage({ content: { conversation: 'after repeated history' } });
      emit('messages.upsert', { type: 'notify', messages: [marker2] });
      await wait('messages.upsert', (d) => d.key.id === marker2.key.id);
      assert.equal(sink.events('messages.set').length, 3);
      const metrics = await server.call('GET', '/metrics');
      assert.match(metrics.text, new RegExp(`parley_whatsapp_history_sync_progress\\{instance="${name}"\\} 100`));
      assert.match(metrics.text, new RegExp(`parley_whatsapp_history_items_total\\{instance="${name}",kind="messages"\\} ${HISTORY_BATCH * 2 + 7}`));
      await settings({});
    });

    it('calls: announced; rejected with msgCall when rejectCall is on', async () => {
      await settings({ rejectCall: true, msgCall: 'I cannot take calls here' });
      emit('call', [{ id: 'CALL1', from: LID, callerPn: PN, chatId: LID, date: new Date('2025-01-02T03:04:05Z'), isVideo: false, isGroup: false, status: 'offer', offline: false }]);
      await wait('call', (d) => d.id === 'CALL1');
      assert.deepEqual(sink.events('call')[0].data, { id: 'CALL1', from: LID, callerPn: PN, chatId: LID, date: '2025-01-02T03:04:05.000Z', isVideo: false, isGroup: false, status: 'offer', offline: false });
      await sink.waitFor(() => socket.callsOf('sendMessage').length > 0, 5000, 'msgCall');
      assert.deepEqual(socket.callsOf('rejectCall'), [['CALL1', LID]]);
      assert.deepEqual(socket.callsOf('sendMessage')[0]!.slice(0, 2), [LID, { text: 'I cannot take calls here' }]);
      await settings({});
    });

    it('groupsIgnore drops group messages before they are stored', async () => {
      await settings({ groupsIgnore: true });
      const groupMessage = waMessage({ key: { remoteJid: GROUP, participant: PN, fromMe: false, id: nextId() }, content: { conversation: 'in a group' } });
      const direct = waMessage({ content: { conversation: 'direct' } });
      emit('messages.upsert', { type: 'notify', messages: [groupMessage, direct] });
      await wait('messages.upsert', (d) => d.key.id === direct.key.id);
      assert.equal(sink.events('messages.upsert').filter((e) => e.data.key.id === groupMessage.key.id).length, 0);
      const found = await server.call('POST', `/chat/findMessages/${name}`, { body: { where: { key: { id: groupMessage.key.id } } } });
      assert.equal(found.body.messages.total, 0);
      await settings({});
    });

    it('chats, contacts, presence, groups, participants and labels reach the webhook in compat shapes', async () => {
      const instanceId = (await server.parley.store.instances.findByName(name))!.id;
      emit('contacts.upsert', [{ id: '5511944443333@s.whatsapp.net', notify: 'Bia', imgUrl: 'https://pps.whatsapp.net/v/bia.jpg' }]);
      await wait('contacts.upsert', (d) => Array.isArray(d) && d[0].remoteJid === '5511944443333@s.whatsapp.net');
      assert.deepEqual(sink.events('contacts.upsert').find((e) => Array.isArray(e.data))!.data, [{ remoteJid: '5511944443333@s.whatsapp.net', pushName: 'Bia', profilePicUrl: 'https://pps.whatsapp.net/v/bia.jpg', instanceId }]);
      emit('chats.upsert', [{ id: '5511944443333@s.whatsapp.net', name: 'Bia', unreadCount: 1 }]);
      await wait('chats.upsert', (d) => d[0].remoteJid === '5511944443333@s.whatsapp.net' && d[0].name === 'Bia');
      emit('chats.update', [{ id: '5511944443333@s.whatsapp.net', unreadCount: 0 }]);
      await wait('chats.update', (d) => d[0].remoteJid === '5511944443333@s.whatsapp.net' && d[0].unreadMessages === 0);
      emit('chats.delete', ['5511944443333@s.whatsapp.net']);
      await wait('chats.delete');
      assert.deepEqual(sink.events('chats.delete')[0].data, ['5511944443333@s.whatsapp.net']);
      const gone = await server.call('GET', `/chat/findChatByRemoteJid/${name}?remoteJid=5511944443333@s.whatsapp.net`);
      assert.equal(gone.body, null);

      emit('presence.update', { id: PN, presences: { [PN]: { lastKnownPresence: 'composing' } } });
      await wait('presence.update');
      assert.deepEqual(sink.events('presence.update')[0].data, { id: PN, presences: { [PN]: { lastKnownPresence: 'composing' } } });

      emit('groups.upsert', [{ id: GROUP, subject: 'Team', owner: LID, ownerPn: PN, participants: [{ id: LID, phoneNumber: PN, admin: 'superadmin' }], announce: false, restrict: false }]);
      await wait('groups.upsert');
      assert.equal(sink.events('groups.upsert')[0].data[0].subject, 'Team');
      emit('groups.update', [{ id: GROUP, subject: 'Team 2' }]);
      await wait('groups.update');
      assert.deepEqual(sink.events('groups.update')[0].data, [{ id: GROUP, subject: 'Team 2' }]);
      emit('group-participants.update', { id: GROUP, author: LID, participants: [{ id: '888@lid', phoneNumber: '5511933334444@s.whatsapp.net' }], action: 'add' });
      await wait('group-participants.update');
      assert.deepEqual(sink.events('group-participants.update')[0].data, {
        id: GROUP, author: LID, action: 'add', participants: ['888@lid'], participantsData: [{ jid: '888@lid', phoneNumber: '5511933334444@s.whatsapp.net' }],
      });
      const byPn = await server.call('POST', `/chat/findContacts/${name}`, { body: { where: { remoteJid: PN } } });
      assert.equal(byPn.status, 200);

      emit('labels.edit', { id: '3', name: 'Paid', color: 4, deleted: false });
      await wait('labels.edit');
      assert.deepEqual(sink.events('labels.edit')[0].data, { id: '3', name: 'Paid', color: 4, deleted: false, instance: name });
      emit('labels.association', { type: 'add', association: { type: 'label_jid' as never, chatId: PN, labelId: '3' } });
      await wait('labels.association');
      assert.deepEqual(sink.events('labels.association')[0].data, { instance: name, type: 'add', chatId: PN, labelId: '3' });
      assert.deepEqual(await server.parley.store.labels.labelsOfChat(instanceId, PN), ['3']);
    });
  });
}
