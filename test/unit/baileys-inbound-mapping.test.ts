// Baileys inbound mappings against realistic Baileys objects (protobuf messages decoded the way the socket decodes
// them, Long timestamps, LID-era keys): messages, updates, receipts, chats, contacts, calls, identities, poll votes.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { aesEncryptGCM, hmacSign, proto, type WAMessage } from 'baileys';
import Long from 'long';
import { aggregatePollVotes } from '../../src/domain/channel-report.js';
import { callInfo, chatPatch, classifyUpdate, contactPairs, contactPatch, keyPairs, pairOf, receiptUpdate } from '../../src/channels/baileys/inbound/event-mapping.js';
import { bytesFrom, classifyUpsert, mapKey, toPlainJson } from '../../src/channels/baileys/inbound/message-mapping.js';
import { decryptVote } from '../../src/channels/baileys/inbound/polls.js';
import type { StoredMessage } from '../../src/ports/messages.js';

/** A WAMessage as the socket hands it over: content decoded from protobuf bytes. */
function wa(fields: Partial<WAMessage> & { content?: proto.IMessage }): WAMessage {
  const { content, ...rest } = fields;
  const message = content === undefined ? undefined : proto.Message.decode(proto.Message.encode(content).finish());
  return { key: { remoteJid: '5511988887777@s.whatsapp.net', fromMe: false, id: '3EB0A1B2C3D4E5F6071829' }, messageTimestamp: Long.fromNumber(1717171717, true), pushName: 'Ana', ...rest, ...(message ? { message } : {}) } as WAMessage;
}

describe('Baileys upserts → InboundMessage', () => {
  it('plain text: conversation, Long timestamp in seconds, device from the id', () => {
    const kind = classifyUpsert(wa({ content: { conversation: 'olá' } }));
    assert.equal(kind.kind, 'message');
    if (kind.kind !== 'message') return;
    assert.deepEqual(kind.message.message, { conversation: 'olá' });
    assert.equal(kind.message.messageType, 'conversation');
    assert.equal(kind.message.messageTimestamp, 1717171717);
    assert.equal(kind.message.source, 'web');
    assert.equal(kind.message.pushName, 'Ana');
    assert.equal(kind.hasMedia, false);
  });

  it('extendedTextMessage becomes conversation, its contextInfo (the quote) kept beside', () => {
    const kind = classifyUpsert(wa({ content: { extendedTextMessage: { text: 'replying', contextInfo: { stanzaId: 'QUOTED1', participant: '5511911112222@s.whatsapp.net', quotedMessage: { conversation: 'original' } } } } }));
    assert.equal(kind.kind, 'message');
    if (kind.kind !== 'message') return;
    assert.deepEqual(kind.message.message, { conversation: 'replying' });
    assert.equal(kind.message.contextInfo?.stanzaId, 'QUOTED1');
    assert.deepEqual(kind.message.contextInfo?.quotedMessage, { conversation: 'original' });
  });

  it('unwraps ephemeral, view-once and document-with-caption; media is flagged; bytes render as index objects', () => {
    const image = { url: 'https://mmg.whatsapp.net/x', mimetype: 'image/jpeg', caption: 'pic', mediaKey: new Uint8Array([1, 2, 3]), fileLength: Long.fromNumber(1234, true) };
    const ephemeral = classifyUpsert(wa({ content: { ephemeralMessage: { message: { imageMessage: image } } } }));
    assert.equal(ephemeral.kind, 'message');
    if (ephemeral.kind !== 'message') return;
    assert.equal(ephemeral.message.messageType, 'imageMessage');
    assert.equal(ephemeral.hasMedia, true);
    const stored = ephemeral.message.message.imageMessage as Record<string, unknown>;
    assert.deepEqual(stored.mediaKey, { '0': 1, '1': 2, '2': 3 });
    assert.equal(stored.caption, 'pic');
    const viewOnce = classifyUpsert(wa({ content: { viewOnceMessageV2: { message: { videoMessage: { mimetype: 'video/mp4', seconds: 3 } } } } }));
    assert.equal(viewOnce.kind === 'message' && viewOnce.message.messageType, 'videoMessage');
    const doc = classifyUpsert(wa({ content: { documentWithCaptionMessage: { message: { documentMessage: { fileName: 'a.pdf', mimetype: 'application/pdf', caption: 'see' } } } } }));
    assert.equal(doc.kind === 'message' && doc.message.messageType, 'documentMessage');
    assert.equal(doc.kind === 'message' && (doc.message.message.documentMessage as { fileName: string }).fileName, 'a.pdf');
  });

  it('keeps the LID-era key fields', () => {
    const key = mapKey({ remoteJid: '123456789012345@lid', remoteJidAlt: '5511988887777@s.whatsapp.net', fromMe: false, id: 'ABC', addressingMode: 'lid' });
    assert.deepEqual(key, { remoteJid: '123456789012345@lid', remoteJidAlt: '5511988887777@s.whatsapp.net', fromMe: false, id: 'ABC', addressingMode: 'lid' });
    assert.equal(mapKey({ remoteJid: 'x@s.whatsapp.net', fromMe: false }), undefined);
  });

  it('a CIPHERTEXT stub without content is undecryptable, with its reason', () => {
    const kind = classifyUpsert(wa({ messageStubType: proto.WebMessageInfo.StubType.CIPHERTEXT, messageStubParameters: ['No session found to decrypt message'] }));
    assert.equal(kind.kind, 'undecryptable');
    if (kind.kind !== 'undecryptable') return;
    assert.equal(kind.message.messageType, 'ciphertext');
    assert.deepEqual(kind.stubParameters, ['No session found to decrypt message']);
  });

  it('protocol messages and content-less stubs are not stored; poll votes are recognised', () => {
    assert.equal(classifyUpsert(wa({ content: { protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id: 'X' } } } })).kind, 'ignored');
    assert.equal(classifyUpsert(wa({ messageStubType: proto.WebMessageInfo.StubType.GROUP_PARTICIPANT_ADD })).kind, 'ignored');
    assert.equal(classifyUpsert(wa({ content: { pollUpdateMessage: { pollCreationMessageKey: { id: 'P' }, vote: { encPayload: new Uint8Array([1]), encIv: new Uint8Array([2]) } } } })).kind, 'pollVote');
  });

  it('reactions are messages (Evolution emits them as MESSAGES_UPSERT)', () => {
    const kind = classifyUpsert(wa({ content: { reactionMessage: { key: { id: 'TARGET', remoteJid: '5511988887777@s.whatsapp.net' }, text: '👍' } } }));
    assert.equal(kind.kind === 'message' && kind.message.messageType, 'reactionMessage');
  });
});

describe('Baileys updates and receipts', () => {
  const key = { remoteJid: '5511988887777@s.whatsapp.net', fromMe: true, id: 'SENT1' };

  it('a numeric ack becomes its status name', () => {
    const [kind] = classifyUpdate({ key, update: { status: proto.WebMessageInfo.Status.READ } }, 1700000000);
    assert.deepEqual(kind, { kind: 'status', update: { keyId: 'SENT1', remoteJid: key.remoteJid, fromMe: true, participant: null, status: 'READ', timestamp: 1700000000 } });
  });

  it('an edit carries the new content and the protocol message Evolution shows', () => {
    const [kind] = classifyUpdate({ key, update: { message: { editedMessage: { message: { conversation: 'fixed' } } }, messageTimestamp: 1700000100 } }, 0);
    assert.equal(kind?.kind, 'edit');
    if (kind?.kind !== 'edit') return;
    assert.deepEqual(kind.content, { conversation: 'fixed' });
    assert.deepEqual(kind.protocol, { key, type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, editedMessage: { conversation: 'fixed' }, timestampMs: 1700000100000 });
  });

  it('a revoke is a null message with the REVOKE stub', () => {
    const [kind] = classifyUpdate({ key, update: { message: null, messageStubType: proto.WebMessageInfo.StubType.REVOKE } }, 0);
    assert.deepEqual(kind, { kind: 'revoke', key });
  });

  it('a receipt names the participant; played beats read beats delivered', () => {
    const base = { key: { remoteJid: '120363000000000001@g.us', fromMe: true, id: 'G1' } };
    assert.equal(receiptUpdate({ ...base, receipt: { userJid: '5511911112222@s.whatsapp.net', receiptTimestamp: Long.fromNumber(10), readTimestamp: Long.fromNumber(20) } })?.status, 'READ');
    const played = receiptUpdate({ ...base, receipt: { userJid: '123@lid', playedTimestamp: Long.fromNumber(30) } });
    assert.deepEqual(played, { keyId: 'G1', remoteJid: '120363000000000001@g.us', fromMe: true, participant: '123@lid', status: 'PLAYED', timestamp: 30 });
    assert.equal(receiptUpdate({ ...base, receipt: { userJid: 'x@s.whatsapp.net', receiptTimestamp: 5 } })?.status, 'DELIVERY_ACK');
  });
});

describe('chats, contacts, calls, identities', () => {
  it('a chat patch has only what Baileys said', () => {
    assert.deepEqual(chatPatch({ id: 'a@s.whatsapp.net', name: 'Ana', unreadCount: 3, conversationTimestamp: Long.fromNumber(1700000000, true) }), { remoteJid: 'a@s.whatsapp.net', name: 'Ana', unreadMessages: 3, lastMessageAt: 1700000000 });
    assert.deepEqual(chatPatch({ id: 'a@s.whatsapp.net', unreadCount: 0 }), { remoteJid: 'a@s.whatsapp.net', unreadMessages: 0 });
    assert.equal(chatPatch({ unreadCount: 1 }), undefined);
  });

  it('a contact patch: own name first, a real imgUrl kept, "changed" is not a URL', () => {
    assert.deepEqual(contactPatch({ id: 'a@s.whatsapp.net', notify: 'Ana', name: 'Ana (saved)', imgUrl: 'https://pps.whatsapp.net/v/t61/a.jpg' }), { remoteJid: 'a@s.whatsapp.net', pushName: 'Ana', profilePicUrl: 'https://pps.whatsapp.net/v/t61/a.jpg' });
    assert.deepEqual(contactPatch({ id: 'a@s.whatsapp.net', imgUrl: 'changed' }), { remoteJid: 'a@s.whatsapp.net' });
    assert.deepEqual(contactPatch({ id: 'a@s.whatsapp.net', imgUrl: null }), { remoteJid: 'a@s.whatsapp.net', profilePicUrl: null });
  });

  it('LID ↔ PN pairs from keys and contacts, device suffixes stripped, same-kind pairs ignored', () => {
    assert.deepEqual(pairOf('123456789012345:3@lid', '5511988887777:12@s.whatsapp.net'), { lid: '123456789012345@lid', pn: '5511988887777@s.whatsapp.net' });
    assert.equal(pairOf('a@s.whatsapp.net', 'b@s.whatsapp.net'), undefined);
    assert.deepEqual(keyPairs({ remoteJid: '120363000000000001@g.us', participant: '999@lid', participantAlt: '5511911112222@s.whatsapp.net', id: 'x' }), [{ lid: '999@lid', pn: '5511911112222@s.whatsapp.net' }]);
    assert.deepEqual(contactPairs([{ id: '5511911112222@s.whatsapp.net', lid: '999@lid' }, { id: '888@lid', phoneNumber: '5511933334444@s.whatsapp.net' }]), [
      { lid: '999@lid', pn: '5511911112222@s.whatsapp.net' },
      { lid: '888@lid', pn: '5511933334444@s.whatsapp.net' },
    ]);
  });

  it('a call event keeps WhatsApp fields, the date in epoch ms', () => {
    const date = new Date('2025-01-02T03:04:05Z');
    assert.deepEqual(callInfo({ chatId: '123@lid', from: '123@lid', callerPn: '5511988887777@s.whatsapp.net', id: 'CALL1', date, isVideo: true, status: 'offer', offline: false }), {
      id: 'CALL1', from: '123@lid', callerPn: '5511988887777@s.whatsapp.net', chatId: '123@lid', date: date.getTime(), isVideo: true, isGroup: false, status: 'offer', offline: false,
    });
  });
});

describe('poll votes', () => {
  it('bytes survive the stored JSON form', () => {
    const secret = randomBytes(32);
    assert.deepEqual(Buffer.from(bytesFrom(toPlainJson({ s: secret }).s)!), secret);
    assert.deepEqual(Buffer.from(bytesFrom(secret.toString('base64'))!), secret);
  });

  it('decrypts a vote with the stored poll secret (WhatsApp\'s scheme) and names the options', () => {
    const me = '5511999999999:12@s.whatsapp.net';
    const voter = '5511988887777@s.whatsapp.net';
    const secret = randomBytes(32);
    const pollKey = { remoteJid: voter, fromMe: true, id: 'POLL1' };
    const poll: StoredMessage = {
      id: 'row', instanceId: 'i', key: pollKey, pushName: null, messageType: 'pollCreationMessageV3', contextInfo: null, source: 'web', messageTimestamp: 1, status: 'SERVER_ACK', mediaKey: null,
      message: toPlainJson({ pollCreationMessageV3: { name: 'Lunch?', options: [{ optionName: 'Pizza' }, { optionName: 'Sushi' }], selectableOptionsCount: 1 }, messageContextInfo: { messageSecret: secret } }),
    };
    // Encrypt a vote for "Sushi" the way a phone does: key from the secret, ids and JIDs; AES-GCM with the id/voter as AAD.
    const sha = (s: string) => createHash('sha256').update(s).digest();
    const plain = proto.Message.PollVoteMessage.encode({ selectedOptions: [sha('Sushi')] }).finish();
    const sign = Buffer.concat([Buffer.from('POLL1'), Buffer.from('5511999999999@s.whatsapp.net'), Buffer.from(voter), Buffer.from('Poll Vote'), new Uint8Array([1])]);
    const key = hmacSign(sign, hmacSign(secret, new Uint8Array(32), 'sha256'), 'sha256');
    const iv = randomBytes(12);
    const encPayload = aesEncryptGCM(plain, key, iv, Buffer.from(`POLL1\u0000${voter}`));
    const update = { pollCreationMessageKey: pollKey, vote: { encPayload, encIv: iv }, senderTimestampMs: Long.fromNumber(1700000000123) };
    const vote = decryptVote(wa({ key: { remoteJid: voter, fromMe: false, id: 'VOTE1' } }), update, poll, me);
    assert.deepEqual(vote, { kind: 'pollVote', pollKey, voter, options: ['Sushi'], timestampMs: 1700000000123 });
    assert.equal(decryptVote(wa({ key: { remoteJid: '5511900000000@s.whatsapp.net', fromMe: false, id: 'VOTE2' } }), update, poll, me), undefined, 'another voter cannot replay it');
  });

  it('aggregates current votes per option as Evolution shows them', () => {
    assert.deepEqual(aggregatePollVotes(['Pizza', 'Sushi'], { 'a@s.whatsapp.net': ['Sushi'], 'b@s.whatsapp.net': ['Sushi', 'Pizza'] }), [
      { name: 'Pizza', voters: ['b@s.whatsapp.net'] },
      { name: 'Sushi', voters: ['a@s.whatsapp.net', 'b@s.whatsapp.net'] },
    ]);
  });
});
