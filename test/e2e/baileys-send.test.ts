// The WHATSAPP-BAILEYS send routes end to end over real HTTP: each produces the Baileys content it should on the fake
// socket (which builds the message with Baileys' own generateWAMessage) and Evolution's msg object in the response.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ffmpegAvailable, FFMPEG_MISSING } from '../../src/channels/baileys/media-convert.js';
import { FakeSocketFactory, type FakeBaileysSocket } from '../fakes/fake-baileys-socket.js';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';
import { actLikeWhatsApp, createWithWebhook, hooksOf, linkInstance, startBaileysServer, uniqueName } from './baileys-helpers.js';

const TO = '5511987654321';
const TO_JID = `${TO}@s.whatsapp.net`;

/** A minimal OGG page carrying an OpusHead: what a voice note already in WhatsApp's format starts with. */
/** A real WAV file: `seconds` of a 440 Hz tone, 16-bit mono PCM at 16 kHz. */
function sineWav(seconds: number): Buffer {
  const rate = 16_000;
  const samples = rate * seconds;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0, 'latin1');
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8, 'latin1');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'latin1');
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 12_000), 44 + i * 2);
  return wav;
}

function oggOpus(): Buffer {
  const head = Buffer.concat([Buffer.from('OpusHead'), Buffer.from([1, 1, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0])]);
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header[5] = 2;
  header[26] = 1;
  return Buffer.concat([header, Buffer.from([head.length]), head]);
}

for (const kind of databaseKinds()) {
  describe(`WHATSAPP-BAILEYS sending (${kind.name})`, () => {
    let server: TestServer;
    let sock: FakeBaileysSocket;
    let mediaServer: http.Server;
    let mediaUrl: string;
    let png: Buffer;
    const name = uniqueName('send');
    const sink = new WebhookSink();
    const fake = new FakeSocketFactory();

    before(async () => {
      png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).png().toBuffer();
      mediaServer = http.createServer((req, res) => {
        if (req.url === '/report.pdf') res.writeHead(200, { 'content-type': 'application/pdf' }).end(Buffer.from('%PDF-1.4 fake report'));
        else if (req.url === '/clip.mp4') res.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.from('\u0000\u0000\u0000\u0018ftypmp42 fake video'));
        else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => mediaServer.listen(0, '127.0.0.1', resolve));
      mediaUrl = `http://127.0.0.1:${(mediaServer.address() as AddressInfo).port}`;
      await sink.start();
      actLikeWhatsApp(fake);
      server = await startBaileysServer(kind, fake);
      await createWithWebhook(server, sink, name);
      sock = await linkInstance(server, fake, sink, name);
    });
    after(async () => {
      await server.close();
      await sink.stop();
      await new Promise<void>((resolve) => mediaServer.close(() => resolve()));
    });

    async function send(route: string, body: Record<string, unknown>) {
      const result = await server.call('POST', `/message/${route}/${name}`, { body });
      assert.equal(result.status, 201, `${route}: ${result.text}`);
      const [jid, content, options] = sock.callsOf('sendMessage').at(-1)!;
      return { body: result.body, jid: jid as string, content: content as any, options: options as any };
    }

    function assertMsgObject(body: any, jid: string, messageType: string) {
      assert.equal(body.key.remoteJid, jid);
      assert.equal(body.key.fromMe, true);
      assert.match(body.key.id, /^3EB0[0-9A-F]+$/);
      assert.equal(body.messageType, messageType);
      assert.equal(body.status, 'PENDING');
      assert.equal(typeof body.messageTimestamp, 'number');
    }

    it('sendText: text with mentions; the response is the msg object and SEND_MESSAGE carries it', async () => {
      const { body, jid, content } = await send('sendText', { number: TO, text: 'hello @5511912345678', mentioned: ['5511912345678'] });
      assert.equal(jid, TO_JID);
      assert.deepEqual(content, { text: 'hello @5511912345678', mentions: ['5511912345678@s.whatsapp.net'] });
      assertMsgObject(body, TO_JID, 'conversation');
      assert.equal(body.message.conversation, 'hello @5511912345678');
      await sink.waitFor(() => hooksOf(sink, name, 'send.message').some((e) => e.data.key.id === body.key.id));
    });

    it('sendText with delay shows composing, waits, then paused; quoted becomes the reply context', async () => {
      const first = await send('sendText', { number: TO, text: 'original' });
      const presenceBefore = sock.callsOf('sendPresenceUpdate').length;
      const { options } = await send('sendText', { number: TO, text: 'reply', delay: 5, quoted: { key: { id: first.body.key.id } } });
      assert.deepEqual(sock.callsOf('sendPresenceUpdate').slice(presenceBefore), [['composing', TO_JID], ['paused', TO_JID]]);
      assert.equal(options.quoted.key.id, first.body.key.id);
      assert.equal(options.quoted.message.conversation, 'original');
    });

    it('sendMedia: image bytes and a document by URL (fetched by Parley, bytes to Baileys)', async () => {
      const image = await send('sendMedia', { number: TO, mediatype: 'image', media: png.toString('base64'), caption: 'a picture' });
      assert.ok(Buffer.isBuffer(image.content.image));
      assert.deepEqual(image.content.image, png);
      assert.equal(image.content.caption, 'a picture');
      assertMsgObject(image.body, TO_JID, 'imageMessage');
      assert.equal(image.body.message.imageMessage.caption, 'a picture');

      const doc = await send('sendMedia', { number: TO, mediatype: 'document', media: `${mediaUrl}/report.pdf`, mimetype: 'application/pdf' });
      assert.deepEqual(doc.content, { document: Buffer.from('%PDF-1.4 fake report'), mimetype: 'application/pdf', fileName: 'report.pdf' });
      assertMsgObject(doc.body, TO_JID, 'documentMessage');
      assert.equal(doc.body.message.documentMessage.fileName, 'report.pdf');
    });

    it('sendWhatsAppAudio: OGG/Opus goes as a voice note; other audio needs ffmpeg (a clear 400 when it is missing)', async () => {
      const presenceBefore = sock.callsOf('sendPresenceUpdate').length;
      const voice = await send('sendWhatsAppAudio', { number: TO, audio: oggOpus().toString('base64'), delay: 5 });
      assert.deepEqual(voice.content.audio, oggOpus());
      assert.equal(voice.content.ptt, true);
      assert.equal(voice.content.mimetype, 'audio/ogg; codecs=opus');
      assert.equal(sock.callsOf('sendPresenceUpdate')[presenceBefore]![0], 'recording');
      assertMsgObject(voice.body, TO_JID, 'audioMessage');
      assert.equal(voice.body.message.audioMessage.ptt, true);

      const notOgg = Buffer.from('ID3\u0003\u0000\u0000\u0000\u0000\u0000\u0000 not really mp3').toString('base64');
      const result = await server.call('POST', `/message/sendWhatsAppAudio/${name}`, { body: { number: TO, audio: notOgg } });
      if (await ffmpegAvailable()) {
        assert.equal(result.status, 400, 'ffmpeg refuses bytes that are no audio');
        assert.match(JSON.stringify(result.body), /ffmpeg could not convert/);
      } else {
        assertEvolutionError(result, 400, FFMPEG_MISSING);
      }
    });

    it('sendWhatsAppAudio: a WAV is converted to an OGG/Opus voice note by ffmpeg', async (t) => {
      if (!(await ffmpegAvailable())) return t.skip('ffmpeg is not installed on this machine');
      const { content, body } = await send('sendWhatsAppAudio', { number: TO, audio: sineWav(1).toString('base64') });
      const audio = content.audio as Buffer;
      assert.equal(audio.subarray(0, 4).toString('latin1'), 'OggS', 'an Ogg container');
      assert.ok(audio.includes(Buffer.from('OpusHead')), 'carrying Opus');
      assert.equal(content.ptt, true);
      assert.equal(content.mimetype, 'audio/ogg; codecs=opus');
      assertMsgObject(body, TO_JID, 'audioMessage');
    });

    it('sendSticker: an image is converted to WebP', async () => {
      const { content, body } = await send('sendSticker', { number: TO, sticker: png.toString('base64') });
      const sticker = content.sticker as Buffer;
      assert.equal(sticker.subarray(0, 4).toString('latin1'), 'RIFF');
      assert.equal(sticker.subarray(8, 12).toString('latin1'), 'WEBP');
      assert.equal((await sharp(sticker).metadata()).width, 512);
      assertMsgObject(body, TO_JID, 'stickerMessage');
    });

    it('sendPtv: a round video note', async () => {
      const { content, body } = await send('sendPtv', { number: TO, video: `${mediaUrl}/clip.mp4` });
      assert.deepEqual(content, { video: Buffer.from('\u0000\u0000\u0000\u0018ftypmp42 fake video'), ptv: true });
      assert.equal(body.key.remoteJid, TO_JID);
      assert.equal(body.message.ptvMessage !== undefined || body.message.videoMessage !== undefined, true);
    });

    it('sendLocation, sendContact, sendPoll', async () => {
      const location = await send('sendLocation', { number: TO, latitude: -23.55, longitude: -46.63, name: 'Paulista', address: 'Av. Paulista, 1000' });
      assert.deepEqual(location.content, { location: { degreesLatitude: -23.55, degreesLongitude: -46.63, name: 'Paulista', address: 'Av. Paulista, 1000' } });
      assertMsgObject(location.body, TO_JID, 'locationMessage');

      const contact = await send('sendContact', { number: TO, contact: [{ fullName: 'Ana Lima', phoneNumber: '+55 11 91234-5678', organization: 'ACME' }] });
      assert.equal(contact.content.contacts.displayName, 'Ana Lima');
      const vcard: string = contact.content.contacts.contacts[0].vcard;
      assert.match(vcard, /^BEGIN:VCARD\nVERSION:3\.0\n/);
      assert.match(vcard, /item1\.TEL;waid=5511912345678:\+55 11 91234-5678/);
      assert.match(vcard, /ORG:ACME;/);
      assertMsgObject(contact.body, TO_JID, 'contactMessage');

      const two = await send('sendContact', { number: TO, contact: [{ fullName: 'A', phoneNumber: '5511911111111' }, { fullName: 'B', phoneNumber: '5511922222222' }] });
      assert.equal(two.content.contacts.displayName, '2 contacts');
      assertMsgObject(two.body, TO_JID, 'contactsArrayMessage');

      const poll = await send('sendPoll', { number: TO, name: 'Lunch?', selectableCount: 1, values: ['Pizza', 'Sushi'] });
      assert.deepEqual(poll.content, { poll: { name: 'Lunch?', values: ['Pizza', 'Sushi'], selectableCount: 1 } });
      assert.match(poll.body.messageType, /^pollCreationMessage/);
    });

    it('sendReaction reacts to the key, in its chat', async () => {
      const target = await send('sendText', { number: TO, text: 'react to me' });
      const { jid, content, body } = await send('sendReaction', { key: { id: target.body.key.id, remoteJid: TO_JID, fromMe: true }, reaction: '👍' });
      assert.equal(jid, TO_JID);
      // (Baileys stamps senderTimestampMs onto the content it is given.)
      assert.equal(content.react.text, '👍');
      assert.deepEqual(content.react.key, { remoteJid: TO_JID, fromMe: true, id: target.body.key.id });
      assertMsgObject(body, TO_JID, 'reactionMessage');
    });

    it('sendStatus posts to status@broadcast for the listed numbers', async () => {
      const { jid, content, options, body } = await send('sendStatus', { type: 'text', content: 'Good morning', backgroundColor: '#008000', font: 1, statusJidList: [TO] });
      assert.equal(jid, 'status@broadcast');
      assert.deepEqual(content, { text: 'Good morning' });
      assert.deepEqual(options.statusJidList, [TO_JID]);
      assert.equal(options.backgroundColor, '#008000');
      assert.equal(options.font, 1);
      assertMsgObject(body, 'status@broadcast', 'conversation');
    });

    it('sendList and sendButtons are sent as text (Baileys v7 has no interactive messages)', async () => {
      const list = await send('sendList', {
        number: TO, title: 'Menu', description: 'Pick one', footerText: 'Thanks', buttonText: 'Open',
        sections: [{ title: 'Food', rows: [{ title: 'Pizza', description: 'Hot', rowId: 'p' }] }],
      });
      assert.deepEqual(list.content, { text: '*Menu*\n\nPick one\n\n*Food*\n• Pizza — Hot\n\n_Thanks_' });
      const buttons = await send('sendButtons', { number: TO, title: 'Hi', description: 'Choose', buttons: [{ type: 'url', displayText: 'Site', url: 'https://example.com' }] });
      assert.deepEqual(buttons.content, { text: '*Hi*\n\nChoose\n\n• Site: https://example.com' });
    });

    it('a closed instance cannot send (400), and nothing reaches the socket', async () => {
      const other = uniqueName('closed');
      await createWithWebhook(server, sink, other);
      const result = await server.call('POST', `/message/sendText/${other}`, { body: { number: TO, text: 'x' } });
      assert.equal(result.status, 400);
      assert.equal(fake.for(other).length, 0);
    });
  });
}
