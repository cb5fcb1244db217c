// The WHATSAPP-BAILEYS channel's settings (from the configuration; tests replace the socket maker and the timers).
import type { Schedule } from './connection-parts.js';
import type { BackoffOptions } from './reconnect-policy.js';
import type { SendLimiterOptions, Sleep } from './send-limiter.js';
import type { MakeSocket } from './socket.js';
import type { Repeat } from './watchdog.js';

export interface BaileysSettings {
  /** Shown on the phone under "Linked devices" (CONFIG_SESSION_PHONE_CLIENT / _NAME). */
  browser: { client: string; name: string };
  /** Baileys' own log level (LOG_BAILEYS). */
  logLevel: string;
  /** QRCODE_LIMIT: QR codes shown per connect before giving up. */
  qrcodeLimit: number;
  send: SendLimiterOptions;
  /** Instances reconnecting at once at boot. */
  resumeConcurrency: number;
  /** 0 = off. */
  watchdogIdleMs: number;
  /** Longest wait between reconnects after transient disconnects. */
  reconnectMaxMs: number;
  maxMediaBytes: number;
  /** Baileys' `makeWASocket` unless a test installs a fake. */
  makeSocket?: MakeSocket;
  /** How long connect waits for the first QR before answering (default 10 s). */
  connectWaitMs?: number;
  backoff?: Partial<BackoffOptions>;
  schedule?: Schedule;
  repeat?: Repeat;
  sleep?: Sleep;
  random?: () => number;
}
