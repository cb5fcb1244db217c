// SQL for chatbot sessions, the durable queue of messages waiting for a bot, and the engine's outbox cursor
// (migration 007).
import type { Kysely, Selectable } from 'kysely';
import type { ChatbotProviderName, ChatbotSession, SessionStatus } from '../../domain/chatbot.js';
import type { BotInputRow, ChatbotSessionRepository, SessionFilter } from '../../ports/chatbots.js';
import { fromBool, toBool, toDate, toDateOrNull } from '../convert.js';
import type { Database } from '../schema.js';

type Bool = number | boolean;

export interface ChatbotSessionsTable {
  id: string;
  instance_id: string;
  remote_jid: string;
  provider: string;
  bot_id: string | null;
  session_id: string;
  push_name: string | null;
  status: string;
  await_user: Bool;
  /** JSON object. */
  context: string;
  /** JSON object. */
  parameters: string;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface ChatbotInputsTable {
  id: string;
  instance_id: string;
  remote_jid: string;
  event_id: string;
  /** JSON: the msg object of the MESSAGES_UPSERT event. */
  payload: string;
  due_at: number;
  attempts: number;
  created_at: number;
}

export interface ChatbotCursorsTable {
  consumer: string;
  seq: number;
  updated_at: number;
}

// A type alias (not an interface), so it satisfies Kysely's table-map constraint.
export type ChatbotSessionTables = {
  chatbot_sessions: ChatbotSessionsTable;
  chatbot_inputs: ChatbotInputsTable;
  chatbot_cursors: ChatbotCursorsTable;
};

const LIVE: SessionStatus[] = ['opened', 'paused'];

const parseObject = (json: string): Record<string, unknown> => {
  const value: unknown = JSON.parse(json);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
};

function sessionFromRow(row: Selectable<ChatbotSessionsTable>): ChatbotSession {
  return {
    id: row.id,
    instanceId: row.instance_id,
    remoteJid: row.remote_jid,
    provider: row.provider as ChatbotProviderName,
    botId: row.bot_id,
    sessionId: row.session_id,
    pushName: row.push_name,
    status: row.status as SessionStatus,
    awaitUser: toBool(row.await_user),
    context: parseObject(row.context),
    parameters: parseObject(row.parameters),
    expiresAt: toDateOrNull(row.expires_at === null ? null : Number(row.expires_at)),
    createdAt: toDate(Number(row.created_at)),
    updatedAt: toDate(Number(row.updated_at)),
  };
}

function inputFromRow(row: Selectable<ChatbotInputsTable>): BotInputRow {
  return {
    id: row.id,
    instanceId: row.instance_id,
    remoteJid: row.remote_jid,
    eventId: row.event_id,
    payload: parseObject(row.payload),
    dueAt: toDate(Number(row.due_at)),
    attempts: row.attempts,
    createdAt: toDate(Number(row.created_at)),
  };
}

export class KyselyChatbotSessionRepository implements ChatbotSessionRepository {
  private readonly db: Kysely<ChatbotSessionTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<ChatbotSessionTables>() as unknown as Kysely<ChatbotSessionTables>;
  }

  private filtered(filter: SessionFilter) {
    let q = this.db.selectFrom('chatbot_sessions').where('instance_id', '=', filter.instanceId);
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    if (filter.remoteJid !== undefined) q = q.where('remote_jid', '=', filter.remoteJid);
    if (filter.provider !== undefined) q = q.where('provider', '=', filter.provider);
    if (filter.botId !== undefined) q = q.where('bot_id', '=', filter.botId);
    return q;
  }

  async latest(instanceId: string, remoteJid: string): Promise<ChatbotSession | undefined> {
    const row = await this.db
      .selectFrom('chatbot_sessions')
      .selectAll()
      .where('instance_id', '=', instanceId)
      .where('remote_jid', '=', remoteJid)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : sessionFromRow(row);
  }

  async insert(s: ChatbotSession): Promise<void> {
    await this.db
      .insertInto('chatbot_sessions')
      .values({
        id: s.id,
        instance_id: s.instanceId,
        remote_jid: s.remoteJid,
        provider: s.provider,
        bot_id: s.botId,
        session_id: s.sessionId,
        push_name: s.pushName,
        status: s.status,
        await_user: fromBool(s.awaitUser),
        context: JSON.stringify(s.context),
        parameters: JSON.stringify(s.parameters),
        expires_at: s.expiresAt?.getTime() ?? null,
        created_at: s.createdAt.getTime(),
        updated_at: s.updatedAt.getTime(),
      })
      .execute();
  }

  async update(id: string, patch: Parameters<ChatbotSessionRepository['update']>[1], at: Date): Promise<void> {
    const set: Partial<ChatbotSessionsTable> = { updated_at: at.getTime() };
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.awaitUser !== undefined) set.await_user = fromBool(patch.awaitUser);
    if (patch.sessionId !== undefined) set.session_id = patch.sessionId;
    if (patch.context !== undefined) set.context = JSON.stringify(patch.context);
    if (patch.parameters !== undefined) set.parameters = JSON.stringify(patch.parameters);
    if (patch.expiresAt !== undefined) set.expires_at = patch.expiresAt?.getTime() ?? null;
    if (patch.pushName !== undefined) set.push_name = patch.pushName;
    if (patch.botId !== undefined) set.bot_id = patch.botId;
    await this.db.updateTable('chatbot_sessions').set(set).where('id', '=', id).execute();
  }

  async list(filter: SessionFilter): Promise<ChatbotSession[]> {
    const rows = await this.filtered(filter).selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(sessionFromRow);
  }

  async setStatus(filter: SessionFilter, status: SessionStatus, at: Date): Promise<number> {
    let q = this.db.updateTable('chatbot_sessions').set({ status, updated_at: at.getTime() }).where('instance_id', '=', filter.instanceId);
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    if (filter.remoteJid !== undefined) q = q.where('remote_jid', '=', filter.remoteJid);
    if (filter.provider !== undefined) q = q.where('provider', '=', filter.provider);
    if (filter.botId !== undefined) q = q.where('bot_id', '=', filter.botId);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async delete(filter: SessionFilter): Promise<number> {
    let q = this.db.deleteFrom('chatbot_sessions').where('instance_id', '=', filter.instanceId);
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    if (filter.remoteJid !== undefined) q = q.where('remote_jid', '=', filter.remoteJid);
    if (filter.provider !== undefined) q = q.where('provider', '=', filter.provider);
    if (filter.botId !== undefined) q = q.where('bot_id', '=', filter.botId);
    const result = await q.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async expired(now: Date, limit: number): Promise<ChatbotSession[]> {
    const rows = await this.db
      .selectFrom('chatbot_sessions')
      .selectAll()
      .where('expires_at', '<=', now.getTime())
      .where('status', 'in', LIVE)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
    return rows.map(sessionFromRow);
  }

  async nextExpiry(): Promise<Date | undefined> {
    const row = await this.db
      .selectFrom('chatbot_sessions')
      .select((eb) => eb.fn.min('expires_at').as('at'))
      .where('expires_at', 'is not', null)
      .where('status', 'in', LIVE)
      .executeTakeFirst();
    return row?.at == null ? undefined : toDate(Number(row.at));
  }

  async enqueueInput(input: BotInputRow): Promise<boolean> {
    const result = await this.db
      .insertInto('chatbot_inputs')
      .values({
        id: input.id,
        instance_id: input.instanceId,
        remote_jid: input.remoteJid,
        event_id: input.eventId,
        payload: JSON.stringify(input.payload),
        due_at: input.dueAt.getTime(),
        attempts: input.attempts,
        created_at: input.createdAt.getTime(),
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async deferInputs(instanceId: string, remoteJid: string, dueAt: Date): Promise<void> {
    await this.db
      .updateTable('chatbot_inputs')
      .set({ due_at: dueAt.getTime() })
      .where('instance_id', '=', instanceId)
      .where('remote_jid', '=', remoteJid)
      .execute();
  }

  async dueInputs(now: Date, limit: number): Promise<BotInputRow[]> {
    // Every pending input of each contact that has one due: the contact's turn answers them together.
    const rows = await this.db
      .selectFrom('chatbot_inputs as i')
      .selectAll('i')
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('chatbot_inputs as d')
            .select('d.id')
            .whereRef('d.instance_id', '=', 'i.instance_id')
            .whereRef('d.remote_jid', '=', 'i.remote_jid')
            .where('d.due_at', '<=', now.getTime()),
        ),
      )
      // Event ids are the outbox's monotonic ULIDs: arrival order.
      .orderBy('i.event_id')
      .limit(limit)
      .execute();
    return rows.map(inputFromRow);
  }

  async nextInputDue(): Promise<Date | undefined> {
    const row = await this.db.selectFrom('chatbot_inputs').select((eb) => eb.fn.min('due_at').as('at')).executeTakeFirst();
    return row?.at == null ? undefined : toDate(Number(row.at));
  }

  async deleteInputs(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('chatbot_inputs').where('id', 'in', ids).execute();
  }

  async retryInputs(ids: string[], dueAt: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('chatbot_inputs')
      .set((eb) => ({ due_at: dueAt.getTime(), attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', ids)
      .execute();
  }

  async cursor(consumer: string): Promise<number> {
    const row = await this.db.selectFrom('chatbot_cursors').select('seq').where('consumer', '=', consumer).executeTakeFirst();
    return row === undefined ? 0 : Number(row.seq);
  }

  async hasCursor(consumer: string): Promise<boolean> {
    const row = await this.db.selectFrom('chatbot_cursors').select('consumer').where('consumer', '=', consumer).executeTakeFirst();
    return row !== undefined;
  }

  async setCursor(consumer: string, seq: number): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('chatbot_cursors')
      .values({ consumer, seq, updated_at: now })
      .onConflict((oc) => oc.column('consumer').doUpdateSet({ seq, updated_at: now }))
      .execute();
  }
}
