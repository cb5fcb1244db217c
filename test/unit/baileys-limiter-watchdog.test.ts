// The per-instance send limiter with an injected clock, and the watchdog against the fake socket: frames keep it
// quiet, an unanswered keep-alive declares the socket deaf, an answered one does not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initAuthCreds } from 'baileys';
import { SendLimiter } from '../../src/channels/baileys/send-limiter.js';
import { Watchdog, type Repeat } from '../../src/channels/baileys/watchdog.js';
import type { Clock } from '../../src/ports/clock.js';
import { FakeBaileysSocket } from '../fakes/fake-baileys-socket.js';

class ManualClock implements Clock {
  ms = 1_700_000_000_000;
  now(): Date {
    return new Date(this.ms);
  }
}

describe('send limiter', () => {
  it('lets a burst through, then paces at the rate, adding jitter to each wait', async () => {
    const clock = new ManualClock();
    const waits: number[] = [];
    // "Sleeping" moves the clock: no real time passes.
    const sleep = async (ms: number) => {
      waits.push(ms);
      clock.ms += ms;
    };
    const limiter = new SendLimiter({ ratePerSecond: 2, burst: 3, jitterMs: 100 }, clock, sleep, () => 0.5);
    for (let i = 0; i < 3; i++) await limiter.take();
    assert.deepEqual(waits, [], 'the burst does not wait');
    await limiter.take();
    await limiter.take();
    assert.deepEqual(waits, [550, 500], 'then one token per 500 ms, plus 50 ms jitter (the overshoot is credited)');
  });

  it('refills while idle, up to the burst only', async () => {
    const clock = new ManualClock();
    const waits: number[] = [];
    const limiter = new SendLimiter({ ratePerSecond: 1, burst: 2, jitterMs: 0 }, clock, async (ms) => void (waits.push(ms), (clock.ms += ms)), () => 0);
    await limiter.take();
    await limiter.take();
    clock.ms += 60_000;
    await limiter.take();
    await limiter.take();
    assert.deepEqual(waits, []);
    await limiter.take();
    assert.deepEqual(waits, [1_000]);
  });

  it('serves waiting sends in order, and a closed limiter refuses', async () => {
    const clock = new ManualClock();
    const order: number[] = [];
    const limiter = new SendLimiter({ ratePerSecond: 1, burst: 1, jitterMs: 0 }, clock, async (ms) => void (clock.ms += ms), () => 0);
    await Promise.all([1, 2, 3].map((i) => limiter.take().then(() => order.push(i))));
    assert.deepEqual(order, [1, 2, 3]);
    limiter.close(new Error('closed'));
    await assert.rejects(limiter.take(), /closed/);
  });
});

describe('watchdog', () => {
  function setUp(keepAlive: 'answer' | 'hang') {
    const clock = new ManualClock();
    const socket = new FakeBaileysSocket({ auth: { creds: initAuthCreds(), keys: { get: async () => ({}), set: async () => {} } } });
    socket.keepAlive = keepAlive;
    let cancelled = false;
    const repeat: Repeat = () => () => void (cancelled = true);
    const deaf: number[] = [];
    const dog = new Watchdog(socket, { idleMs: 60_000, probeTimeoutMs: 10_000, checkEveryMs: 15_000 }, clock, (idle) => deaf.push(idle), repeat);
    dog.start();
    return { clock, socket, dog, deaf, cancelled: () => cancelled };
  }

  it('does nothing while frames arrive', () => {
    const { clock, socket, dog, deaf } = setUp('hang');
    for (let i = 0; i < 10; i++) {
      clock.ms += 30_000;
      socket.ws.receiveFrame();
      dog.check();
    }
    assert.deepEqual(deaf, []);
    assert.equal(socket.callsOf('query').length, 0);
  });

  it('idle past the window: pings once; an unanswered ping past its timeout declares the socket deaf', () => {
    const { clock, socket, dog, deaf, cancelled } = setUp('hang');
    clock.ms += 61_000;
    dog.check();
    assert.equal(socket.callsOf('query').length, 1);
    const [ping] = socket.callsOf('query')[0]! as [{ tag: string; attrs: Record<string, string>; content: { tag: string }[] }];
    assert.equal(ping.tag, 'iq');
    assert.equal(ping.attrs.xmlns, 'w:p');
    assert.equal(ping.content[0]!.tag, 'ping');
    clock.ms += 5_000;
    dog.check();
    assert.deepEqual(deaf, []);
    clock.ms += 5_000;
    dog.check();
    assert.deepEqual(deaf, [71_000]);
    assert.equal(cancelled(), true, 'it stops itself');
    clock.ms += 100_000;
    dog.check();
    assert.equal(deaf.length, 1, 'fires once');
  });

  it('an answered ping counts as traffic', async () => {
    const { clock, socket, dog, deaf } = setUp('answer');
    clock.ms += 61_000;
    dog.check();
    await new Promise((r) => setImmediate(r));
    clock.ms += 20_000;
    dog.check();
    assert.deepEqual(deaf, []);
    assert.equal(socket.callsOf('query').length, 1, 'no second ping: the answer reset the idle time');
  });

  it('a failed ping declares the socket deaf at once', async () => {
    const { clock, socket, dog, deaf } = setUp('answer');
    socket.answer('query', async () => Promise.reject(new Error('Connection Closed')));
    clock.ms += 61_000;
    dog.check();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(deaf, [61_000]);
  });
});
