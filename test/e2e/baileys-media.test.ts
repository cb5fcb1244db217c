// WHATSAPP-BAILEYS media end to end over real HTTP.
// Outbound: every URL a client gives (send routes, sticker/voice conversion, profile and group pictures) is fetched
// by Parley under the outbound policy — cloud metadata always refused, private ranges when
// PARLEY_BLOCK_PRIVATE_TARGETS=true, each redirect hop checked again, size capped — and Baileys only gets bytes.
// Inbound: media encrypted the way WhatsApp does (Baileys' own encryptedStream) on a fake media CDN, named by
// messages the fake socket emits → stored in the blob store, MESSAGES_UPSERT (with inline base64), findMessages;
// expired media re-requested from the phone; media that cannot be had leaves the message stored without it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { proto, type WAMessage } from 'baileys';
import Long from 'long';
import sharp from 'sharp';
import { FakeSocketFactory, type FakeBaileysSocket } from '../fakes/fake-baileys-socket.js';
import { FakeWhatsAppCdn, type CdnMedia } from '../fakes/fake-whatsapp-cdn.js';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, type TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';
import { startBaileysServer, uniqueName } from './baileys-helpers.js';

const TO = '5511987654321';
const FROM = '5511988887777@s.whatsapp.net';
const GROUP = '120363000000000001@g.us';
const OWN = '5511999999999@s.whatsapp.net';
const METADATA = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';
const MAX_MB = 1;

/** A local "client media" server: a picture, a file over the cap, and redirects (one to a forbidden address). */
class ClientMediaServer {
  readonly paths: string[] = [];
  picture = Buffer.alloc(0);
  private server: http.Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.picture = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#36c' } }).jpeg().toBuffer();
    this.server = http.createServer((req, res) => {
      const path = req.url ?? '/';
      this.paths.push(path);
      if (path === '/photo.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(this.picture);
      else if (path === '/files/report.pdf') res.writeHead(200, { 'content-type': 'application/pdf' }).end(Buffer.from('%PDF-1.4 report'));
      else if (path === '/to-photo') res.writeHead(302, { location: '/photo.jpg' }).end();
      else if (path === '/to-metadata') res.writeHead(302, { location: METADATA }).end();
      // Declares nothing: the cap must hold while reading, not only on Content-Length.
      else if (path === '/huge.bin') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(MAX_MB * 1024 * 1024 + 1));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** Creates an instance (optionally with a webhook) and connects it; the fake phone is already linked. */
async function openInstance(server: TestServer, fake: FakeSocketFactory, name: string, webhook?: Record<string, unknown>): Promise<FakeBaileysSocket> {
  await createInstance(server, { instanceName: name, qrcode: false, ...(webhook ? { webhook } : {}) });
  const connected = await server.call('GET', `/instance/connect/${name}`);
  if (connected.status !== 200) throw new Error(`connect failed: ${connected.status} ${connected.text}`);
  for (let i = 0; i < 1000; i++) {
    const state = await server.call('GET', `/instance/connectionState/${name}`);
    if (state.body?.instance?.state === 'open') return fake.latest(name);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`instance ${name} did not open`);
}

function startServer(kind: Parameters<typeof startBaileysServer>[0], fake: FakeSocketFactory, env: Record<string, string> = {}) {
  // The phone links as soon as the socket exists.
  fake.onCreate = (sock) => setImmediate(() => sock.openWith());
  return startBaileysServer(kind, fake, { env: { PARLEY_MEDIA_MAX_MB: String(MAX_MB), ...env } });
}

let sequence = 0;
const nextId = () => `3EB0${Date.now().toString(16).toUpperCase()}${String(++sequence).padStart(6, '0')}`;

/**
 * The media fields of a received message. Real messages also carry `directPath`, from which Baileys builds an https
 * URL on the CDN host; without it Baileys downloads `url` as is, which lets the fake CDN speak plain HTTP.
 */
function mediaFields(media: CdnMedia) {
  const { directPath: _path, ...fields } = media;
  return fields;
}

function received(content: proto.IMessage): WAMessage {
  return {
    key: { remoteJid: FROM, fromMe: false, id: nextId() },
    messageTimestamp: Long.fromNumber(1717171717, true),
    pushName: 'Ana',
    message: proto.Message.decode(proto.Message.encode(content).finish()),
  } as WAMessage;
}

for (const kind of databaseKinds()) {
  describe(`WHATSAPP-BAILEYS media (${kind.name})`, () => {
    const fake = new FakeSocketFactory();
    const sink = new WebhookSink();
    const cdn = new FakeWhatsAppCdn();
    const client = new ClientMediaServer();
    const name = uniqueName('media');
    let server: TestServer;
    let sock: FakeBaileysSocket;

    const call = (path: string, body: unknown) => server.call('POST', `${path}/${name}`, { body });
    const sends = () => sock.callsOf('sendMessage');
    const upserts = (id: string) => sink.received.filter((h) => h.path === `/${name}` && h.body.event === 'messages.upsert' && h.body.data.key.id === id).map((h) => h.body);

    before(async () => {
      await Promise.all([sink.start(), cdn.start(), client.start()]);
      server = await startServer(kind, fake);
      sock = await openInstance(server, fake, name, { url: `${sink.url}/${name}`, events: ['MESSAGES_UPSERT'], base64: true });
    });
    after(async () => {
      await server.close();
      await Promise.all([sink.stop(), cdn.stop(), client.stop()]);
    });

    describe('client media URLs', () => {
      it('fetches a local URL itself and hands Baileys the bytes (loopback is allowed by default)', async () => {
        const res = await call('/message/sendMedia', { number: TO, mediatype: 'image', media: `${client.url}/photo.jpg`, caption: 'pic' });
        assert.equal(res.status, 201, res.text);
        const content = sends().at(-1)![1] as { image: unknown; caption: string };
        assert.ok(Buffer.isBuffer(content.image), 'Baileys gets a Buffer, never a {url}');
        assert.ok(content.image.equals(client.picture), 'the exact bytes');
        assert.equal(content.caption, 'pic');

        const doc = await call('/message/sendMedia', { number: TO, mediatype: 'document', media: `${client.url}/files/report.pdf` });
        assert.equal(doc.status, 201, doc.text);
        const docContent = sends().at(-1)![1] as { document: Buffer; mimetype: string; fileName: string };
        assert.deepEqual([docContent.document.toString(), docContent.mimetype, docContent.fileName], ['%PDF-1.4 report', 'application/pdf', 'report.pdf']);
      });

      it('follows an allowed redirect', async () => {
        const res = await call('/message/sendPtv', { number: TO, video: `${client.url}/to-photo` });
        assert.equal(res.status, 201, res.text);
        assert.ok((sends().at(-1)![1] as { video: Buffer }).video.equals(client.picture));
      });

      it('refuses a cloud-metadata URL with 400, and Baileys is never called', async () => {
        const before = sends().length;
        const res = await call('/message/sendMedia', { number: TO, mediatype: 'image', media: METADATA });
        assertEvolutionError(res, 400, /Could not download the media from http:\/\/169\.254\.169\.254.*refused by the outbound policy: cloud metadata/);
        assert.equal(sends().length, before);
      });

      it('refuses a redirect from an allowed URL to cloud metadata', async () => {
        const before = sends().length;
        const seen = client.paths.length;
        const res = await call('/message/sendMedia', { number: TO, mediatype: 'document', media: `${client.url}/to-metadata`, fileName: 'x.pdf' });
        assertEvolutionError(res, 400, /refused by the outbound policy: cloud metadata/);
        assert.deepEqual(client.paths.slice(seen), ['/to-metadata'], 'the first hop was fetched, the second refused');
        assert.equal(sends().length, before);
      });

      it('refuses media over PARLEY_MEDIA_MAX_MB with 400', async () => {
        const before = sends().length;
        const res = await call('/message/sendMedia', { number: TO, mediatype: 'document', media: `${client.url}/huge.bin`, fileName: 'huge.bin' });
        assertEvolutionError(res, 400, new RegExp(`larger than ${MAX_MB * 1024 * 1024} bytes`));
        assert.equal(sends().length, before);
      });

      it('answers 400 for an unreachable URL and for a non-http scheme', async () => {
        const before = sends().length;
        assertEvolutionError(await call('/message/sendMedia', { number: TO, mediatype: 'image', media: `${client.url}/missing.jpg` }), 400, /HTTP 404/);
        assertEvolutionError(await call('/message/sendMedia', { number: TO, mediatype: 'image', media: 'http://127.0.0.1:1/x.jpg' }), 400, /ECONNREFUSED/);
        assert.equal(sends().length, before);
      });

      it('checks URLs of stickers, voice notes and statuses the same way', async () => {
        const before = sends().length;
        assertEvolutionError(await call('/message/sendSticker', { number: TO, sticker: METADATA }), 400, /refused by the outbound policy/);
        assertEvolutionError(await call('/message/sendWhatsAppAudio', { number: TO, audio: METADATA, encoding: false }), 400, /refused by the outbound policy/);
        assertEvolutionError(await call('/message/sendStatus', { type: 'image', content: METADATA, statusJidList: [`${TO}@s.whatsapp.net`] }), 400, /refused by the outbound policy/);
        assert.equal(sends().length, before);
        const sticker = await call('/message/sendSticker', { number: TO, sticker: `${client.url}/photo.jpg` });
        assert.equal(sticker.status, 201, sticker.text);
        assert.ok(Buffer.isBuffer((sends().at(-1)![1] as { sticker: unknown }).sticker));
      });

      it('fetches profile and group pictures itself, and refuses forbidden ones', async () => {
        sock.answer('groupMetadata', async (jid) => ({ id: jid, subject: 'G', participants: [] }) as never);
        const pictures = () => sock.callsOf('updateProfilePicture');
        const before = pictures().length;
        assertEvolutionError(await call('/chat/updateProfilePicture', { picture: METADATA }), 400, /refused by the outbound policy/);
        assertEvolutionError(await call('/group/updateGroupPicture', { groupJid: GROUP, image: `${client.url}/to-metadata` }), 400, /refused by the outbound policy/);
        assert.equal(pictures().length, before);

        assert.equal((await call('/chat/updateProfilePicture', { picture: `${client.url}/photo.jpg` })).status, 200);
        assert.equal((await call('/group/updateGroupPicture', { groupJid: GROUP, image: `${client.url}/photo.jpg` })).status, 201);
        const [own, group] = pictures().slice(-2);
        assert.equal(own![0], OWN);
        assert.equal(group![0], GROUP);
        assert.ok((own![1] as Buffer).equals(client.picture) && (group![1] as Buffer).equals(client.picture));
      });
    });

    describe('received media', () => {
      async function receive(message: WAMessage): Promise<any> {
        sock.ev.emit('messages.upsert', { messages: [message], type: 'notify' });
        const id = message.key.id!;
        await sink.waitFor(() => upserts(id).length === 1, 10_000, `messages.upsert of ${id}`);
        return upserts(id)[0];
      }
      const stored = async (id: string) => (await call('/chat/findMessages', { where: { key: { id } } })).body.messages.records;
      const base64Of = (id: string) => call('/chat/getBase64FromMediaMessage', { message: { key: { id } } });

      it('downloads an image from the CDN, decrypts it, stores it and inlines it for a base64 webhook', async () => {
        const plain = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(3000)]);
        const media = await cdn.upload(plain, 'image');
        const message = received({ imageMessage: { ...mediaFields(media), mimetype: 'image/jpeg', caption: 'from the phone' } });
        const upsert = await receive(message);
        assert.equal(upsert.data.messageType, 'imageMessage');
        assert.equal(upsert.data.message.imageMessage.caption, 'from the phone');
        assert.equal(upsert.data.message.base64, plain.toString('base64'), 'the decrypted bytes, inline');
        assert.deepEqual(cdn.hits(media), [200]);

        const records = await stored(message.key.id!);
        assert.equal(records.length, 1);
        assert.equal(records[0].messageType, 'imageMessage');
        const fetched = await base64Of(message.key.id!);
        assert.equal(fetched.status, 201, fetched.text);
        assert.equal(fetched.body.mimetype, 'image/jpeg');
        assert.ok(Buffer.from(fetched.body.base64, 'base64').equals(plain), 'the blob store holds the plaintext');
      });

      it('downloads a voice note (ptt audio)', async () => {
        const plain = Buffer.concat([Buffer.from('OggS'), randomBytes(1500)]);
        const media = await cdn.upload(plain, 'audio');
        const message = received({ audioMessage: { ...mediaFields(media), mimetype: 'audio/ogg; codecs=opus', ptt: true, seconds: 3 } });
        const upsert = await receive(message);
        assert.equal(upsert.data.messageType, 'audioMessage');
        assert.equal(upsert.data.message.audioMessage.ptt, true);
        assert.equal(upsert.data.message.base64, plain.toString('base64'));
        const fetched = await base64Of(message.key.id!);
        assert.equal(fetched.body.mimetype, 'audio/ogg; codecs=opus');
        assert.ok(Buffer.from(fetched.body.base64, 'base64').equals(plain));
      });

      it('asks the phone to upload expired media again (404 on the CDN) and then downloads it', async () => {
        const plain = randomBytes(1024);
        const media = await cdn.upload(plain, 'image');
        cdn.expire(media);
        const fresh = cdn.reupload(media);
        sock.answer('updateMediaMessage', async (m) => ({ ...m, message: { imageMessage: { ...m.message!.imageMessage, url: fresh.url } } }));
        const message = received({ imageMessage: { ...mediaFields(media), mimetype: 'image/jpeg' } });
        const upsert = await receive(message);
        assert.equal(upsert.data.message.base64, plain.toString('base64'));
        assert.deepEqual(cdn.hits(media), [404]);
        assert.deepEqual(cdn.hits(fresh), [200]);
        assert.equal((sock.callsOf('updateMediaMessage').at(-1)![0] as WAMessage).key.id, message.key.id);
      });

      it('stores the message without its media when the download and the re-upload fail', async () => {
        const media = await cdn.upload(randomBytes(512), 'image');
        cdn.expire(media);
        sock.answer('updateMediaMessage', async () => {
          throw new Error('media upload failed on the phone');
        });
        const message = received({ imageMessage: { ...mediaFields(media), mimetype: 'image/jpeg', caption: 'lost' } });
        const upsert = await receive(message);
        assert.equal(upsert.data.message.imageMessage.caption, 'lost');
        assert.equal(upsert.data.message.base64, undefined, 'no media to inline');
        assert.deepEqual(cdn.hits(media), [404]);
        assert.equal((await stored(message.key.id!)).length, 1, 'the message itself is stored');
        assert.equal((await base64Of(message.key.id!)).status >= 400, true, 'and has no media');

        // The instance goes on receiving: a later message is stored normally.
        const next = await cdn.upload(Buffer.from('next'), 'document');
        const after = received({ documentMessage: { ...mediaFields(next), mimetype: 'text/plain', fileName: 'next.txt' } });
        assert.equal((await receive(after)).data.message.base64, Buffer.from('next').toString('base64'));
      });

      it('does not download media announced larger than PARLEY_MEDIA_MAX_MB, nor media whose hash does not match', async () => {
        const big = await cdn.upload(randomBytes(256), 'video');
        const message = received({ videoMessage: { ...mediaFields(big), fileLength: Long.fromNumber(MAX_MB * 1024 * 1024 + 1, true), mimetype: 'video/mp4' } });
        assert.equal((await receive(message)).data.message.base64, undefined);
        assert.deepEqual(cdn.hits(big), [], 'never requested');

        const other = await cdn.upload(randomBytes(256), 'image');
        const forged = received({ imageMessage: { ...mediaFields(other), fileSha256: randomBytes(32), mimetype: 'image/jpeg' } });
        assert.equal((await receive(forged)).data.message.base64, undefined);
        assert.deepEqual(cdn.hits(other), [200]);
        assert.equal((await stored(forged.key.id!)).length, 1);

        // Announced small, but larger on the wire: the cap holds while reading.
        const understated = await cdn.upload(randomBytes(MAX_MB * 1024 * 1024 + 64), 'document');
        const liar = received({ documentMessage: { ...mediaFields(understated), fileLength: Long.fromNumber(10, true), mimetype: 'application/zip', fileName: 'a.zip' } });
        assert.equal((await receive(liar)).data.message.base64, undefined);
        assert.deepEqual(cdn.hits(understated), [200]);
      });
    });
  });

  describe(`WHATSAPP-BAILEYS media with PARLEY_BLOCK_PRIVATE_TARGETS=true (${kind.name})`, () => {
    const fake = new FakeSocketFactory();
    const client = new ClientMediaServer();
    const cdn = new FakeWhatsAppCdn();
    const name = uniqueName('private');
    let server: TestServer;
    let sock: FakeBaileysSocket;

    before(async () => {
      await Promise.all([client.start(), cdn.start()]);
      server = await startServer(kind, fake, { PARLEY_BLOCK_PRIVATE_TARGETS: 'true' });
      sock = await openInstance(server, fake, name);
    });
    after(async () => {
      await server.close();
      await Promise.all([client.stop(), cdn.stop()]);
    });

    it('refuses a client URL on a private address: 400, nothing fetched, Baileys never called', async () => {
      const res = await server.call('POST', `/message/sendMedia/${name}`, { body: { number: TO, mediatype: 'image', media: `${client.url}/photo.jpg` } });
      assertEvolutionError(res, 400, /loopback and private addresses are refused/);
      assert.deepEqual(client.paths, []);
      assert.deepEqual(sock.callsOf('sendMessage'), []);
    });

    it('does not fetch received media from a private address either (the message is stored without it)', async () => {
      const media = await cdn.upload(randomBytes(256), 'image');
      const message = received({ imageMessage: { ...mediaFields(media), mimetype: 'image/jpeg' } });
      sock.ev.emit('messages.upsert', { messages: [message], type: 'notify' });
      const find = () => server.call('POST', `/chat/findMessages/${name}`, { body: { where: { key: { id: message.key.id } } } });
      for (let i = 0; i < 1000 && (await find()).body.messages.records.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal((await find()).body.messages.records.length, 1);
      assert.deepEqual(cdn.requests, []);
    });
  });
}
