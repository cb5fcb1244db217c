// `/message/send*` bodies (compat §3.5): each valid body maps to the domain OutboundMessage, and each rule fails with
// the message the server answers (issues mapped as src/http/validation.ts does).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutboundMessage } from '../../src/domain/outbound.js';
import { SEND_ROUTES, sendTextBody, toTextMessage, isSingleEmoji, type SendPath } from '../../src/wire/messages/index.js';
import { issueToMessage } from '../../src/wire/validation.js';

const JID = '5511999999999@s.whatsapp.net';
const PNG_BASE64 = Buffer.from('fake png bytes').toString('base64');
const URL_MEDIA = 'https://cdn.example.com/files/photo.png';

function route(path: SendPath) {
  const found = SEND_ROUTES.find((r) => r.path === path);
  assert.ok(found, `no route ${path}`);
  return found;
}

function messagesOf(path: SendPath, body: unknown): string[] | undefined {
  const result = route(path).schema.safeParse(body);
  return result.success ? undefined : [...new Set(result.error.issues.map((i) => issueToMessage(i, body)))];
}

function send(path: SendPath, body: unknown): OutboundMessage {
  const result = route(path).schema.safeParse(body);
  assert.ok(result.success, `${path} should accept ${JSON.stringify(body)}: ${JSON.stringify(messagesOf(path, body))}`);
  return route(path).toMessage(result.data);
}

/** A valid body with `patch` applied; a patch value of undefined removes the field. */
function patched(body: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete out[k];
  return out;
}

const VALID: Record<SendPath, Record<string, unknown>> = {
  sendText: { number: '5511999999999', text: 'hello' },
  sendMedia: { number: '5511999999999', mediatype: 'image', media: URL_MEDIA },
  sendPtv: { number: '5511999999999', video: 'https://cdn.example.com/v.mp4' },
  sendWhatsAppAudio: { number: '5511999999999', audio: 'https://cdn.example.com/a.mp3' },
  sendSticker: { number: '5511999999999', sticker: 'https://cdn.example.com/s.webp' },
  sendLocation: { number: '5511999999999', latitude: -23.55, longitude: -46.63, name: 'Sé', address: 'Praça da Sé, São Paulo' },
  sendContact: { number: '5511999999999', contact: [{ fullName: 'Ana Lima', phoneNumber: '+55 11 98888-7777' }] },
  sendReaction: { key: { id: '3EB0ABC', remoteJid: JID, fromMe: true }, reaction: '👍' },
  sendPoll: { number: '5511999999999', name: 'Lunch?', selectableCount: 1, values: ['Pizza', 'Sushi'] },
  sendList: {
    number: '5511999999999', title: 'Menu', description: 'Pick one', footerText: 'Thanks', buttonText: 'Open',
    sections: [{ title: 'Drinks', rows: [{ title: 'Tea', description: 'Hot', rowId: 'tea' }, { title: 'Coffee', rowId: 'coffee' }] }],
  },
  sendButtons: { number: '5511999999999', title: 'Order', buttons: [{ type: 'reply', displayText: 'Yes', id: 'yes' }] },
  sendStatus: { type: 'text', content: 'Good morning', backgroundColor: '#008000', font: 1, statusJidList: ['5511999999999'] },
  sendTemplate: { number: '5511999999999', name: 'hello_world', language: 'en_US' },
};

describe('SEND_ROUTES', () => {
  it('holds every send route once, with its content kind and whether it takes multipart', () => {
    assert.deepEqual(
      SEND_ROUTES.map((r) => [r.path, r.kind, r.multipart]),
      [
        ['sendText', 'text', false], ['sendMedia', 'media', true], ['sendPtv', 'ptv', true], ['sendWhatsAppAudio', 'voice', true],
        ['sendSticker', 'sticker', true], ['sendLocation', 'location', false], ['sendContact', 'contacts', false],
        ['sendReaction', 'reaction', false], ['sendPoll', 'poll', false], ['sendList', 'list', false], ['sendButtons', 'buttons', false],
        ['sendStatus', 'status', true], ['sendTemplate', 'template', false],
      ],
    );
  });

  it('maps each route\'s valid body to a message of the route\'s kind', () => {
    for (const r of SEND_ROUTES) assert.equal(send(r.path, VALID[r.path]).content.kind, r.kind, r.path);
  });

  it('ignores extra properties', () => {
    for (const r of SEND_ROUTES) send(r.path, { ...VALID[r.path], somethingElse: { nested: true }, instance: 'x' });
  });

  it('refuses a body that is not an object', () => {
    for (const r of SEND_ROUTES) assert.deepEqual(messagesOf(r.path, 'text'), ['the request body must be a JSON object'], r.path);
  });

  it('exports each schema and mapper by name too', () => {
    const parsed = sendTextBody.parse(VALID.sendText);
    assert.deepEqual(toTextMessage(parsed), { to: JID, content: { kind: 'text', text: 'hello' } });
  });
});

describe('metadata fields (every route with a number)', () => {
  it('maps quoted, mentions, everyOne, delay and linkPreview', () => {
    const message = send('sendText', {
      number: '120363025246125486@g.us', text: 'hi', delay: 1200, linkPreview: false, everyOne: true,
      quoted: { key: { id: 'Q1', remoteJid: '120363025246125486@g.us', fromMe: true, participant: JID }, message: { conversation: 'q' } },
      mentioned: ['5511999999999', '5531987654321@s.whatsapp.net', '120363025246125486@g.us'],
    });
    assert.deepEqual(message, {
      to: '120363025246125486@g.us',
      content: { kind: 'text', text: 'hi', linkPreview: false },
      quoted: { key: { id: 'Q1', remoteJid: '120363025246125486@g.us', fromMe: true, participant: JID }, message: { conversation: 'q' } },
      mentioned: [JID, '5531987654321@s.whatsapp.net'],
      mentionsEveryOne: true,
      delayMs: 1200,
    });
  });

  it('defaults a quoted key to this chat and fromMe false (the message is then loaded by id)', () => {
    assert.deepEqual(send('sendText', { ...VALID.sendText, quoted: { key: { id: 'Q1' } } }).quoted, { key: { id: 'Q1', remoteJid: JID, fromMe: false } });
  });

  it('reads mentionsEveryOne and everyOne alike', () => {
    assert.equal(send('sendText', { ...VALID.sendText, mentionsEveryOne: true }).mentionsEveryOne, true);
    assert.equal(send('sendText', { ...VALID.sendText, mentionsEveryOne: false, everyOne: true }).mentionsEveryOne, true);
    assert.equal(send('sendText', { ...VALID.sendText, everyOne: false }).mentionsEveryOne, false);
    assert.equal('mentionsEveryOne' in send('sendText', VALID.sendText), false);
  });

  it('normalizes number per compat A.1', () => {
    assert.equal(send('sendText', { ...VALID.sendText, number: '+55 (31) 98765-4321' }).to, '553187654321@s.whatsapp.net');
  });

  const rules: Array<[string, Record<string, unknown>, string[]]> = [
    ['no number', { number: undefined }, ['instance requires property "number"']],
    ['a number that is not a string', { number: 5511999999999 }, ['Invalid format']],
    ['a text delay', { delay: 'soon' }, ['Enter a value in milliseconds']],
    ['a fractional delay', { delay: 1.5 }, ['Enter a value in milliseconds']],
    ['a negative delay', { delay: -1 }, ['Enter a value in milliseconds']],
    ['quoted without key', { quoted: {} }, ['quoted requires property "key"']],
    ['quoted key without id', { quoted: { key: { remoteJid: JID } } }, ['quoted.key requires property "id"']],
    ['quoted key with an empty id', { quoted: { key: { id: '' } } }, ['The "id" cannot be empty']],
    ['quoted fromMe not a boolean', { quoted: { key: { id: 'a', fromMe: 'yes' } } }, ['quoted.key.fromMe is not of a type(s) boolean']],
    ['linkPreview not a boolean', { linkPreview: 'no' }, ['linkPreview is not of a type(s) boolean']],
    ['mentionsEveryOne not a boolean', { mentionsEveryOne: 1 }, ['mentionsEveryOne is not of a type(s) boolean']],
    ['an empty mentioned', { mentioned: [] }, ['mentioned must have at least 1 item']],
    ['a mention that is not numeric', { mentioned: ['ana'] }, ['"mentioned" must be an array of numeric strings']],
    ['a mention that is a number', { mentioned: [5511999999999] }, ['"mentioned" must be an array of numeric strings']],
    ['a repeated mention', { mentioned: ['5511999999999', '5511999999999'] }, ['mentioned must not contain duplicate items']],
    ['mentioned not an array', { mentioned: '5511999999999' }, ['mentioned is not of a type(s) array']],
  ];
  for (const [what, patch, expected] of rules) {
    it(`refuses ${what}: ${expected.join(' | ')}`, () => {
      for (const path of ['sendText', 'sendMedia', 'sendPoll'] as const) assert.deepEqual(messagesOf(path, patched(VALID[path], patch)), expected, path);
    });
  }
});

describe('sendText', () => {
  it('maps to a text message', () => {
    assert.deepEqual(send('sendText', VALID.sendText), { to: JID, content: { kind: 'text', text: 'hello' } });
  });
  for (const [what, patch, expected] of [
    ['no text', { text: undefined }, ['instance requires property "text"']],
    ['an empty text', { text: '' }, ['Text is required']],
    ['a blank text', { text: ' \n\t ' }, ['Text is required']],
    ['a text that is not a string', { text: 42 }, ['text is not of a type(s) string']],
  ] as const) {
    it(`refuses ${what}`, () => assert.deepEqual(messagesOf('sendText', patched(VALID.sendText, patch)), expected));
  }
});

describe('sendMedia', () => {
  it('maps a URL with its details', () => {
    const body = { ...VALID.sendMedia, caption: 'Look', mimetype: 'image/png', fileName: 'photo.png' };
    assert.deepEqual(send('sendMedia', body), {
      to: JID, content: { kind: 'media', mediatype: 'image', media: { kind: 'url', url: URL_MEDIA }, caption: 'Look', mimetype: 'image/png', fileName: 'photo.png' },
    });
  });

  it('maps base64 (plain or as a data: URI) to bytes', () => {
    const expected = { kind: 'bytes', data: Buffer.from('fake png bytes') };
    assert.deepEqual(send('sendMedia', { ...VALID.sendMedia, media: PNG_BASE64 }).content, { kind: 'media', mediatype: 'image', media: expected });
    assert.deepEqual(send('sendMedia', { ...VALID.sendMedia, media: `data:image/png;base64,${PNG_BASE64}` }).content, { kind: 'media', mediatype: 'image', media: expected });
    const doc = send('sendMedia', { ...VALID.sendMedia, mediatype: 'document', media: PNG_BASE64, fileName: 'a.pdf' }).content;
    assert.deepEqual(doc, { kind: 'media', mediatype: 'document', media: expected, fileName: 'a.pdf' });
  });

  it('maps an uploaded file (multipart: form fields as strings)', () => {
    const file = Buffer.from('%PDF-1.7');
    const message = send('sendMedia', { number: '5511999999999', mediatype: 'document', file, delay: '1500', mentionsEveryOne: 'true' });
    assert.deepEqual(message, { to: JID, content: { kind: 'media', mediatype: 'document', media: { kind: 'bytes', data: file } }, mentionsEveryOne: true, delayMs: 1500 });
  });

  const rules: Array<[string, Record<string, unknown>, string[]]> = [
    ['no mediatype', { mediatype: undefined }, ['instance requires property "mediatype"']],
    ['an unknown mediatype', { mediatype: 'pdf' }, ['mediatype is not one of enum values: image,document,video,audio']],
    ['a base64 document without fileName', { mediatype: 'document', media: PNG_BASE64 }, ['For base64 the file name must be informed.']],
    ['no media and no file', { media: undefined }, ['Owned media must be a url or base64']],
    ['media that is neither URL nor base64', { media: 'just some text!' }, ['Owned media must be a url or base64']],
    ['an empty media', { media: '' }, ['Owned media must be a url or base64']],
    ['a URL without scheme', { media: 'www.example.com/a.png' }, ['Owned media must be a url or base64']],
    ['an ftp URL', { media: 'ftp://example.com/a.png' }, ['Owned media must be a url or base64']],
    ['base64 of a wrong length', { media: 'aGVsbG8' }, ['Owned media must be a url or base64']],
    ['a JSON "file" (not an upload)', { media: undefined, file: PNG_BASE64 }, ['Owned media must be a url or base64']],
    ['a caption that is not a string', { caption: 1 }, ['caption is not of a type(s) string']],
  ];
  for (const [what, patch, expected] of rules) {
    it(`refuses ${what}`, () => assert.deepEqual(messagesOf('sendMedia', patched(VALID.sendMedia, patch)), expected));
  }
});

describe('sendPtv, sendWhatsAppAudio, sendSticker', () => {
  it('maps a round video note from a URL, base64 or a file', () => {
    assert.deepEqual(send('sendPtv', VALID.sendPtv), { to: JID, content: { kind: 'ptv', media: { kind: 'url', url: 'https://cdn.example.com/v.mp4' } } });
    assert.deepEqual(send('sendPtv', { ...VALID.sendPtv, video: PNG_BASE64 }).content, { kind: 'ptv', media: { kind: 'bytes', data: Buffer.from('fake png bytes') } });
    const file = Buffer.from('mp4');
    assert.deepEqual(send('sendPtv', { number: '5511999999999', file }).content, { kind: 'ptv', media: { kind: 'bytes', data: file } });
  });

  it('maps a voice note, converting by default', () => {
    assert.deepEqual(send('sendWhatsAppAudio', VALID.sendWhatsAppAudio), {
      to: JID, content: { kind: 'voice', media: { kind: 'url', url: 'https://cdn.example.com/a.mp3' }, encoding: true },
    });
    assert.equal((send('sendWhatsAppAudio', { ...VALID.sendWhatsAppAudio, encoding: false }).content as { encoding: boolean }).encoding, false);
    assert.equal((send('sendWhatsAppAudio', { ...VALID.sendWhatsAppAudio, encoding: 'false' }).content as { encoding: boolean }).encoding, false);
  });

  it('maps a sticker, converting unless notConvertSticker', () => {
    assert.deepEqual(send('sendSticker', VALID.sendSticker), { to: JID, content: { kind: 'sticker', media: { kind: 'url', url: 'https://cdn.example.com/s.webp' }, convert: true } });
    assert.equal((send('sendSticker', { ...VALID.sendSticker, notConvertSticker: true }).content as { convert: boolean }).convert, false);
  });

  it('refuses missing or unusable media with Evolution\'s texts', () => {
    assert.deepEqual(messagesOf('sendPtv', { number: '1' }), ['Owned media must be a url or base64']);
    assert.deepEqual(messagesOf('sendPtv', { number: '1', video: 'nope nope' }), ['Owned media must be a url or base64']);
    assert.deepEqual(messagesOf('sendSticker', { number: '1', sticker: 'file:///etc/passwd' }), ['Owned media must be a url or base64']);
    assert.deepEqual(messagesOf('sendWhatsAppAudio', { number: '1' }), ['Owned media must be a url, base64, or valid file with buffer']);
    assert.deepEqual(messagesOf('sendWhatsAppAudio', { ...VALID.sendWhatsAppAudio, encoding: 'maybe' }), ['encoding is not of a type(s) boolean']);
    assert.deepEqual(messagesOf('sendSticker', { sticker: 'https://a.b/c.webp' }), ['instance requires property "number"']);
  });
});

describe('sendLocation', () => {
  it('maps to a location', () => {
    assert.deepEqual(send('sendLocation', VALID.sendLocation), {
      to: JID, content: { kind: 'location', latitude: -23.55, longitude: -46.63, name: 'Sé', address: 'Praça da Sé, São Paulo' },
    });
  });
  for (const [what, patch, expected] of [
    ['no latitude', { latitude: undefined }, ['instance requires property "latitude"']],
    ['no longitude', { longitude: undefined }, ['instance requires property "longitude"']],
    ['no name', { name: undefined }, ['instance requires property "name"']],
    ['no address', { address: undefined }, ['instance requires property "address"']],
    ['a latitude given as text', { latitude: '-23.55' }, ['latitude is not of a type(s) number']],
    ['a latitude past the pole', { latitude: 90.5 }, ['latitude must be a number from -90 to 90']],
    ['a longitude past ±180', { longitude: -181 }, ['longitude must be a number from -180 to 180']],
  ] as const) {
    it(`refuses ${what}`, () => assert.deepEqual(messagesOf('sendLocation', patched(VALID.sendLocation, patch)), expected));
  }
});

describe('sendContact', () => {
  it('maps one or more vCards', () => {
    assert.deepEqual(send('sendContact', VALID.sendContact), { to: JID, content: { kind: 'contacts', contacts: [{ fullName: 'Ana Lima', phoneNumber: '+55 11 98888-7777' }] } });
    const full = { fullName: 'Bo', phoneNumber: '5511977776666', wuid: '5511977776666', organization: 'ACME', email: 'bo@acme.test', url: 'https://acme.test' };
    const two = send('sendContact', { ...VALID.sendContact, contact: [...(VALID.sendContact.contact as unknown[]), full] });
    assert.deepEqual(two.content, { kind: 'contacts', contacts: [{ fullName: 'Ana Lima', phoneNumber: '+55 11 98888-7777' }, full] });
  });
  const card = (patch: Record<string, unknown>) => ({ contact: [patched({ fullName: 'Ana', phoneNumber: '5511988887777' }, patch)] });
  for (const [what, patch, expected] of [
    ['no contact', { contact: undefined }, ['instance requires property "contact"']],
    ['an empty contact list', { contact: [] }, ['contact must have at least 1 item']],
    ['a repeated contact', { contact: [{ fullName: 'A', phoneNumber: '5511988887777' }, { fullName: 'A', phoneNumber: '5511988887777' }] }, ['contact must not contain duplicate items']],
    ['a contact without fullName', card({ fullName: undefined }), ['contact.0 requires property "fullName"']],
    ['an empty fullName', card({ fullName: '' }), ['The "fullName" cannot be empty']],
    ['a contact without phoneNumber', card({ phoneNumber: undefined }), ['contact.0 requires property "phoneNumber"']],
    ['a phoneNumber under 10 characters', card({ phoneNumber: '123456789' }), ['contact.0.phoneNumber must be at least 10 characters long']],
    ['a wuid with letters', card({ wuid: '55119888877a' }), ['"wuid" must be a numeric string']],
    ['a wuid under 10 digits', card({ wuid: '123456789' }), ['"wuid" must be a numeric string']],
  ] as const) {
    it(`refuses ${what}`, () => assert.deepEqual(messagesOf('sendContact', patched(VALID.sendContact, patch)), expected));
  }
});

describe('sendReaction', () => {
  it('maps to a reaction sent to the reacted message\'s chat, the key kept as given', () => {
    assert.deepEqual(send('sendReaction', VALID.sendReaction), { to: JID, content: { kind: 'reaction', key: { id: '3EB0ABC', remoteJid: JID, fromMe: true }, reaction: '👍' } });
    const group = send('sendReaction', { key: { id: 'X', remoteJid: '120363025246125486@g.us', fromMe: false, participant: JID }, reaction: '' });
    assert.deepEqual(group, { to: '120363025246125486@g.us', content: { kind: 'reaction', key: { id: 'X', remoteJid: '120363025246125486@g.us', fromMe: false, participant: JID }, reaction: '' } });
  });

  it('takes exactly one emoji, whatever its sequence, or "" to remove', () => {
    for (const emoji of ['👍', '👍🏽', '❤️', '❤️‍🔥', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇧🇷', '1️⃣', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '🧑🏽‍🦰', '👩🏻‍❤️‍💋‍👨🏼', '✔️', '']) {
      assert.equal(send('sendReaction', { ...VALID.sendReaction, reaction: emoji }).content.kind, 'reaction', emoji);
    }
    assert.equal(isSingleEmoji(''), false);
  });

  for (const reaction of ['ok', '👍👍', '👍 ', ' ', 'a', '1', '🇧', '🏽', 'x👍']) {
    it(`refuses ${JSON.stringify(reaction)}`, () => {
      assert.deepEqual(messagesOf('sendReaction', { ...VALID.sendReaction, reaction }), ['Reaction must be a single emoji or empty string']);
    });
  }
  for (const [what, body, expected] of [
    ['no key', { reaction: '👍' }, ['instance requires property "key"']],
    ['no reaction', { key: VALID.sendReaction.key }, ['instance requires property "reaction"']],
    ['a key without remoteJid and fromMe', { key: { id: 'a' }, reaction: '👍' }, ['key requires property "remoteJid"', 'key requires property "fromMe"']],
    ['a key with an empty id', { key: { id: '', remoteJid: JID, fromMe: true }, reaction: '👍' }, ['The "id" cannot be empty']],
    ['a key with an empty remoteJid', { key: { id: 'a', remoteJid: '', fromMe: true }, reaction: '👍' }, ['The "remoteJid" cannot be empty']],
  ] as const) {
    it(`refuses ${what}`, () => assert.deepEqual(messagesOf('sendReaction', body), expected));
  }
});

describe('sendPoll', () => {
  it('maps to a poll; selectableCount 0 means any number', () => {
    assert.deepEqual(send('sendPoll', VALID.sendPoll), { to: JID, content: { kind: 'poll', name: 'Lunch?', selectableCount: 1, values: ['Pizza', 'Sushi'] } });
    assert.equal((send('sendPoll', { ...VALID.sendPoll, selectableCount: 0 }).content as { selectableCount: number }).selectableCount, 0);
    send('sendPoll', { ...VALID.sendPoll, selectableCount: 10, values: Array.from({ length: 10 }, (_, i) => `v${i}`) });
  });
  for (const [what, patch, expected] of [
    ['no name', { name: undefined }, ['instance requires property "name"']],
    ['no selectableCount', { selectableCount: undefined }, ['instance requires property "selectableCount"']],
    ['a selectableCount over 10', { selectableCount: 11 }, ['selectableCount must be at most 10']],
    ['a negative selectableCount', { selectableCount: -1 }, ['selectableCount must be at least 0']],
    ['a fractional selectableCount', { selectableCount: 1.5 }, ['selectableCount is not of a type(s) integer']],
    ['no values', { values: undefined }, ['instance requires property "values"']],
    ['a single value', { values: ['Pizza'] }, ['values must have at least 2 items']],
    ['eleven values', { values: Array.from({ length: 11 }, (_, i) => `v${i}`) }, ['values must have at most 10 items']],
    ['repeated values', { values: ['Pizza', 'Pizza'] }, ['values must not contain duplicate items']],
    ['a value that is not a string', { values: ['Pizza', 2] }, ['values.1 is not of a type(s) string']],
  ] as const) {
    it(`refuses ${what}`, () => assert.deepEqual(messagesOf('sendPoll', patched(VALID.sendPoll, patch)), expected));
  }
});

describe('sendList', () => {
  it('maps to a single-select list', () => {
    assert.deepEqual(send('sendList', VALID.sendList), {
      to: JID,
      content: {
        kind: 'list', title: 'Menu', description: 'Pick one', footerText: 'Thanks', buttonText: 'Open',
        sections: [{ title: 'Drinks', rows: [{ title: 'Tea', description: 'Hot', rowId: 'tea' }, { title: 'Coffee', rowId: 'coffee' }] }],
      },
    });
  });
  const section = (patch: Record<string, unknown>) => ({ sections: [patched({ title: 'S', rows: [{ title: 'R', rowId: 'r' }] }, patch)] });
  const row = (patch: Record<string, unknown>) => section({ rows: [patched({ title: 'R', rowId: 'r' }, patch)] });
  for (const [what, patch, expected] of [
    ['no title', { title: undefined }, ['instance requires property "title"']],
    ['no footerText', { footerText: undefined }, ['instance requires property "footerText"']],
    ['no buttonText', { buttonText: undefined }, ['instance requires property "buttonText"']],
    ['no sections', { sections: undefined }, ['instance requires property "sections"']],
    ['no section at all', { sections: [] }, ['sections must have at least 1 item']],
    ['a section without title', section({ title: undefined }), ['sections.0 requires property "title"']],
    ['a section with an empty title', section({ title: '' }), ['The "title" cannot be empty']],
    ['a section without rows', section({ rows: [] }), ['sections.0.rows must have at least 1 item']],
    ['a row without rowId', row({ rowId: undefined }), ['sections.0.rows.0 requires property "rowId"']],
    ['a row with an empty rowId', row({ rowId: '' }), ['The "rowId" cannot be empty']],
    ['a row with an empty description', row({ description: '' }), ['The "description" cannot be empty']],
  ] as const) {
    it(`refuses ${what}`, () => assert.deepEqual(messagesOf('sendList', patched(VALID.sendList, patch)), expected));
  }
});

describe('sendButtons', () => {
  const reply = (n: number) => ({ type: 'reply', displayText: `Option ${n}`, id: `o${n}` });
  const url = { type: 'url', displayText: 'Site', url: 'https://acme.test' };
  const call = { type: 'call', displayText: 'Call us', phoneNumber: '+5511999999999' };
  const copy = { type: 'copy', displayText: 'Code', copyCode: 'PROMO10' };
  const pix = { type: 'pix', name: 'ACME Ltda', keyType: 'cnpj', key: '12345678000199' };

  it('maps up to three reply buttons with title, description, footer and thumbnail', () => {
    const body = { ...VALID.sendButtons, description: 'Confirm?', footer: 'ACME', thumbnailUrl: URL_MEDIA, buttons: [reply(1), reply(2), reply(3)] };
    assert.deepEqual(send('sendButtons', body), {
      to: JID,
      content: { kind: 'buttons', title: 'Order', description: 'Confirm?', footer: 'ACME', thumbnailUrl: URL_MEDIA, buttons: [reply(1), reply(2), reply(3)] },
    });
  });

  it('maps call-to-action buttons together, and a PIX button alone (currency BRL by default)', () => {
    assert.deepEqual((send('sendButtons', { ...VALID.sendButtons, buttons: [url, call, copy] }).content as { buttons: unknown }).buttons, [url, call, copy]);
    assert.deepEqual((send('sendButtons', { ...VALID.sendButtons, buttons: [pix] }).content as { buttons: unknown }).buttons, [{ ...pix, currency: 'BRL' }]);
    const usd = { ...pix, currency: 'USD' };
    assert.deepEqual((send('sendButtons', { ...VALID.sendButtons, buttons: [usd] }).content as { buttons: unknown }).buttons, [usd]);
  });

  for (const [what, buttons, expected] of [
    ['no buttons field', undefined, ['At least one button is required']],
    ['an empty button list', [], ['At least one button is required']],
    ['four reply buttons', [reply(1), reply(2), reply(3), reply(4)], ['Maximum of 3 reply buttons allowed']],
    ['four buttons mixing reply and url (the count is checked first)', [reply(1), reply(2), reply(3), url], ['Maximum of 3 reply buttons allowed']],
    ['reply mixed with url', [reply(1), url], ['Reply buttons cannot be mixed with other button types']],
    ['reply mixed with call', [call, reply(1)], ['Reply buttons cannot be mixed with other button types']],
    ['two PIX buttons', [pix, pix], ['Only one PIX button is allowed']],
    ['PIX with a reply button', [pix, reply(1)], ['Only one PIX button is allowed']],
    ['PIX with a url button', [url, pix], ['Only one PIX button is allowed']],
    ['a button without type', [{ displayText: 'x' }], ['buttons.0 requires property "type"']],
    ['an unknown button type', [{ type: 'list', displayText: 'x' }], ['buttons.0.type is not one of enum values: reply,copy,url,call,pix']],
    ['a reply button without id', [{ type: 'reply', displayText: 'x' }], ['buttons.0.id must be given for a "reply" button']],
    ['a reply button with an empty id', [{ type: 'reply', displayText: 'x', id: '' }], ['The "id" cannot be empty']],
    ['a reply button with an empty text', [{ type: 'reply', displayText: '', id: 'x' }], ['The "displayText" cannot be empty']],
    ['a url button without url', [{ type: 'url', displayText: 'x' }], ['buttons.0.url must be given for a "url" button']],
    ['a call button without text', [{ type: 'call', phoneNumber: '+5511999999999' }], ['buttons.0.displayText must be given for a "call" button']],
    ['a copy button without code', [copy, { type: 'copy', displayText: 'x' }], ['buttons.1.copyCode must be given for a "copy" button']],
    ['a PIX button without key', [{ ...pix, key: undefined }], ['buttons.0.key must be given for a "pix" button']],
    ['an unknown PIX key type', [{ ...pix, keyType: 'iban' }], ['buttons.0.keyType is not one of enum values: phone,email,cpf,cnpj,random']],
  ] as const) {
    it(`refuses ${what}`, () => assert.deepEqual(messagesOf('sendButtons', patched(VALID.sendButtons, { buttons })), expected));
  }

  it('refuses a thumbnail that is neither URL nor base64', () => {
    assert.deepEqual(messagesOf('sendButtons', { ...VALID.sendButtons, thumbnailUrl: 'thumb.png' }), ['thumbnailUrl must be an http(s) URL or base64 image']);
  });
});

describe('sendStatus', () => {
  it('maps a text status to status@broadcast, its recipients as JIDs', () => {
    assert.deepEqual(send('sendStatus', { ...VALID.sendStatus, statusJidList: ['5511999999999', '5531987654321@s.whatsapp.net'] }), {
      to: 'status@broadcast',
      content: { kind: 'status', type: 'text', content: 'Good morning', backgroundColor: '#008000', font: 1, statusJidList: [JID, '5531987654321@s.whatsapp.net'] },
    });
  });

  it('maps media statuses from a URL, base64 or a file, to all contacts', () => {
    assert.deepEqual(send('sendStatus', { type: 'image', content: URL_MEDIA, caption: 'Hi', allContacts: true }), {
      to: 'status@broadcast', content: { kind: 'status', type: 'image', content: { kind: 'url', url: URL_MEDIA }, caption: 'Hi', allContacts: true },
    });
    const video = send('sendStatus', { type: 'video', content: PNG_BASE64, statusJidList: ['5511999999999'] }).content;
    assert.deepEqual(video, { kind: 'status', type: 'video', content: { kind: 'bytes', data: Buffer.from('fake png bytes') }, statusJidList: [JID] });
    const file = Buffer.from('ogg');
    const audio = send('sendStatus', { type: 'audio', file, allContacts: 'true' }).content;
    assert.deepEqual(audio, { kind: 'status', type: 'audio', content: { kind: 'bytes', data: file }, allContacts: true });
  });

  it('takes every font from 0 to 5, also as a form string', () => {
    for (const font of [0, 5, '3']) assert.equal((send('sendStatus', { ...VALID.sendStatus, font }).content as { font: number }).font, Number(font));
  });

  for (const [what, patch, expected] of [
    ['no type', { type: undefined }, ['instance requires property "type"']],
    ['an unknown type', { type: 'gif' }, ['type is not one of enum values: text,image,video,audio']],
    ['no content', { content: undefined }, ['Content is required']],
    ['an empty content', { content: '' }, ['Content is required']],
    ['no recipients', { statusJidList: undefined }, ['StatusJidList is required']],
    ['allContacts false and no list', { statusJidList: undefined, allContacts: false }, ['StatusJidList is required']],
    ['a text status without backgroundColor', { backgroundColor: undefined }, ['Background color is required']],
    ['a text status without font', { font: undefined }, ['Font is required']],
    ['a font over 5', { font: 6 }, ['font must be at most 5']],
    ['a fractional font', { font: 1.5 }, ['font is not of a type(s) integer']],
    ['a recipient that is not numeric', { statusJidList: ['ana'] }, ['"statusJidList" must be an array of numeric strings']],
    ['repeated recipients', { statusJidList: ['5511999999999', '5511999999999'] }, ['statusJidList must not contain duplicate items']],
    ['an image that is neither URL nor base64', { type: 'image', content: 'my photo' }, ['Owned media must be a url or base64']],
  ] as const) {
    it(`refuses ${what}`, () => assert.deepEqual(messagesOf('sendStatus', patched(VALID.sendStatus, patch)), expected));
  }

  it('needs no number', () => {
    assert.equal(messagesOf('sendStatus', VALID.sendStatus), undefined);
  });
});

describe('sendTemplate', () => {
  it('maps to a template, components defaulting to none', () => {
    assert.deepEqual(send('sendTemplate', VALID.sendTemplate), { to: JID, content: { kind: 'template', name: 'hello_world', language: 'en_US', components: [] } });
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }];
    const body = { ...VALID.sendTemplate, components, webhookUrl: 'https://hooks.acme.test/meta' };
    assert.deepEqual(send('sendTemplate', body).content, { kind: 'template', name: 'hello_world', language: 'en_US', components, webhookUrl: 'https://hooks.acme.test/meta' });
  });
  for (const [what, patch, expected] of [
    ['no name', { name: undefined }, ['instance requires property "name"']],
    ['no language', { language: undefined }, ['instance requires property "language"']],
    ['an empty name', { name: '' }, ['The "name" cannot be empty']],
    ['components that are not an array', { components: { type: 'body' } }, ['components is not of a type(s) array']],
    ['a webhookUrl that is not http(s)', { webhookUrl: 'hooks.acme.test' }, ['webhookUrl must be an http(s) URL']],
    ['no number', { number: undefined }, ['instance requires property "number"']],
  ] as const) {
    it(`refuses ${what}`, () => assert.deepEqual(messagesOf('sendTemplate', patched(VALID.sendTemplate, patch)), expected));
  }
});
