// The WhatsApp Web channel (integration WHATSAPP-BAILEYS) through Baileys: a QR or pairing code links the number,
// the login lives in the database, and each instance holds one socket (connection.ts). Tests replace `makeSocket`.
import type { ChannelCapability, ChannelFactory, ChannelServices } from '../../ports/channel.js';
import { ConcurrencyGate } from './boot.js';
import { BAILEYS_FEATURE_CAPABILITIES } from './features/capabilities.js';
import { LazyConnection } from './lazy-connection.js';
import type { BaileysSettings } from './settings.js';

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

export function baileysChannel(settings: BaileysSettings, services: ChannelServices): ChannelFactory {
  // One gate for every instance of this server, so a restart with many instances does not stampede WhatsApp.
  const bootGate = new ConcurrencyGate(Math.max(1, settings.resumeConcurrency));
  let implementation: Promise<typeof import('./load.js')> | undefined;
  return {
    integration: 'WHATSAPP-BAILEYS',
    capabilities: BAILEYS_CAPABILITIES,
    unsupportedMessage: BAILEYS_UNSUPPORTED,
    open: (instance, events) =>
      new LazyConnection(async () => {
        implementation ??= import('./load.js');
        return (await implementation).openConnection(instance, events, services, settings, bootGate);
      }),
  };
}

export type { BaileysSettings } from './settings.js';
