// The heavy half of the channel, imported on the first use of a WHATSAPP-BAILEYS connection (see lazy-connection.ts):
// Baileys itself, the socket lifecycle and the feature sets.
import makeWASocket from 'baileys';
import type { Instance } from '../../domain/instance.js';
import type { ChannelConnection, ChannelEvents, ChannelServices } from '../../ports/channel.js';
import type { ConcurrencyGate } from './boot.js';
import { BaileysConnection, type ConnectionOptions, type Schedule } from './connection.js';
import type { BaileysSettings } from './settings.js';
import { DEFAULT_BACKOFF } from './reconnect-policy.js';
import { DEFAULT_SEND_LIMIT, realSleep } from './send-limiter.js';
import { realRepeat } from './watchdog.js';

const realSchedule: Schedule = (ms, fn) => {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};

export function openConnection(instance: Instance, events: ChannelEvents, services: ChannelServices, settings: BaileysSettings, bootGate: ConcurrencyGate): ChannelConnection {
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
    bootGate,
    schedule: settings.schedule ?? realSchedule,
    repeat: settings.repeat ?? realRepeat,
    sleep: settings.sleep ?? realSleep,
    random: settings.random ?? Math.random,
  };
  return new BaileysConnection(instance, events, services, options);
}
