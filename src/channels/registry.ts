// Integration name → channel factory: one line per channel. An integration without a line here is accepted and stored,
// but connecting it answers a clear 400 until its channel is installed.
import type { ChannelFactory } from '../ports/channel.js';

export function builtInChannels(): ChannelFactory[] {
  return [];
}
