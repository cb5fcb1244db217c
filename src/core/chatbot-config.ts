// Chatbot configuration use cases (compat §3.10): bots of the seven providers, their settings rows and ignoreJids.
// Every read and write is scoped to the route's instance. Evolution answers a client mistake here with a plain 500;
// Parley answers 400 with the same text (404 for an unknown bot id).
import { randomUUID } from 'node:crypto';
import { DEFAULT_BEHAVIOUR, type BehaviourSettings, type Bot, type ChatbotProviderName, type ChatbotSettings, type TriggerOperator, type TriggerType } from '../domain/chatbot.js';
import { badRequest, notFound } from '../domain/errors.js';
import type { Instance } from '../domain/instance.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

/** A behaviour value as a request gives it: absent (undefined) keeps/copies, null clears (the settings row applies). */
export type BehaviourDraft = { [K in keyof BehaviourSettings]?: BehaviourSettings[K] | null };

/** A bot as a create/update body describes it. Absent fields keep their stored value on update. */
export interface BotDraft {
  enabled: boolean;
  description?: string | null;
  triggerType: TriggerType;
  triggerOperator?: TriggerOperator | null;
  triggerValue?: string | null;
  behaviour: BehaviourDraft;
  /** Provider fields given in the body (absent ones are not keys). */
  config: Record<string, unknown>;
}

export interface SettingsDraft {
  behaviour: Partial<BehaviourSettings>;
  /** undefined keeps the stored fallback; null clears it. */
  fallbackId?: string | null;
  /** Provider-specific settings given in the body (OpenAI: credentials id, speechToText). */
  extra: Record<string, unknown>;
}

/** What only the wire layer knows about a provider's fields and texts. */
export interface ProviderRules {
  /** Evolution's integration name in messages (`Openai`, `Dify`, … `EvolutionBot`). */
  name: string;
  /** Checks that need several fields (OpenAI: assistantId for assistants); the error text, or undefined. */
  check(config: Record<string, unknown>): string | undefined;
  /** Bots with equal keys call the same remote bot: a second one is a duplicate. */
  targetKey(config: Record<string, unknown>): string;
  duplicateText: string;
  /** The OpenAI credentials a bot's or settings' fields name. */
  credsId?(values: Record<string, unknown>): string | undefined;
  /** Extra settings of a settings row created implicitly (OpenAI: the bot's credentials, speech-to-text off). */
  defaultExtra?(config: Record<string, unknown>): Record<string, unknown>;
}

export interface ChatbotConfigOptions {
  enabled: Record<ChatbotProviderName, boolean>;
  rules: Record<ChatbotProviderName, ProviderRules>;
  /** Called after an instance's bots or settings changed (the engine drops its cached configuration). */
  onChanged?(instanceId: string): void;
}

export const CREDS_NOT_FOUND = 'Openai Creds not found';

const BEHAVIOUR_KEYS = Object.keys(DEFAULT_BEHAVIOUR) as (keyof BehaviourSettings)[];

export class ChatbotConfigService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: ChatbotConfigOptions,
  ) {}

  /** 400 `<Name> is disabled` when the integration's env gate is off. */
  assertEnabled(provider: ChatbotProviderName): void {
    if (!this.options.enabled[provider]) throw badRequest(`${this.options.rules[provider].name} is disabled`);
  }

  /**
   * Missing behaviour values are copied from the instance's settings row (Evolution's defaults when there is none), and
   * a settings row is created from them when the instance has none yet.
   */
  async createBot(instance: Instance, provider: ChatbotProviderName, draft: BotDraft): Promise<Bot> {
    this.assertEnabled(provider);
    const settings = await this.store.chatbots.findSettings(instance.id, provider);
    const base: BehaviourSettings = settings ?? DEFAULT_BEHAVIOUR;
    const behaviour = Object.fromEntries(BEHAVIOUR_KEYS.map((k) => [k, draft.behaviour[k] ?? base[k]])) as unknown as BehaviourSettings;
    const now = this.clock.now();
    const bot: Bot = {
      id: randomUUID(),
      instanceId: instance.id,
      provider,
      enabled: draft.enabled,
      description: draft.description ?? null,
      triggerType: draft.triggerType,
      triggerOperator: draft.triggerOperator ?? null,
      triggerValue: draft.triggerValue ?? null,
      behaviour,
      config: withoutUndefined(draft.config),
      createdAt: now,
      updatedAt: now,
    };
    await this.validate(instance, bot);
    await this.store.transaction(async (tx) => {
      if (settings === undefined) {
        const extra = this.options.rules[provider].defaultExtra?.(bot.config) ?? {};
        await tx.chatbots.upsertSettings({ instanceId: instance.id, provider, ...behaviour, fallbackId: null, extra }, now);
      }
      await tx.chatbots.insertBot(bot);
    });
    this.options.onChanged?.(instance.id);
    return bot;
  }

  /** Fields the body leaves out keep their stored values; a null behaviour value falls back to the settings row. */
  async updateBot(instance: Instance, provider: ChatbotProviderName, id: string, draft: BotDraft): Promise<Bot> {
    this.assertEnabled(provider);
    const current = await this.requireBot(instance, provider, id);
    const behaviour: Partial<BehaviourSettings> = { ...current.behaviour };
    for (const key of BEHAVIOUR_KEYS) {
      const value = draft.behaviour[key];
      if (value === null) delete behaviour[key];
      else if (value !== undefined) (behaviour as Record<string, unknown>)[key] = value;
    }
    const bot: Bot = {
      ...current,
      enabled: draft.enabled,
      description: draft.description === undefined ? current.description : draft.description,
      triggerType: draft.triggerType,
      triggerOperator: draft.triggerOperator === undefined ? current.triggerOperator : draft.triggerOperator,
      triggerValue: draft.triggerValue === undefined ? current.triggerValue : draft.triggerValue,
      behaviour,
      config: withoutUndefined({ ...current.config, ...draft.config }),
      updatedAt: this.clock.now(),
    };
    await this.validate(instance, bot);
    await this.store.chatbots.updateBot(bot);
    this.options.onChanged?.(instance.id);
    return bot;
  }

  async listBots(instance: Instance, provider: ChatbotProviderName): Promise<Bot[]> {
    this.assertEnabled(provider);
    return this.store.chatbots.listBots(instance.id, provider);
  }

  /** Another instance's bot id is not found (Evolution's fetch is not ownership-checked; Parley's is). */
  async fetchBot(instance: Instance, provider: ChatbotProviderName, id: string): Promise<Bot | undefined> {
    this.assertEnabled(provider);
    return this.store.chatbots.findBot(instance.id, provider, id);
  }

  /** Deletes the bot; its sessions go with it (foreign key), and a settings row falling back to it loses its fallback. */
  async deleteBot(instance: Instance, provider: ChatbotProviderName, id: string): Promise<void> {
    this.assertEnabled(provider);
    if (!(await this.store.chatbots.deleteBot(instance.id, provider, id))) throw this.botNotFound(provider);
    this.options.onChanged?.(instance.id);
  }

  /** Values the body leaves out keep the stored ones (Evolution's defaults for a new row). */
  async setSettings(instance: Instance, provider: ChatbotProviderName, draft: SettingsDraft): Promise<ChatbotSettings> {
    this.assertEnabled(provider);
    const current = await this.store.chatbots.findSettings(instance.id, provider);
    const base: BehaviourSettings = current ?? DEFAULT_BEHAVIOUR;
    const behaviour = Object.fromEntries(BEHAVIOUR_KEYS.map((k) => [k, draft.behaviour[k] ?? base[k]])) as unknown as BehaviourSettings;
    let fallbackId = draft.fallbackId === undefined ? (current?.fallbackId ?? null) : draft.fallbackId;
    if (fallbackId === '') fallbackId = null;
    if (fallbackId !== null && (await this.store.chatbots.findBot(instance.id, provider, fallbackId)) === undefined) {
      throw badRequest(`The fallback bot "${fallbackId}" does not exist: give the id of one of this instance's ${this.options.rules[provider].name} bots`);
    }
    const extra = { ...(current?.extra ?? this.options.rules[provider].defaultExtra?.({}) ?? {}), ...withoutUndefined(draft.extra) };
    await this.requireCreds(instance, provider, extra);
    const saved = await this.store.chatbots.upsertSettings({ instanceId: instance.id, provider, ...behaviour, fallbackId, extra }, this.clock.now());
    this.options.onChanged?.(instance.id);
    return saved;
  }

  /** The settings row and its fallback bot; `settings` is undefined when the instance never set any. */
  async fetchSettings(instance: Instance, provider: ChatbotProviderName): Promise<{ settings?: ChatbotSettings; fallback?: Bot }> {
    this.assertEnabled(provider);
    const settings = await this.store.chatbots.findSettings(instance.id, provider);
    if (settings === undefined) return {};
    const fallback = settings.fallbackId === null ? undefined : await this.store.chatbots.findBot(instance.id, provider, settings.fallbackId);
    return { settings, fallback };
  }

  /**
   * Adds or removes a jid the integration ignores. Evolution fails (500) when the instance has no settings row yet;
   * Parley creates the row from Evolution's defaults.
   */
  async ignoreJid(instance: Instance, provider: ChatbotProviderName, remoteJid: string, action: 'add' | 'remove'): Promise<string[]> {
    this.assertEnabled(provider);
    const current = await this.store.chatbots.findSettings(instance.id, provider);
    const jids = [...(current?.ignoreJids ?? [])];
    const next = action === 'add' ? (jids.includes(remoteJid) ? jids : [...jids, remoteJid]) : jids.filter((j) => j !== remoteJid);
    if (current !== undefined && next.length === jids.length && next.every((j, i) => j === jids[i])) return jids;
    const base = current ?? { ...DEFAULT_BEHAVIOUR, fallbackId: null, extra: this.options.rules[provider].defaultExtra?.({}) ?? {} };
    const saved = await this.store.chatbots.upsertSettings(
      { ...pickBehaviour(base), ignoreJids: next, instanceId: instance.id, provider, fallbackId: base.fallbackId, extra: base.extra },
      this.clock.now(),
    );
    this.options.onChanged?.(instance.id);
    return saved.ignoreJids;
  }

  private async requireBot(instance: Instance, provider: ChatbotProviderName, id: string): Promise<Bot> {
    const bot = await this.store.chatbots.findBot(instance.id, provider, id);
    if (bot === undefined) throw this.botNotFound(provider);
    return bot;
  }

  private botNotFound(provider: ChatbotProviderName) {
    return notFound(`${this.options.rules[provider].name} not found`);
  }

  private async requireCreds(instance: Instance, provider: ChatbotProviderName, values: Record<string, unknown>): Promise<void> {
    const credsId = this.options.rules[provider].credsId?.(values);
    if (credsId !== undefined && (await this.store.chatbots.findCreds(instance.id, credsId)) === undefined) throw badRequest(CREDS_NOT_FOUND);
  }

  /** Evolution's create/update rules, checked against the other bots of the same provider and instance. */
  private async validate(instance: Instance, bot: Bot): Promise<void> {
    const rules = this.options.rules[bot.provider];
    const problem = rules.check(bot.config);
    if (problem !== undefined) throw badRequest(problem);
    await this.requireCreds(instance, bot.provider, bot.config);

    if (bot.triggerType === 'keyword' && (bot.triggerOperator === null || bot.triggerOperator === 'none' || !bot.triggerValue)) {
      throw badRequest('Trigger operator and value are required');
    }
    if (bot.triggerType === 'advanced' && !bot.triggerValue) throw badRequest('Trigger value is required');
    if (bot.triggerType === 'keyword' && bot.triggerOperator === 'regex') {
      try {
        new RegExp(bot.triggerValue!);
      } catch (error) {
        throw badRequest(`triggerValue is not a valid regular expression: ${(error as Error).message}`);
      }
    }

    const others = (await this.store.chatbots.listBots(instance.id, bot.provider)).filter((b) => b.id !== bot.id);
    if (bot.enabled && bot.triggerType === 'all' && others.some((b) => b.enabled && b.triggerType === 'all')) {
      throw badRequest(`You already have a ${rules.name} with an "All" trigger, you cannot have more bots while it is active`);
    }
    const sameTrigger = (b: Bot) =>
      b.triggerType === bot.triggerType &&
      b.triggerValue === bot.triggerValue &&
      (bot.triggerType === 'advanced' || b.triggerOperator === bot.triggerOperator);
    if ((bot.triggerType === 'keyword' || bot.triggerType === 'advanced') && others.some(sameTrigger)) throw badRequest('Trigger already exists');
    const key = rules.targetKey(bot.config);
    if (others.some((b) => rules.targetKey(b.config) === key)) throw badRequest(rules.duplicateText);
  }
}

function withoutUndefined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function pickBehaviour(values: BehaviourSettings): BehaviourSettings {
  return Object.fromEntries(BEHAVIOUR_KEYS.map((k) => [k, values[k]])) as unknown as BehaviourSettings;
}
