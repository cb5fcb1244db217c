// SQL for messages and their status history.
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { isStatusAdvance, type Message, type MessageContent, type MessageKey, type MessageSource, type MessageStatus, type StatusUpdate } from '../../domain/message.js';
import type { MessageQuery, MessageRepository, MessageUpdateRepository, StoredMessage } from '../../ports/messages.js';
import { fromBool, toBool, toDate } from '../convert.js';
import type { Database, MessagesTable } from '../schema.js';
import { isUniqueViolation } from './batch.js';

export function messageFromRow(row: Selectable<MessagesTable>): StoredMessage {
  const extra = row.key_extra === null ? {} : (JSON.parse(row.key_extra) as Partial<MessageKey>);
  return {
    id: row.id,
    instanceId: row.instance_id,
    key: { remoteJid: row.remote_jid, fromMe: toBool(row.from_me), id: row.message_id, ...(row.participant ? { participant: row.participant } : {}), ...extra },
    pushName: row.push_name,
    messageType: row.message_type,
    message: JSON.parse(row.message) as Record<string, unknown>,
    contextInfo: row.context_info === null ? null : (JSON.parse(row.context_info) as Record<string, unknown>),
    source: row.source as MessageSource,
    messageTimestamp: Number(row.message_timestamp),
    status: row.status as MessageStatus,
    mediaKey: row.media_key,
  };
}


export class KyselyMessageRepository implements MessageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertIfNew(m: Message, mediaKey: string | null, at: Date): Promise<boolean> {
    const { remoteJid, fromMe, id, participant, ...extra } = m.key;
    const values = {
      id: m.id,
      instance_id: m.instanceId,
      message_id: id,
      remote_jid: remoteJid,
      from_me: fromBool(fromMe),
      participant: participant ?? null,
      push_name: m.pushName,
      message_type: m.messageType,
      message: JSON.stringify(m.message),
      context_info: m.contextInfo === null ? null : JSON.stringify(m.contextInfo),
      source: m.source,
      status: m.status,
      message_timestamp: m.messageTimestamp,
      created_at: at.getTime(),
      key_extra: Object.keys(extra).length > 0 ? JSON.stringify(extra) : null,
      media_key: mediaKey,
      updated_at: at.getTime(),
    };
    // ON CONFLICT DO NOTHING keeps the surrounding transaction usable on PostgreSQL after a duplicate.
    const result = await this.db
      .insertInto('messages')
      .values(values)
      .onConflict((oc) => oc.columns(['instance_id', 'message_id']).doNothing())
      .executeTakeFirst()
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) return { numInsertedOrUpdatedRows: 0n };
        throw error;
      });
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async findByKeyId(instanceId: string, keyId: string): Promise<StoredMessage | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('instance_id', '=', instanceId).where('message_id', '=', keyId).executeTakeFirst();
    return row === undefined ? undefined : messageFromRow(row);
  }

  async advanceStatus(instanceId: string, keyId: string, status: MessageStatus, at: Date): Promise<boolean> {
    const current = await this.db.selectFrom('messages').select('status').where('instance_id', '=', instanceId).where('message_id', '=', keyId).executeTakeFirst();
    if (current === undefined || !isStatusAdvance(current.status as MessageStatus, status)) return false;
    await this.db.updateTable('messages').set({ status, updated_at: at.getTime() }).where('instance_id', '=', instanceId).where('message_id', '=', keyId).execute();
    return true;
  }

  async list(q: MessageQuery): Promise<{ total: number; records: StoredMessage[] }> {
    let base = this.db.selectFrom('messages').where('instance_id', '=', q.instanceId);
    if (q.id !== undefined) base = base.where('id', '=', q.id);
    if (q.keyId !== undefined) base = base.where('message_id', '=', q.keyId);
    if (q.remoteJids !== undefined) base = base.where('remote_jid', 'in', q.remoteJids.length > 0 ? q.remoteJids : ['']);
    else if (q.remoteJid !== undefined) base = base.where('remote_jid', '=', q.remoteJid);
    if (q.fromMe !== undefined) base = base.where('from_me', '=', fromBool(q.fromMe));
    if (q.participant !== undefined) base = base.where('participant', '=', q.participant);
    if (q.messageType !== undefined) base = base.where('message_type', '=', q.messageType);
    if (q.source !== undefined) base = base.where('source', '=', q.source);
    if (q.from !== undefined) base = base.where('message_timestamp', '>=', q.from);
    if (q.to !== undefined) base = base.where('message_timestamp', '<=', q.to);
    const [{ n }] = (await base.select((eb) => eb.fn.countAll<number | string>().as('n')).execute()) as [{ n: number | string }];
    const rows = await base
      .selectAll()
      .orderBy('message_timestamp', 'desc')
      .orderBy('created_at', 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute();
    const records = rows.map(messageFromRow);
    if (records.length > 0) {
      const updates = await this.db
        .selectFrom('message_updates')
        .select(['key_id', 'status'])
        .where('instance_id', '=', q.instanceId)
        .where('key_id', 'in', records.map((r) => r.key.id))
        .orderBy('provider_timestamp')
        .execute();
      for (const r of records) r.updates = updates.filter((u) => u.key_id === r.key.id).map((u) => ({ status: u.status as MessageStatus }));
    }
    return { total: Number(n), records };
  }

  async updateContent(instanceId: string, keyId: string, content: MessageContent, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('messages')
      .set({ message: JSON.stringify(content), updated_at: at.getTime() })
      .where('instance_id', '=', instanceId)
      .where('message_id', '=', keyId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

export class KyselyMessageUpdateRepository implements MessageUpdateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(instanceId: string, u: StatusUpdate, at: Date): Promise<void> {
    await this.db
      .insertInto('message_updates')
      .values({
        id: randomUUID(),
        instance_id: instanceId,
        key_id: u.keyId,
        remote_jid: u.remoteJid,
        from_me: fromBool(u.fromMe),
        participant: u.participant ?? null,
        status: u.status,
        error: u.error ? JSON.stringify(u.error) : null,
        provider_timestamp: u.timestamp,
        created_at: at.getTime(),
      })
      .execute();
  }

  async list(instanceId: string, filter: { remoteJid?: string; keyId?: string }, page: number, pageSize: number) {
    let q = this.db.selectFrom('message_updates').selectAll().where('instance_id', '=', instanceId);
    if (filter.remoteJid !== undefined) q = q.where('remote_jid', '=', filter.remoteJid);
    if (filter.keyId !== undefined) q = q.where('key_id', '=', filter.keyId);
    const rows = await q.orderBy('provider_timestamp', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute();
    return rows.map((r) => ({
      id: r.id,
      instanceId: r.instance_id,
      keyId: r.key_id,
      remoteJid: r.remote_jid,
      fromMe: toBool(r.from_me),
      participant: r.participant,
      status: r.status as MessageStatus,
      timestamp: Number(r.provider_timestamp),
      error: r.error === null ? null : (JSON.parse(r.error) as StatusUpdate['error']),
      createdAt: toDate(r.created_at),
    }));
  }
}
