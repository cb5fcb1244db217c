// SQL for chatbot configuration: bots, per-provider settings rows and OpenAI credentials (migration 006).
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { BehaviourSettings, Bot, ChatbotProviderName, ChatbotSettings, OpenAiCreds, TriggerOperator, TriggerType } from '../../domain/chatbot.js';
import type { ChatbotConfigRepository } from '../../ports/chatbots.js';
import { fromBool, toBool, toDate } from '../convert.js';
import type { Database } from '../schema.js';

type Bool = number | boolean;

export type OpenAiCredsTable = {
  id: string;
  instance_id: string;
  name: string;
  api_key: string;
  created_at: number;
  updated_at: number;
}

export type ChatbotBotsTable = {
  id: string;
  instance_id: string;
  provider: string;
  enabled: Bool;
  description: string | null;
  trigger_type: string;
  trigger_operator: string | null;
  trigger_value: string | null;
  /** JSON: the bot's own behaviour values. */
  behaviour: string;
  /** JSON: provider fields. */
  config: string;
  creds_id: string | null;
  created_at: number;
  updated_at: number;
}

export type ChatbotSettingsTable = {
  id: string;
  instance_id: string;
  provider: string;
  behaviour: string;
  fallback_id: string | null;
  creds_id: string | null;
  extra: string;
  created_at: number;
  updated_at: number;
}

export type ChatbotTables = {
  openai_creds: OpenAiCredsTable;
  chatbot_bots: ChatbotBotsTable;
  chatbot_settings: ChatbotSettingsTable;
}

/** The key under which provider config and settings extras hold the OpenAI credentials id (kept in a column too). */
const CREDS_KEY = 'openaiCredsId';

const parseObject = (json: string): Record<string, unknown> => {
  const value: unknown = JSON.parse(json);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
};

const credsIdOf = (values: Record<string, unknown>): string | null => {
  const v = values[CREDS_KEY];
  return typeof v === 'string' && v !== '' ? v : null;
};

export function botFromRow(row: Selectable<ChatbotBotsTable>): Bot {
  const config = parseObject(row.config);
  if (row.creds_id !== null) config[CREDS_KEY] = row.creds_id;
  return {
    id: row.id,
    instanceId: row.instance_id,
    provider: row.provider as ChatbotProviderName,
    enabled: toBool(row.enabled),
    description: row.description,
    triggerType: row.trigger_type as TriggerType,
    triggerOperator: row.trigger_operator as TriggerOperator | null,
    triggerValue: row.trigger_value,
    behaviour: parseObject(row.behaviour) as Partial<BehaviourSettings>,
    config,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export function settingsFromRow(row: Selectable<ChatbotSettingsTable>): ChatbotSettings {
  const behaviour = parseObject(row.behaviour) as unknown as BehaviourSettings;
  const extra = parseObject(row.extra);
  if (row.provider === 'openai') extra[CREDS_KEY] = row.creds_id;
  return {
    ...behaviour,
    id: row.id,
    instanceId: row.instance_id,
    provider: row.provider as ChatbotProviderName,
    fallbackId: row.fallback_id,
    extra,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function credsFromRow(row: Selectable<OpenAiCredsTable>): OpenAiCreds {
  return {
    id: row.id,
    instanceId: row.instance_id,
    name: row.name,
    apiKey: row.api_key,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function botValues(bot: Bot) {
  return {
    enabled: fromBool(bot.enabled),
    description: bot.description,
    trigger_type: bot.triggerType,
    trigger_operator: bot.triggerOperator,
    trigger_value: bot.triggerValue,
    behaviour: JSON.stringify(bot.behaviour),
    config: JSON.stringify(bot.config),
    creds_id: credsIdOf(bot.config),
    updated_at: bot.updatedAt.getTime(),
  };
}

const BEHAVIOUR_KEYS: (keyof BehaviourSettings)[] = [
  'expire', 'keywordFinish', 'delayMessage', 'unknownMessage', 'listeningFromMe', 'stopBotFromMe', 'keepOpen', 'debounceTime',
  'ignoreJids', 'splitMessages', 'timePerChar',
];

export class KyselyChatbotConfigRepository implements ChatbotConfigRepository {
  private readonly db: Kysely<ChatbotTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<ChatbotTables>() as unknown as Kysely<ChatbotTables>;
  }

  async insertBot(bot: Bot): Promise<void> {
    await this.db
      .insertInto('chatbot_bots')
      .values({ id: bot.id, instance_id: bot.instanceId, provider: bot.provider, created_at: bot.createdAt.getTime(), ...botValues(bot) })
      .execute();
  }

  async updateBot(bot: Bot): Promise<void> {
    await this.db
      .updateTable('chatbot_bots')
      .set(botValues(bot))
      .where('id', '=', bot.id)
      .where('instance_id', '=', bot.instanceId)
      .where('provider', '=', bot.provider)
      .execute();
  }

  async findBot(instanceId: string, provider: ChatbotProviderName, id: string): Promise<Bot | undefined> {
    const row = await this.db
      .selectFrom('chatbot_bots')
      .selectAll()
      .where('id', '=', id)
      .where('instance_id', '=', instanceId)
      .where('provider', '=', provider)
      .executeTakeFirst();
    return row === undefined ? undefined : botFromRow(row);
  }

  async listBots(instanceId: string, provider: ChatbotProviderName): Promise<Bot[]> {
    const rows = await this.db
      .selectFrom('chatbot_bots')
      .selectAll()
      .where('instance_id', '=', instanceId)
      .where('provider', '=', provider)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(botFromRow);
  }

  /** Sessions reference bots with ON DELETE CASCADE (migration 007), and settings' fallback is set to null. */
  async deleteBot(instanceId: string, provider: ChatbotProviderName, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('chatbot_bots')
      .where('id', '=', id)
      .where('instance_id', '=', instanceId)
      .where('provider', '=', provider)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async findSettings(instanceId: string, provider: ChatbotProviderName): Promise<ChatbotSettings | undefined> {
    const row = await this.db
      .selectFrom('chatbot_settings')
      .selectAll()
      .where('instance_id', '=', instanceId)
      .where('provider', '=', provider)
      .executeTakeFirst();
    return row === undefined ? undefined : settingsFromRow(row);
  }

  async upsertSettings(s: Omit<ChatbotSettings, 'id' | 'createdAt' | 'updatedAt'>, at: Date): Promise<ChatbotSettings> {
    const behaviour = Object.fromEntries(BEHAVIOUR_KEYS.map((k) => [k, s[k]]));
    const extra = { ...s.extra };
    const credsId = credsIdOf(extra);
    delete extra[CREDS_KEY];
    const values = {
      behaviour: JSON.stringify(behaviour),
      fallback_id: s.fallbackId,
      creds_id: credsId,
      extra: JSON.stringify(extra),
      updated_at: at.getTime(),
    };
    const row = await this.db
      .insertInto('chatbot_settings')
      .values({ id: randomUUID(), instance_id: s.instanceId, provider: s.provider, created_at: at.getTime(), ...values })
      .onConflict((oc) => oc.columns(['instance_id', 'provider']).doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return settingsFromRow(row);
  }

  async insertCreds(creds: OpenAiCreds): Promise<void> {
    await this.db
      .insertInto('openai_creds')
      .values({
        id: creds.id,
        instance_id: creds.instanceId,
        name: creds.name,
        api_key: creds.apiKey,
        created_at: creds.createdAt.getTime(),
        updated_at: creds.updatedAt.getTime(),
      })
      .execute();
  }

  async listCreds(instanceId: string): Promise<OpenAiCreds[]> {
    const rows = await this.db.selectFrom('openai_creds').selectAll().where('instance_id', '=', instanceId).orderBy('created_at').orderBy('id').execute();
    return rows.map(credsFromRow);
  }

  async findCreds(instanceId: string, id: string): Promise<OpenAiCreds | undefined> {
    const row = await this.db.selectFrom('openai_creds').selectAll().where('instance_id', '=', instanceId).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : credsFromRow(row);
  }

  async findCredsByApiKey(apiKey: string, instanceId?: string): Promise<OpenAiCreds | undefined> {
    let query = this.db.selectFrom('openai_creds').selectAll().where('api_key', '=', apiKey);
    if (instanceId !== undefined) query = query.where('instance_id', '=', instanceId);
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : credsFromRow(row);
  }

  async findCredsByName(instanceId: string, name: string): Promise<OpenAiCreds | undefined> {
    const row = await this.db.selectFrom('openai_creds').selectAll().where('instance_id', '=', instanceId).where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : credsFromRow(row);
  }

  async deleteCreds(instanceId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('openai_creds').where('instance_id', '=', instanceId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
