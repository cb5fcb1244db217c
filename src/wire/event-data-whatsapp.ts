// Evolution's `data` shapes of the WhatsApp Web events (compat §5.5): history sync, edits, deletes, polls, chat and
// contact syncs, presence, groups, labels and calls.
import type { Chat, Contact } from '../domain/chat.js';
import type { CallInfo, GroupParticipantInfo, LabelInfo, PresenceInfo } from '../domain/channel-report.js';
import type { Message, MessageKey, MessageStatus } from '../domain/message.js';
import type { WhatsAppEventData } from '../ports/event-data.js';
import type { StoredMessage } from '../ports/messages.js';
import { messageObject } from './message-object.js';

/** WhatsApp's stub type of a message that failed to decrypt (`WebMessageInfo.StubType.CIPHERTEXT`). */
const CIPHERTEXT_STUB = 2;

const chatRow = (c: Chat) => ({ remoteJid: c.remoteJid, instanceId: c.instanceId, name: c.name, unreadMessages: c.unreadMessages });

export const whatsAppEventData: WhatsAppEventData = {
  messagesSet: (messages: Message[]) => messages.map(messageObject),
  messageEdited: (protocol: Record<string, unknown>) => protocol,
  messageDeleted: (key: MessageKey) => key,
  messageChanged: (m: StoredMessage, status: MessageStatus) => ({
    keyId: m.key.id,
    remoteJid: m.key.remoteJid,
    fromMe: m.key.fromMe,
    participant: m.key.participant ?? m.key.remoteJid,
    status,
    instanceId: m.instanceId,
    messageId: m.id,
    ...(status === 'EDITED' ? { message: m.message } : {}),
  }),
  pollUpdate: (poll: StoredMessage, voter: string, votes) => ({
    keyId: poll.key.id,
    remoteJid: poll.key.remoteJid,
    fromMe: poll.key.fromMe,
    participant: voter,
    status: poll.status,
    pollUpdates: votes,
    instanceId: poll.instanceId,
    messageId: poll.id,
  }),
  // Evolution shows an undecryptable message as Baileys emits it: no content, the CIPHERTEXT stub and its reason.
  undecryptable: (m: Message, stubParameters: string[]) => ({ ...messageObject(m), messageStubType: CIPHERTEXT_STUB, messageStubParameters: stubParameters }),
  chatsSet: (chats: Chat[]) => chats.map((c) => ({ remoteJid: c.remoteJid, instanceId: c.instanceId, name: c.name })),
  chatsUpsert: (chats: Chat[]) => chats.map(chatRow),
  chatsUpdate: (chats: Chat[]) => chats.map(chatRow),
  chatsDelete: (remoteJids: string[]) => remoteJids,
  // `remoteJidAlt` (a Parley addition) is the other form of the contact's JID (LID ↔ phone number) when known.
  contacts: (contacts: Contact[], alternatives: Map<string, string>) =>
    contacts.map((c) => ({
      remoteJid: c.remoteJid,
      pushName: c.pushName ?? '',
      profilePicUrl: c.profilePicUrl,
      instanceId: c.instanceId,
      ...(alternatives.has(c.remoteJid) ? { remoteJidAlt: alternatives.get(c.remoteJid) } : {}),
    })),
  presence: (chatJid: string, presences: Record<string, PresenceInfo>) => ({ id: chatJid, presences }),
  groups: (groups: Record<string, unknown>[]) => groups,
  groupParticipants: (groupJid: string, author: string | null, action: string, participants: GroupParticipantInfo[]) => ({
    id: groupJid,
    ...(author !== null ? { author } : {}),
    action,
    participants: participants.map((p) => p.jid),
    participantsData: participants.map((p) => ({
      jid: p.jid,
      phoneNumber: p.phoneNumber ?? (p.jid.endsWith('@s.whatsapp.net') ? p.jid : null),
      ...(p.lid !== undefined ? { lid: p.lid } : {}),
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.imgUrl !== undefined ? { imgUrl: p.imgUrl } : {}),
      ...(p.admin !== undefined ? { admin: p.admin } : {}),
    })),
  }),
  label: (instanceName: string, l: LabelInfo) => ({
    id: l.labelId,
    name: l.name,
    color: l.color,
    deleted: l.deleted ?? false,
    ...(l.predefinedId !== null ? { predefinedId: l.predefinedId } : {}),
    instance: instanceName,
  }),
  labelAssociation: (instanceName: string, type: 'add' | 'remove', chatId: string, labelId: string) => ({ instance: instanceName, type, chatId, labelId }),
  call: (c: CallInfo) => ({
    id: c.id,
    from: c.from,
    ...(c.callerPn !== undefined ? { callerPn: c.callerPn } : {}),
    chatId: c.chatId,
    date: new Date(c.date).toISOString(),
    isVideo: c.isVideo,
    isGroup: c.isGroup,
    ...(c.groupJid !== undefined ? { groupJid: c.groupJid } : {}),
    status: c.status,
    offline: c.offline,
    ...(c.latencyMs !== undefined ? { latencyMs: c.latencyMs } : {}),
  }),
};
