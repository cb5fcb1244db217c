// Content extraction (compat §6.3) and reply planning (compat §6.8): media links, split, typing time, fallbacks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractContent, isConversationTurn } from '../../src/chatbots/engine/content.js';
import { planReplies, typingMs } from '../../src/chatbots/engine/replies.js';
import { DEFAULT_BEHAVIOUR } from '../../src/domain/chatbot.js';
import type { BotMessage } from '../../src/ports/chatbots.js';

const msg = (message: Record<string, unknown>, extra: Partial<BotMessage> = {}): BotMessage => ({
  key: { remoteJid: '5511999999999@s.whatsapp.net', fromMe: false, id: 'MSG1' }, pushName: 'Ana', messageType: Object.keys(message)[0] ?? 'unknown', message, contextInfo: null, ...extra,
});

describe('content extraction', () => {
  it('reads text, replies and locations', () => {
    assert.equal(extractContent(msg({ conversation: 'hi' })), 'hi');
    assert.equal(extractContent(msg({ extendedTextMessage: { text: 'long hi' } })), 'long hi');
    assert.equal(extractContent(msg({ listResponseMessage: { title: 'Pizza', singleSelectReply: { selectedRowId: 'row-1' } } })), 'row-1');
    assert.equal(extractContent(msg({ buttonsResponseMessage: { selectedButtonId: 'btn-2' } })), 'btn-2');
    assert.equal(extractContent(msg({ templateButtonReplyMessage: { selectedId: 'tpl-3' } })), 'tpl-3');
    assert.equal(extractContent(msg({ contactMessage: { displayName: 'Bob' } })), 'Bob');
    assert.equal(extractContent(msg({ locationMessage: { degreesLatitude: -23.5, degreesLongitude: -46.6 } })), '-23.5');
  });
  it('gives media as a pipe string with the stored URL or the message id', () => {
    assert.equal(extractContent(msg({ imageMessage: { caption: 'look' } })), 'imageMessage|MSG1|look');
    assert.equal(extractContent(msg({ imageMessage: {}, mediaUrl: 'https://s3/x.jpg' })), 'imageMessage|https://s3/x.jpg');
    assert.equal(extractContent(msg({ documentWithCaptionMessage: { message: { documentMessage: { caption: 'invoice' } } } })), 'documentWithCaptionMessage|MSG1|invoice');
    assert.equal(extractContent(msg({ audioMessage: {} })), 'audioMessage|MSG1');
    assert.equal(extractContent(msg({ audioMessage: {}, speechToText: '[audio] hello' })), '[audio] hello');
  });
  it('appends a click-to-WhatsApp ad body; empty content for stickers', () => {
    assert.equal(extractContent(msg({ extendedTextMessage: { text: 'hi', contextInfo: { externalAdReply: { body: 'Promo' } } } })), 'hi\nexternalAdReplyBody|Promo');
    assert.equal(extractContent(msg({ stickerMessage: {} })), '');
  });
  it('skips what is not a conversation turn', () => {
    assert.equal(isConversationTurn(msg({ reactionMessage: { text: '👍' } })), false);
    assert.equal(isConversationTurn(msg({ protocolMessage: {} })), false);
    assert.equal(isConversationTurn(msg({ conversation: 'x' }, { key: { remoteJid: 'status@broadcast', fromMe: false, id: 'S' } })), false);
    assert.equal(isConversationTurn(msg({ conversation: 'x' })), true);
  });
});

describe('reply planning', () => {
  const settings = { ...DEFAULT_BEHAVIOUR, delayMessage: 0 };
  it('cuts markdown media links out as media, flushing the text before each; other links stay', () => {
    const planned = planReplies([{ kind: 'text', text: 'Our menu ![Menu](https://x.test/menu.PNG) and [site](https://x.test/page) then [Price list](https://x.test/p.pdf?v=2) end' }], settings);
    assert.deepEqual(planned.map((p) => p.content), [
      { kind: 'text', text: 'Our menu' },
      { kind: 'media', mediatype: 'image', media: { kind: 'url', url: 'https://x.test/menu.PNG' }, caption: 'Menu' },
      { kind: 'text', text: 'and [site](https://x.test/page) then' },
      { kind: 'media', mediatype: 'document', media: { kind: 'url', url: 'https://x.test/p.pdf?v=2' }, caption: 'Price list', fileName: 'Price list' },
      { kind: 'text', text: 'end' },
    ]);
    assert.equal(planned[1]!.fallbackText, 'Menu: https://x.test/menu.PNG');
    assert.deepEqual(planReplies([{ kind: 'text', text: '[hear](https://x.test/a.ogg)' }], settings)[0]!.content, { kind: 'voice', media: { kind: 'url', url: 'https://x.test/a.ogg' }, encoding: true });
  });
  it('splitMessages sends blank-line separated parts, each typed for clamp(len × timePerChar, 1 s, 20 s) plus delayMessage', () => {
    const split = planReplies([{ kind: 'text', text: 'one\n\n\n\ntwo is longer\n\nthree' }], { ...DEFAULT_BEHAVIOUR, splitMessages: true, timePerChar: 100, delayMessage: 500 });
    assert.deepEqual(split.map((p) => p.content), [{ kind: 'text', text: 'one' }, { kind: 'text', text: 'two is longer' }, { kind: 'text', text: 'three' }]);
    assert.deepEqual(split.map((p) => p.delayMs), [1000 + 500, 1300 + 500, 1000 + 500]);
    assert.equal(typingMs('x'.repeat(1000), 100), 20_000);
    const whole = planReplies([{ kind: 'text', text: 'one\n\ntwo' }], { ...DEFAULT_BEHAVIOUR, delayMessage: 0 });
    assert.deepEqual(whole.map((p) => [p.content, p.delayMs]), [[{ kind: 'text', text: 'one\n\ntwo' }, 1000]], 'delayMessage 0 means Evolution’s 1000 ms');
  });
  it('lists and buttons carry a text fallback; waits are kept', () => {
    const [list] = planReplies([{ kind: 'list', title: 'Menu', footerText: '', buttonText: 'Open', sections: [{ title: 'Food', rows: [{ title: 'Pizza', rowId: 'p' }] }], waitAfterMs: 2000 }], settings);
    assert.equal(list!.content.kind, 'list');
    assert.equal(list!.fallbackText, 'Menu\nFood\n▶️ Pizza');
    assert.equal(list!.waitAfterMs, 2000);
  });
});
