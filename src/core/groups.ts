// Groups, for channels that have them (WhatsApp Web). Invites are sent as ordinary text messages, so they are
// stored, paced and announced like every other send.
import type { Instance } from '../domain/instance.js';
import type { MediaSource } from '../domain/outbound.js';
import type { GroupInfo, GroupSetting, ParticipantAction, ParticipantResult } from '../ports/channel-features.js';
import type { ChannelHost } from './channel-host.js';
import { requireFeature } from './channel-features.js';
import type { MessagingService } from './messaging.js';

export const INVITE_LINK_PREFIX = 'https://chat.whatsapp.com/';

export class GroupService {
  constructor(
    private readonly channels: ChannelHost,
    private readonly messaging: MessagingService,
  ) {}

  private groups(instance: Instance) {
    return requireFeature(this.channels, instance, 'groups', 'groups');
  }

  create(instance: Instance, subject: string, participants: string[], options: { description?: string; promoteParticipants?: boolean }): Promise<GroupInfo> {
    return this.groups(instance).create(subject, participants, options);
  }

  updateSubject(instance: Instance, groupJid: string, subject: string): Promise<void> {
    return this.groups(instance).updateSubject(groupJid, subject);
  }

  updateDescription(instance: Instance, groupJid: string, description: string): Promise<void> {
    return this.groups(instance).updateDescription(groupJid, description);
  }

  updatePicture(instance: Instance, groupJid: string, picture: MediaSource): Promise<void> {
    return this.groups(instance).updatePicture(groupJid, picture);
  }

  /** The group with its picture URL (null when it has none). */
  async info(instance: Instance, groupJid: string): Promise<GroupInfo & { pictureUrl: string | null }> {
    const groups = this.groups(instance);
    const [info, pictureUrl] = await Promise.all([groups.info(groupJid), groups.pictureUrl(groupJid)]);
    return { ...info, pictureUrl };
  }

  fetchAll(instance: Instance): Promise<GroupInfo[]> {
    return this.groups(instance).fetchAll();
  }

  async participants(instance: Instance, groupJid: string): Promise<GroupInfo['participants']> {
    return (await this.groups(instance).info(groupJid)).participants;
  }

  async inviteCode(instance: Instance, groupJid: string): Promise<{ code: string; url: string }> {
    const code = await this.groups(instance).inviteCode(groupJid);
    return { code, url: INVITE_LINK_PREFIX + code };
  }

  revokeInvite(instance: Instance, groupJid: string): Promise<string> {
    return this.groups(instance).revokeInvite(groupJid);
  }

  acceptInvite(instance: Instance, code: string): Promise<string | null> {
    return this.groups(instance).acceptInvite(code);
  }

  inviteInfo(instance: Instance, code: string): Promise<GroupInfo> {
    return this.groups(instance).inviteInfo(code);
  }

  /** Sends "description\n\nlink" to each recipient; resolves with the link. */
  async sendInvite(instance: Instance, groupJid: string, description: string, recipients: string[]): Promise<string> {
    const { url } = await this.inviteCode(instance, groupJid);
    const text = description === '' ? url : `${description}\n\n${url}`;
    for (const to of recipients) await this.messaging.send(instance, 'text', { to, content: { kind: 'text', text } });
    return url;
  }

  updateParticipants(instance: Instance, groupJid: string, participants: string[], action: ParticipantAction): Promise<ParticipantResult[]> {
    return this.groups(instance).updateParticipants(groupJid, participants, action);
  }

  updateSetting(instance: Instance, groupJid: string, setting: GroupSetting): Promise<void> {
    return this.groups(instance).updateSetting(groupJid, setting);
  }

  toggleEphemeral(instance: Instance, groupJid: string, expirationSeconds: number): Promise<void> {
    return this.groups(instance).toggleEphemeral(groupJid, expirationSeconds);
  }

  leave(instance: Instance, groupJid: string): Promise<void> {
    return this.groups(instance).leave(groupJid);
  }
}
