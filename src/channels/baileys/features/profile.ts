// The account's profile and other users' public profiles over WhatsApp Web.
import { jidNormalizedUser, type WABusinessProfile } from 'baileys';
import type { MediaSource } from '../../../domain/outbound.js';
import type { BusinessProfile, ProfileActions, ProfileInfo } from '../../../ports/channel-features.js';
import { pictureOrNull, requireSocket, type PictureBytes, type SocketGetter } from './socket-access.js';

export class BaileysProfileActions implements ProfileActions {
  constructor(
    private readonly instanceName: string,
    private readonly socket: SocketGetter,
    private readonly pictureBytes: PictureBytes,
  ) {}

  private sock() {
    return requireSocket(this.socket, this.instanceName);
  }

  ownJid(): string | undefined {
    const id = this.socket()?.user?.id;
    return id === undefined ? undefined : jidNormalizedUser(id);
  }

  pictureUrl(jid: string): Promise<string | null> {
    return pictureOrNull(this.sock(), jid);
  }

  async fetch(jid: string): Promise<ProfileInfo> {
    const sock = this.sock();
    const own = this.ownJid() === jid;
    const [pictureUrl, status, business] = await Promise.all([pictureOrNull(sock, jid), this.status(jid), this.business(jid)]);
    return { jid, name: own ? (sock.user?.name ?? null) : null, pictureUrl, status, business };
  }

  private async status(jid: string): Promise<string | null> {
    try {
      const [result] = (await this.sock().fetchStatus(jid)) ?? [];
      const status = (result?.status as { status?: string | null } | undefined)?.status;
      return status ?? null;
    } catch {
      return null;
    }
  }

  async business(jid: string): Promise<BusinessProfile | null> {
    const profile = await this.sock().getBusinessProfile(jid);
    return profile ? businessProfile(profile) : null;
  }

  async updateName(name: string): Promise<void> {
    await this.sock().updateProfileName(name);
  }

  async updateStatus(status: string): Promise<void> {
    await this.sock().updateProfileStatus(status);
  }

  async updatePicture(picture: MediaSource): Promise<void> {
    const own = this.requireOwnJid();
    await this.sock().updateProfilePicture(own, await this.pictureBytes(picture));
  }

  async removePicture(): Promise<void> {
    await this.sock().removeProfilePicture(this.requireOwnJid());
  }

  private requireOwnJid(): string {
    this.sock();
    const own = this.ownJid();
    if (own === undefined) throw new Error('the connected socket has no user');
    return own;
  }
}

function businessProfile(p: WABusinessProfile): BusinessProfile {
  return {
    wid: p.wid ?? null,
    description: p.description ?? null,
    email: p.email ?? null,
    website: p.website ?? [],
    category: p.category ?? null,
    address: p.address ?? null,
    businessHours: p.business_hours ?? null,
  };
}
