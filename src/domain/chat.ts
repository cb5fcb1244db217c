// Chats (one per instance + remoteJid) and contacts.

export interface Chat {
  id: string;
  instanceId: string;
  remoteJid: string;
  name: string | null;
  unreadMessages: number;
  /** Epoch seconds of the newest message. */
  lastMessageAt: number | null;
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Contact {
  id: string;
  instanceId: string;
  remoteJid: string;
  pushName: string | null;
  profilePicUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const isGroupJid = (jid: string) => jid.endsWith('@g.us');
