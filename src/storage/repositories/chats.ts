// SQL for chats (one per instance + remoteJid) and contacts.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Chat, Contact } from '../../domain/chat.js';
import type { ChatRepository, ChatTouch, ChatView, ContactRepository } from '../../ports/messages.js';
import { toDate } from '../convert.js';
import type { ChatsTable, ContactsTable, Database } from '../schema.js';
import { messageFromRow } from './messages.js';

const chatFromRow = (r: Selectable<ChatsTable>): Chat => ({
  id: r.id,
  instanceId: r.instance_id,
  remoteJid: r.remote_jid,
  name: r.name,
  unreadMessages: Number(r.unread_messages),
  lastMessageAt: r.last_message_at === null ? null : Number(r.last_message_at),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const contactFromRow = (r: Selectable<ContactsTable>): Contact => ({
  id: r.id,
  instanceId: r.instance_id,
  remoteJid: r.remote_jid,
  pushName: r.push_name,
  profilePicUrl: r.profile_pic_url,
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

export class KyselyChatRepository implements ChatRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async touch(instanceId: string, t: ChatTouch, at: Date): Promise<{ chat: Chat; created: boolean }> {
    const now = at.getTime();
    // One statement, safe under concurrent inserts for the same chat (unique instance + remoteJid).
    const inserted = await this.db
      .insertInto('chats')
      .values({
        id: randomUUID(),
        instance_id: instanceId,
        remote_jid: t.remoteJid,
        name: t.name ?? null,
        unread_messages: t.incoming ? 1 : 0,
        last_message_at: t.messageTimestamp,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['instance_id', 'remote_jid']).doNothing())
      .executeTakeFirst();
    const created = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    if (!created) {
      await this.db
        .updateTable('chats')
        .set((eb) => ({
          unread_messages: t.incoming ? eb('unread_messages', '+', 1) : eb.ref('unread_messages'),
          last_message_at: sql<number>`case when last_message_at is null or last_message_at < ${t.messageTimestamp} then ${t.messageTimestamp} else last_message_at end`,
          ...(t.name ? { name: t.name } : {}),
          updated_at: now,
        }))
        .where('instance_id', '=', instanceId)
        .where('remote_jid', '=', t.remoteJid)
        .execute();
    }
    return { chat: (await this.findByRemoteJid(instanceId, t.remoteJid))!, created };
  }

  async findByRemoteJid(instanceId: string, remoteJid: string): Promise<Chat | undefined> {
    const row = await this.db.selectFrom('chats').selectAll().where('instance_id', '=', instanceId).where('remote_jid', '=', remoteJid).executeTakeFirst();
    return row === undefined ? undefined : chatFromRow(row);
  }

  async list(instanceId: string, filter: { remoteJid?: string; from?: number; to?: number }, take: number, skip: number): Promise<ChatView[]> {
    let q = this.db.selectFrom('chats').selectAll().where('instance_id', '=', instanceId).where('last_message_at', 'is not', null);
    if (filter.remoteJid !== undefined) q = q.where('remote_jid', '=', filter.remoteJid);
    if (filter.from !== undefined) q = q.where('last_message_at', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('last_message_at', '<=', filter.to);
    const chats = (await q.orderBy('last_message_at', 'desc').limit(take).offset(skip).execute()).map(chatFromRow);
    if (chats.length === 0) return [];
    const jids = chats.map((c) => c.remoteJid);
    const contacts = await this.db.selectFrom('contacts').selectAll().where('instance_id', '=', instanceId).where('remote_jid', 'in', jids).execute();
    const last = await Promise.all(
      chats.map((c) =>
        this.db
          .selectFrom('messages')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('remote_jid', '=', c.remoteJid)
          .orderBy('message_timestamp', 'desc')
          .orderBy('created_at', 'desc')
          .limit(1)
          .executeTakeFirst(),
      ),
    );
    return chats.map((chat, i) => {
      const contact = contacts.find((r) => r.remote_jid === chat.remoteJid);
      const message = last[i];
      return { ...chat, contact: contact === undefined ? null : contactFromRow(contact), lastMessage: message === undefined ? null : messageFromRow(message) };
    });
  }

  async markRead(instanceId: string, remoteJid: string, at: Date): Promise<void> {
    await this.db.updateTable('chats').set({ unread_messages: 0, updated_at: at.getTime() }).where('instance_id', '=', instanceId).where('remote_jid', '=', remoteJid).execute();
  }
}

export class KyselyContactRepository implements ContactRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(instanceId: string, remoteJid: string, v: { pushName?: string | null; profilePicUrl?: string | null }, at: Date): Promise<{ contact: Contact; created: boolean; changed: boolean }> {
    const now = at.getTime();
    const existing = await this.db.selectFrom('contacts').selectAll().where('instance_id', '=', instanceId).where('remote_jid', '=', remoteJid).executeTakeFirst();
    if (existing === undefined) {
      const inserted = await this.db
        .insertInto('contacts')
        .values({ id: randomUUID(), instance_id: instanceId, remote_jid: remoteJid, push_name: v.pushName ?? null, profile_pic_url: v.profilePicUrl ?? null, created_at: now, updated_at: now })
        .onConflict((oc) => oc.columns(['instance_id', 'remote_jid']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
        const row = await this.db.selectFrom('contacts').selectAll().where('instance_id', '=', instanceId).where('remote_jid', '=', remoteJid).executeTakeFirstOrThrow();
        return { contact: contactFromRow(row), created: true, changed: true };
      }
      return this.upsert(instanceId, remoteJid, v, at);
    }
    const pushName = v.pushName ?? existing.push_name;
    const profilePicUrl = v.profilePicUrl === undefined ? existing.profile_pic_url : v.profilePicUrl;
    const changed = pushName !== existing.push_name || profilePicUrl !== existing.profile_pic_url;
    if (changed) {
      await this.db.updateTable('contacts').set({ push_name: pushName, profile_pic_url: profilePicUrl, updated_at: now }).where('id', '=', existing.id).execute();
    }
    return { contact: contactFromRow({ ...existing, push_name: pushName, profile_pic_url: profilePicUrl, updated_at: changed ? now : existing.updated_at }), created: false, changed };
  }

  async list(instanceId: string, filter: { remoteJid?: string }, page: number | undefined, pageSize: number | undefined): Promise<Contact[]> {
    let q = this.db.selectFrom('contacts').selectAll().where('instance_id', '=', instanceId);
    if (filter.remoteJid !== undefined) q = q.where('remote_jid', '=', filter.remoteJid);
    q = q.orderBy('updated_at', 'desc');
    if (pageSize !== undefined) q = q.limit(pageSize).offset(((page ?? 1) - 1) * pageSize);
    return (await q.execute()).map(contactFromRow);
  }
}
