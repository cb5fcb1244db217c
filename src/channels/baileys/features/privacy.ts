// Privacy settings over WhatsApp Web: one IQ per setting, as WhatsApp takes them.
import type { WAPrivacyGroupAddValue } from 'baileys';
import type { PrivacyActions, PrivacySettings } from '../../../ports/channel-features.js';
import { requireSocket, type SocketGetter } from './socket-access.js';

export class BaileysPrivacyActions implements PrivacyActions {
  constructor(
    private readonly instanceName: string,
    private readonly socket: SocketGetter,
  ) {}

  async fetch(): Promise<Record<string, string>> {
    // Forced: Baileys otherwise answers what it read once per connection, missing changes made on the phone.
    return { ...(await requireSocket(this.socket, this.instanceName).fetchPrivacySettings(true)) };
  }

  async update(s: PrivacySettings): Promise<void> {
    const sock = requireSocket(this.socket, this.instanceName);
    await sock.updateReadReceiptsPrivacy(s.readreceipts);
    await sock.updateProfilePicturePrivacy(s.profile);
    await sock.updateStatusPrivacy(s.status);
    await sock.updateOnlinePrivacy(s.online);
    await sock.updateLastSeenPrivacy(s.last);
    // Evolution's schema allows `none` for group adds, Baileys' type does not; WhatsApp decides.
    await sock.updateGroupsAddPrivacy(s.groupadd as WAPrivacyGroupAddValue);
  }
}
