// The WhatsApp Business Cloud API channel against a local fake Graph API over real HTTP: every send type, uploads,
// quoted replies, retries on Meta's rate limits, error mapping, read receipts, templates, webhook parsing (every
// inbound type and status), inbound media download, and Meta's webhook signature.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { cloudApiChannel, verifyMetaSignature } from '../../src/channels/cloud-api/index.js';
import { DomainError } from '../../src/domain/errors.js';
import type { Instance } from '../../src/domain/instance.js';
import type { InboundMessage, StatusUpdate } from '../../src/domain/message.js';
import type { OutboundContent, OutboundMessage } from '../../src/domain/outbound.js';
import type { ChannelConnection, ChannelEvents, ChannelFactory } from '../../src/ports/channel.js';
import type { ConnectionPatch } from '../../src/ports/store.js';
import { FakeGraph } from '../fakes/fake-graph.js';

const TOKEN = 'test-token';
const PNID = '106540352242922';
const WABA = '102290129340398';
const TO = '5511999999999@s.whatsapp.net';
const FAST_RETRY = { initialDelayMs: 5, maxDelayMs: 20, totalMs: 3_000 };

function instance(overrides: Partial<Instance> = {}): Instance {
  const now = new Date();
  return {
    id: 'inst-1', name: 'biz', clientName: 'evolution', integration: 'WHATSAPP-BUSINESS', connectionStatus: 'open',
    ownerJid: null, profileName: null, profilePicUrl: null, number: PNID, businessId: WABA, token: TOKEN,
    disconnectionReasonCode: null, disconnectionObject: null, disconnectionAt: null, createdAt: now, updatedAt: now,
    ...overrides,
  };
}

function recordingEvents(): ChannelEvents & { patches: ConnectionPatch[] } {
  const patches: ConnectionPatch[] = [];
  return {
    patches,
    connectionChanged: async (patch) => void patches.push(patch),
    qrUpdated: async () => {},
    received: async () => {},
    statusChanged: async () => {},
    report: async () => {},
    findMessage: async () => undefined,
  };
}

/** Runs `fn`, expecting a DomainError of `kind`; returns its text. */
async function rejectsWith(fn: () => Promise<unknown>, kind: DomainError['kind'], includes?: string | RegExp): Promise<string> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DomainError, `expected a DomainError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  if (typeof includes === 'string') assert.ok(caught.message.includes(includes), `"${caught.message}" should include "${includes}"`);
  else if (includes !== undefined) assert.match(caught.message, includes);
  return caught.message;
}

let graph: FakeGraph;
let factory: ChannelFactory;
let connection: ChannelConnection;

before(async () => {
  graph = await FakeGraph.start({ tokens: [TOKEN] });
  factory = cloudApiChannel({ graphUrl: graph.url, graphVersion: 'v25.0', sendRatePerSecond: 80, retry: FAST_RETRY });
  connection = factory.open(instance(), recordingEvents());
});
after(async () => {
  await connection.close();
  await graph.close();
});
beforeEach(() => {
  graph.requests.length = 0;
});

const send = (content: OutboundContent, extra: Partial<OutboundMessage> = {}) => connection.send({ to: TO, content, ...extra });
const lastSend = () => {
  const sends = graph.sends();
  assert.ok(sends.length > 0, 'no send reached the fake');
  return sends[sends.length - 1]!;
};

describe('cloud-api factory and connection', () => {
  it('declares the integration, its capabilities and Evolution\'s unsupported text', () => {
    assert.equal(factory.integration, 'WHATSAPP-BUSINESS');
    assert.equal(factory.unsupportedMessage, 'Method not available on WhatsApp Business API');
    for (const c of ['text', 'media', 'voice', 'sticker', 'location', 'contacts', 'reaction', 'list', 'buttons', 'template', 'markRead', 'templates'] as const) {
      assert.ok(factory.capabilities.has(c), c);
    }
    for (const c of ['poll', 'status', 'ptv', 'presence', 'groups', 'labels', 'profile', 'privacy', 'edit', 'delete', 'whatsappNumbers', 'archive', 'block'] as const) {
      assert.ok(!factory.capabilities.has(c), c);
    }
    assert.equal(typeof factory.parseWebhook, 'function');
  });

  it('is always open: connect reports open once for an instance that was not open', async () => {
    const events = recordingEvents();
    const c = factory.open(instance({ connectionStatus: 'close' }), events);
    assert.deepEqual(await c.connect({}), { state: 'open' });
    assert.deepEqual(await c.connect({ resume: true }), { state: 'open' });
    assert.deepEqual(await c.restart(), { state: 'open' });
    assert.deepEqual(events.patches, [{ connectionStatus: 'open' }]);
    await c.close();

    const already = recordingEvents();
    const open = factory.open(instance(), already);
    assert.deepEqual(await open.connect({}), { state: 'open' });
    assert.deepEqual(already.patches, []);
    await rejectsWith(() => open.setPresence('composing'), 'bad-request', 'Method not available on WhatsApp Business API');
    await open.logout();
  });
});

describe('cloud-api send', () => {
  it('text → POST /{version}/{phone_number_id}/messages with the Bearer token; result keyed by the wamid', async () => {
    const before = Math.floor(Date.now() / 1000);
    const result = await send({ kind: 'text', text: 'hello there' });
    const request = lastSend();
    assert.equal(request.path, `/v25.0/${PNID}/messages`);
    assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
    assert.match(String(request.headers['content-type']), /application\/json/);
    assert.deepEqual(request.json, {
      messaging_product: 'whatsapp', recipient_type: 'individual', to: '5511999999999', type: 'text', text: { body: 'hello there', preview_url: false },
    });
    assert.equal(result.key.remoteJid, TO);
    assert.equal(result.key.fromMe, true);
    assert.match(result.key.id, /^wamid\./);
    assert.deepEqual(result.message, { conversation: 'hello there' });
    assert.equal(result.messageType, 'conversation');
    assert.equal(result.status, 'PENDING');
    assert.ok(result.messageTimestamp >= before && result.messageTimestamp <= before + 2);
  });

  it('text with a URL asks for a preview unless linkPreview is false', async () => {
    await send({ kind: 'text', text: 'see https://example.com' });
    assert.deepEqual(lastSend().json?.text, { body: 'see https://example.com', preview_url: true });
    await send({ kind: 'text', text: 'see https://example.com', linkPreview: false });
    assert.deepEqual(lastSend().json?.text, { body: 'see https://example.com', preview_url: false });
  });

  it('a quoted send carries context.message_id', async () => {
    await send({ kind: 'text', text: 'reply' }, { quoted: { key: { remoteJid: TO, fromMe: false, id: 'wamid.QUOTED' } } });
    assert.deepEqual(lastSend().json?.context, { message_id: 'wamid.QUOTED' });
  });

  it('image by URL → image.link + caption; imageMessage with url and mimetype', async () => {
    const result = await send({ kind: 'media', mediatype: 'image', media: { kind: 'url', url: 'https://cdn.example.com/a.png' }, caption: 'look' });
    assert.deepEqual(lastSend().json?.image, { link: 'https://cdn.example.com/a.png', caption: 'look' });
    assert.equal(lastSend().json?.type, 'image');
    assert.deepEqual(result.message, { imageMessage: { url: 'https://cdn.example.com/a.png', mimetype: 'image/png', caption: 'look' } });
    assert.equal(result.messageType, 'imageMessage');
  });

  it('video and document by URL; document carries its file name', async () => {
    const video = await send({ kind: 'media', mediatype: 'video', media: { kind: 'url', url: 'https://cdn.example.com/clip.mp4' }, caption: 'clip' });
    assert.deepEqual(lastSend().json?.video, { link: 'https://cdn.example.com/clip.mp4', caption: 'clip' });
    assert.deepEqual(video.message, { videoMessage: { url: 'https://cdn.example.com/clip.mp4', mimetype: 'video/mp4', caption: 'clip' } });

    const doc = await send({ kind: 'media', mediatype: 'document', media: { kind: 'url', url: 'https://cdn.example.com/x/inv.pdf' }, caption: 'Your invoice', fileName: 'invoice.pdf' });
    assert.deepEqual(lastSend().json?.document, { link: 'https://cdn.example.com/x/inv.pdf', caption: 'Your invoice', filename: 'invoice.pdf' });
    assert.deepEqual(doc.message, {
      documentMessage: { url: 'https://cdn.example.com/x/inv.pdf', mimetype: 'application/pdf', caption: 'Your invoice', fileName: 'invoice.pdf', title: 'invoice.pdf' },
    });

    await send({ kind: 'media', mediatype: 'document', media: { kind: 'url', url: 'https://cdn.example.com/x/report.xlsx' } });
    assert.deepEqual(lastSend().json?.document, { link: 'https://cdn.example.com/x/report.xlsx', filename: 'report.xlsx' });
  });

  it('audio by URL has no caption; audioMessage is not a voice note', async () => {
    const result = await send({ kind: 'media', mediatype: 'audio', media: { kind: 'url', url: 'https://cdn.example.com/song.mp3' }, caption: 'ignored' });
    assert.deepEqual(lastSend().json?.audio, { link: 'https://cdn.example.com/song.mp3' });
    assert.deepEqual(result.message, { audioMessage: { url: 'https://cdn.example.com/song.mp3', mimetype: 'audio/mpeg', ptt: false } });
  });

  it('bytes media is uploaded first (multipart file/type/messaging_product), then sent by id', async () => {
    const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(64, 7)]);
    const result = await send({ kind: 'media', mediatype: 'image', media: { kind: 'bytes', data: png }, caption: 'from bytes' });
    assert.equal(graph.requests.length, 2);
    const [upload, message] = graph.requests as [(typeof graph.requests)[0], (typeof graph.requests)[0]];
    assert.equal(upload.path, `/v25.0/${PNID}/media`);
    assert.equal(upload.headers.authorization, `Bearer ${TOKEN}`);
    const field = (name: string) => upload.multipart?.find((p) => p.name === name);
    assert.equal(field('messaging_product')?.data.toString(), 'whatsapp');
    assert.equal(field('type')?.data.toString(), 'image/png');
    assert.deepEqual(field('file')?.data, png);
    assert.equal(field('file')?.filename, 'image.jpg');
    const sent = message.json?.image as { id: string; caption: string };
    assert.deepEqual(sent, { id: sent.id, caption: 'from bytes' });
    assert.deepEqual(graph.media.get(sent.id), { data: png, mimeType: 'image/png' }, 'sent by the id the upload returned');
    assert.deepEqual(result.message, { imageMessage: { mimetype: 'image/png', caption: 'from bytes' } });
  });

  it('voice (bytes) → uploaded as audio/ogg and sent as audio by id; audioMessage ptt', async () => {
    const ogg = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(32, 1)]);
    const result = await send({ kind: 'voice', media: { kind: 'bytes', data: ogg }, encoding: true });
    const upload = graph.requests[0]!;
    assert.equal(upload.multipart?.find((p) => p.name === 'type')?.data.toString(), 'audio/ogg');
    const body = lastSend().json!;
    assert.equal(body.type, 'audio');
    assert.match(String((body.audio as { id: string }).id), /^\d+$/);
    assert.deepEqual(result.message, { audioMessage: { mimetype: 'audio/ogg', ptt: true } });
  });

  it('sticker by URL → sticker.link; stickerMessage is webp', async () => {
    const result = await send({ kind: 'sticker', media: { kind: 'url', url: 'https://cdn.example.com/s.webp' }, convert: true });
    assert.deepEqual(lastSend().json?.sticker, { link: 'https://cdn.example.com/s.webp' });
    assert.deepEqual(result.message, { stickerMessage: { url: 'https://cdn.example.com/s.webp', mimetype: 'image/webp' } });
  });

  it('location → location; locationMessage with degrees', async () => {
    const result = await send({ kind: 'location', latitude: -23.56, longitude: -46.65, name: 'HQ', address: 'Av. Paulista 1000' });
    assert.deepEqual(lastSend().json?.location, { latitude: -23.56, longitude: -46.65, name: 'HQ', address: 'Av. Paulista 1000' });
    assert.deepEqual(result.message, { locationMessage: { degreesLatitude: -23.56, degreesLongitude: -46.65, name: 'HQ', address: 'Av. Paulista 1000' } });
  });

  it('contacts → Meta contact cards; one → contactMessage with a waid vCard, more → contactsArrayMessage', async () => {
    const one = await send({ kind: 'contacts', contacts: [{ fullName: 'Ana Lima', phoneNumber: '+55 11 98888-7777', organization: 'ACME', email: 'ana@example.com' }] });
    assert.deepEqual(lastSend().json?.contacts, [
      {
        name: { formatted_name: 'Ana Lima', first_name: 'Ana', last_name: 'Lima' },
        phones: [{ phone: '+55 11 98888-7777', type: 'CELL', wa_id: '5511988887777' }],
        emails: [{ email: 'ana@example.com', type: 'WORK' }],
        org: { company: 'ACME' },
      },
    ]);
    const card = (one.message.contactMessage as { displayName: string; vcard: string });
    assert.equal(card.displayName, 'Ana Lima');
    assert.match(card.vcard, /^BEGIN:VCARD\nVERSION:3\.0\n/);
    assert.match(card.vcard, /item1\.TEL;waid=5511988887777:\+55 11 98888-7777/);
    assert.equal(one.messageType, 'contactMessage');

    const two = await send({ kind: 'contacts', contacts: [{ fullName: 'A', phoneNumber: '5511911111111' }, { fullName: 'B', phoneNumber: '5511922222222', wuid: '5511922222222' }] });
    assert.equal((lastSend().json?.contacts as unknown[]).length, 2);
    assert.equal(two.messageType, 'contactsArrayMessage');
    assert.equal((two.message.contactsArrayMessage as { displayName: string }).displayName, '2 contacts');
  });

  it('reaction → reaction.message_id + emoji, to the key\'s chat; reactionMessage', async () => {
    const key = { remoteJid: '5511988887777@s.whatsapp.net', fromMe: false, id: 'wamid.TARGET' };
    const result = await connection.send({ to: '', content: { kind: 'reaction', key, reaction: '👍' } });
    const body = lastSend().json!;
    assert.equal(body.to, '5511988887777');
    assert.deepEqual(body.reaction, { message_id: 'wamid.TARGET', emoji: '👍' });
    assert.equal(body.context, undefined);
    assert.deepEqual((result.message.reactionMessage as { key: unknown; text: string }).key, key);
    assert.equal((result.message.reactionMessage as { text: string }).text, '👍');
    assert.equal(result.key.remoteJid, '5511988887777@s.whatsapp.net');
  });

  it('list → interactive list; listMessage', async () => {
    const result = await send({
      kind: 'list', title: 'Menu', description: 'Pick one', footerText: 'ACME', buttonText: 'Options',
      sections: [{ title: 'Plans', rows: [{ title: 'Basic', description: '$5/mo', rowId: 'p1' }, { title: 'Pro', rowId: 'p2' }] }],
    });
    assert.deepEqual(lastSend().json?.interactive, {
      type: 'list',
      header: { type: 'text', text: 'Menu' },
      body: { text: 'Pick one' },
      footer: { text: 'ACME' },
      action: { button: 'Options', sections: [{ title: 'Plans', rows: [{ id: 'p1', title: 'Basic', description: '$5/mo' }, { id: 'p2', title: 'Pro' }] }] },
    });
    assert.equal(result.messageType, 'listMessage');
    assert.deepEqual((result.message.listMessage as { sections: unknown }).sections, [
      { title: 'Plans', rows: [{ title: 'Basic', description: '$5/mo', rowId: 'p1' }, { title: 'Pro', description: '', rowId: 'p2' }] },
    ]);
    await rejectsWith(
      () => send({ kind: 'list', title: 'T', footerText: '', buttonText: 'B', sections: [{ title: 'S', rows: Array.from({ length: 11 }, (_, i) => ({ title: `r${i}`, rowId: `r${i}` })) }] }),
      'bad-request', '10 rows',
    );
  });

  it('reply buttons → interactive button; one url button → cta_url; other types and mixes → 400', async () => {
    const result = await send({
      kind: 'buttons', title: 'Order', description: 'Confirm the order?', footer: 'ACME',
      buttons: [{ type: 'reply', displayText: 'Yes', id: 'yes' }, { type: 'reply', displayText: 'No', id: 'no' }],
    });
    assert.deepEqual(lastSend().json?.interactive, {
      type: 'button', header: { type: 'text', text: 'Order' }, body: { text: 'Confirm the order?' }, footer: { text: 'ACME' },
      action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }] },
    });
    assert.equal(result.messageType, 'interactiveMessage');

    await send({ kind: 'buttons', description: 'Track it', buttons: [{ type: 'url', displayText: 'Open', url: 'https://example.com/t/1' }] });
    assert.deepEqual(lastSend().json?.interactive, {
      type: 'cta_url', body: { text: 'Track it' }, action: { name: 'cta_url', parameters: { display_text: 'Open', url: 'https://example.com/t/1' } },
    });

    const before = graph.sends().length;
    await rejectsWith(() => send({ kind: 'buttons', title: 't', buttons: [{ type: 'copy', displayText: 'Copy', copyCode: 'X' }] }), 'bad-request', '"copy"');
    await rejectsWith(
      () => send({ kind: 'buttons', title: 't', buttons: [{ type: 'reply', displayText: 'a', id: 'a' }, { type: 'url', displayText: 'u', url: 'https://e.x' }] }),
      'bad-request', 'cannot mix',
    );
    await rejectsWith(
      () => send({ kind: 'buttons', title: 't', buttons: ['a', 'b', 'c', 'd'].map((id) => ({ type: 'reply' as const, displayText: id, id })) }),
      'bad-request', 'at most 3',
    );
    assert.equal(graph.sends().length, before, 'refused buttons never reach Graph');
  });

  it('template → template {name, language.code, components}; templateMessage', async () => {
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }];
    const result = await send({ kind: 'template', name: 'order_update', language: 'pt_BR', components });
    assert.deepEqual(lastSend().json?.template, { name: 'order_update', language: { code: 'pt_BR' }, components });
    assert.deepEqual(result.message, { templateMessage: { name: 'order_update', language: 'pt_BR', components } });
    assert.equal(result.messageType, 'templateMessage');
  });

  it('delayMs is waited out before the send', async () => {
    const started = Date.now();
    await send({ kind: 'text', text: 'slow' }, { delayMs: 150 });
    assert.ok(Date.now() - started >= 140);
    assert.equal(graph.sends().length, 1);
  });

  it('unsupported kinds and group recipients are refused before any Graph call', async () => {
    await rejectsWith(() => send({ kind: 'poll', name: 'q', selectableCount: 1, values: ['a', 'b'] }), 'bad-request', 'Method not available on WhatsApp Business API');
    await rejectsWith(() => connection.send({ to: '123456@g.us', content: { kind: 'text', text: 'hi' } }), 'bad-request', 'groups');
    await rejectsWith(() => connection.send({ to: '123456789@lid', content: { kind: 'text', text: 'hi' } }), 'bad-request', 'LID');
    await rejectsWith(() => factory.open(instance({ number: null }), recordingEvents()).send({ to: TO, content: { kind: 'text', text: 'x' } }), 'bad-request', 'phone_number_id');
    assert.equal(graph.requests.length, 0);
  });
});

describe('cloud-api errors and retries', () => {
  it('130429 twice, then success → resolved after 3 requests', async () => {
    graph.throttleNext(2);
    const result = await send({ kind: 'text', text: 'busy' });
    assert.match(result.key.id, /^wamid\./);
    assert.deepEqual(graph.sends().map((r) => r.status), [429, 429, 200]);
  });

  it('pair rate (131056), WABA limit (80007), 5xx and an unreachable moment are retried too', async () => {
    graph.failNext(1, { code: 131056, message: '(#131056) (Business Account, Consumer Account) pair rate limit hit' });
    graph.failNext(1, { code: 80007, message: 'Rate limit issues' });
    graph.failNext(1, { status: 503, code: 131016, message: 'Service unavailable' });
    const result = await send({ kind: 'text', text: 'eventually' });
    assert.match(result.key.id, /^wamid\./);
    assert.deepEqual(graph.sends().map((r) => r.status), [400, 400, 503, 200]);

    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls += 1;
      if (calls === 1) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const c = cloudApiChannel({ graphUrl: graph.url, graphVersion: 'v25.0', sendRatePerSecond: 80, retry: FAST_RETRY, fetch: flaky }).open(instance(), recordingEvents());
    assert.match((await c.send({ to: TO, content: { kind: 'text', text: 'net' } })).key.id, /^wamid\./);
    assert.equal(calls, 2);
    await c.close();
  });

  it('a limit that outlasts the retry budget → a clear 503-kind error naming Meta\'s code', async () => {
    const c = cloudApiChannel({ graphUrl: graph.url, graphVersion: 'v25.0', sendRatePerSecond: 80, retry: { initialDelayMs: 10, maxDelayMs: 40, totalMs: 300 } }).open(instance(), recordingEvents());
    graph.throttleNext(1000);
    const started = Date.now();
    await rejectsWith(() => c.send({ to: TO, content: { kind: 'text', text: 'never' } }), 'unavailable', /130429.*|gave up/);
    assert.ok(Date.now() - started < 1_500);
    graph.clearFailures();
    await c.close();
  });

  it('131047 (24 h window) → bad request naming the code, not retried', async () => {
    graph.failNext(1, { code: 131047, message: '(#131047) Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' });
    const text = await rejectsWith(() => send({ kind: 'text', text: 'late' }), 'bad-request', '131047');
    assert.match(text, /Re-engagement message/);
    assert.match(text, /24 hours/);
    assert.equal(graph.sends().length, 1);
  });

  it('131026, 132001 and an invalid token (190) → bad requests', async () => {
    graph.failNext(1, { code: 131026, message: 'Message undeliverable' });
    await rejectsWith(() => send({ kind: 'text', text: 'x' }), 'bad-request', '131026');
    graph.failNext(1, { code: 132001, message: '(#132001) Template name does not exist in the translation' });
    await rejectsWith(() => send({ kind: 'template', name: 'nope', language: 'en', components: [] }), 'bad-request', '132001');
    const wrong = factory.open(instance({ token: 'expired' }), recordingEvents());
    await rejectsWith(() => wrong.send({ to: TO, content: { kind: 'text', text: 'x' } }), 'bad-request', '190');
  });

  it('close() cancels a send waiting out a rate limit', async () => {
    const c = cloudApiChannel({ graphUrl: graph.url, graphVersion: 'v25.0', sendRatePerSecond: 80, retry: { initialDelayMs: 200, maxDelayMs: 400, totalMs: 10_000 } }).open(instance(), recordingEvents());
    graph.throttleNext(1);
    const pending = c.send({ to: TO, content: { kind: 'text', text: 'x' } });
    await new Promise((r) => setTimeout(r, 50));
    await c.close();
    await rejectsWith(() => pending, 'unavailable', 'closed');
  });

  it('the per-number token bucket spaces sends at sendRatePerSecond', async () => {
    const c = cloudApiChannel({ graphUrl: graph.url, graphVersion: 'v25.0', sendRatePerSecond: 10, retry: FAST_RETRY }).open(instance(), recordingEvents());
    const started = Date.now();
    await Promise.all(Array.from({ length: 15 }, (_, i) => c.send({ to: TO, content: { kind: 'text', text: `n${i}` } })));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 400, `15 sends at 10/s (burst 10) took only ${elapsed} ms`);
    assert.equal(graph.sends().length, 15);
    await c.close();
  });
});

describe('cloud-api markRead and templates', () => {
  it('markRead posts status read per received message', async () => {
    await connection.markRead!([
      { remoteJid: TO, fromMe: false, id: 'wamid.A' },
      { remoteJid: TO, fromMe: true, id: 'wamid.MINE' },
      { remoteJid: TO, fromMe: false, id: 'wamid.B' },
    ]);
    const reads = graph.requests.map((r) => r.json);
    assert.deepEqual(reads, [
      { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.A' },
      { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.B' },
    ]);
    assert.equal(graph.requests[0]!.path, `/v25.0/${PNID}/messages`);
    await rejectsWith(() => connection.markRead!([{ remoteJid: TO, fromMe: false, id: 'not-a-wamid' }]), 'bad-request', '131009');
  });

  it('templates: create → POST /{waba}/message_templates; list → its data array', async () => {
    const components = [{ type: 'BODY', text: 'Hello {{1}}', example: { body_text: [['Ana']] } }];
    const created = await connection.templates!.create({ name: 'hello_ana', category: 'UTILITY', allowCategoryChange: true, language: 'pt_BR', components });
    assert.match(created.id, /^\d+$/);
    assert.equal(created.status, 'PENDING');
    assert.equal(created.category, 'UTILITY');
    const post = graph.requests[0]!;
    assert.equal(post.path, `/v25.0/${WABA}/message_templates`);
    assert.deepEqual(post.json, { name: 'hello_ana', category: 'UTILITY', allow_category_change: true, language: 'pt_BR', components });

    const list = await connection.templates!.list();
    assert.equal(graph.requests[1]!.method, 'GET');
    assert.equal(graph.requests[1]!.path, `/v25.0/${WABA}/message_templates`);
    assert.ok(list.some((t) => (t as { name: string }).name === 'hello_ana'));

    const noWaba = factory.open(instance({ businessId: null }), recordingEvents());
    await rejectsWith(() => noWaba.templates!.list(), 'bad-request', 'businessId');
  });
});

const wamid = (n: string) => `wamid.HBgL${n}`;

function delivery(value: Record<string, unknown>, phoneNumberId = PNID) {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: WABA, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, ...value } }] }],
  };
}

const instanceFor = async (accountId: string) => (accountId === PNID ? instance() : undefined);

async function parseOne(message: Record<string, unknown>): Promise<InboundMessage> {
  const batches = await factory.parseWebhook!(
    delivery({ contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }], messages: [{ from: '16505551234', id: wamid('1'), timestamp: '1749416383', ...message }] }),
    instanceFor,
  );
  assert.equal(batches.length, 1);
  assert.equal(batches[0]!.accountId, PNID);
  assert.equal(batches[0]!.messages.length, 1, JSON.stringify(message));
  return batches[0]!.messages[0]!;
}

describe('cloud-api parseWebhook: messages', () => {
  it('text → conversation, with key, pushName, timestamp, source; context → contextInfo', async () => {
    const m = await parseOne({ type: 'text', text: { body: 'Does it come in another color?' }, context: { from: '15550783881', id: wamid('Q') } });
    assert.deepEqual(m.key, { remoteJid: '16505551234@s.whatsapp.net', fromMe: false, id: wamid('1') });
    assert.equal(m.pushName, 'Sheena Nelson');
    assert.equal(m.messageTimestamp, 1749416383);
    assert.equal(m.source, 'unknown');
    assert.deepEqual(m.message, { conversation: 'Does it come in another color?' });
    assert.equal(m.messageType, 'conversation');
    assert.deepEqual(m.contextInfo, { stanzaId: wamid('Q'), participant: '15550783881@s.whatsapp.net' });
    assert.equal(m.media, undefined);
  });

  it('image → imageMessage whose media.download() goes through Graph with the instance token', async () => {
    const bytes = Buffer.from('fake jpeg bytes');
    const id = graph.addMedia(bytes, 'image/jpeg');
    const sha = createHash('sha256').update(bytes).digest('base64');
    const m = await parseOne({ type: 'image', image: { id, mime_type: 'image/jpeg', sha256: sha, caption: 'pic' } });
    assert.deepEqual(m.message, { imageMessage: { id, mimetype: 'image/jpeg', fileSha256: sha, caption: 'pic' } });
    assert.equal(m.messageType, 'imageMessage');
    const downloaded = await m.media!.download();
    assert.deepEqual(downloaded.data, bytes);
    assert.equal(downloaded.mimetype, 'image/jpeg');
    assert.deepEqual(graph.requests.map((r) => [r.method, r.path, r.headers.authorization]), [
      ['GET', `/v25.0/${id}`, `Bearer ${TOKEN}`],
      ['GET', `/media-bytes/${id}`, `Bearer ${TOKEN}`],
    ]);
  });

  it('video, voice audio, document and sticker', async () => {
    const video = await parseOne({ type: 'video', video: { id: '11', mime_type: 'video/mp4', sha256: 'x', caption: 'v' } });
    assert.deepEqual(video.message, { videoMessage: { id: '11', mimetype: 'video/mp4', fileSha256: 'x', caption: 'v' } });
    const voice = await parseOne({ type: 'audio', audio: { id: '12', mime_type: 'audio/ogg; codecs=opus', sha256: 'y', voice: true } });
    assert.deepEqual(voice.message, { audioMessage: { id: '12', mimetype: 'audio/ogg; codecs=opus', fileSha256: 'y', ptt: true } });
    const audio = await parseOne({ type: 'audio', audio: { id: '13', mime_type: 'audio/mpeg' } });
    assert.equal((audio.message.audioMessage as { ptt: boolean }).ptt, false);
    const docBytes = Buffer.from('%PDF-1.4 fake');
    const docId = graph.addMedia(docBytes, 'application/pdf');
    const doc = await parseOne({ type: 'document', document: { id: docId, mime_type: 'application/pdf', sha256: createHash('sha256').update(docBytes).digest('hex'), filename: 'inv.pdf', caption: 'c' } });
    assert.equal(doc.messageType, 'documentMessage');
    assert.equal((doc.message.documentMessage as { fileName: string }).fileName, 'inv.pdf');
    assert.deepEqual(await doc.media!.download(), { data: docBytes, mimetype: 'application/pdf', fileName: 'inv.pdf' });
    const sticker = await parseOne({ type: 'sticker', sticker: { id: '14', mime_type: 'image/webp', sha256: 'z', animated: true } });
    assert.deepEqual(sticker.message, { stickerMessage: { id: '14', mimetype: 'image/webp', fileSha256: 'z', isAnimated: true } });
    assert.ok(sticker.media !== undefined && video.media !== undefined && voice.media !== undefined);
  });

  it('location, contacts and reaction', async () => {
    const location = await parseOne({ type: 'location', location: { latitude: -23.56, longitude: -46.65, name: 'HQ', address: 'Av. Paulista' } });
    assert.deepEqual(location.message, { locationMessage: { degreesLatitude: -23.56, degreesLongitude: -46.65, name: 'HQ', address: 'Av. Paulista' } });

    const contacts = await parseOne({
      type: 'contacts',
      contacts: [{ name: { formatted_name: 'Ana Lima', first_name: 'Ana', last_name: 'Lima' }, phones: [{ phone: '+55 11 98888-7777', wa_id: '5511988887777', type: 'CELL' }], org: { company: 'ACME' } }],
    });
    const card = contacts.message.contactMessage as { displayName: string; vcard: string };
    assert.equal(card.displayName, 'Ana Lima');
    assert.match(card.vcard, /FN:Ana Lima/);
    assert.match(card.vcard, /TEL;waid=5511988887777:\+55 11 98888-7777/);
    assert.match(card.vcard, /ORG:ACME/);

    const reaction = await parseOne({ type: 'reaction', reaction: { message_id: wamid('MINE'), emoji: '❤️' } });
    assert.equal(reaction.messageType, 'reactionMessage');
    assert.deepEqual((reaction.message.reactionMessage as { key: unknown }).key, { remoteJid: '16505551234@s.whatsapp.net', id: wamid('MINE') });
    assert.equal((reaction.message.reactionMessage as { text: string }).text, '❤️');
    const removed = await parseOne({ type: 'reaction', reaction: { message_id: wamid('MINE') } });
    assert.equal((removed.message.reactionMessage as { text: string }).text, '');
  });

  it('interactive button_reply / list_reply, template quick-reply button, order, system, unsupported', async () => {
    const button = await parseOne({ type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } } });
    assert.deepEqual(button.message, { buttonsResponseMessage: { selectedButtonId: 'yes', selectedDisplayText: 'Yes', type: 1 } });
    assert.equal(button.messageType, 'buttonsResponseMessage');

    const list = await parseOne({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'p1', title: 'Basic', description: '$5/mo' } } });
    assert.deepEqual(list.message, { listResponseMessage: { title: 'Basic', description: '$5/mo', listType: 1, singleSelectReply: { selectedRowId: 'p1' } } });

    const quick = await parseOne({ type: 'button', button: { payload: 'TRACK_1234', text: 'Track' }, context: { from: '15550783881', id: wamid('T') } });
    assert.deepEqual(quick.message, { templateButtonReplyMessage: { selectedId: 'TRACK_1234', selectedDisplayText: 'Track' } });
    assert.equal(quick.contextInfo?.stanzaId, wamid('T'));

    const order = await parseOne({ type: 'order', order: { catalog_id: 'cat1', text: 'pls', product_items: [{ product_retailer_id: 'sku1', quantity: 2, item_price: 10, currency: 'BRL' }] } });
    assert.deepEqual(order.message, {
      orderMessage: { catalogId: 'cat1', message: 'pls', itemCount: 2, productItems: [{ productRetailerId: 'sku1', quantity: 2, itemPrice: 10, currency: 'BRL' }] },
    });

    const system = await parseOne({ type: 'system', system: { body: 'User A changed from 1 to 2', wa_id: '2', type: 'user_changed_number' } });
    assert.deepEqual(system.message, { systemMessage: { type: 'user_changed_number', body: 'User A changed from 1 to 2', newWaId: '2' } });

    const unsupported = await parseOne({ type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] });
    assert.equal(unsupported.messageType, 'unsupportedMessage');
    assert.deepEqual(unsupported.message, { unsupportedMessage: { errors: [{ code: 131051, title: 'Message type unknown' }] } });
  });

  it('batches by phone_number_id across entries, skips other fields and malformed items, accepts the raw body', async () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA,
          changes: [
            { field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } },
            { field: 'messages', value: { metadata: { phone_number_id: PNID }, messages: [{ from: '1', id: wamid('a'), timestamp: '1', type: 'text', text: { body: 'a' } }, null, { id: 'no-from' }, { from: '1', id: wamid('x'), type: 'image', image: 'bad' }] } },
          ],
        },
        { id: WABA, changes: [{ field: 'messages', value: { metadata: { phone_number_id: '999' }, messages: [{ from: '2', id: wamid('b'), timestamp: '2', type: 'text', text: { body: 'b' } }] } }] },
        { id: WABA, changes: [{ field: 'messages', value: { metadata: { phone_number_id: PNID }, statuses: [{ id: wamid('s'), status: 'sent', timestamp: '3', recipient_id: '1' }] } }] },
        'garbage',
      ],
    };
    const batches = await factory.parseWebhook!(JSON.stringify(body), instanceFor);
    assert.deepEqual(batches.map((b) => [b.accountId, b.messages.map((m) => m.key.id), b.statuses.map((s) => s.keyId)]), [
      [PNID, [wamid('a')], [wamid('s')]],
      ['999', [wamid('b')], []],
    ]);
    assert.equal(batches[0]!.messages[0]!.pushName, null);
    for (const odd of [null, 'x', 42, {}, { object: 'page', entry: [] }, { object: 'whatsapp_business_account', entry: 'x' }, '{not json']) {
      assert.deepEqual(await factory.parseWebhook!(odd, instanceFor), []);
    }
  });

  it('a download whose bytes do not match Meta\'s sha256 is refused; a 5xx on the way is retried', async () => {
    const id = graph.addMedia(Buffer.from('real bytes'), 'image/png');
    const m = await parseOne({ type: 'image', image: { id, mime_type: 'image/png' } });
    graph.failNext(1, { status: 500, code: 1, message: 'An unknown error occurred' }, 'any');
    assert.deepEqual((await m.media!.download()).data, Buffer.from('real bytes'));
    assert.equal(graph.requests.filter((r) => r.path === `/v25.0/${id}`).length, 2);
    const tampered = await parseOne({ type: 'image', image: { id, mime_type: 'image/png', sha256: 'AAAA' } });
    assert.deepEqual((await tampered.media!.download()).data, Buffer.from('real bytes'), 'Graph\'s own hash wins over the webhook\'s');
    const original = graph.media.get(id)!;
    const fetchSwap: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      return String(input).includes('/media-bytes/') ? new Response('swapped bytes', { status: 200, headers: response.headers }) : response;
    };
    const swapped = cloudApiChannel({ graphUrl: graph.url, graphVersion: 'v25.0', sendRatePerSecond: 80, retry: FAST_RETRY, fetch: fetchSwap });
    const [batch] = await swapped.parseWebhook!(delivery({ messages: [{ from: '1', id: wamid('sw'), timestamp: '1', type: 'image', image: { id, mime_type: original.mimeType } }] }), instanceFor);
    await assert.rejects(() => batch!.messages[0]!.media!.download(), /sha256 does not match/);
  });

  it('media of an unknown account cannot be downloaded', async () => {
    const batches = await factory.parseWebhook!(delivery({ messages: [{ from: '1', id: wamid('m'), timestamp: '1', type: 'image', image: { id: '5', mime_type: 'image/jpeg' } }] }, '777'), instanceFor);
    await assert.rejects(() => batches[0]!.messages[0]!.media!.download(), /no WhatsApp Business instance/);
  });
});

describe('cloud-api parseWebhook: statuses', () => {
  it('sent, delivered, read, failed (with its first error) → upper-cased status updates', async () => {
    const batches = await factory.parseWebhook!(
      delivery({
        statuses: [
          { id: wamid('1'), status: 'sent', timestamp: '1750857380', recipient_id: '5516992318222' },
          { id: wamid('1'), status: 'delivered', timestamp: '1750857381', recipient_id: '5516992318222' },
          { id: wamid('1'), status: 'read', timestamp: '1750857382', recipient_id: '5516992318222' },
          { id: wamid('2'), status: 'failed', timestamp: '1750857384', recipient_id: '5516992318222', biz_opaque_callback_data: 'order-77',
            errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'Message failed to send because more than 24 hours have passed' } }] },
          { id: wamid('3'), status: 'deleted', timestamp: '1' },
          { status: 'read' },
        ],
      }),
      instanceFor,
    );
    const statuses: StatusUpdate[] = batches[0]!.statuses;
    assert.deepEqual(statuses.map((s) => s.status), ['SENT', 'DELIVERED', 'READ', 'FAILED']);
    assert.deepEqual(statuses[0], {
      keyId: wamid('1'), remoteJid: '5516992318222@s.whatsapp.net', fromMe: true, participant: '5516992318222@s.whatsapp.net', status: 'SENT', timestamp: 1750857380, error: null,
    });
    assert.deepEqual(statuses[3]!.error, { code: 131047, title: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed' });
  });
});

describe('verifyMetaSignature', () => {
  it('accepts Meta\'s signature over the raw body and refuses anything else', () => {
    const raw = '{"object":"whatsapp_business_account","entry":[]}';
    const vector = 'sha256=6eb10e0bc4192e9206e3de93178e66ea9eb262e9ea07bb66abdc83dcf8d3abf3';
    assert.equal(verifyMetaSignature(raw, vector, 'app_secret_example'), true);
    assert.equal(verifyMetaSignature(Buffer.from(raw), vector.toUpperCase().replace('SHA256=', 'sha256='), 'app_secret_example'), true);
    assert.equal(verifyMetaSignature(raw, vector, 'other_secret'), false);
    assert.equal(verifyMetaSignature(raw + ' ', vector, 'app_secret_example'), false);
    assert.equal(verifyMetaSignature(raw, undefined, 'app_secret_example'), false);
    assert.equal(verifyMetaSignature(raw, 'sha1=abc', 'app_secret_example'), false);
    assert.equal(verifyMetaSignature(raw, 'sha256=zz', 'app_secret_example'), false);
    assert.equal(verifyMetaSignature(raw, vector, ''), false);

    const { body, headers } = graph.signedDelivery(delivery({ messages: [{ from: '1', id: wamid('u'), timestamp: '1', type: 'text', text: { body: 'olá 👋' } }] }), 'secret');
    assert.ok(!/[^\x00-\x7f]/.test(body), 'Meta escapes non-ASCII characters');
    assert.equal(verifyMetaSignature(body, headers['x-hub-signature-256'], 'secret'), true);
    assert.equal(verifyMetaSignature(JSON.stringify(JSON.parse(body)), headers['x-hub-signature-256'], 'secret'), false, 're-serialised JSON does not match');
  });

  it('a signed delivery parses to the message it carries', async () => {
    const { body } = graph.signedDelivery(delivery({ messages: [{ from: '1', id: wamid('u'), timestamp: '1', type: 'text', text: { body: 'olá 👋' } }] }), 'secret');
    const [batch] = await factory.parseWebhook!(JSON.parse(body), instanceFor);
    assert.deepEqual(batch!.messages[0]!.message, { conversation: 'olá 👋' });
  });
});
