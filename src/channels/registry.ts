// Integration name → channel factory: one line per channel. An integration without a line here is accepted and stored,
// but connecting it answers a clear 400 until its channel is installed.
import type { Config } from '../config/load.js';
import type { ChannelFactory, ChannelServices } from '../ports/channel.js';
import { baileysChannel, type BaileysSettings } from './baileys/index.js';
import { cloudApiChannel } from './cloud-api/index.js';
import { evolutionChannel } from './evolution/index.js';

export function builtInChannels(config: Config, services: ChannelServices): ChannelFactory[] {
  return [
    evolutionChannel,
    cloudApiChannel(config.whatsappBusiness),
    baileysChannel(baileysSettings(config), services),
  ];
}

/** The WHATSAPP-BAILEYS channel's settings from the configuration (tests add a fake `makeSocket` to them). */
export function baileysSettings(config: Config): BaileysSettings {
  return {
    browser: config.baileys.browser,
    logLevel: config.baileys.logLevel,
    qrcodeLimit: config.qrcodeLimit,
    send: config.baileys.send,
    resumeConcurrency: config.baileys.resumeConcurrency,
    watchdogIdleMs: config.baileys.watchdogIdleMs,
    reconnectMaxMs: config.baileys.reconnectMaxMs,
    maxMediaBytes: config.media.maxBytes,
  };
}
