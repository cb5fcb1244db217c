// The Typebot provider against a local fake Typebot over real HTTP, both API versions: a conversation to the end of
// the flow, prefilled variables, /typebot/start, rich text → WhatsApp formatting, media bubbles, waits, choice input,
// [list]/[buttons] markup, an expired session restarted, the plain-string fallback, errors and timeouts.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { typebotProvider } from '../../../src/chatbots/providers/typebot.js';
import { markdownToWhatsApp } from '../../../src/chatbots/providers/typebot-messages.js';
import type { BotReply } from '../../../src/ports/chatbots.js';
import { FakeTypebot, richTextBubble, textBubble, type TypebotStep } from '../../fakes/fake-typebot.js';
import { GLOBAL_KEY, harness, imageInput, providerFails, REMOTE_JID, SERVER_URL, textInput, texts } from './context.js';

const SURVEY: TypebotStep[] = [
  { messages: [textBubble('Welcome! What is your name?')], input: { type: 'text input', options: {} } },
  { messages: [textBubble('Nice to meet you.'), textBubble('Pick a plan')], input: { type: 'choice input', items: [{ id: 'a', content: 'Basic' }, { id: 'b', content: 'Pro' }] } },
  { messages: [textBubble('Thanks, bye!')] },
];

describe('Typebot provider', () => {
  let fake: FakeTypebot;
  before(async () => {
    fake = await new FakeTypebot().listen();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.stringMessagesOnly = false;
  });
  const bot = (typebot: string, apiVersion?: 'latest' | 'old', options: { timeoutMs?: number; extra?: Record<string, unknown> } = {}) =>
    harness('typebot', { url: fake.url, typebot, ...(apiVersion === undefined ? {} : { apiVersion }) }, options);

  for (const version of ['latest', 'old'] as const) {
    it(`${version}: a conversation from start to the end of the flow`, async () => {
      fake.flow(`survey-${version}`, SURVEY);
      const h = bot(`survey-${version}`, version);
      const first = await typebotProvider.reply(h.ctx, textInput('hello'));
      assert.deepEqual(texts(first), ['Welcome! What is your name?']);
      assert.equal(first.finished, false);
      h.keep(first);
      const second = await typebotProvider.reply(h.ctx, textInput('Ana'));
      assert.deepEqual(texts(second), ['Nice to meet you.', 'Pick a plan', '▶️ Basic\n▶️ Pro']);
      assert.equal(second.sessionId, first.sessionId);
      h.keep(second);
      const third = await typebotProvider.reply(h.ctx, textInput('Pro'));
      assert.deepEqual(texts(third), ['Thanks, bye!']);
      assert.equal(third.finished, true);

      const session = fake.started.at(-1)!;
      assert.deepEqual(session.answers, ['Ana', 'Pro'], 'the message that started the flow is not sent on');
      assert.deepEqual(session.prefilledVariables, {
        remoteJid: REMOTE_JID, pushName: 'Ana', instanceName: 'inst1', serverUrl: SERVER_URL, apiKey: GLOBAL_KEY, ownerJid: '5511888888888@s.whatsapp.net',
      });
      if (version === 'latest') {
        assert.deepEqual(fake.requests.map((r) => r.path), [`/api/v1/typebots/survey-latest/startChat`, `/api/v1/sessions/${first.sessionId}/continueChat`, `/api/v1/sessions/${first.sessionId}/continueChat`]);
        assert.deepEqual(fake.requests[0]!.body, { prefilledVariables: session.prefilledVariables });
        assert.deepEqual(fake.requests[1]!.body, { message: { type: 'text', text: 'Ana' } });
      } else {
        assert.deepEqual(fake.requests.map((r) => r.path), ['/api/v1/sendMessage', '/api/v1/sendMessage', '/api/v1/sendMessage']);
        assert.deepEqual(fake.requests[0]!.body, { startParams: { publicId: 'survey-old', typebot: 'survey-old', prefilledVariables: session.prefilledVariables } });
        assert.deepEqual(fake.requests[1]!.body, { message: 'Ana', sessionId: first.sessionId });
      }
    });
  }

  it('the API version comes from the bot, else the Typebot settings, else old', async () => {
    fake.flow('versions', SURVEY);
    await typebotProvider.reply(bot('versions', undefined, { extra: { apiVersion: 'latest' } }).ctx, textInput('x'));
    await typebotProvider.reply(bot('versions').ctx, textInput('x'));
    assert.deepEqual(fake.requests.map((r) => r.path), ['/api/v1/typebots/versions/startChat', '/api/v1/sendMessage']);
  });

  it('/typebot/start: the route variables are prefilled (Evolution fixed ones win) and the first bubbles returned', async () => {
    fake.flow('start', SURVEY);
    const h = bot('start', 'latest');
    const turn = await typebotProvider.start!(h.ctx, { plan: 'gold', remoteJid: 'spoofed', pushName: 'Bia' });
    assert.deepEqual(texts(turn), ['Welcome! What is your name?']);
    assert.ok(fake.sessions.has(turn.sessionId!));
    assert.deepEqual(fake.started.at(-1)!.prefilledVariables, {
      plan: 'gold', remoteJid: REMOTE_JID, pushName: 'Bia', instanceName: 'inst1', serverUrl: SERVER_URL, apiKey: GLOBAL_KEY, ownerJid: '5511888888888@s.whatsapp.net',
    });
  });

  it('a flow that starts with an input gets the first message; an image is attached by URL', async () => {
    fake.flow('ask-first', [{ messages: [], input: { type: 'text input' } }, { messages: [textBubble('Got it')], input: { type: 'text input' } }]);
    const turn = await typebotProvider.reply(bot('ask-first', 'latest').ctx, imageInput('my receipt', { url: 'https://cdn.example/r.jpg', mimetype: 'image/jpeg' }));
    assert.deepEqual(texts(turn), ['Got it']);
    assert.deepEqual(fake.requests[1]!.body, { message: { type: 'text', text: 'my receipt', attachedFileUrls: ['https://cdn.example/r.jpg'] } });
  });

  it('an expired session is started again; an older server gets the message as a plain string', async () => {
    fake.flow('expiring', SURVEY);
    const h = bot('expiring', 'latest');
    const first = await typebotProvider.reply(h.ctx, textInput('hi'));
    h.keep(first);
    fake.expire(first.sessionId!);
    const again = await typebotProvider.reply(h.ctx, textInput('hi again'));
    assert.deepEqual(texts(again), ['Welcome! What is your name?']);
    assert.notEqual(again.sessionId, first.sessionId);
    h.keep(again);

    fake.stringMessagesOnly = true;
    const next = await typebotProvider.reply(h.ctx, textInput('Ana'));
    assert.deepEqual(texts(next).slice(0, 1), ['Nice to meet you.']);
    assert.deepEqual(fake.requests.slice(-2).map((r) => [r.status, r.body]), [[400, { message: { type: 'text', text: 'Ana' } }], [200, { message: 'Ana' }]]);
  });

  it('rich text becomes WhatsApp formatting; media bubbles become media; waits are kept', async () => {
    fake.flow('rich', [{
      messages: [
        richTextBubble(
          [{ text: 'Hello ' }, { text: 'Ana ', bold: true }, { text: 'and ' }, { text: 'welcome', italic: true, bold: true }, { text: '!' }],
          [{ text: 'old price', strikethrough: true }, { text: ' ' }, { text: 'underlined', underline: true }, { text: ' see ' }, { type: 'a', url: 'https://acme.example/plans', children: [{ text: 'our plans' }] }],
          [{ type: 'inline-variable', children: [{ type: 'p', children: [{ text: 'R$ 10' }] }] }, { text: ' per month' }],
        ),
        { type: 'text', content: { type: 'richText', richText: [{ type: 'ol', children: [{ type: 'li', children: [{ type: 'lic', children: [{ text: 'first' }] }] }, { type: 'li', children: [{ type: 'lic', children: [{ text: 'second' }] }] }] }] } },
        { id: 'img-1', type: 'image', content: { url: 'https://cdn.example/plan.png' } },
        { type: 'video', content: { url: 'https://cdn.example/tour.mp4', type: 'url' } },
        { type: 'video', content: { url: 'https://youtu.be/abc', type: 'youtube', id: 'abc' } },
        { type: 'audio', content: { url: 'https://cdn.example/hello.mp3' } },
        { type: 'embed', content: { url: 'https://cdn.example/docs/terms.pdf', height: 400 } },
        { type: 'embed', content: { url: 'https://calendly.example/ana', height: 400 } },
      ],
      clientSideActions: [{ type: 'wait', lastBubbleBlockId: 'img-1', wait: { secondsToWaitFor: 2 } }],
    }]);
    const turn = await typebotProvider.reply(bot('rich', 'latest').ctx, textInput('go'));
    const expected: BotReply[] = [
      { kind: 'text', text: 'Hello *Ana* and *_welcome_*!\n~old price~ underlined see our plans (https://acme.example/plans)\nR$ 10 per month' },
      { kind: 'text', text: '1. first\n2. second' },
      { kind: 'media', mediatype: 'image', url: 'https://cdn.example/plan.png', waitAfterMs: 2000 },
      { kind: 'media', mediatype: 'video', url: 'https://cdn.example/tour.mp4' },
      { kind: 'text', text: 'https://youtu.be/abc' },
      { kind: 'media', mediatype: 'audio', url: 'https://cdn.example/hello.mp3' },
      { kind: 'media', mediatype: 'document', url: 'https://cdn.example/docs/terms.pdf', fileName: 'terms.pdf' },
      { kind: 'text', text: 'https://calendly.example/ana' },
    ];
    assert.deepEqual(turn.replies, expected);
    assert.equal(turn.finished, true, 'no input: the flow ended');
  });

  it('[list] and [buttons] markup become a list and buttons; a choice input can carry markup too', async () => {
    const list = [
      'Our menu:',
      '[list]', '[title]Plans', '[description]Choose one', '[buttonText]See plans', '[footerText]ACME',
      '[menu]', '[section]', 'title: Monthly', '[row]', 'title: Basic', 'description: 10/month', 'rowId: basic', '[/row]',
      '[row]', 'title: Pro', 'rowId: pro', '[/row]', '[/section]', '[/menu]',
    ].join('\n');
    const buttons = [
      '[buttons]', '[title]Pay', '[description]How do you want to pay?', '[footer]Secure',
      '[reply]', 'displayText: Card', 'id: card',
      '[url]', 'displayText: Website', 'url: https://acme.example/pay',
      '[call]', 'displayText: Call us', 'phone: +5511999999999',
      '[copy]', 'displayText: Copy code', 'copyCode: ABC123',
    ].join('\n');
    fake.flow('markup', [{ messages: [textBubble(list), textBubble(buttons)], input: { type: 'choice input', items: [{ content: '[buttons]\n[title]Sure?' }, { content: '[reply]\ndisplayText: Yes\nid: yes' }] } }]);
    const turn = await typebotProvider.reply(bot('markup', 'latest').ctx, textInput('menu'));
    assert.deepEqual(turn.replies, [
      { kind: 'text', text: 'Our menu:' },
      {
        kind: 'list', title: 'Plans', description: 'Choose one', buttonText: 'See plans', footerText: 'ACME',
        sections: [{ title: 'Monthly', rows: [{ title: 'Basic', description: '10/month', rowId: 'basic' }, { title: 'Pro', rowId: 'pro' }] }],
      },
      {
        kind: 'buttons', title: 'Pay', description: 'How do you want to pay?', footer: 'Secure',
        buttons: [
          { type: 'reply', displayText: 'Card', id: 'card' },
          { type: 'url', displayText: 'Website', url: 'https://acme.example/pay' },
          { type: 'call', displayText: 'Call us', phoneNumber: '+5511999999999' },
          { type: 'copy', displayText: 'Copy code', copyCode: 'ABC123' },
        ],
      },
      { kind: 'buttons', title: 'Sure?', buttons: [{ type: 'reply', displayText: 'Yes', id: 'yes' }] },
    ]);
    assert.equal(turn.finished, false);
  });

  it('markdown bubbles are converted to WhatsApp formatting', () => {
    assert.equal(markdownToWhatsApp('**Bold**, *italic*, ~~gone~~ and [docs](https://x.example)'), '*Bold*, _italic_, ~gone~ and docs (https://x.example)');
  });

  it('an unknown bot, a 5xx and a timeout are clear errors', async () => {
    await providerFails(() => typebotProvider.reply(bot('nope', 'latest').ctx, textInput('x')), { provider: 'Typebot', status: 404, includes: /Typebot not found/ });
    fake.flow('errors', SURVEY);
    fake.failNext(500, 'Prisma exploded');
    await providerFails(() => typebotProvider.reply(bot('errors', 'latest').ctx, textInput('x')), { provider: 'Typebot', status: 500, retryable: true, includes: /Prisma exploded/, secrets: [GLOBAL_KEY] });
    fake.hangNext();
    await providerFails(() => typebotProvider.reply(bot('errors', 'old', { timeoutMs: 100 }).ctx, textInput('x')), { provider: 'Typebot', retryable: true, includes: /did not answer within 100 ms/ });
  });
});
