// The pieces of a Baileys connection that are not its lifecycle: its options, the callers waiting for a connect to
// settle, and the disconnection fields stored with a close.
import type { Clock } from '../../ports/clock.js';
import type { ConnectionPatch } from '../../ports/store.js';
import type { ConcurrencyGate } from './boot.js';
import type { BackoffOptions } from './reconnect-policy.js';
import type { SendLimiterOptions, Sleep } from './send-limiter.js';
import type { MakeSocket } from './socket.js';
import type { Repeat } from './watchdog.js';

/** Runs `fn` after `ms`; returns a cancel function. */
export type Schedule = (ms: number, fn: () => void) => () => void;

export interface ConnectionOptions {
  makeSocket: MakeSocket;
  browser: { client: string; name: string };
  baileysLogLevel: string;
  qrcodeLimit: number;
  backoff: BackoffOptions;
  send: SendLimiterOptions;
  /** 0 = off. */
  watchdogIdleMs: number;
  /** How long connect waits for the first QR (or open) before answering. */
  connectWaitMs: number;
  /** How long a boot resume holds its slot at most. */
  resumeSlotMs: number;
  maxMediaBytes: number;
  bootGate: ConcurrencyGate;
  schedule: Schedule;
  repeat: Repeat;
  sleep: Sleep;
  random: () => number;
}

/** Callers waiting for the socket to settle (a QR, open, or closed), each for at most `waitMs`. */
export class SettleWaiters {
  private waiting: (() => void)[] = [];

  constructor(
    private readonly schedule: Schedule,
    private readonly waitMs: number,
  ) {}

  /** Resolves at the next `settle()`, or after the wait. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = this.schedule(this.waitMs, resolve);
      this.waiting.push(() => {
        cancel();
        resolve();
      });
    });
  }

  settle(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w();
  }
}

/** The disconnection fields of a close (Evolution's `disconnectionObject` is the JSON of the last disconnect). */
export function disconnection(clock: Clock, code: number | undefined, message: string): ConnectionPatch {
  const at = clock.now();
  return {
    disconnectionReasonCode: code ?? null,
    disconnectionObject: JSON.stringify({ error: { message, statusCode: code ?? null }, date: at.toISOString() }),
    disconnectionAt: at,
  };
}
