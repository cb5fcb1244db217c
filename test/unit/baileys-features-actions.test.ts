// The WhatsApp Web feature sets against a fake Baileys socket: what Baileys is asked, and what comes back in domain
// terms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupMetadata } from 'baileys';
import { createBaileysFeatures, attachFeatures, type BaileysFeatures } from '../../src/channels/baileys/features/index.js';
import { DomainError } from '../../src/domain/errors.js';
import type { ChannelConnection, MediaDownloads } from '../../src/ports/channel.js';
import type { FakeBaileysSocket } from '../fakes/fake-baileys-socket.js';
import { ManualClock, openFakeSocket } from '../fakes/fake-feature-socket.js';

/** Media downloads that answer every URL with the URL's own text as bytes (the real ones: test/unit/media-download.test.ts). */
const echoMedia: MediaDownloads = { fetch: async (url) => ({ data: Buffer.from(url) }), dispatcher: undefined as never, maxBytes: 1_000_000, timeoutMs: 1_000 };

function setup(): { socket: FakeBaileysSocket; features: BaileysFeatures; sleeps: number[]; connected: { value: boolean } } {
  const socket = openFakeSocket();
  const sleeps: number[] = [];
  const connected = { value: true };
  const features = createBaileysFeatures({
    instanceName: 'alpha',
    socket: () => (connected.value ? socket : undefined),
    clock: new ManualClock(),
    sleep: async (ms) => void sleeps.push(ms),
    lidOf: async (pn) => (pn === '14155550100@s.whatsapp.net' ? '99887766@lid' : undefined),
    numberCheck: { minIntervalMs: 0 },
    media: echoMedia,
  });
  return { socket, features, sleeps, connected };
}

const key = { remoteJid: '14155550100@s.whatsapp.net', fromMe: true, id: '3EB0AAAA' };

describe('Baileys chat actions', () => {
  it('checks numbers: phone numbers through onWhatsApp (with the LID when known), LIDs as given, groups by metadata', async () => {
    const { socket, features } = setup();
    socket.answer('onWhatsApp', async (...jids) => jids.filter((j) => j.startsWith('1415')).map((jid) => ({ jid, exists: true })));
    socket.answer('groupMetadata', async (jid) => {
      if (jid === '120363000000000009@g.us') throw new Error('item-not-found');
      return { id: jid, subject: 'g', owner: undefined, participants: [] };
    });
    const checks = await features.chats.checkNumbers([
      { number: '+1 415 555 0100', jids: ['14155550100@s.whatsapp.net'] },
      { number: '442071838750', jids: ['442071838750@s.whatsapp.net'] },
      { number: '123456789@lid', jids: ['123456789@lid'] },
      { number: '120363000000000001@g.us', jids: ['120363000000000001@g.us'] },
      { number: '120363000000000009@g.us', jids: ['120363000000000009@g.us'] },
    ]);
    assert.deepEqual(checks, [
      { exists: true, jid: '14155550100@s.whatsapp.net', number: '+1 415 555 0100', lid: '99887766@lid' },
      { exists: false, jid: '442071838750@s.whatsapp.net', number: '442071838750' },
      { exists: true, jid: '123456789@lid', number: '123456789@lid', lid: '123456789@lid' },
      { exists: true, jid: '120363000000000001@g.us', number: '120363000000000001@g.us' },
      { exists: false, jid: '120363000000000009@g.us', number: '120363000000000009@g.us' },
    ]);
    assert.deepEqual(socket.callsOf('onWhatsApp'), [['14155550100@s.whatsapp.net', '442071838750@s.whatsapp.net']], 'LIDs and groups never reach onWhatsApp');
  });

  it('archives and marks unread with the anchoring message, reads, blocks', async () => {
    const { socket, features } = setup();
    await features.chats.archive(key.remoteJid, true, { key, messageTimestamp: 1_700_000_000 });
    await features.chats.markUnread(key.remoteJid, undefined);
    await features.chats.markRead([{ ...key, fromMe: false }]);
    await features.chats.block(key.remoteJid, true);
    await features.chats.block(key.remoteJid, false);
    assert.deepEqual(socket.callsOf('chatModify'), [
      [{ archive: true, lastMessages: [{ key, messageTimestamp: 1_700_000_000 }] }, key.remoteJid],
      [{ markRead: false, lastMessages: [] }, key.remoteJid],
    ]);
    assert.deepEqual(socket.callsOf('readMessages'), [[[{ ...key, fromMe: false }]]]);
    assert.deepEqual(socket.callsOf('updateBlockStatus'), [[key.remoteJid, 'block'], [key.remoteJid, 'unblock']]);
  });

  it('revokes and edits through sendMessage, answering the protocol message', async () => {
    const { socket, features } = setup();
    const revoked = await features.chats.deleteForEveryone(key);
    const edited = await features.chats.edit(key, 'fixed text');
    assert.deepEqual(socket.callsOf('sendMessage').map(([jid, content]) => [jid, content]), [
      [key.remoteJid, { delete: key }],
      [key.remoteJid, { text: 'fixed text', edit: key }],
    ]);
    const revokeProtocol = revoked.message.protocolMessage as { key: { id: string }; type: string };
    assert.equal(revokeProtocol.key.id, key.id);
    assert.equal(revokeProtocol.type, 'REVOKE');
    assert.equal(revoked.key.remoteJid, key.remoteJid);
    assert.equal(typeof revoked.messageTimestamp, 'number');
    assert.equal((edited.message.protocolMessage as { type: string }).type, 'MESSAGE_EDIT');
  });

  it('holds typing for the delay, then pauses; available stays', async () => {
    const { socket, features, sleeps } = setup();
    await features.chats.presence(key.remoteJid, 'composing', 1200);
    await features.chats.presence(key.remoteJid, 'available', 500);
    assert.deepEqual(socket.callsOf('presenceSubscribe'), [[key.remoteJid], [key.remoteJid]]);
    assert.deepEqual(socket.callsOf('sendPresenceUpdate'), [['composing', key.remoteJid], ['paused', key.remoteJid], ['available', key.remoteJid]]);
    assert.deepEqual(sleeps, [1200]);
  });

  it('answers "instance not connected" without a socket', async () => {
    const { features, connected } = setup();
    connected.value = false;
    await assert.rejects(features.chats.block(key.remoteJid, true), (e: unknown) => e instanceof DomainError && /"alpha" instance is not connected/.test(e.message));
    await assert.rejects(features.groups.fetchAll(), DomainError);
  });

  it('attaches every feature set (and read receipts) to a connection', async () => {
    const { socket, features } = setup();
    const connection = {} as ChannelConnection;
    attachFeatures(connection, features);
    assert.equal(connection.groups, features.groups);
    await connection.markRead!([key]);
    assert.equal(socket.callsOf('readMessages').length, 1);
  });
});

describe('Baileys profile and privacy', () => {
  it('reads profiles: picture, status, business; own name from the session', async () => {
    const { socket, features } = setup();
    socket.answer('getBusinessProfile', async (jid) => (jid === key.remoteJid ? { description: 'Shop', email: 'a@b.c', website: ['https://shop.example'], category: 'Retail', business_hours: {} } : undefined));
    assert.equal(features.profile.ownJid(), '5511999999999@s.whatsapp.net', 'device suffix dropped');
    const other = await features.profile.fetch(key.remoteJid);
    assert.equal(other.pictureUrl, `https://pps.fake.whatsapp.net/${encodeURIComponent(key.remoteJid)}.jpg`);
    assert.equal(other.status, 'Hey there! I am using WhatsApp.');
    assert.equal(other.business?.description, 'Shop');
    assert.deepEqual(other.business?.website, ['https://shop.example']);
    const own = await features.profile.fetch('5511999999999@s.whatsapp.net');
    assert.equal(own.name, 'Fake Phone');
    assert.equal(own.business, null);
    assert.deepEqual(socket.callsOf('profilePictureUrl')[0], [key.remoteJid, 'image', undefined]);
  });

  it('a hidden picture is null, not an error', async () => {
    const { socket, features } = setup();
    socket.answer('profilePictureUrl', async () => {
      throw new Error('not-authorized');
    });
    assert.equal(await features.profile.pictureUrl(key.remoteJid), null);
  });

  it('updates name, status and picture (of the own JID), removes the picture', async () => {
    const { socket, features } = setup();
    await features.profile.updateName('New name');
    await features.profile.updateStatus('Busy');
    await features.profile.updatePicture({ kind: 'url', url: 'https://cdn.example/p.jpg' });
    await features.profile.updatePicture({ kind: 'bytes', data: Buffer.from('jpeg') });
    await features.profile.removePicture();
    assert.deepEqual(socket.callsOf('updateProfileName'), [['New name']]);
    assert.deepEqual(socket.callsOf('updateProfileStatus'), [['Busy']]);
    const own = '5511999999999@s.whatsapp.net';
    assert.deepEqual(socket.callsOf('updateProfilePicture'), [[own, Buffer.from('https://cdn.example/p.jpg'), undefined], [own, Buffer.from('jpeg'), undefined]]);
    assert.deepEqual(socket.callsOf('removeProfilePicture'), [[own]]);
  });

  it('privacy: fetch forces a fresh read; update sets each of the six settings', async () => {
    const { socket, features } = setup();
    assert.equal((await features.privacy.fetch()).status, 'contacts');
    assert.deepEqual(socket.callsOf('fetchPrivacySettings'), [[true]]);
    await features.privacy.update({ readreceipts: 'none', profile: 'contacts', status: 'contact_blacklist', online: 'match_last_seen', last: 'none', groupadd: 'contacts' });
    assert.deepEqual(socket.callsOf('updateReadReceiptsPrivacy'), [['none']]);
    assert.deepEqual(socket.callsOf('updateProfilePicturePrivacy'), [['contacts']]);
    assert.deepEqual(socket.callsOf('updateStatusPrivacy'), [['contact_blacklist']]);
    assert.deepEqual(socket.callsOf('updateOnlinePrivacy'), [['match_last_seen']]);
    assert.deepEqual(socket.callsOf('updateLastSeenPrivacy'), [['none']]);
    assert.deepEqual(socket.callsOf('updateGroupsAddPrivacy'), [['contacts']]);
  });

  it('labels: add and remove on a chat', async () => {
    const { socket, features } = setup();
    await features.labels.handle(key.remoteJid, '5', 'add');
    await features.labels.handle(key.remoteJid, '5', 'remove');
    assert.deepEqual(socket.callsOf('addChatLabel'), [[key.remoteJid, '5']]);
    assert.deepEqual(socket.callsOf('removeChatLabel'), [[key.remoteJid, '5']]);
  });
});

describe('Baileys groups', () => {
  const group = '120363000000000001@g.us';
  const member = (id: string, admin: 'admin' | null = null) => ({ id, admin });

  it('creates a group, sets its description, promotes, and caches the result', async () => {
    const { socket, features } = setup();
    let participants = [member('14155550100@s.whatsapp.net')];
    socket.answer('groupCreate', async (subject, ps) => ({ id: group, subject, owner: '5511999999999@s.whatsapp.net', creation: 1_700_000_000, participants: ps.map((p) => member(p)) }));
    socket.answer('groupParticipantsUpdate', async (_jid, ps) => {
      participants = ps.map((p) => member(p, 'admin'));
      return ps.map((p) => ({ status: '200', jid: p, content: { tag: 'participant', attrs: { jid: p } } }));
    });
    socket.answer('groupMetadata', async (jid) => ({ id: jid, subject: 'Team', desc: 'About', owner: undefined, participants }));
    const created = await features.groups.create('Team', ['14155550100@s.whatsapp.net'], { description: 'About', promoteParticipants: true });
    assert.deepEqual(socket.callsOf('groupCreate'), [['Team', ['14155550100@s.whatsapp.net']]]);
    assert.deepEqual(socket.callsOf('groupUpdateDescription'), [[group, 'About']]);
    assert.deepEqual(socket.callsOf('groupParticipantsUpdate'), [[group, ['14155550100@s.whatsapp.net'], 'promote']]);
    assert.equal(created.desc, 'About');
    assert.deepEqual(created.participants, [{ id: '14155550100@s.whatsapp.net', admin: 'admin' }]);
    assert.equal(features.groupCache.get(group)?.participants[0]?.admin, 'admin');
  });

  it('refreshes the cached metadata after a participant update', async () => {
    const { socket, features } = setup();
    let participants = [member('a@s.whatsapp.net')];
    socket.answer('groupMetadata', async (jid) => ({ id: jid, subject: 'G', owner: undefined, participants }));
    await features.groups.info(group);
    socket.answer('groupParticipantsUpdate', async (_jid, ps) => {
      participants = [...participants, ...ps.map((p) => member(p))];
      return ps.map((p) => ({ status: '200', jid: p, content: { tag: 'participant', attrs: {} } }));
    });
    const results = await features.groups.updateParticipants(group, ['b@s.whatsapp.net'], 'add');
    assert.deepEqual(results, [{ status: '200', jid: 'b@s.whatsapp.net', content: { tag: 'participant', attrs: {} } }]);
    assert.deepEqual(features.groupCache.get(group)?.participants.map((p) => p.id), ['a@s.whatsapp.net', 'b@s.whatsapp.net']);
    assert.equal(socket.callsOf('groupMetadata').length, 2, 'fetched once for info, once after the change');
  });

  it('passes every other group call through and keeps the cache in step', async () => {
    const { socket, features } = setup();
    const all: Record<string, GroupMetadata> = { [group]: { id: group, subject: 'One', owner: undefined, participants: [], size: 7 } };
    socket.answer('groupFetchAllParticipating', async () => all);
    const fetched = await features.groups.fetchAll();
    assert.equal(fetched[0]?.size, 7);
    assert.equal(features.groupCache.get(group)?.subject, 'One');

    await features.groups.updateSubject(group, 'Renamed');
    await features.groups.updateSetting(group, 'announcement');
    await features.groups.toggleEphemeral(group, 604800);
    await features.groups.updatePicture(group, { kind: 'url', url: 'https://cdn.example/g.jpg' });
    assert.equal(await features.groups.inviteCode(group), 'FakeInviteCode123');
    assert.equal(await features.groups.revokeInvite(group), 'FakeInviteCode456');
    assert.equal(await features.groups.acceptInvite('AbCdEfGhIjKlMnOpQrStUv'), '120363000000000001@g.us');
    assert.equal((await features.groups.inviteInfo('AbCdEfGhIjKlMnOpQrStUv')).id, '120363000000000001@g.us');
    await features.groups.leave(group);
    assert.deepEqual(socket.callsOf('groupUpdateSubject'), [[group, 'Renamed']]);
    assert.deepEqual(socket.callsOf('groupSettingUpdate'), [[group, 'announcement']]);
    assert.deepEqual(socket.callsOf('groupToggleEphemeral'), [[group, 604800]]);
    assert.deepEqual(socket.callsOf('updateProfilePicture'), [[group, Buffer.from('https://cdn.example/g.jpg'), undefined]]);
    assert.deepEqual(socket.callsOf('groupAcceptInvite'), [['AbCdEfGhIjKlMnOpQrStUv']]);
    assert.deepEqual(socket.callsOf('groupLeave'), [[group]]);
    assert.equal(features.groupCache.get(group), undefined, 'a left group is dropped from the cache');
  });
});
