// Integration name → channel factory: one line per channel. An integration without a line here is accepted and stored,
// but connecting it answers a clear 400 until its channel is installed.
import type { Config } from '../config/load.js';
import type { ChannelFactory } from '../ports/channel.js';
import { cloudApiChannel } from './cloud-api/index.js';
import { evolutionChannel } from './evolution/index.js';

export function builtInChannels(config: Config): ChannelFactory[] {
  return [
    evolutionChannel,
    cloudApiChannel(config.whatsappBusiness),
  ];
}
