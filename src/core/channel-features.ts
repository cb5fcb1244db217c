// Reaching a connection's optional feature set (ports/channel-features.ts) behind the capability check every route
// shares: a channel without the capability answers its own "not available" 400, a closed instance the
// "not connected" 400.
import { badRequest, instanceNotConnected } from '../domain/errors.js';
import type { Instance } from '../domain/instance.js';
import type { ChannelCapability, ChannelConnection } from '../ports/channel.js';
import type { ChannelHost } from './channel-host.js';

export type FeatureKey = 'chats' | 'profile' | 'privacy' | 'groups' | 'labels';

export function requireFeature<K extends FeatureKey>(
  channels: ChannelHost,
  instance: Instance,
  capability: ChannelCapability,
  key: K,
): NonNullable<ChannelConnection[K]> {
  const factory = channels.factory(instance.integration);
  if (!factory.capabilities.has(capability)) throw badRequest(factory.unsupportedMessage);
  if (instance.connectionStatus !== 'open') throw instanceNotConnected(instance.name);
  const feature = channels.connection(instance)[key];
  if (feature === undefined) throw badRequest(factory.unsupportedMessage);
  return feature as NonNullable<ChannelConnection[K]>;
}
