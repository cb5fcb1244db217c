// Optional feature sets of a live channel connection (WhatsApp Web has them; the Cloud API and EVOLUTION do not).
// Domain-typed: no provider type crosses this line. Core reaches them through `ChannelConnection.chats`, `.profile`,
// `.privacy`, `.groups` and `.labels`, after checking the channel's capability.
import type { Presence } from '../domain/instance.js';
import type { MessageContent, MessageKey } from '../domain/message.js';
import type { MediaSource } from '../domain/outbound.js';

/** One number to look up, with the JIDs it may be known by (e.g. a Brazilian number with and without the 9th digit). */
export interface NumberQuery {
  /** As the client sent it (echoed back). */
  number: string;
  /** Candidate JIDs in order of preference; a `@g.us` or `@lid` JID is a single candidate. */
  jids: string[];
}

export interface NumberCheck {
  exists: boolean;
  /** The JID WhatsApp knows the number by (the first candidate when it does not exist). */
  jid: string;
  number: string;
  /** The user's LID when the channel knows it. */
  lid?: string;
}

/** The newest message of a chat, which WhatsApp's chat app-state patches (archive, unread) anchor on. */
export interface LastMessageRef {
  key: MessageKey;
  /** Epoch seconds. */
  messageTimestamp?: number;
}

/** A message the provider produced for an action (a revoke, an edit), as it would be stored. */
export interface ProviderMessage {
  key: MessageKey;
  message: MessageContent;
  /** Epoch seconds. */
  messageTimestamp: number;
}

export interface ChatActions {
  checkNumbers(queries: NumberQuery[]): Promise<NumberCheck[]>;
  markRead(keys: MessageKey[]): Promise<void>;
  archive(jid: string, archive: boolean, lastMessage: LastMessageRef | undefined): Promise<void>;
  markUnread(jid: string, lastMessage: LastMessageRef | undefined): Promise<void>;
  deleteForEveryone(key: MessageKey): Promise<ProviderMessage>;
  edit(key: MessageKey, text: string): Promise<ProviderMessage>;
  /** Shows `presence` in the chat for `delayMs`, then `paused` (Evolution's sendPresence). */
  presence(jid: string, presence: Presence, delayMs: number): Promise<void>;
  block(jid: string, block: boolean): Promise<void>;
}

export interface BusinessProfile {
  wid: string | null;
  description: string | null;
  email: string | null;
  website: string[];
  category: string | null;
  address: string | null;
  businessHours: unknown;
}

export interface ProfileInfo {
  jid: string;
  name: string | null;
  /** null when there is none or privacy hides it. */
  pictureUrl: string | null;
  status: string | null;
  business: BusinessProfile | null;
}

export interface ProfileActions {
  /** The connected account's JID. */
  ownJid(): string | undefined;
  pictureUrl(jid: string): Promise<string | null>;
  fetch(jid: string): Promise<ProfileInfo>;
  business(jid: string): Promise<BusinessProfile | null>;
  updateName(name: string): Promise<void>;
  updateStatus(status: string): Promise<void>;
  updatePicture(picture: MediaSource): Promise<void>;
  removePicture(): Promise<void>;
}

export type ReadReceiptsPrivacy = 'all' | 'none';
export type VisibilityPrivacy = 'all' | 'contacts' | 'contact_blacklist' | 'none';
export type OnlinePrivacy = 'all' | 'match_last_seen';

export interface PrivacySettings {
  readreceipts: ReadReceiptsPrivacy;
  profile: VisibilityPrivacy;
  status: VisibilityPrivacy;
  online: OnlinePrivacy;
  last: VisibilityPrivacy;
  groupadd: VisibilityPrivacy;
}

export interface PrivacyActions {
  /** As WhatsApp reports them (values outside the known sets are passed through). */
  fetch(): Promise<Record<string, string>>;
  update(settings: PrivacySettings): Promise<void>;
}

export interface GroupParticipant {
  id: string;
  /** The phone-number JID when the participant is addressed by LID and it is known. */
  phoneNumber?: string;
  lid?: string;
  admin: 'admin' | 'superadmin' | null;
  name?: string;
  imgUrl?: string;
}

export interface GroupInfo {
  id: string;
  subject: string;
  subjectOwner: string | null;
  /** Epoch seconds. */
  subjectTime: number | null;
  size: number;
  creation: number | null;
  owner: string | null;
  desc: string | null;
  descId: string | null;
  restrict: boolean;
  announce: boolean;
  isCommunity: boolean;
  isCommunityAnnounce: boolean;
  linkedParent: string | null;
  ephemeralDuration: number | null;
  participants: GroupParticipant[];
}

export type ParticipantAction = 'add' | 'remove' | 'promote' | 'demote';
export type GroupSetting = 'announcement' | 'not_announcement' | 'locked' | 'unlocked';

export interface ParticipantResult {
  status: string;
  jid: string | null;
  /** The provider's per-participant answer (WhatsApp: the result node). */
  content: unknown;
}

export interface GroupActions {
  create(subject: string, participants: string[], options: { description?: string; promoteParticipants?: boolean }): Promise<GroupInfo>;
  updateSubject(groupJid: string, subject: string): Promise<void>;
  updateDescription(groupJid: string, description: string): Promise<void>;
  updatePicture(groupJid: string, picture: MediaSource): Promise<void>;
  pictureUrl(groupJid: string): Promise<string | null>;
  info(groupJid: string): Promise<GroupInfo>;
  fetchAll(): Promise<GroupInfo[]>;
  inviteCode(groupJid: string): Promise<string>;
  revokeInvite(groupJid: string): Promise<string>;
  acceptInvite(code: string): Promise<string | null>;
  inviteInfo(code: string): Promise<GroupInfo>;
  updateParticipants(groupJid: string, participants: string[], action: ParticipantAction): Promise<ParticipantResult[]>;
  updateSetting(groupJid: string, setting: GroupSetting): Promise<void>;
  toggleEphemeral(groupJid: string, expirationSeconds: number): Promise<void>;
  leave(groupJid: string): Promise<void>;
}

export interface LabelActions {
  /** Adds or removes a label on a chat. */
  handle(jid: string, labelId: string, action: 'add' | 'remove'): Promise<void>;
}
