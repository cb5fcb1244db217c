// The WhatsApp Cloud API channel (integration WHATSAPP-BUSINESS) end to end through the real app over real HTTP, against
// the fake Graph API: Meta's webhook handshake, signed deliveries (stored, answered, processed), dedupe, inbound media,
// every send route, status updates in and out of order, Meta's rate limits and errors, read receipts, templates, and a
// delivery that survives a stop between the 200 and its processing.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FakeGraph, type FakeGraphRequest } from '../fakes/fake-graph.js';
import { assertEvolutionError } from '../helpers/assert-error.js';
import { databaseKinds } from '../helpers/databases.js';
import { createInstance, startTestServer, type CallResult, type TestServer } from '../helpers/server.js';
import { WebhookSink } from '../helpers/webhook-sink.js';

const UNSUPPORTED = 'Method not available on WhatsApp Business API';
const EVENTS = ['MESSAGES_UPSERT', 'MESSAGES_UPDATE', 'SEND_MESSAGE', 'CONTACTS_UPSERT', 'CHATS_UPSERT'];

const rand = (bytes = 4) => randomBytes(bytes).toString('hex');
const digits = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? 1 + Math.floor(Math.random() * 9) : Math.floor(Math.random() * 10))).join('');
/** A 13-digit number no country rule rewrites (52/54/55 prefixes are normalized, as in Evolution). */
const recipient = () => `1${digits(12)}`;
const newWamid = () => `wamid.HBgL${randomBytes(15).toString('base64url')}`;
const nowS = () => Math.floor(Date.now() / 1000);

interface Account {
  token: string;
  phoneNumberId: string;
  wabaId: string;
  secret: string;
  verifyToken: string;
}

function newAccount(): Account {
  return { token: `graph-token-${rand(8)}`, phoneNumberId: digits(15), wabaId: digits(15), secret: `app-secret-${rand(8)}`, verifyToken: `verify-${rand(8)}` };
}

function serverEnv(graph: FakeGraph, account: Account): Record<string, string> {
  return {
    WA_BUSINESS_URL: graph.url,
    WA_BUSINESS_VERSION: 'v25.0',
    WA_BUSINESS_APP_SECRET: account.secret,
    WA_BUSINESS_TOKEN_WEBHOOK: account.verifyToken,
  };
}

/** Meta's envelope around one `messages` change for a phone number. */
function delivery(phoneNumberId: string, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '0',
        changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, ...value } }],
      },
    ],
  };
}

function inboundValue(from: string, name: string, message: Record<string, unknown>) {
  return { contacts: [{ profile: { name }, wa_id: from }], messages: [{ from, timestamp: String(nowS()), ...message }] };
}

function statusValue(wamid: string, status: string, recipient: string, extra: Record<string, unknown> = {}) {
  return { statuses: [{ id: wamid, status, timestamp: String(nowS()), recipient_id: recipient, ...extra }] };
}

async function createBusinessInstance(server: TestServer, account: Account, name: string, webhookUrl: string): Promise<any> {
  const created = await createInstance(server, {
    instanceName: name,
    integration: 'WHATSAPP-BUSINESS',
    token: account.token,
    number: account.phoneNumberId,
    businessId: account.wabaId,
    webhook: { url: webhookUrl, events: EVENTS },
  });
  return created;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const kind of databaseKinds()) {
  describe(`WhatsApp Cloud API channel [${kind.name}]`, () => {
    let graph: FakeGraph;
    let server: TestServer;
    const sink = new WebhookSink();
    const account = newAccount();
    const name = `biz-${rand()}`;
    let instanceId = '';

    before(async () => {
      graph = await FakeGraph.start({ tokens: [account.token] });
      await sink.start();
      server = await startTestServer(kind, { env: serverEnv(graph, account) });
      const created = await createBusinessInstance(server, account, name, sink.url);
      instanceId = created.instance.instanceId;
      assert.equal(created.instance.integration, 'WHATSAPP-BUSINESS');
      assert.equal(created.instance.status, 'open', 'WHATSAPP-BUSINESS instances are open');
    });
    after(async () => {
      await server?.close();
      await sink.stop();
      await graph?.close();
    });

    const postMeta = (payload: unknown, secret = account.secret, target: TestServer = server): Promise<CallResult> => {
      const { body, headers } = graph.signedDelivery(payload, secret);
      return target.call('POST', '/webhook/meta', { apikey: null, rawBody: body, headers });
    };
    const postInbound = (from: string, pushName: string, message: Record<string, unknown>) => postMeta(delivery(account.phoneNumberId, inboundValue(from, pushName, message)));
    const postStatus = (wamid: string, status: string, recipient: string, extra: Record<string, unknown> = {}) =>
      postMeta(delivery(account.phoneNumberId, statusValue(wamid, status, recipient, extra)));

    const upserts = (keyId: string) => sink.events('messages.upsert').filter((e) => e.data?.key?.id === keyId);
    const updates = (keyId: string) => sink.events('messages.update').filter((e) => e.data?.keyId === keyId);
    const findMessages = (where: Record<string, unknown> = {}) => server.call('POST', `/chat/findMessages/${name}`, { body: { where } });
    const sendsTo = (to: string): FakeGraphRequest[] => graph.sends().filter((r) => r.json?.to === to);
    const send = (path: string, body: Record<string, unknown>) => server.call('POST', `/message/${path}/${name}`, { body });

    /** A valid inbound text whose MESSAGES_UPSERT arrives after everything posted before it was processed. */
    async function sentinel(): Promise<void> {
      const id = newWamid();
      const res = await postInbound(recipient(), 'Sentinel', { id, type: 'text', text: { body: 'sentinel' } });
      assert.equal(res.status, 200, res.text);
      await sink.waitFor(() => upserts(id).length === 1, 10_000, `sentinel ${id}`);
    }

    /** Sends a text through the API and returns the 201 body (the wamid is `key.id`). */
    async function sendText(to: string, text: string): Promise<any> {
      const res = await send('sendText', { number: to, text });
      assert.equal(res.status, 201, res.text);
      return res.body;
    }

    it('answers Meta’s verification handshake with the challenge, and a wrong token with Evolution’s text', async () => {
      const ok = await server.call('GET', `/webhook/meta?hub.mode=subscribe&hub.verify_token=${account.verifyToken}&hub.challenge=123`, { apikey: null });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.text, '123');
      const wrong = await server.call('GET', '/webhook/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=123', { apikey: null });
      assert.equal(wrong.text, 'Error, wrong validation token');
      const none = await server.call('GET', '/webhook/meta?hub.mode=subscribe&hub.challenge=123', { apikey: null });
      assert.equal(none.text, 'Error, wrong validation token');
    });

    it('stores a signed inbound text, answers 200 at once, and emits MESSAGES_UPSERT, CONTACTS_UPSERT and CHATS_UPSERT', async () => {
      const from = recipient();
      const id = newWamid();
      const timestamp = nowS() - 5;
      const payload = delivery(account.phoneNumberId, {
        contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: from }],
        messages: [{ from, id, timestamp: String(timestamp), type: 'text', text: { body: 'Does it come in another color?' } }],
      });
      const started = Date.now();
      const res = await postMeta(payload);
      const elapsed = Date.now() - started;
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { status: 'success' });
      assert.ok(elapsed < 2_000, `answered in ${elapsed} ms`);

      const jid = `${from}@s.whatsapp.net`;
      await sink.waitFor(() => upserts(id).length === 1, 10_000, 'messages.upsert');
      const upsert = upserts(id)[0];
      assert.equal(upsert.instance, name);
      assert.deepEqual(upsert.data, {
        key: { remoteJid: jid, fromMe: false, id },
        pushName: 'Sheena Nelson',
        status: 'DELIVERY_ACK',
        message: { conversation: 'Does it come in another color?' },
        messageType: 'conversation',
        messageTimestamp: timestamp,
        instanceId,
        source: 'unknown',
      });

      const found = await findMessages({ key: { id } });
      assert.equal(found.status, 200, found.text);
      assert.equal(found.body.messages.total, 1);
      const record = found.body.messages.records[0];
      assert.deepEqual(record.key, { remoteJid: jid, fromMe: false, id });
      assert.deepEqual(record.message, { conversation: 'Does it come in another color?' });
      assert.equal(record.pushName, 'Sheena Nelson');

      await sink.waitFor(
        () => sink.events('contacts.upsert').some((e) => e.data?.remoteJid === jid) && sink.events('chats.upsert').some((e) => e.data?.[0]?.remoteJid === jid),
        10_000,
        'contacts.upsert and chats.upsert',
      );
      assert.deepEqual(sink.events('contacts.upsert').find((e) => e.data?.remoteJid === jid).data, { remoteJid: jid, pushName: 'Sheena Nelson', profilePicUrl: null, instanceId });
      assert.deepEqual(sink.events('chats.upsert').find((e) => e.data?.[0]?.remoteJid === jid).data, [{ remoteJid: jid, instanceId, name: 'Sheena Nelson', unreadMessages: 1 }]);
    });

    it('refuses a delivery with a bad or missing signature with 401, storing and emitting nothing', async () => {
      const before = (await findMessages()).body.messages.total;
      const id = newWamid();
      const payload = delivery(account.phoneNumberId, inboundValue(recipient(), 'Mallory', { id, type: 'text', text: { body: 'forged' } }));

      const wrongSecret = await postMeta(payload, 'not-the-app-secret');
      assert.equal(wrongSecret.status, 401, wrongSecret.text);
      assert.equal(wrongSecret.body.status, 401);

      const { body, headers } = graph.signedDelivery(payload, account.secret);
      const tampered = await server.call('POST', '/webhook/meta', { apikey: null, rawBody: body.replace('forged', 'FORGED'), headers });
      assert.equal(tampered.status, 401, tampered.text);

      const missing = await server.call('POST', '/webhook/meta', { apikey: null, rawBody: body, headers: { 'content-type': 'application/json' } });
      assert.equal(missing.status, 401, missing.text);

      const garbage = await server.call('POST', '/webhook/meta', { apikey: null, rawBody: body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=zz' } });
      assert.equal(garbage.status, 401, garbage.text);

      await sentinel();
      assert.equal(upserts(id).length, 0, 'no MESSAGES_UPSERT for a refused delivery');
      assert.equal((await findMessages({ key: { id } })).body.messages.total, 0);
      assert.equal((await findMessages()).body.messages.total, before + 1, 'only the sentinel was stored');
    });

    it('stores a delivery Meta posts twice only once, with one MESSAGES_UPSERT', async () => {
      const id = newWamid();
      const payload = delivery(account.phoneNumberId, inboundValue(recipient(), 'Twice', { id, type: 'text', text: { body: 'once please' } }));
      const first = await postMeta(payload);
      const second = await postMeta(payload);
      assert.equal(first.status, 200, first.text);
      assert.equal(second.status, 200, second.text);
      await sink.waitFor(() => upserts(id).length >= 1, 10_000, 'messages.upsert');
      await sentinel();
      assert.equal(upserts(id).length, 1, 'one MESSAGES_UPSERT');
      assert.equal((await findMessages({ key: { id } })).body.messages.total, 1, 'one stored message');
    });

    it('downloads inbound media through Graph with the instance token and serves the exact bytes', async () => {
      const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2048)]);
      const mediaId = graph.addMedia(bytes, 'image/jpeg');
      const id = newWamid();
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const res = await postInbound(recipient(), 'Photographer', { id, type: 'image', image: { id: mediaId, mime_type: 'image/jpeg', sha256, caption: 'look' } });
      assert.equal(res.status, 200, res.text);
      await sink.waitFor(() => upserts(id).length === 1, 10_000, 'messages.upsert of the image');
      const upsert = upserts(id)[0];
      assert.equal(upsert.data.messageType, 'imageMessage');
      assert.equal(upsert.data.message.imageMessage.caption, 'look');
      assert.equal(upsert.data.message.imageMessage.mimetype, 'image/jpeg');

      const graphCalls = graph.requests.filter((r) => r.path === `/v25.0/${mediaId}` || r.path === `/media-bytes/${mediaId}`);
      assert.deepEqual(
        graphCalls.map((r) => [r.method, r.path, r.headers.authorization, r.status]),
        [
          ['GET', `/v25.0/${mediaId}`, `Bearer ${account.token}`, 200],
          ['GET', `/media-bytes/${mediaId}`, `Bearer ${account.token}`, 200],
        ],
      );

      const media = await server.call('POST', `/chat/getBase64FromMediaMessage/${name}`, { body: { message: { key: { id } } } });
      assert.equal(media.status, 201, media.text);
      assert.equal(media.body.mimetype, 'image/jpeg');
      assert.equal(media.body.mediaType, 'image');
      assert.equal(media.body.caption, 'look');
      assert.ok(Buffer.from(media.body.base64, 'base64').equals(bytes), 'the exact bytes');
      assert.equal(media.body.size.fileLength, bytes.length);
    });

    it('puts stored media inline (data.message.base64) for a webhook with base64 on, and only then', async () => {
      const found = (await server.call('GET', `/webhook/find/${name}`)).body;
      const set = (base64: boolean) => server.call('POST', `/webhook/set/${name}`, { body: { webhook: { enabled: true, url: found.url, events: found.events, base64 } } });
      assert.equal((await set(true)).status, 201);
      try {
        const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(512)]);
        const mediaId = graph.addMedia(bytes, 'image/jpeg');
        const id = newWamid();
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        assert.equal((await postInbound(recipient(), 'Inline', { id, type: 'image', image: { id: mediaId, mime_type: 'image/jpeg', sha256 } })).status, 200);
        await sink.waitFor(() => upserts(id).length === 1, 10_000, 'messages.upsert with inline media');
        assert.equal(upserts(id)[0].data.message.base64, bytes.toString('base64'));
        // The stored message itself is unchanged: the bytes are added to that webhook's copy only.
        const stored = await server.call('POST', `/chat/findMessages/${name}`, { body: { where: { key: { id } } } });
        assert.equal(stored.body.messages.records[0].message.base64, undefined);
      } finally {
        assert.equal((await set(false)).status, 201);
      }
    });

    it('sends text through Graph, then reports sent, delivered and read as MESSAGES_UPDATE', async () => {
      const to = recipient();
      const jid = `${to}@s.whatsapp.net`;
      const sent = await sendText(`+${to}`, 'hello from parley');
      const request = sendsTo(to).at(-1);
      assert.ok(request !== undefined, 'the fake saw the send');
      assert.equal(request.status, 200);
      const wamid = (request.response as { messages: { id: string }[] }).messages[0]!.id;
      assert.match(wamid, /^wamid\./);
      assert.deepEqual(sent.key, { remoteJid: jid, fromMe: true, id: wamid });
      assert.equal(sent.status, 'PENDING');
      assert.deepEqual(sent.message, { conversation: 'hello from parley' });
      assert.equal(sent.messageType, 'conversation');

      assert.equal(request.method, 'POST');
      assert.equal(request.path, `/v25.0/${account.phoneNumberId}/messages`);
      assert.equal(request.headers.authorization, `Bearer ${account.token}`);
      assert.equal(request.json?.messaging_product, 'whatsapp');
      assert.equal(request.json?.to, to);
      assert.equal(request.json?.type, 'text');
      assert.equal((request.json?.text as { body?: string }).body, 'hello from parley');

      await sink.waitFor(() => sink.events('send.message').some((e) => e.data?.key?.id === wamid), 10_000, 'send.message');
      const sendEvent = sink.events('send.message').find((e) => e.data?.key?.id === wamid);
      assert.equal(sendEvent.data.status, 'PENDING');
      assert.deepEqual(sendEvent.data.message, { conversation: 'hello from parley' });

      const stored = await findMessages({ key: { id: wamid } });
      assert.equal(stored.body.messages.total, 1);
      const messageId = stored.body.messages.records[0].id;

      for (const [status, expected] of [['sent', 'SENT'], ['delivered', 'DELIVERED'], ['read', 'READ']] as const) {
        const res = await postStatus(wamid, status, to);
        assert.equal(res.status, 200, res.text);
        await sink.waitFor(() => updates(wamid).some((e) => e.data.status === expected), 10_000, `messages.update ${expected}`);
      }
      const events = updates(wamid);
      assert.deepEqual(events.map((e) => e.data.status), ['SENT', 'DELIVERED', 'READ']);
      for (const e of events) {
        assert.deepEqual(e.data, { keyId: wamid, remoteJid: jid, fromMe: true, participant: jid, status: e.data.status, instanceId, messageId });
      }

      const history = await server.call('POST', `/chat/findStatusMessage/${name}`, { body: { where: { id: wamid } } });
      assert.equal(history.status, 200, history.text);
      assert.deepEqual(history.body.map((u: any) => u.status).sort(), ['DELIVERED', 'READ', 'SENT']);
      for (const row of history.body) {
        assert.equal(row.keyId, wamid);
        assert.equal(row.remoteJid, jid);
        assert.equal(row.fromMe, true);
        assert.equal(row.instanceId, instanceId);
      }
      const after = await findMessages({ key: { id: wamid } });
      assert.equal(after.body.messages.records[0].status, 'READ');
    });

    it('keeps READ when a late `delivered` arrives after `read`, without a second MESSAGES_UPDATE', async () => {
      const to = recipient();
      const wamid = (await sendText(to, 'out of order')).key.id as string;
      assert.equal((await postStatus(wamid, 'read', to)).status, 200);
      await sink.waitFor(() => updates(wamid).some((e) => e.data.status === 'READ'), 10_000, 'messages.update READ');
      assert.equal((await postStatus(wamid, 'delivered', to, { timestamp: String(nowS() - 60) })).status, 200);
      // The late status is recorded in the history, but the message does not move back and no event reports it.
      await waitUntil(
        async () => (await server.call('POST', `/chat/findStatusMessage/${name}`, { body: { where: { id: wamid } } })).body.length === 2,
        5_000,
        'both statuses recorded',
      );
      await sentinel();
      assert.deepEqual(updates(wamid).map((e) => e.data.status), ['READ']);
      const found = await findMessages({ key: { id: wamid } });
      assert.equal(found.body.messages.records[0].status, 'READ');
    });

    it('reports a `failed` status with Meta’s error as MESSAGES_UPDATE FAILED', async () => {
      const to = recipient();
      const wamid = (await sendText(to, 'will fail')).key.id as string;
      const res = await postStatus(wamid, 'failed', to, {
        errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'Message failed to send because more than 24 hours have passed' } }],
      });
      assert.equal(res.status, 200, res.text);
      await sink.waitFor(() => updates(wamid).some((e) => e.data.status === 'FAILED'), 10_000, 'messages.update FAILED');
      const event = updates(wamid).find((e) => e.data.status === 'FAILED');
      assert.equal(event.data.fromMe, true);
      assert.equal(event.data.remoteJid, `${to}@s.whatsapp.net`);
      assert.equal(event.data.error?.code, 131047);
      const found = await findMessages({ key: { id: wamid } });
      assert.equal(found.body.messages.records[0].status, 'FAILED');
    });

    it('retries Meta’s 130429 throughput error and answers 201', async () => {
      const to = recipient();
      graph.throttleNext(2);
      let sent: any;
      try {
        sent = await sendText(to, 'throttled');
      } finally {
        graph.clearFailures(); // a failure here must not leak queued errors into the next tests
      }
      assert.match(sent.key.id, /^wamid\./);
      const attempts = sendsTo(to);
      assert.equal(attempts.length, 3, 'two throttled attempts, then the accepted one');
      assert.deepEqual(attempts.map((r) => r.status), [429, 429, 200]);
      assert.equal((await findMessages({ key: { id: sent.key.id } })).body.messages.total, 1);
    });

    it('answers Meta’s 131047 (24-hour window) with an Evolution 400 naming the code, without retrying', async () => {
      const to = recipient();
      graph.failNext(1, { code: 131047, message: '(#131047) Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' });
      let res: CallResult;
      try {
        res = await send('sendText', { number: to, text: 'too late' });
      } finally {
        graph.clearFailures();
      }
      assertEvolutionError(res, 400, '131047');
      assert.equal(sendsTo(to).length, 1, 'not retried');
      assert.equal((await findMessages({ key: { remoteJid: `${to}@s.whatsapp.net` } })).body.messages.total, 0, 'nothing stored');
    });

    it('maps every supported send route to its Graph type, and refuses the others with the channel’s 400', async () => {
      const to = recipient();
      const last = () => {
        const r = sendsTo(to).at(-1);
        assert.ok(r !== undefined && r.json !== undefined, 'no send reached the fake');
        return r.json;
      };

      const media = await send('sendMedia', { number: to, mediatype: 'image', media: 'https://example.com/photos/cat.jpg', caption: 'a cat' });
      assert.equal(media.status, 201, media.text);
      assert.equal(media.body.messageType, 'imageMessage');
      assert.equal(last().type, 'image');
      assert.deepEqual(last().image, { link: 'https://example.com/photos/cat.jpg', caption: 'a cat' });

      const location = await send('sendLocation', { number: to, latitude: -23.56, longitude: -46.65, name: 'HQ', address: 'Av. Paulista' });
      assert.equal(location.status, 201, location.text);
      assert.equal(last().type, 'location');
      assert.deepEqual(last().location, { latitude: -23.56, longitude: -46.65, name: 'HQ', address: 'Av. Paulista' });

      const contact = await send('sendContact', { number: to, contact: [{ fullName: 'Ana Lima', phoneNumber: '+55 11 98888-7777', wuid: '5511988887777' }] });
      assert.equal(contact.status, 201, contact.text);
      assert.equal(last().type, 'contacts');
      assert.equal((last().contacts as any[])[0].name.formatted_name, 'Ana Lima');

      const target = media.body.key;
      const reaction = await server.call('POST', `/message/sendReaction/${name}`, { body: { key: { id: target.id, remoteJid: target.remoteJid, fromMe: true }, reaction: '👍' } });
      assert.equal(reaction.status, 201, reaction.text);
      assert.equal(last().type, 'reaction');
      assert.deepEqual(last().reaction, { message_id: target.id, emoji: '👍' });

      const list = await send('sendList', {
        number: to,
        title: 'Menu',
        description: 'Pick one',
        footerText: 'footer',
        buttonText: 'Open',
        sections: [{ title: 'Food', rows: [{ title: 'Pizza', description: 'cheese', rowId: 'pizza' }, { title: 'Salad', rowId: 'salad' }] }],
      });
      assert.equal(list.status, 201, list.text);
      assert.equal(last().type, 'interactive');
      assert.equal((last().interactive as any).type, 'list');

      const buttons = await send('sendButtons', {
        number: to,
        title: 'Confirm?',
        description: 'Your order #42',
        footer: 'thanks',
        buttons: [{ type: 'reply', displayText: 'Yes', id: 'yes' }, { type: 'reply', displayText: 'No', id: 'no' }],
      });
      assert.equal(buttons.status, 201, buttons.text);
      assert.equal(last().type, 'interactive');
      const interactive = last().interactive as any;
      assert.equal(interactive.type, 'button');
      assert.deepEqual(interactive.action.buttons, [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }]);

      const template = await send('sendTemplate', { number: to, name: 'hello_world', language: 'en_US' });
      assert.equal(template.status, 201, template.text);
      assert.equal(last().type, 'template');
      assert.deepEqual(last().template, { name: 'hello_world', language: { code: 'en_US' } });

      const before = sendsTo(to).length;
      assertEvolutionError(await send('sendPoll', { number: to, name: 'Q?', selectableCount: 1, values: ['a', 'b'] }), 400, UNSUPPORTED);
      assertEvolutionError(
        await server.call('POST', `/message/sendStatus/${name}`, { body: { type: 'text', content: 'status', backgroundColor: '#000000', font: 1, allContacts: true } }),
        400,
        UNSUPPORTED,
      );
      assertEvolutionError(await send('sendPtv', { number: to, video: 'https://example.com/v.mp4' }), 400, UNSUPPORTED);
      assertEvolutionError(await server.call('POST', `/chat/whatsappNumbers/${name}`, { body: { numbers: [to] } }), 400, UNSUPPORTED);
      assert.equal(sendsTo(to).length, before, 'nothing unsupported reached Graph');
    });

    it('marks a received message read through Graph', async () => {
      const from = recipient();
      const id = newWamid();
      assert.equal((await postInbound(from, 'Reader', { id, type: 'text', text: { body: 'read me' } })).status, 200);
      await sink.waitFor(() => upserts(id).length === 1, 10_000, 'messages.upsert');
      const res = await server.call('POST', `/chat/markMessageAsRead/${name}`, { body: { readMessages: [{ id, fromMe: false, remoteJid: `${from}@s.whatsapp.net` }] } });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, { message: 'Read messages', read: 'success' });
      const read = graph.requests.filter((r) => r.json?.status === 'read' && r.json?.message_id === id);
      assert.equal(read.length, 1);
      assert.equal(read[0]!.path, `/v25.0/${account.phoneNumberId}/messages`);
      assert.equal(read[0]!.headers.authorization, `Bearer ${account.token}`);
      assert.deepEqual(read[0]!.json, { messaging_product: 'whatsapp', status: 'read', message_id: id });
    });

    it('creates a template in the WABA and lists the WABA’s templates', async () => {
      const components = [{ type: 'BODY', text: 'Hello {{1}}', example: { body_text: [['Ana']] } }];
      const templateName = `order_update_${rand()}`;
      const created = await server.call('POST', `/template/create/${name}`, { body: { name: templateName, category: 'UTILITY', language: 'en_US', components } });
      assert.equal(created.status, 201, created.text);
      const stored = graph.templates.find((t) => t.name === templateName);
      assert.ok(stored !== undefined, 'the fake received the template');
      assert.equal(created.body.templateId, stored.id);
      assert.equal(created.body.name, templateName);
      assert.equal(created.body.instanceId, instanceId);
      const post = graph.requests.find((r) => r.method === 'POST' && r.json?.name === templateName)!;
      assert.equal(post.path, `/v25.0/${account.wabaId}/message_templates`);
      assert.equal(post.headers.authorization, `Bearer ${account.token}`);

      const found = await server.call('GET', `/template/find/${name}`);
      assert.equal(found.status, 200, found.text);
      assert.deepEqual(found.body, graph.templates);
    });

    it('processes a delivery that was answered 200 when the server stopped right after, once a new server runs', async () => {
      const dsink = await new WebhookSink().start();
      const dAccount = { ...newAccount(), token: account.token, secret: account.secret, verifyToken: account.verifyToken };
      const env = serverEnv(graph, dAccount);
      const first = await startTestServer(kind, { env });
      let second: TestServer | undefined;
      try {
        const dName = `durable-${rand()}`;
        await createBusinessInstance(first, dAccount, dName, dsink.url);
        const from = recipient();
        const id = newWamid();
        const res = await postMeta(delivery(dAccount.phoneNumberId, inboundValue(from, 'Durable', { id, type: 'text', text: { body: 'survive' } })), dAccount.secret, first);
        assert.equal(res.status, 200, res.text);
        await first.parley.stop();

        second = await startTestServer(kind, { db: first.db, env });
        const found = async () => (await second!.call('POST', `/chat/findMessages/${dName}`, { body: { where: { key: { id } } } })).body.messages.total === 1;
        await waitUntil(found, 15_000, 'the delivery to be processed');
        await dsink.waitFor(() => dsink.events('messages.upsert').some((e) => e.data?.key?.id === id), 15_000, 'messages.upsert after restart');

        // A delivery whose processing fails (Graph refuses the media once) is retried from the database by the next node.
        const bytes = Buffer.from('%PDF-1.4 durable document');
        const mediaId = graph.addMedia(bytes, 'application/pdf');
        const docId = newWamid();
        graph.failNext(1, { code: 100, message: '(#100) Temporarily refused by the test' }, 'any');
        const doc = await postMeta(
          delivery(dAccount.phoneNumberId, inboundValue(from, 'Durable', { id: docId, type: 'document', document: { id: mediaId, mime_type: 'application/pdf', filename: 'contract.pdf' } })),
          dAccount.secret,
          second,
        );
        assert.equal(doc.status, 200, doc.text);
        await waitUntil(async () => graph.requests.some((r) => r.path === `/v25.0/${mediaId}` && r.status === 400), 10_000, 'the refused media lookup');
        await second.stop();

        const third = await startTestServer(kind, { db: first.db, env });
        second = third;
        await waitUntil(
          async () => (await third.call('POST', `/chat/findMessages/${dName}`, { body: { where: { key: { id: docId } } } })).body.messages.total === 1,
          15_000,
          'the failed delivery to be retried',
        );
        const media = await third.call('POST', `/chat/getBase64FromMediaMessage/${dName}`, { body: { message: { key: { id: docId } } } });
        assert.equal(media.status, 201, media.text);
        assert.ok(Buffer.from(media.body.base64, 'base64').equals(bytes));
        assert.equal(media.body.fileName, 'contract.pdf');
        assert.equal(media.body.mimetype, 'application/pdf');
        await dsink.waitFor(() => dsink.events('messages.upsert').some((e) => e.data?.key?.id === docId), 15_000, 'messages.upsert of the retried document');
      } finally {
        graph.clearFailures();
        await first.stop();
        if (second !== undefined) await second.close();
        else await first.db.drop();
        await dsink.stop();
      }
    });
  });
}
