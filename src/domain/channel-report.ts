// What a live channel reports besides messages and statuses: edits, deletes, poll votes, chat and contact sync,
// history sync, identities, presence, groups, labels and calls. Core (`core/channel-reports.ts`) stores each report
// with its events in one transaction. Shapes are WhatsApp's (the only messenger that has all of these); channels map
// their provider's objects onto them.
import type { LabelChange } from './label.js';
import type { InboundMessage, MessageContent, MessageKey } from './message.js';

/** A chat as a sync reports it; absent fields are unknown and left unchanged. */
export interface ChatPatch {
  remoteJid: string;
  name?: string | null;
  unreadMessages?: number;
  /** Epoch seconds of the newest message. */
  lastMessageAt?: number;
  archived?: boolean;
}

/** A contact as a sync reports it; absent fields are unknown and left unchanged. */
export interface ContactPatch {
  remoteJid: string;
  pushName?: string | null;
  profilePicUrl?: string | null;
}

/** The LID ↔ phone-number pair of one user. */
export interface IdentityPairReport {
  lid: string;
  pn: string;
}

export interface PresenceInfo {
  lastKnownPresence: 'available' | 'unavailable' | 'composing' | 'recording' | 'paused';
  /** Epoch seconds. */
  lastSeen?: number;
}

export interface GroupParticipantInfo {
  /** The JID the group addresses the participant by (LID or PN). */
  jid: string;
  phoneNumber?: string;
  lid?: string;
  name?: string;
  imgUrl?: string | null;
  admin?: 'admin' | 'superadmin' | null;
}

export interface CallInfo {
  id: string;
  from: string;
  callerPn?: string;
  chatId: string;
  /** Epoch milliseconds. */
  date: number;
  isVideo: boolean;
  isGroup: boolean;
  groupJid?: string;
  status: string;
  offline: boolean;
  latencyMs?: number;
}

/** A label as the channel reports it (`deleted` set when it was removed). */
export type LabelInfo = LabelChange;

export type ChannelReport =
  /** An edit of a stored message: its new content, and the provider's protocol message as received. */
  | { kind: 'messageEdited'; key: MessageKey; content: MessageContent; protocol: Record<string, unknown>; timestamp: number }
  /** Messages revoked for everyone (or deleted for me from the phone). */
  | { kind: 'messagesDeleted'; keys: MessageKey[] }
  /** One voter's current choice in a poll (option names; an empty list withdraws the vote). */
  | { kind: 'pollVote'; pollKey: MessageKey; voter: string; options: string[]; timestampMs: number }
  /** A message the channel could not decrypt: reported (never silent), not stored, so its re-sent copy still is. */
  | { kind: 'undecryptable'; message: InboundMessage; stubParameters: string[] }
  | { kind: 'chats'; action: 'upsert' | 'update'; chats: ChatPatch[] }
  | { kind: 'chatsDeleted'; remoteJids: string[] }
  | { kind: 'contacts'; action: 'upsert' | 'update'; contacts: ContactPatch[] }
  /** One chunk of a history sync; progress is a percentage when the provider tells it. */
  | { kind: 'history'; messages: InboundMessage[]; chats: ChatPatch[]; contacts: ContactPatch[]; progress: number | null; isLatest: boolean }
  | { kind: 'identities'; pairs: IdentityPairReport[] }
  | { kind: 'presence'; chatJid: string; presences: Record<string, PresenceInfo> }
  /** Group metadata as WhatsApp gives it (full on upsert, only the changed fields on update). */
  | { kind: 'groups'; action: 'upsert' | 'update'; groups: ({ id: string } & Record<string, unknown>)[] }
  | { kind: 'groupParticipants'; groupJid: string; author: string | null; action: string; participants: GroupParticipantInfo[] }
  | { kind: 'labelEdited'; label: LabelInfo }
  | { kind: 'labelAssociation'; type: 'add' | 'remove'; chatId: string; labelId: string; messageId?: string }
  | { kind: 'call'; call: CallInfo };

export type ChannelReportKind = ChannelReport['kind'];

/** The poll's options (names) from a stored poll creation message, in order; empty when it is not a poll. */
export function pollOptions(content: MessageContent): string[] {
  for (const type of ['pollCreationMessage', 'pollCreationMessageV2', 'pollCreationMessageV3', 'pollCreationMessageV5']) {
    const poll = content[type] as { options?: { optionName?: string | null }[] } | undefined;
    if (poll?.options !== undefined) return poll.options.map((o) => o.optionName ?? '');
  }
  return [];
}

/** Evolution's aggregated poll result: every option with the voters that currently choose it. */
export function aggregatePollVotes(options: string[], votes: Record<string, string[]>): { name: string; voters: string[] }[] {
  const result = options.map((name) => ({ name, voters: [] as string[] }));
  for (const [voter, chosen] of Object.entries(votes)) {
    for (const name of chosen) {
      let entry = result.find((r) => r.name === name);
      if (entry === undefined) result.push((entry = { name, voters: [] }));
      entry.voters.push(voter);
    }
  }
  return result;
}
