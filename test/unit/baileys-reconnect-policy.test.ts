// The reconnect policy for every Baileys DisconnectReason, the backoff (capped, jittered, growing), and the boot gate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DisconnectReason } from 'baileys';
import { ConcurrencyGate, isLinkedLogin } from '../../src/channels/baileys/boot.js';
import { backoffDelay, decideOnClose, FRESH_HISTORY, type BackoffOptions, type ReconnectHistory } from '../../src/channels/baileys/reconnect-policy.js';

const OPTIONS: BackoffOptions = { baseMs: 1_000, maxMs: 30_000, jitter: 0.5, stableMs: 60_000 };
const noJitter = () => 0;

describe('reconnect policy', () => {
  it('515 restart required reconnects at once and does not count as an attempt', () => {
    const { decision, history } = decideOnClose(DisconnectReason.restartRequired, FRESH_HISTORY, OPTIONS, noJitter);
    assert.deepEqual(decision, { action: 'reconnect', delayMs: 0, reason: 'restart required' });
    assert.deepEqual(history, FRESH_HISTORY);
  });

  for (const code of [DisconnectReason.timedOut, DisconnectReason.connectionClosed, DisconnectReason.unavailableService, 499, undefined]) {
    it(`${code ?? 'no code'} backs off: 1 s, 2 s, 4 s … capped at 30 s`, () => {
      let history: ReconnectHistory = FRESH_HISTORY;
      const delays: number[] = [];
      for (let i = 0; i < 8; i++) {
        const next = decideOnClose(code, history, OPTIONS, noJitter);
        assert.equal(next.decision.action, 'reconnect');
        if (next.decision.action === 'reconnect') delays.push(next.decision.delayMs);
        history = next.history;
      }
      assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
      assert.equal(history.attempts, 8);
    });
  }

  it('jitter takes up to the configured fraction off, never adds, never reaches zero', () => {
    assert.equal(backoffDelay(3, OPTIONS, () => 0), 4_000);
    assert.equal(backoffDelay(3, OPTIONS, () => 0.999999), 2_000);
    assert.equal(backoffDelay(3, OPTIONS, () => 0.5), 3_000);
    assert.equal(backoffDelay(50, OPTIONS, () => 0), 30_000);
  });

  it('401 logged out: stop, wipe, LOGOUT_INSTANCE', () => {
    const { decision } = decideOnClose(DisconnectReason.loggedOut, { attempts: 3, badSessions: 0 }, OPTIONS, noJitter);
    assert.deepEqual(decision, { action: 'stop', wipe: true, loggedOut: true, reason: 'logged out' });
  });

  it('403 forbidden: stop and wipe, not a logout', () => {
    const { decision } = decideOnClose(DisconnectReason.forbidden, FRESH_HISTORY, OPTIONS, noJitter);
    assert.deepEqual(decision, { action: 'stop', wipe: true, loggedOut: false, reason: 'forbidden' });
  });

  it('440 connection replaced: stop without wiping (another session owns the login)', () => {
    const { decision } = decideOnClose(DisconnectReason.connectionReplaced, FRESH_HISTORY, OPTIONS, noJitter);
    assert.deepEqual(decision, { action: 'stop', wipe: false, loggedOut: false, reason: 'connection replaced' });
  });

  it('411 multi-device mismatch: stop and wipe (pair again)', () => {
    const { decision } = decideOnClose(DisconnectReason.multideviceMismatch, FRESH_HISTORY, OPTIONS, noJitter);
    assert.equal(decision.action, 'stop');
    assert.equal(decision.action === 'stop' && decision.wipe, true);
  });

  it('500 bad session: the first retries with backoff, a repeat wipes and stops', () => {
    const first = decideOnClose(DisconnectReason.badSession, FRESH_HISTORY, OPTIONS, noJitter);
    assert.deepEqual(first.decision, { action: 'reconnect', delayMs: 1_000, reason: 'bad session' });
    const second = decideOnClose(DisconnectReason.badSession, first.history, OPTIONS, noJitter);
    assert.deepEqual(second.decision, { action: 'stop', wipe: true, loggedOut: false, reason: 'bad session again: pair again' });
    assert.deepEqual(second.history, FRESH_HISTORY);
  });

  it('every stop resets the history', () => {
    for (const code of [401, 403, 440, 411]) {
      assert.deepEqual(decideOnClose(code, { attempts: 5, badSessions: 1 }, OPTIONS, noJitter).history, FRESH_HISTORY);
    }
  });
});

describe('boot gate', () => {
  it('runs at most `limit` tasks at once, in arrival order', async () => {
    const gate = new ConcurrencyGate(2);
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const tasks = [0, 1, 2, 3, 4].map((i) =>
      gate.run(async () => {
        started.push(i);
        await new Promise<void>((resolve) => releases.push(resolve));
      }),
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1]);
    assert.equal(gate.active, 2);
    assert.equal(gate.queued, 3);
    releases[0]!();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1, 2]);
    releases[1]!();
    releases[2]!();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    releases[3]!();
    releases[4]!();
    await Promise.all(tasks);
    assert.equal(gate.active, 0);
  });

  it('a failing task frees its slot', async () => {
    const gate = new ConcurrencyGate(1);
    await assert.rejects(gate.run(async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await gate.run(async () => 'next'), 'next');
  });

  it('only creds with `me` count as a linked login', () => {
    assert.equal(isLinkedLogin(undefined), false);
    assert.equal(isLinkedLogin('{"registered":false}'), false);
    assert.equal(isLinkedLogin('not json'), false);
    assert.equal(isLinkedLogin('{"me":{"id":"5511999999999:3@s.whatsapp.net"}}'), true);
  });
});
