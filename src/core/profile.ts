// Profiles (own and others') and privacy settings, for channels that have them (WhatsApp Web).
import { badRequest } from '../domain/errors.js';
import type { Instance } from '../domain/instance.js';
import type { MediaSource } from '../domain/outbound.js';
import type { BusinessProfile, NumberCheck, NumberQuery, PrivacySettings, ProfileInfo } from '../ports/channel-features.js';
import type { Store } from '../ports/store.js';
import type { ChannelHost } from './channel-host.js';
import { requireFeature } from './channel-features.js';
import type { ChatActionsService } from './chat-actions.js';

export type BusinessLookup = { business: BusinessProfile } | { business: null; check: NumberCheck & { name: string | null } };

export class ProfileService {
  constructor(
    private readonly store: Store,
    private readonly channels: ChannelHost,
    private readonly chatActions: ChatActionsService,
  ) {}

  private profile(instance: Instance) {
    return requireFeature(this.channels, instance, 'profile', 'profile');
  }

  async pictureUrl(instance: Instance, jid: string): Promise<string | null> {
    return this.profile(instance).pictureUrl(jid);
  }

  /** A profile; without a number, the instance's own. Other numbers must be on WhatsApp (Evolution's 400 otherwise). */
  async fetch(instance: Instance, query: NumberQuery | undefined): Promise<ProfileInfo & { exists: boolean }> {
    const profile = this.profile(instance);
    const own = profile.ownJid() ?? instance.ownerJid ?? undefined;
    let jid: string;
    if (query === undefined || query.jids[0] === own) {
      if (own === undefined) throw badRequest('The instance has no connected account yet');
      jid = own;
    } else {
      jid = (await this.chatActions.requireExists(instance, query)).jid;
    }
    const info = await profile.fetch(jid);
    const name = jid === own ? (info.name ?? instance.profileName) : (info.name ?? (await this.contactName(instance, jid)));
    return { ...info, name, exists: true };
  }

  async business(instance: Instance, query: NumberQuery): Promise<BusinessLookup> {
    const profile = this.profile(instance);
    const [check] = await requireFeature(this.channels, instance, 'whatsappNumbers', 'chats').checkNumbers([query]);
    const jid = check?.jid ?? query.jids[0]!;
    const business = check?.exists ? await profile.business(jid) : null;
    if (business !== null) return { business };
    return { business: null, check: { exists: check?.exists ?? false, jid, number: query.number, name: await this.contactName(instance, jid) } };
  }

  private async contactName(instance: Instance, jid: string): Promise<string | null> {
    const [contact] = await this.store.contacts.list(instance.id, { remoteJid: jid }, 1, 1);
    return contact?.pushName ?? null;
  }

  updateName(instance: Instance, name: string): Promise<void> {
    return this.profile(instance).updateName(name);
  }

  updateStatus(instance: Instance, status: string): Promise<void> {
    return this.profile(instance).updateStatus(status);
  }

  updatePicture(instance: Instance, picture: MediaSource): Promise<void> {
    return this.profile(instance).updatePicture(picture);
  }

  removePicture(instance: Instance): Promise<void> {
    return this.profile(instance).removePicture();
  }

  fetchPrivacy(instance: Instance): Promise<Record<string, string>> {
    return requireFeature(this.channels, instance, 'privacy', 'privacy').fetch();
  }

  updatePrivacy(instance: Instance, settings: PrivacySettings): Promise<void> {
    return requireFeature(this.channels, instance, 'privacy', 'privacy').update(settings);
  }
}
