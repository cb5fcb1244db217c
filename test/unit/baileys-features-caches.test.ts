// The number-check cache and throttle, and the group metadata cache, against a fake Baileys socket.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupMetadata } from 'baileys';
import { GroupCache } from '../../src/channels/baileys/group-cache.js';
import { DEFAULT_NUMBER_CHECK, NumberChecker } from '../../src/channels/baileys/number-check.js';
import { ManualClock, openFakeSocket } from '../fakes/fake-feature-socket.js';

const HOUR = 60 * 60_000;

function checker(options: Partial<typeof DEFAULT_NUMBER_CHECK> = {}) {
  const socket = openFakeSocket();
  const clock = new ManualClock();
  const waits: number[] = [];
  // The "sleep" moves the manual clock, so spacing is asserted on what was asked for, not on wall time.
  const sleep = async (ms: number) => {
    waits.push(ms);
    clock.advance(ms);
  };
  const numbers = new NumberChecker((jids) => socket.onWhatsApp(...jids), clock, sleep, { ...DEFAULT_NUMBER_CHECK, ...options });
  return { socket, clock, waits, numbers };
}

describe('NumberChecker', () => {
  it('answers the first candidate WhatsApp knows, and null when it knows none', async () => {
    const { socket, numbers } = checker();
    socket.answer('onWhatsApp', async (...jids) => jids.filter((j) => j.startsWith('5531987')).map((jid) => ({ jid, exists: true })));
    const result = await numbers.resolve([
      ['5531987654321@s.whatsapp.net', '553187654321@s.whatsapp.net'],
      ['14155550100@s.whatsapp.net'],
    ]);
    assert.deepEqual(result, ['5531987654321@s.whatsapp.net', null]);
    assert.deepEqual(socket.callsOf('onWhatsApp'), [['5531987654321@s.whatsapp.net', '553187654321@s.whatsapp.net', '14155550100@s.whatsapp.net']]);
  });

  it('does not ask WhatsApp again for cached answers, until they expire (negatives sooner)', async () => {
    const { socket, clock, numbers } = checker({ positiveTtlMs: 24 * HOUR, negativeTtlMs: HOUR });
    socket.answer('onWhatsApp', async (...jids) => jids.filter((j) => j.startsWith('1415')).map((jid) => ({ jid, exists: true })));
    const lists = [['14155550100@s.whatsapp.net'], ['442071838750@s.whatsapp.net']];
    await numbers.resolve(lists);
    assert.deepEqual(await numbers.resolve(lists), ['14155550100@s.whatsapp.net', null]);
    assert.equal(socket.callsOf('onWhatsApp').length, 1, 'second lookup served from the cache');

    clock.advance(HOUR + 1);
    await numbers.resolve(lists);
    assert.deepEqual(socket.callsOf('onWhatsApp')[1], ['442071838750@s.whatsapp.net'], 'only the expired negative is asked again');

    clock.advance(24 * HOUR);
    await numbers.resolve(lists);
    assert.deepEqual(socket.callsOf('onWhatsApp')[2], ['14155550100@s.whatsapp.net', '442071838750@s.whatsapp.net']);
  });

  it('spaces queries out and splits large lookups into batches', async () => {
    const { socket, waits, numbers } = checker({ batchSize: 2, minIntervalMs: 1_500 });
    const lists = ['111111111111', '222222222222', '333333333333', '444444444444', '555555555555'].map((n) => [`${n}@s.whatsapp.net`]);
    await numbers.resolve(lists);
    assert.deepEqual(socket.callsOf('onWhatsApp').map((c) => c.length), [2, 2, 1]);
    assert.deepEqual(waits, [1_500, 1_500], 'the 2nd and 3rd queries waited for their slot');
    assert.equal(numbers.queries, 3);
  });

  it('runs at most maxConcurrent queries at once across callers', async () => {
    const { socket, numbers } = checker({ minIntervalMs: 0, maxConcurrent: 1 });
    let inFlight = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    socket.answer('onWhatsApp', async (...jids) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => gates.push(resolve));
      inFlight -= 1;
      return jids.map((jid) => ({ jid, exists: true }));
    });
    const a = numbers.resolve([['111111111111@s.whatsapp.net']]);
    const b = numbers.resolve([['222222222222@s.whatsapp.net']]);
    const nextGate = async () => {
      while (gates.length === 0) await new Promise((r) => setImmediate(r));
      return gates.length;
    };
    assert.equal(await nextGate(), 1, 'the second query waits for the first');
    gates.shift()!();
    await nextGate();
    gates.shift()!();
    assert.deepEqual(await Promise.all([a, b]), [['111111111111@s.whatsapp.net'], ['222222222222@s.whatsapp.net']]);
    assert.equal(peak, 1);
  });

  it('keeps at most maxEntries answers, dropping the least recently used', async () => {
    const { socket, numbers } = checker({ maxEntries: 2, minIntervalMs: 0 });
    await numbers.resolve([['111111111111@s.whatsapp.net'], ['222222222222@s.whatsapp.net']]);
    await numbers.resolve([['111111111111@s.whatsapp.net']]); // touch 1 → 2 is the oldest
    await numbers.resolve([['333333333333@s.whatsapp.net']]);
    await numbers.resolve([['111111111111@s.whatsapp.net'], ['222222222222@s.whatsapp.net']]);
    assert.deepEqual(socket.callsOf('onWhatsApp').at(-1), ['222222222222@s.whatsapp.net']);
  });

  it('clear() forgets every answer: the next lookup asks WhatsApp again', async () => {
    const { socket, numbers } = checker({ minIntervalMs: 0 });
    const lists = [['14155550100@s.whatsapp.net']];
    await numbers.resolve(lists);
    await numbers.resolve(lists);
    assert.equal(socket.callsOf('onWhatsApp').length, 1);
    numbers.clear();
    socket.answer('onWhatsApp', async () => []);
    assert.deepEqual(await numbers.resolve(lists), [null], 'the new answer, not the forgotten one');
    assert.equal(socket.callsOf('onWhatsApp').length, 2);
  });

  it('an answer arriving after clear() is given to its caller but not cached (it belongs to the previous login)', async () => {
    const { socket, numbers } = checker({ minIntervalMs: 0 });
    let release!: () => void;
    socket.answer('onWhatsApp', async (...jids) => {
      await new Promise<void>((resolve) => (release = resolve));
      return jids.map((jid) => ({ jid, exists: true }));
    });
    const pending = numbers.resolve([['14155550100@s.whatsapp.net']]);
    while (socket.callsOf('onWhatsApp').length === 0) await new Promise((r) => setImmediate(r));
    numbers.clear();
    release();
    assert.deepEqual(await pending, ['14155550100@s.whatsapp.net']);
    socket.answer('onWhatsApp', async () => []);
    assert.deepEqual(await numbers.resolve([['14155550100@s.whatsapp.net']]), [null]);
    assert.equal(socket.callsOf('onWhatsApp').length, 2);
  });
});

describe('GroupCache', () => {
  const meta = (id: string, subject: string, participants: string[] = []): GroupMetadata => ({ id, subject, owner: undefined, participants: participants.map((p) => ({ id: p, admin: null })) });

  it('serves cached metadata without asking WhatsApp, and fetches once when absent', async () => {
    const socket = openFakeSocket();
    socket.answer('groupMetadata', async (jid) => meta(jid, 'Fetched'));
    const cache = new GroupCache((jid) => socket.groupMetadata(jid), new ManualClock());
    assert.equal(cache.get('1@g.us'), undefined);
    assert.equal((await cache.metadata('1@g.us')).subject, 'Fetched');
    assert.equal((await cache.metadata('1@g.us')).subject, 'Fetched');
    assert.equal(socket.callsOf('groupMetadata').length, 1);
  });

  it('merges partial updates, refreshes, invalidates and expires', async () => {
    const socket = openFakeSocket();
    let version = 0;
    socket.answer('groupMetadata', async (jid) => meta(jid, `v${++version}`));
    const clock = new ManualClock();
    const cache = new GroupCache((jid) => socket.groupMetadata(jid), clock, { maxEntries: 10, ttlMs: 60_000 });
    cache.set(meta('1@g.us', 'Old', ['a@s.whatsapp.net']));
    cache.update({ id: '1@g.us', subject: 'Renamed' });
    assert.deepEqual(cache.get('1@g.us')?.subject, 'Renamed');
    assert.equal(cache.get('1@g.us')?.participants.length, 1, 'fields not in the update are kept');
    cache.update({ id: 'unknown@g.us', subject: 'x' });
    assert.equal(cache.get('unknown@g.us'), undefined, 'a partial update of an unknown group is not a full entry');

    assert.equal((await cache.refresh('1@g.us')).subject, 'v1');
    cache.invalidate('1@g.us');
    assert.equal(cache.get('1@g.us'), undefined);
    assert.equal((await cache.metadata('1@g.us')).subject, 'v2');
    clock.advance(60_001);
    assert.equal(cache.get('1@g.us'), undefined, 'expired');
    assert.equal((await cache.metadata('1@g.us')).subject, 'v3');
  });

  it('is bounded: the least recently used group goes first', () => {
    const cache = new GroupCache(async () => assert.fail('no fetch expected'), new ManualClock(), { maxEntries: 2, ttlMs: 60_000 });
    cache.set(meta('1@g.us', 'one'));
    cache.set(meta('2@g.us', 'two'));
    cache.get('1@g.us');
    cache.set(meta('3@g.us', 'three'));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('2@g.us'), undefined);
    assert.equal(cache.get('1@g.us')?.subject, 'one');
  });
});
