// Groups over WhatsApp Web. Every change refreshes the instance's group cache, so the next group send encrypts for
// the participants the group has now.
import type { GroupMetadata } from 'baileys';
import type { MediaSource } from '../../../domain/outbound.js';
import type { GroupActions, GroupInfo, GroupSetting, ParticipantAction, ParticipantResult } from '../../../ports/channel-features.js';
import type { GroupCache } from '../group-cache.js';
import { pictureOrNull, requireSocket, type PictureBytes, type SocketGetter } from './socket-access.js';

export class BaileysGroupActions implements GroupActions {
  constructor(
    private readonly instanceName: string,
    private readonly socket: SocketGetter,
    private readonly cache: GroupCache,
    private readonly pictureBytes: PictureBytes,
  ) {}

  private sock() {
    return requireSocket(this.socket, this.instanceName);
  }

  /** Re-reads a changed group; a failed re-read only drops the entry (the change itself succeeded). */
  private async changed(jid: string): Promise<void> {
    try {
      await this.cache.refresh(jid);
    } catch {
      this.cache.invalidate(jid);
    }
  }

  async create(subject: string, participants: string[], options: { description?: string; promoteParticipants?: boolean }): Promise<GroupInfo> {
    const sock = this.sock();
    let meta = await sock.groupCreate(subject, participants);
    this.cache.set(meta);
    if (options.description !== undefined && options.description !== '') await sock.groupUpdateDescription(meta.id, options.description);
    if (options.promoteParticipants === true && participants.length > 0) await sock.groupParticipantsUpdate(meta.id, participants, 'promote');
    if (options.description || options.promoteParticipants) {
      await this.changed(meta.id);
      meta = this.cache.get(meta.id) ?? meta;
    }
    return groupInfo(meta);
  }

  async updateSubject(groupJid: string, subject: string): Promise<void> {
    await this.sock().groupUpdateSubject(groupJid, subject);
    await this.changed(groupJid);
  }

  async updateDescription(groupJid: string, description: string): Promise<void> {
    await this.sock().groupUpdateDescription(groupJid, description);
    await this.changed(groupJid);
  }

  async updatePicture(groupJid: string, picture: MediaSource): Promise<void> {
    const sock = this.sock();
    await sock.updateProfilePicture(groupJid, await this.pictureBytes(picture));
  }

  pictureUrl(groupJid: string): Promise<string | null> {
    return pictureOrNull(this.sock(), groupJid);
  }

  async info(groupJid: string): Promise<GroupInfo> {
    this.sock();
    return groupInfo(await this.cache.metadata(groupJid));
  }

  async fetchAll(): Promise<GroupInfo[]> {
    const all = Object.values(await this.sock().groupFetchAllParticipating());
    for (const meta of all) this.cache.set(meta);
    return all.map(groupInfo);
  }

  async inviteCode(groupJid: string): Promise<string> {
    const code = await this.sock().groupInviteCode(groupJid);
    if (code === undefined) throw new Error(`WhatsApp answered no invite code for ${groupJid}`);
    return code;
  }

  async revokeInvite(groupJid: string): Promise<string> {
    const code = await this.sock().groupRevokeInvite(groupJid);
    if (code === undefined) throw new Error(`WhatsApp answered no new invite code for ${groupJid}`);
    return code;
  }

  async acceptInvite(code: string): Promise<string | null> {
    const jid = await this.sock().groupAcceptInvite(code);
    if (jid !== undefined) await this.changed(jid);
    return jid ?? null;
  }

  async inviteInfo(code: string): Promise<GroupInfo> {
    return groupInfo(await this.sock().groupGetInviteInfo(code));
  }

  async updateParticipants(groupJid: string, participants: string[], action: ParticipantAction): Promise<ParticipantResult[]> {
    const results = await this.sock().groupParticipantsUpdate(groupJid, participants, action);
    await this.changed(groupJid);
    return results.map((r) => ({ status: r.status, jid: r.jid ?? null, content: r.content }));
  }

  async updateSetting(groupJid: string, setting: GroupSetting): Promise<void> {
    await this.sock().groupSettingUpdate(groupJid, setting);
    await this.changed(groupJid);
  }

  async toggleEphemeral(groupJid: string, expirationSeconds: number): Promise<void> {
    await this.sock().groupToggleEphemeral(groupJid, expirationSeconds);
    await this.changed(groupJid);
  }

  async leave(groupJid: string): Promise<void> {
    await this.sock().groupLeave(groupJid);
    this.cache.invalidate(groupJid);
  }
}

export function groupInfo(m: GroupMetadata): GroupInfo {
  return {
    id: m.id,
    subject: m.subject,
    subjectOwner: m.subjectOwner ?? null,
    subjectTime: m.subjectTime ?? null,
    size: m.size ?? m.participants.length,
    creation: m.creation ?? null,
    owner: m.owner ?? null,
    desc: m.desc ?? null,
    descId: m.descId ?? null,
    restrict: m.restrict ?? false,
    announce: m.announce ?? false,
    isCommunity: m.isCommunity ?? false,
    isCommunityAnnounce: m.isCommunityAnnounce ?? false,
    linkedParent: m.linkedParent ?? null,
    ephemeralDuration: m.ephemeralDuration ?? null,
    participants: m.participants.map((p) => ({
      id: p.id,
      ...(p.phoneNumber ? { phoneNumber: p.phoneNumber } : {}),
      ...(p.lid ? { lid: p.lid } : {}),
      admin: p.admin ?? null,
      ...(p.name ?? p.notify ? { name: (p.name ?? p.notify)! } : {}),
      ...(p.imgUrl ? { imgUrl: p.imgUrl } : {}),
    })),
  };
}
