// Every `/group/*` route end to end: real HTTP → core → the real Baileys channel → a fake socket. Success shapes,
// Evolution's validation answers, the group cache after changes, and an EVOLUTION instance's 400.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GroupMetadata } from 'baileys';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { startBaileysServer, type BaileysTestServer } from '../helpers/baileys-server.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance } from '../helpers/server.js';
import type { FakeBaileysSocket } from '../fakes/fake-baileys-socket.js';

const GROUP = '120363000000000001@g.us';
const A = '14155550100@s.whatsapp.net';
const B = '14155550101@s.whatsapp.net';
const LID = '123456789012345@lid';
const CODE = 'AbCdEfGhIjKlMnOpQrStUv';

for (const kind of databaseKinds()) {
  describe(`Baileys groups (${kind.name})`, () => {
    let t: BaileysTestServer;
    let socket: FakeBaileysSocket;
    let participants: GroupMetadata['participants'];
    const call = (method: string, path: string, body?: unknown) => t.server.call(method, path.replace('{i}', 'wa'), body === undefined ? {} : { body });

    before(async () => {
      t = await startBaileysServer(kind);
      socket = await t.openInstance('wa');
      await createInstance(t.server, { instanceName: 'evo', integration: 'EVOLUTION', number: '5511000000001' });
      participants = [{ id: A, admin: 'superadmin' }, { id: LID, phoneNumber: B, admin: null }];
      socket.answer('groupMetadata', async (jid) => ({
        id: jid, subject: 'Team', subjectOwner: A, subjectTime: 1_700_000_100, creation: 1_700_000_000, owner: A, desc: 'About us', descId: 'D1',
        restrict: false, announce: true, linkedParent: undefined, participants,
      }));
    });
    after(async () => t.server.close());

    it('create: participants as numbers, JIDs or LIDs; description and promotion; 201 with the metadata', async () => {
      socket.answer('groupCreate', async (subject, ps) => ({ id: GROUP, subject, owner: A, creation: 1_700_000_000, participants: ps.map((id) => ({ id, admin: null })) }));
      const res = await call('POST', '/group/create/{i}', { subject: 'Team', participants: ['+1 415 555 0100', LID], description: 'About us', promoteParticipants: true });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(socket.callsOf('groupCreate'), [['Team', [A, LID]]]);
      assert.deepEqual(socket.callsOf('groupUpdateDescription').at(-1), [GROUP, 'About us']);
      assert.deepEqual(socket.callsOf('groupParticipantsUpdate').at(-1), [GROUP, [A, LID], 'promote']);
      assert.equal(res.body.id, GROUP);
      assert.equal(res.body.desc, 'About us');
      assert.deepEqual(res.body.participants, [{ id: A, admin: 'superadmin' }, { id: LID, admin: null, phoneNumber: B }]);

      assertEvolutionError(await call('POST', '/group/create/{i}', { participants: [A] }), 400, 'instance requires property "subject"');
      assertEvolutionError(await call('POST', '/group/create/{i}', { subject: 'x', participants: ['123'] }), 400, 'at least 10 digits');
    });

    it('findGroupInfos, participants, fetchAllGroups', async () => {
      const info = await call('GET', `/group/findGroupInfos/{i}?groupJid=${GROUP}`);
      assert.equal(info.status, 200, info.text);
      assert.deepEqual(info.body, {
        id: GROUP, subject: 'Team', subjectOwner: A, subjectTime: 1_700_000_100, pictureUrl: `https://pps.fake.whatsapp.net/${encodeURIComponent(GROUP)}.jpg`,
        size: 2, creation: 1_700_000_000, owner: A, desc: 'About us', descId: 'D1', restrict: false, announce: true,
        participants: [{ id: A, admin: 'superadmin' }, { id: LID, admin: null, phoneNumber: B }], isCommunity: false, isCommunityAnnounce: false, linkedParent: null,
      });
      // Without `@g.us`, as Evolution accepts it.
      const bare = await call('GET', '/group/participants/{i}?groupJid=120363000000000001');
      assert.deepEqual(bare.body, { participants: [{ id: A, admin: 'superadmin' }, { id: LID, admin: null, phoneNumber: B }] });

      socket.answer('groupFetchAllParticipating', async () => ({ [GROUP]: { id: GROUP, subject: 'Team', owner: A, participants, size: 2 } }));
      const all = await call('GET', '/group/fetchAllGroups/{i}?getParticipants=false');
      assert.equal(all.status, 200);
      assert.equal(all.body.length, 1);
      assert.equal(all.body[0].participants, undefined);
      assert.equal(all.body[0].pictureUrl, null);
      const withParticipants = await call('GET', '/group/fetchAllGroups/{i}?getParticipants=true');
      assert.equal(withParticipants.body[0].participants.length, 2);

      const missing = await call('GET', '/group/fetchAllGroups/{i}');
      assertEvolutionError(missing, 400);
      assert.deepEqual(missing.body.response.message, [{ property: 'instance', message: 'requires property "getParticipants"' }]);
    });

    it('a group WhatsApp cannot give answers 404; no group id answers Evolution\'s two messages', async () => {
      socket.answer('groupMetadata', async () => {
        throw new Error('item-not-found');
      });
      assertEvolutionError(await call('GET', '/group/findGroupInfos/{i}?groupJid=999@g.us'), 404, 'Group not found');
      const none = await call('GET', '/group/findGroupInfos/{i}');
      assertEvolutionError(none, 400);
      assert.deepEqual(none.body.response.message, ['The group id needs to be informed in the query', 'ex: "groupJid=120362@g.us"']);
      socket.answer('groupMetadata', async (jid) => ({ id: jid, subject: 'Team', owner: A, participants }));
    });

    it('subject, description, picture: 201 update success; groupJid from body or query', async () => {
      const subject = await call('POST', '/group/updateGroupSubject/{i}', { groupJid: GROUP, subject: 'Renamed' });
      assert.equal(subject.status, 201, subject.text);
      assert.deepEqual(subject.body, { update: 'success' });
      const description = await call('POST', `/group/updateGroupDescription/{i}?groupJid=${GROUP}`, { description: 'New' });
      assert.deepEqual(description.body, { update: 'success' });
      const picture = await call('POST', '/group/updateGroupPicture/{i}', { groupJid: GROUP, image: Buffer.from('group jpeg').toString('base64') });
      assert.deepEqual(picture.body, { update: 'success' });
      assert.deepEqual(socket.callsOf('groupUpdateSubject').at(-1), [GROUP, 'Renamed']);
      assert.deepEqual(socket.callsOf('groupUpdateDescription').at(-1), [GROUP, 'New']);
      assert.deepEqual(socket.callsOf('updateProfilePicture').at(-1), [GROUP, Buffer.from('group jpeg'), undefined]);
      assertEvolutionError(await call('POST', '/group/updateGroupSubject/{i}', { subject: 'x' }), 400, 'The group id needs to be informed');
      assertEvolutionError(await call('POST', '/group/updateGroupPicture/{i}', { groupJid: GROUP, image: 'not media!' }), 400, 'Owned media must be a url or base64');
    });

    it('invite code, revoke, invite info, accept', async () => {
      const invite = await call('GET', `/group/inviteCode/{i}?groupJid=${GROUP}`);
      assert.deepEqual(invite.body, { inviteUrl: 'https://chat.whatsapp.com/FakeInviteCode123', inviteCode: 'FakeInviteCode123' });
      const revoked = await call('POST', '/group/revokeInviteCode/{i}', { groupJid: GROUP });
      assert.equal(revoked.status, 201);
      assert.deepEqual(revoked.body, { revoked: true, inviteCode: 'FakeInviteCode456' });
      const info = await call('GET', `/group/inviteInfo/{i}?inviteCode=${CODE}`);
      assert.equal(info.status, 200);
      assert.equal(info.body.id, '120363000000000001@g.us');
      const accepted = await call('GET', `/group/acceptInviteCode/{i}?inviteCode=${CODE}`);
      assert.deepEqual(accepted.body, { accepted: true, groupJid: '120363000000000001@g.us' });
      assert.deepEqual(socket.callsOf('groupAcceptInvite').at(-1), [CODE]);

      const bad = await call('GET', '/group/inviteInfo/{i}?inviteCode=short');
      assertEvolutionError(bad, 400);
      assert.deepEqual(bad.body.response.message, [{ property: 'instance.inviteCode', message: 'does not match pattern "^[a-zA-Z0-9]{22}$"' }]);
    });

    it('sendInvite sends "description + link" as a stored text to each number', async () => {
      const before = socket.callsOf('sendMessage').length;
      const res = await call('POST', '/group/sendInvite/{i}', { groupJid: GROUP, description: 'Join us', numbers: ['14155550100', LID] });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { send: true, inviteUrl: 'https://chat.whatsapp.com/FakeInviteCode123' });
      const sends = socket.callsOf('sendMessage').slice(before).map(([jid, content]) => [jid, content]);
      assert.deepEqual(sends, [[A, { text: 'Join us\n\nhttps://chat.whatsapp.com/FakeInviteCode123' }], [LID, { text: 'Join us\n\nhttps://chat.whatsapp.com/FakeInviteCode123' }]]);
      const stored = await t.server.call('POST', '/chat/findMessages/wa', { body: { where: { key: { remoteJid: A } } } });
      assert.ok(stored.body.messages.records.some((m: { message: { conversation?: string } }) => m.message.conversation?.includes('FakeInviteCode123')));

      const invalid = await call('POST', '/group/sendInvite/{i}', { groupJid: GROUP, numbers: [A] });
      assertEvolutionError(invalid, 400);
      assert.deepEqual(invalid.body.response.message, [{ property: 'instance', message: 'requires property "description"' }]);
    });

    it('updateParticipant answers per participant and refreshes the cached group', async () => {
      socket.answer('groupParticipantsUpdate', async (_jid, ps, action) => {
        if (action === 'add') participants = [...participants, ...ps.map((id) => ({ id, admin: null }))];
        return ps.map((p) => ({ status: '200', jid: p, content: { tag: 'participant', attrs: { jid: p } } }));
      });
      const res = await call('POST', '/group/updateParticipant/{i}', { groupJid: GROUP, action: 'add', participants: ['14155550102'] });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, { updateParticipants: [{ status: '200', jid: '14155550102@s.whatsapp.net', content: { tag: 'participant', attrs: { jid: '14155550102@s.whatsapp.net' } } }] });

      // The next read comes from the refreshed cache: WhatsApp is not asked again, and the new member is there.
      const fetchesBefore = socket.callsOf('groupMetadata').length;
      const after = await call('GET', `/group/participants/{i}?groupJid=${GROUP}`);
      assert.ok(after.body.participants.some((p: { id: string }) => p.id === '14155550102@s.whatsapp.net'));
      assert.equal(socket.callsOf('groupMetadata').length, fetchesBefore);
      assertEvolutionError(await call('POST', '/group/updateParticipant/{i}', { groupJid: GROUP, action: 'kick', participants: [A] }), 400, 'action is not one of enum values: add,remove,promote,demote');
    });

    it('updateSetting, toggleEphemeral, leaveGroup', async () => {
      const setting = await call('POST', '/group/updateSetting/{i}', { groupJid: GROUP, action: 'locked' });
      assert.equal(setting.status, 201);
      assert.deepEqual(setting.body, {});
      const ephemeral = await call('POST', '/group/toggleEphemeral/{i}', { groupJid: GROUP, expiration: 604800 });
      assert.equal(ephemeral.status, 201);
      assert.deepEqual(ephemeral.body, { success: true });
      assertEvolutionError(await call('POST', '/group/toggleEphemeral/{i}', { groupJid: GROUP, expiration: 5 }), 400, 'expiration is not one of enum values: 0,86400,604800,7776000');
      const left = await call('DELETE', `/group/leaveGroup/{i}?groupJid=${GROUP}`);
      assert.equal(left.status, 200);
      assert.deepEqual(left.body, { groupJid: GROUP, leave: true });
      assert.deepEqual(socket.callsOf('groupSettingUpdate').at(-1), [GROUP, 'locked']);
      assert.deepEqual(socket.callsOf('groupToggleEphemeral').at(-1), [GROUP, 604800]);
      assert.deepEqual(socket.callsOf('groupLeave').at(-1), [GROUP]);
    });

    it('an EVOLUTION instance answers its "not available" 400 on every group route', async () => {
      const routes: [string, string, unknown?][] = [
        ['POST', '/group/create/evo', { subject: 'x', participants: [A] }],
        ['POST', '/group/updateGroupSubject/evo', { groupJid: GROUP, subject: 'x' }],
        ['POST', '/group/updateGroupPicture/evo', { groupJid: GROUP, image: 'https://cdn.example/g.jpg' }],
        ['POST', '/group/updateGroupDescription/evo', { groupJid: GROUP, description: 'x' }],
        ['GET', `/group/findGroupInfos/evo?groupJid=${GROUP}`],
        ['GET', '/group/fetchAllGroups/evo?getParticipants=true'],
        ['GET', `/group/participants/evo?groupJid=${GROUP}`],
        ['GET', `/group/inviteCode/evo?groupJid=${GROUP}`],
        ['GET', `/group/inviteInfo/evo?inviteCode=${CODE}`],
        ['GET', `/group/acceptInviteCode/evo?inviteCode=${CODE}`],
        ['POST', '/group/sendInvite/evo', { groupJid: GROUP, description: 'x', numbers: [A] }],
        ['POST', '/group/revokeInviteCode/evo', { groupJid: GROUP }],
        ['POST', '/group/updateParticipant/evo', { groupJid: GROUP, action: 'add', participants: [A] }],
        ['POST', '/group/updateSetting/evo', { groupJid: GROUP, action: 'locked' }],
        ['POST', '/group/toggleEphemeral/evo', { groupJid: GROUP, expiration: 0 }],
        ['DELETE', `/group/leaveGroup/evo?groupJid=${GROUP}`],
      ];
      for (const [method, path, body] of routes) {
        assertEvolutionError(await t.server.call(method, path, body === undefined ? {} : { body }), 400, 'Method not available on Evolution Channel');
      }
    });
  });
}
