// Detects a socket that says `open` but is deaf: nothing received for `idleMs` (every stanza the server sends, keep-alive
// answers included, arrives as a websocket `frame`). Then it sends one keep-alive ping of its own; if that is not
// answered within `probeTimeoutMs`, the connection is declared deaf and the owner restarts it.
import type { BinaryNode } from 'baileys';
import type { Clock } from '../../ports/clock.js';
import type { BaileysSocket } from './socket.js';

export interface WatchdogOptions {
  idleMs: number;
  probeTimeoutMs: number;
  /** How often the idle time is checked. */
  checkEveryMs: number;
}

/** Repeats `fn` every `ms` until the returned function is called. */
export type Repeat = (ms: number, fn: () => void) => () => void;

export const realRepeat: Repeat = (ms, fn) => {
  const timer = setInterval(fn, ms);
  timer.unref?.();
  return () => clearInterval(timer);
};

export function watchdogOptions(idleMs: number): WatchdogOptions {
  return { idleMs, probeTimeoutMs: Math.min(30_000, Math.max(1_000, Math.round(idleMs / 4))), checkEveryMs: Math.max(1_000, Math.round(idleMs / 4)) };
}

export class Watchdog {
  private lastActivity: number;
  private probeSentAt: number | undefined;
  private done = false;
  private cancel: (() => void) | undefined;
  private readonly onFrame = () => this.activity();

  constructor(
    private readonly socket: Pick<BaileysSocket, 'ws' | 'query'>,
    private readonly options: WatchdogOptions,
    private readonly clock: Clock,
    /** Called once, with how long nothing was received. */
    private readonly onDeaf: (idleMs: number) => void,
    private readonly repeat: Repeat = realRepeat,
  ) {
    this.lastActivity = clock.now().getTime();
  }

  start(): void {
    this.socket.ws.on('frame', this.onFrame);
    this.cancel = this.repeat(this.options.checkEveryMs, () => this.check());
  }

  stop(): void {
    this.done = true;
    this.cancel?.();
    this.socket.ws.off('frame', this.onFrame);
  }

  /** Something arrived: the connection is alive. */
  activity(): void {
    this.lastActivity = this.clock.now().getTime();
    this.probeSentAt = undefined;
  }

  /** One check (the timer calls it; tests call it after moving the clock). */
  check(): void {
    if (this.done) return;
    const now = this.clock.now().getTime();
    if (this.probeSentAt !== undefined) {
      if (now - this.probeSentAt >= this.options.probeTimeoutMs) this.fire(now);
      return;
    }
    if (now - this.lastActivity < this.options.idleMs) return;
    this.probeSentAt = now;
    const ping: BinaryNode = { tag: 'iq', attrs: { to: 's.whatsapp.net', type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] };
    this.socket.query(ping, this.options.probeTimeoutMs).then(
      () => this.activity(),
      () => this.fire(this.clock.now().getTime()),
    );
  }

  private fire(now: number): void {
    if (this.done) return;
    this.stop();
    this.onDeaf(now - this.lastActivity);
  }
}
