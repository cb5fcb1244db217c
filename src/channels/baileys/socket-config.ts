// The options one instance's socket is made with: its login, logger, linked-device name, settings, proxy, and the
// caches that must outlive a socket (retry counters) or come from elsewhere (stored messages, group metadata).
import { release } from 'node:os';
import { Browsers, proto, type AuthenticationState, type CacheStore, type GroupMetadata, type UserFacingSocketConfig, type WAMessageKey } from 'baileys';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import type { Logger } from 'pino';
import type { InstanceSettings, ProxySettings } from '../../domain/instance.js';
import type { StoredMessage } from '../../ports/messages.js';

export interface SocketConfigInput {
  auth: AuthenticationState;
  logger: Logger;
  browser: { client: string; name: string };
  /** Pairing by phone number needs a browser WhatsApp recognises for "Link with phone number". */
  pairing: boolean;
  settings: InstanceSettings;
  proxy: ProxySettings | undefined;
  findMessage(keyId: string): Promise<StoredMessage | undefined>;
  cachedGroupMetadata(jid: string): GroupMetadata | undefined;
  msgRetryCounterCache: CacheStore;
}

export function socketConfig(input: SocketConfigInput): UserFacingSocketConfig {
  const agent = proxyAgent(input.proxy);
  return {
    auth: input.auth,
    logger: input.logger,
    browser: input.pairing ? Browsers.ubuntu('Chrome') : [input.browser.client, input.browser.name, release()],
    markOnlineOnConnect: input.settings.alwaysOnline,
    syncFullHistory: input.settings.syncFullHistory,
    // Baileys re-encrypts a message from here when a recipient asks for a retry, and decrypts poll votes with it.
    getMessage: async (key: WAMessageKey) => {
      if (!key.id) return undefined;
      const stored = await input.findMessage(key.id);
      return stored === undefined ? undefined : proto.Message.fromObject(stored.message);
    },
    cachedGroupMetadata: async (jid) => input.cachedGroupMetadata(jid),
    msgRetryCounterCache: input.msgRetryCounterCache,
    // Core stores what this server sends; Baileys re-emitting it as an upsert would race that write.
    emitOwnEvents: false,
    ...(agent === undefined ? {} : { agent, fetchAgent: agent }),
  };
}

/** The instance's proxy as an agent for the websocket and media transfers (http, https, socks4, socks5). */
export function proxyAgent(proxy: ProxySettings | undefined): HttpsProxyAgent<string> | SocksProxyAgent | undefined {
  if (proxy === undefined || !proxy.enabled || proxy.host === '' || proxy.port === '') return undefined;
  const protocol = proxy.protocol === '' ? 'http' : proxy.protocol;
  const auth = proxy.username ? `${encodeURIComponent(proxy.username)}:${encodeURIComponent(proxy.password)}@` : '';
  const url = `${protocol}://${auth}${proxy.host}:${proxy.port}`;
  return protocol === 'socks4' || protocol === 'socks5' ? new SocksProxyAgent(url) : new HttpsProxyAgent(url);
}

/**
 * Baileys' retry counters per message, kept outside the socket so they survive reconnects (a counter reset on every
 * reconnect lets retries loop). Bounded and expiring.
 */
export class RetryCounterCache implements CacheStore {
  private readonly entries = new Map<string, { value: unknown; expiresAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 60 * 60_000,
    private readonly maxEntries = 5_000,
  ) {}

  get<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  set<T>(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  del(key: string): void {
    this.entries.delete(key);
  }

  flushAll(): void {
    this.entries.clear();
  }
}
