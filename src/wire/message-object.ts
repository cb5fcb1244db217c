// Evolution's msg object (compat §5.6) and the rows the find routes return.
import type { Chat, Contact } from '../domain/chat.js';
import { isGroupJid } from '../domain/chat.js';
import type { Message, StatusUpdate } from '../domain/message.js';
import type { ChatView, StoredMessage } from '../ports/messages.js';
import { iso } from './common.js';

/** The msg object returned by send routes and carried by MESSAGES_UPSERT / SEND_MESSAGE. */
export function messageObject(m: Message) {
  return {
    key: m.key,
    pushName: m.pushName ?? '',
    status: m.status,
    message: m.message,
    ...(m.contextInfo !== null ? { contextInfo: m.contextInfo } : {}),
    messageType: m.messageType,
    messageTimestamp: m.messageTimestamp,
    instanceId: m.instanceId,
    source: m.source,
  };
}

/** A stored message as `findMessages` lists it: the msg object plus its row id and status history. */
export function messageRecord(m: StoredMessage) {
  return {
    id: m.id,
    key: m.key,
    pushName: m.pushName,
    messageType: m.messageType,
    message: m.message,
    messageTimestamp: m.messageTimestamp,
    instanceId: m.instanceId,
    source: m.source,
    contextInfo: m.contextInfo,
    status: m.status,
    MessageUpdate: m.updates ?? [],
  };
}

/** MESSAGES_UPDATE data (compat §5.5). */
export function messageUpdateData(instanceId: string, u: StatusUpdate, messageId: string | undefined) {
  return {
    keyId: u.keyId,
    remoteJid: u.remoteJid,
    fromMe: u.fromMe,
    participant: u.participant ?? u.remoteJid,
    status: u.status,
    instanceId,
    ...(messageId !== undefined ? { messageId } : {}),
    ...(u.error ? { error: u.error } : {}),
  };
}

export function contactData(c: Contact) {
  return { remoteJid: c.remoteJid, pushName: c.pushName ?? '', profilePicUrl: c.profilePicUrl, instanceId: c.instanceId };
}

export function chatUpsertData(c: Chat) {
  return [{ remoteJid: c.remoteJid, instanceId: c.instanceId, name: c.name, unreadMessages: c.unreadMessages }];
}

export function chatUpdateData(c: Chat) {
  return [{ remoteJid: c.remoteJid, instanceId: c.instanceId }];
}

/** Media payloads are stripped from `findChats`' lastMessage (compat §3.6). */
function withoutMedia(message: Record<string, unknown>): Record<string, unknown> {
  const { base64: _b, ...rest } = message;
  return rest;
}

/** One `findChats` entry. */
export function chatListEntry(c: ChatView) {
  const last = c.lastMessage;
  return {
    id: c.contact?.id ?? null,
    remoteJid: c.remoteJid,
    pushName: c.contact?.pushName ?? c.name ?? null,
    profilePicUrl: c.contact?.profilePicUrl ?? null,
    updatedAt: iso(c.updatedAt),
    lastMessage:
      last === null
        ? null
        : {
            id: last.id,
            key: last.key,
            pushName: last.key.fromMe ? 'Você' : last.pushName,
            participant: last.key.participant ?? null,
            messageType: last.messageType,
            message: withoutMedia(last.message),
            contextInfo: last.contextInfo,
            source: last.source,
            messageTimestamp: last.messageTimestamp,
            instanceId: last.instanceId,
            status: last.status,
          },
    unreadCount: c.unreadMessages,
    isSaved: c.contact !== null,
  };
}

/** The Chat row (`findChatByRemoteJid`). */
export function chatRow(c: Chat) {
  return { id: c.id, remoteJid: c.remoteJid, name: c.name, unreadMessages: c.unreadMessages, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt), instanceId: c.instanceId };
}

/** A `findContacts` entry. */
export function contactRow(c: Contact) {
  const group = isGroupJid(c.remoteJid);
  return {
    id: c.id,
    remoteJid: c.remoteJid,
    pushName: c.pushName,
    profilePicUrl: c.profilePicUrl,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    instanceId: c.instanceId,
    isGroup: group,
    isSaved: true,
    type: group ? 'group' : 'contact',
  };
}
