// SQL for chats (one per instance + remoteJid) and contacts.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ChatPatch } from '../../domain/channel-report.js';
import type { Chat, Contact } from '../../domain/chat.js';
import type { ChatRepository, ChatTouch, ChatView, ContactRepository } from '../../ports/messages.js';
import { fromBool, toBool, toDate } from '../convert.js';
import type { ChatsTable, ContactsTable, Database } from '../schema.js';
import { messageFromRow } from './messages.js';

const chatFromRow = (r: Selectable<ChatsTable>): Chat => ({
  id: r.id,
  instanceId: r.instance_id,
  remoteJid: r.remote_jid,
  name: r.name,
  unreadMessages: Number(r.unread_messages),
  lastMessageAt: r.last_message_at === null ? null : Number(r.last_message_at),
  archived: toBool(r.archived),
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
    const id = randomUUID();
    // One statement, safe under concurrent writers; the returned id is ours only when the row was just inserted.
    const row = await this.db
      .insertInto('chats')
      .values({
        id,
        instance_id: instanceId,
        remote_jid: t.remoteJid,
        name: t.name ?? null,
        unread_messages: t.incoming ? 1 : 0,
        last_message_at: t.messageTimestamp,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['instance_id', 'remote_jid']).doUpdateSet((eb) => ({
          unread_messages: t.incoming ? eb('chats.unread_messages', '+', 1) : eb.ref('chats.unread_messages'),
          last_message_at: sql<number>`case when chats.last_message_at is null or chats.last_message_at < ${t.messageTimestamp} then ${t.messageTimestamp} else chats.last_message_at end`,
          name: t.name ? eb.val(t.name) : eb.ref('chats.name'),
          updated_at: now,
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return { chat: chatFromRow(row), created: row.id === id };
  }

  async findByRemoteJid(instanceId: string, remoteJid: string): Promise<Chat | undefined> {
    const row = await this.db.selectFrom('chats').selectAll().where('instance_id', '=', instanceId).where('remote_jid', '=', remoteJid).executeTakeFirst();
    return row === undefined ? undefined : chatFromRow(row);
  }

  async list(instanceId: string, filter: { remoteJid?: string; remoteJids?: string[]; from?: number; to?: number }, take: number, skip: number): Promise<ChatView[]> {
    let q = this.db.selectFrom('chats').selectAll().where('instance_id', '=', instanceId).where('last_message_at', 'is not', null);
    if (filter.remoteJids !== undefined) q = q.where('remote_jid', 'in', filter.remoteJids.length > 0 ? filter.remoteJids : ['']);
    else if (filter.remoteJid !== undefined) q = q.where('remote_jid', '=', filter.remoteJid);
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

  async upsert(instanceId: string, p: ChatPatch, at: Date): Promise<{ chat: Chat; created: boolean; changed: boolean }> {
    const now = at.getTime();
    const id = randomUUID();
    const inserted = await this.db
      .insertInto('chats')
      .values({
        id,
        instance_id: instanceId,
        remote_jid: p.remoteJid,
        name: p.name ?? null,
        unread_messages: p.unreadMessages ?? 0,
        last_message_at: p.lastMessageAt ?? null,
        archived: fromBool(p.archived ?? false),
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['instance_id', 'remote_jid']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted !== undefined) return { chat: chatFromRow(inserted), created: true, changed: true };
    // Apply only what the patch knows and what differs; a sync never moves the newest-message time backwards.
    const row = await this.db
      .updateTable('chats')
      .set((eb) => ({
        name: p.name === undefined ? eb.ref('chats.name') : eb.val(p.name),
        unread_messages: p.unreadMessages === undefined ? eb.ref('chats.unread_messages') : eb.val(p.unreadMessages),
        last_message_at:
          p.lastMessageAt === undefined
            ? eb.ref('chats.last_message_at')
            : sql<number>`case when chats.last_message_at is null or chats.last_message_at < ${p.lastMessageAt} then ${p.lastMessageAt} else chats.last_message_at end`,
        archived: p.archived === undefined ? eb.ref('chats.archived') : eb.val(fromBool(p.archived)),
        updated_at: now,
      }))
      .where('instance_id', '=', instanceId)
      .where('remote_jid', '=', p.remoteJid)
      .where((eb) =>
        eb.or([
          ...(p.name !== undefined ? [eb(sql`coalesce(chats.name, '')`, '!=', p.name ?? '')] : []),
          ...(p.unreadMessages !== undefined ? [eb('chats.unread_messages', '!=', p.unreadMessages)] : []),
          ...(p.lastMessageAt !== undefined ? [eb.or([eb('chats.last_message_at', 'is', null), eb('chats.last_message_at', '<', p.lastMessageAt)])] : []),
          ...(p.archived !== undefined ? [eb('chats.archived', '!=', fromBool(p.archived))] : []),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return { chat: chatFromRow(row), created: false, changed: true };
    const current = await this.findByRemoteJid(instanceId, p.remoteJid);
    return { chat: current!, created: false, changed: false };
  }

  async delete(instanceId: string, remoteJids: string[]): Promise<string[]> {
    if (remoteJids.length === 0) return [];
    const rows = await this.db.deleteFrom('chats').where('instance_id', '=', instanceId).where('remote_jid', 'in', remoteJids).returning('remote_jid').execute();
    return rows.map((r) => r.remote_jid);
  }
}

export class KyselyContactRepository implements ContactRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(instanceId: string, remoteJid: string, v: { pushName?: string | null; profilePicUrl?: string | null }, at: Date): Promise<{ contact?: Contact; created: boolean; changed: boolean }> {
    const now = at.getTime();
    const id = randomUUID();
    const fresh = { id, instance_id: instanceId, remote_jid: remoteJid, push_name: v.pushName ?? null, profile_pic_url: v.profilePicUrl ?? null, created_at: now, updated_at: now };
    if (!v.pushName && v.profilePicUrl === undefined) {
      // Nothing to update: make sure the contact exists.
      const row = await this.db.insertInto('contacts').values(fresh).onConflict((oc) => oc.columns(['instance_id', 'remote_jid']).doNothing()).returningAll().executeTakeFirst();
      return row === undefined ? { created: false, changed: false } : { contact: contactFromRow(row), created: true, changed: true };
    }
    // Insert, or update only what differs; nothing returned means nothing changed.
    const row = await this.db
      .insertInto('contacts')
      .values(fresh)
      .onConflict((oc) =>
        oc
          .columns(['instance_id', 'remote_jid'])
          .doUpdateSet((eb) => ({
            push_name: v.pushName ? eb.val(v.pushName) : eb.ref('contacts.push_name'),
            profile_pic_url: v.profilePicUrl === undefined ? eb.ref('contacts.profile_pic_url') : eb.val(v.profilePicUrl),
            updated_at: now,
          }))
          .where((eb) =>
            eb.or([
              ...(v.pushName ? [eb(sql`coalesce(contacts.push_name, '')`, '!=', v.pushName)] : []),
              ...(v.profilePicUrl !== undefined ? [eb(sql`coalesce(contacts.profile_pic_url, '')`, '!=', v.profilePicUrl ?? '')] : []),
            ]),
          ),
      )
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? { created: false, changed: false } : { contact: contactFromRow(row), created: row.id === id, changed: true };
  }

  async list(instanceId: string, filter: { remoteJid?: string; remoteJids?: string[] }, page: number | undefined, pageSize: number | undefined): Promise<Contact[]> {
    let q = this.db.selectFrom('contacts').selectAll().where('instance_id', '=', instanceId);
    if (filter.remoteJids !== undefined) q = q.where('remote_jid', 'in', filter.remoteJids.length > 0 ? filter.remoteJids : ['']);
    else if (filter.remoteJid !== undefined) q = q.where('remote_jid', '=', filter.remoteJid);
    q = q.orderBy('updated_at', 'desc');
    if (pageSize !== undefined) q = q.limit(pageSize).offset(((page ?? 1) - 1) * pageSize);
    return (await q.execute()).map(contactFromRow);
  }
}
