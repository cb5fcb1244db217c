// The route groups the feature sets serve; kept apart from the implementations so the factory can name them without
// loading Baileys.
import type { ChannelCapability } from '../../../ports/channel.js';

export const BAILEYS_FEATURE_CAPABILITIES: readonly ChannelCapability[] = [
  'whatsappNumbers', 'markRead', 'archive', 'delete', 'edit', 'presence', 'block', 'profile', 'privacy', 'groups', 'labels',
];
