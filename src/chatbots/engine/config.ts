// An instance's bots and settings as the engine needs them for one decision: enabled providers only, effective
// behaviour (bot value → settings row → Evolution default), ignoreJids with the `@g.us` / `@s.whatsapp.net` wildcards.
import { CHATBOT_PROVIDERS, DEFAULT_BEHAVIOUR, type BehaviourSettings, type Bot, type ChatbotProviderName, type ChatbotSettings } from '../../domain/chatbot.js';
import type { ChatbotConfigRepository } from '../../ports/chatbots.js';
import type { TriggerCandidates } from './triggers.js';

export type EffectiveSettings = BehaviourSettings & { extra: Record<string, unknown> };

const BEHAVIOUR_KEYS = Object.keys(DEFAULT_BEHAVIOUR) as (keyof BehaviourSettings)[];

function pickBehaviour(source: Partial<BehaviourSettings> | undefined): Partial<BehaviourSettings> {
  const out: Partial<Record<keyof BehaviourSettings, unknown>> = {};
  for (const key of BEHAVIOUR_KEYS) {
    const value = source?.[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out as Partial<BehaviourSettings>;
}

/** `@g.us` ignores every group, `@s.whatsapp.net` every contact (`@lid` contacts too); otherwise exact JIDs. */
export function isIgnored(remoteJid: string, ignoreJids: readonly string[]): boolean {
  const isGroup = remoteJid.endsWith('@g.us');
  return ignoreJids.some((entry) => {
    if (entry === '@g.us') return isGroup;
    if (entry === '@s.whatsapp.net') return !isGroup;
    return entry === remoteJid;
  });
}

export class InstanceBots {
  private constructor(
    readonly providers: ChatbotProviderName[],
    private readonly bots: Map<ChatbotProviderName, Bot[]>,
    private readonly settingsRows: Map<ChatbotProviderName, ChatbotSettings | undefined>,
  ) {}

  static async load(repo: ChatbotConfigRepository, instanceId: string, enabled: ReadonlySet<ChatbotProviderName>): Promise<InstanceBots> {
    const providers = CHATBOT_PROVIDERS.filter((p) => enabled.has(p));
    const bots = new Map<ChatbotProviderName, Bot[]>();
    const settings = new Map<ChatbotProviderName, ChatbotSettings | undefined>();
    await Promise.all(
      providers.map(async (p) => {
        bots.set(p, await repo.listBots(instanceId, p));
        settings.set(p, await repo.findSettings(instanceId, p));
      }),
    );
    return new InstanceBots(providers, bots, settings);
  }

  get hasBots(): boolean {
    return this.providers.some((p) => (this.bots.get(p) ?? []).length > 0);
  }

  bot(id: string | null): Bot | undefined {
    if (id === null) return undefined;
    for (const p of this.providers) {
      const found = this.bots.get(p)?.find((b) => b.id === id);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  settingsRow(provider: ChatbotProviderName): ChatbotSettings | undefined {
    return this.settingsRows.get(provider);
  }

  effective(bot: Bot): EffectiveSettings {
    const row = this.settingsRows.get(bot.provider);
    return { ...DEFAULT_BEHAVIOUR, ...pickBehaviour(row), ...pickBehaviour(bot.behaviour), extra: row?.extra ?? {} };
  }

  /** Ignored by the provider's settings row or by the bot's own list. */
  ignores(remoteJid: string, provider: ChatbotProviderName, bot?: Bot): boolean {
    const rowList = this.settingsRows.get(provider)?.ignoreJids ?? [];
    return isIgnored(remoteJid, rowList) || (bot !== undefined && isIgnored(remoteJid, this.effective(bot).ignoreJids));
  }

  /** Bots that may be triggered for this contact (providers whose settings ignore it are left out). */
  candidates(remoteJid: string): TriggerCandidates {
    const open = this.providers.filter((p) => !this.ignores(remoteJid, p));
    return {
      bots: open.map((p) => [p, (this.bots.get(p) ?? []).filter((b) => !this.ignores(remoteJid, p, b))]),
      fallbacks: open.map((p) => {
        const bot = this.bot(this.settingsRows.get(p)?.fallbackId ?? null);
        return [p, bot !== undefined && bot.provider === p && !this.ignores(remoteJid, p, bot) ? bot : undefined];
      }),
    };
  }
}
