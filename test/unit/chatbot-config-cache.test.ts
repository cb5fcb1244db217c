// The engine's per-instance bot configuration cache: one load per TTL (shared by concurrent callers), dropped at once
// by `invalidate`, re-read after the TTL (changes made by other nodes), and never keeping a failed or superseded load.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BotConfigCache } from '../../src/chatbots/engine/config-cache.js';
import { DEFAULT_BEHAVIOUR, type Bot, type ChatbotProviderName, type ChatbotSettings } from '../../src/domain/chatbot.js';
import type { ChatbotConfigRepository } from '../../src/ports/chatbots.js';

/** The two reads the cache makes, over an in-memory table, counting queries; `failNext` makes the next read throw. */
class CountingRepo {
  readonly bots: Bot[] = [];
  readonly settings: ChatbotSettings[] = [];
  queries = 0;
  failNext = false;
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;

  /** Holds every read until `open()`: a load stays in flight. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release?.();
    this.gate = undefined;
  }

  async listBots(instanceId: string, provider: ChatbotProviderName): Promise<Bot[]> {
    await this.read();
    return this.bots.filter((b) => b.instanceId === instanceId && b.provider === provider);
  }

  async findSettings(instanceId: string, provider: ChatbotProviderName): Promise<ChatbotSettings | undefined> {
    await this.read();
    return this.settings.find((s) => s.instanceId === instanceId && s.provider === provider);
  }

  private async read(): Promise<void> {
    this.queries += 1;
    await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database unavailable');
    }
  }
}

const bot = (id: string, instanceId: string, provider: ChatbotProviderName = 'dify'): Bot => ({
  id, instanceId, provider, enabled: true, description: null, triggerType: 'all', triggerOperator: null, triggerValue: null,
  behaviour: {}, config: {}, createdAt: new Date(0), updatedAt: new Date(0),
});

function setup(enabled: ChatbotProviderName[] = ['dify', 'n8n']) {
  const repo = new CountingRepo();
  let t = 1_000;
  const cache = new BotConfigCache(repo as unknown as ChatbotConfigRepository, new Set(enabled), { ttlMs: 5_000, now: () => t });
  return { repo, cache, advance: (ms: number) => (t += ms) };
}

describe('chatbot engine configuration cache', () => {
  it('loads an instance once per TTL: bots and settings of each enabled provider, nothing more until it ages out', async () => {
    const { repo, cache, advance } = setup(['dify', 'n8n']);
    assert.equal((await cache.get('i1')).hasBots, false);
    assert.equal(repo.queries, 4, 'two reads per enabled provider');
    for (let i = 0; i < 20; i++) await cache.get('i1');
    advance(4_999);
    await cache.get('i1');
    assert.equal(repo.queries, 4, 'an instance without bots costs no query within the TTL');

    repo.bots.push(bot('b1', 'i1'));
    assert.equal((await cache.get('i1')).hasBots, false, 'a change made elsewhere is not seen before the TTL');
    advance(1);
    assert.equal((await cache.get('i1')).bot('b1')?.id, 'b1', 'seen once the entry aged out');
    assert.equal(repo.queries, 8);
  });

  it('invalidate drops one instance at once and leaves the others cached', async () => {
    const { repo, cache } = setup(['dify']);
    await cache.get('i1');
    await cache.get('i2');
    assert.equal(repo.queries, 4);
    repo.bots.push(bot('b1', 'i1'), bot('b2', 'i2'));
    cache.invalidate('i1');
    assert.equal((await cache.get('i1')).bot('b1')?.id, 'b1');
    assert.equal((await cache.get('i2')).bot('b2'), undefined, 'i2 was not invalidated');
    assert.equal(repo.queries, 6);
  });

  it('concurrent callers share one load; a load invalidated while in flight is not kept', async () => {
    const { repo, cache } = setup(['dify']);
    repo.hold();
    const first = cache.get('i1');
    const second = cache.get('i1');
    assert.equal(first, second, 'one shared load');
    cache.invalidate('i1');
    repo.bots.push(bot('b1', 'i1'));
    const third = cache.get('i1');
    assert.notEqual(third, first, 'after invalidate a new load starts');
    repo.open();
    await Promise.all([first, second, third]);
    assert.equal(repo.queries, 4);
    assert.equal((await cache.get('i1')).bot('b1')?.id, 'b1', 'the newer load is the one kept');
    assert.equal(repo.queries, 4);
  });

  it('does not keep a failed load', async () => {
    const { repo, cache } = setup(['dify']);
    repo.failNext = true;
    await assert.rejects(cache.get('i1'), /database unavailable/);
    repo.settings.push({ ...DEFAULT_BEHAVIOUR, id: 's1', instanceId: 'i1', provider: 'dify', fallbackId: null, extra: {}, createdAt: new Date(0), updatedAt: new Date(0) });
    assert.equal((await cache.get('i1')).settingsRow('dify')?.id, 's1', 'the next call loads again');
  });
});
