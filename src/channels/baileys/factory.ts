// The WhatsApp Web channel (integration WHATSAPP-BAILEYS) through Baileys: a QR or pairing code links the number,
// the login lives in the database, and each instance holds one socket (connection.ts). Tests replace `makeSocket`.
import makeWASocket from 'baileys';
import type { ChannelCapability, ChannelFactory, ChannelServices } from '../../ports/channel.js';
import { ConcurrencyGate } from './boot.js';
import { BaileysConnection, type ConnectionOptions, type Schedule } from './connection.js';
import { BAILEYS_FEATURE_CAPABILITIES } from './features/index.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './reconnect-policy.js';
import { DEFAULT_SEND_LIMIT, realSleep, type SendLimiterOptions, type Sleep } from './send-limiter.js';
import type { MakeSocket } from './socket.js';
import { realRepeat, type Repeat } from './watchdog.js';

export const BAILEYS_UNSUPPORTED = 'Method not available on WhatsApp Baileys';

/**
 * What this channel does: every send kind except templates (lists and buttons are sent as text, Baileys v7 has no
 * interactive messages), presence, read receipts, and the WhatsApp-Web-only route groups of features/.
 */
export const BAILEYS_CAPABILITIES: ReadonlySet<ChannelCapability> = new Set<ChannelCapability>([
  'text', 'media', 'ptv', 'voice', 'sticker', 'location', 'contacts', 'reaction', 'poll', 'list', 'buttons', 'status',
  'presence', 'markRead',
  ...BAILEYS_FEATURE_CAPABILITIES,
]);

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

const realSchedule: Schedule = (ms, fn) => {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};

export function baileysChannel(settings: BaileysSettings, services: ChannelServices): ChannelFactory {
  const options: ConnectionOptions = {
    makeSocket: settings.makeSocket ?? makeWASocket,
    browser: settings.browser,
    baileysLogLevel: settings.logLevel,
    qrcodeLimit: settings.qrcodeLimit,
    backoff: { ...DEFAULT_BACKOFF, maxMs: settings.reconnectMaxMs, ...settings.backoff },
    send: { ...DEFAULT_SEND_LIMIT, ...settings.send },
    watchdogIdleMs: settings.watchdogIdleMs,
    connectWaitMs: settings.connectWaitMs ?? 10_000,
    resumeSlotMs: 60_000,
    maxMediaBytes: settings.maxMediaBytes,
    bootGate: new ConcurrencyGate(Math.max(1, settings.resumeConcurrency)),
    schedule: settings.schedule ?? realSchedule,
    repeat: settings.repeat ?? realRepeat,
    sleep: settings.sleep ?? realSleep,
    random: settings.random ?? Math.random,
  };
  return {
    integration: 'WHATSAPP-BAILEYS',
    capabilities: BAILEYS_CAPABILITIES,
    unsupportedMessage: BAILEYS_UNSUPPORTED,
    open: (instance, events) => new BaileysConnection(instance, events, services, options),
  };
}
