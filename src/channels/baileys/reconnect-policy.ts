// What to do when a WhatsApp Web socket closes, per Baileys' disconnect code. Pure: the connection keeps the history
// and does what the decision says. Never a tight loop: every automatic reconnect except the restart WhatsApp asks
// for right after pairing (515) waits an exponentially growing, capped and jittered delay.
import { DisconnectReason } from 'baileys';

export interface BackoffOptions {
  /** First wait after a transient disconnect. */
  baseMs: number;
  /** Longest wait. */
  maxMs: number;
  /** Fraction of each wait that is random (0.3 → between 70 % and 100 % of the nominal delay). */
  jitter: number;
  /** An open that lasted this long counts as stable: the attempt counters start over. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 2_000, maxMs: 300_000, jitter: 0.3, stableMs: 60_000 };

/** What the policy remembers between closes of one instance. */
export interface ReconnectHistory {
  /** Transient closes since the last stable open. */
  attempts: number;
  /** 500 (bad session) closes since the last stable open. */
  badSessions: number;
}

export const FRESH_HISTORY: ReconnectHistory = { attempts: 0, badSessions: 0 };

export type CloseDecision =
  /** Reconnect with the same credentials after `delayMs`. */
  | { action: 'reconnect'; delayMs: number; reason: string }
  /**
   * Stay closed. `wipe`: the credentials are useless (logged out, banned, corrupt): delete them, a new QR or pairing
   * code is needed. `loggedOut`: the device was unlinked (LOGOUT_INSTANCE).
   */
  | { action: 'stop'; wipe: boolean; loggedOut: boolean; reason: string };

/** The capped exponential delay of the `attempt`-th reconnect (1-based), with `random()` ∈ [0, 1) taking off the jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const nominal = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal * (1 - options.jitter * random()));
}

/**
 * Decides on one close. `code` is `lastDisconnect.error.output.statusCode` (undefined when Baileys gave none).
 * Returns the decision and the history to keep for the next close.
 */
export function decideOnClose(
  code: number | undefined,
  history: ReconnectHistory,
  options: BackoffOptions,
  random: () => number,
): { decision: CloseDecision; history: ReconnectHistory } {
  switch (code) {
    case DisconnectReason.restartRequired:
      // Normal right after a QR scan or pairing code: the stream restarts and must be reopened at once.
      return { decision: { action: 'reconnect', delayMs: 0, reason: 'restart required' }, history };
    case DisconnectReason.loggedOut:
      return { decision: { action: 'stop', wipe: true, loggedOut: true, reason: 'logged out' }, history: FRESH_HISTORY };
    case DisconnectReason.forbidden:
      // Banned or forbidden: reconnecting in a loop makes it worse; the credentials no longer log in.
      return { decision: { action: 'stop', wipe: true, loggedOut: false, reason: 'forbidden' }, history: FRESH_HISTORY };
    case DisconnectReason.connectionReplaced:
      // Another session with these credentials took over (a second process or node): do not fight it.
      return { decision: { action: 'stop', wipe: false, loggedOut: false, reason: 'connection replaced' }, history: FRESH_HISTORY };
    case DisconnectReason.multideviceMismatch:
      return { decision: { action: 'stop', wipe: true, loggedOut: false, reason: 'multi-device mismatch: pair again' }, history: FRESH_HISTORY };
    case DisconnectReason.badSession: {
      if (history.badSessions >= 1) {
        return { decision: { action: 'stop', wipe: true, loggedOut: false, reason: 'bad session again: pair again' }, history: FRESH_HISTORY };
      }
      const next = { attempts: history.attempts + 1, badSessions: history.badSessions + 1 };
      return { decision: { action: 'reconnect', delayMs: backoffDelay(next.attempts, options, random), reason: 'bad session' }, history: next };
    }
    default: {
      // 408 timed out / connection lost, 428 closed by the server, 503 unavailable, and anything unknown.
      const next = { ...history, attempts: history.attempts + 1 };
      const reason = code === undefined ? 'closed without a code' : `closed with ${code}`;
      return { decision: { action: 'reconnect', delayMs: backoffDelay(next.attempts, options, random), reason }, history: next };
    }
  }
}
