// The options an instance's socket is made with: settings, linked-device name, proxy agents, getMessage from storage,
// retry counters that outlive sockets; and the send mapping's text fallbacks and vCards.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initAuthCreds, proto } from 'baileys';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { pino } from 'pino';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { vcard } from '../../src/channels/baileys/send-mapping.js';
import { proxyAgent, RetryCounterCache, socketConfig, type SocketConfigInput } from '../../src/channels/baileys/socket-config.js';
import { DEFAULT_SETTINGS, type ProxySettings } from '../../src/domain/instance.js';
import type { StoredMessage } from '../../src/ports/messages.js';

const proxy = (p: Partial<ProxySettings>): ProxySettings => ({ enabled: true, host: '10.0.0.5', port: '3128', protocol: 'http', username: '', password: '', ...p });

function input(overrides: Partial<SocketConfigInput> = {}): SocketConfigInput {
  return {
    auth: { creds: initAuthCreds(), keys: { get: async () => ({}), set: async () => {} } },
    logger: pino({ level: 'silent' }),
    browser: { client: 'Parley', name: 'Chrome' },
    pairing: false,
    settings: DEFAULT_SETTINGS,
    proxy: undefined,
    findMessage: async () => undefined,
    cachedGroupMetadata: () => undefined,
    msgRetryCounterCache: new RetryCounterCache(() => 0),
    ...overrides,
  };
}

describe('socket config', () => {
  it('follows the settings and the configured linked-device name; never emits own sends', () => {
    const config = socketConfig(input({ settings: { ...DEFAULT_SETTINGS, alwaysOnline: true, syncFullHistory: true } }));
    assert.equal(config.markOnlineOnConnect, true);
    assert.equal(config.syncFullHistory, true);
    assert.deepEqual(config.browser!.slice(0, 2), ['Parley', 'Chrome']);
    assert.equal(config.emitOwnEvents, false);
    assert.equal(config.agent, undefined);
    assert.deepEqual(socketConfig(input({ pairing: true })).browser!.slice(0, 2), ['Ubuntu', 'Chrome']);
  });

  it('proxies the websocket and media through the instance proxy (http/https and socks)', () => {
    const http = proxyAgent(proxy({ username: 'u@x', password: 'p:w' }));
    assert.ok(http instanceof HttpsProxyAgent);
    assert.equal(http.proxy.href, 'http://u%40x:p%3Aw@10.0.0.5:3128/');
    const socks = proxyAgent(proxy({ protocol: 'socks5', port: '1080' }));
    assert.ok(socks instanceof SocksProxyAgent);
    assert.equal(proxyAgent(proxy({ enabled: false })), undefined);
    assert.equal(proxyAgent(proxy({ host: '' })), undefined);
    const config = socketConfig(input({ proxy: proxy({}) }));
    assert.ok(config.agent instanceof HttpsProxyAgent);
    assert.equal(config.fetchAgent, config.agent);
  });

  it('getMessage answers stored messages as protobuf (retries, poll votes)', async () => {
    const stored = { message: { conversation: 'kept' } } as unknown as StoredMessage;
    const config = socketConfig(input({ findMessage: async (id) => (id === 'ABC' ? stored : undefined) }));
    const found = await config.getMessage!({ id: 'ABC', remoteJid: 'x@s.whatsapp.net' });
    assert.ok(found instanceof proto.Message);
    assert.equal(found.conversation, 'kept');
    assert.equal(await config.getMessage!({ id: 'nope' }), undefined);
  });

  it('retry counters expire and stay bounded', () => {
    let now = 0;
    const cache = new RetryCounterCache(() => now, 1_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    assert.equal(cache.get('a'), undefined, 'oldest evicted');
    assert.equal(cache.get('c'), 3);
    now = 1_000;
    assert.equal(cache.get('c'), undefined, 'expired');
  });
});

describe('send mapping', () => {
  it('builds a vCard 3.0 with waid from the wuid or the phone digits', () => {
    assert.equal(
      vcard({ fullName: 'Ana', phoneNumber: '+55 11 91234-5678', email: 'a@x.com' }),
      'BEGIN:VCARD\nVERSION:3.0\nN:Ana\nFN:Ana\nEMAIL:a@x.com\nitem1.TEL;waid=5511912345678:+55 11 91234-5678\nitem1.X-ABLabel:Celular\nEND:VCARD',
    );
    assert.match(vcard({ fullName: 'B', phoneNumber: '123', wuid: '5511900000000' }), /waid=5511900000000:123/);
  });
});
