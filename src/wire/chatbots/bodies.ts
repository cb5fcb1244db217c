// Request bodies of the chatbot routes (compat §3.10) and their mapping onto core's drafts. Extra properties are
// allowed and ignored, as in Evolution.
import { z, type ZodType } from 'zod';
import type { BehaviourSettings, ChatbotProviderName } from '../../domain/chatbot.js';
import type { BehaviourDraft, BotDraft, SettingsDraft } from '../../core/chatbot-config.js';
import { optionalBool, optionalEnum, optionalInt, optionalStringList, optionalText, requiredBool, requiredInt } from './fields.js';
import { BEHAVIOUR_FIELDS, PROVIDER_WIRE } from './providers.js';

export const TRIGGER_TYPES = ['all', 'keyword', 'none', 'advanced'] as const;
/** `none` is not in Evolution's schema but is in its database enum; accepted. */
export const TRIGGER_OPERATORS = ['contains', 'equals', 'startsWith', 'endsWith', 'regex', 'none'] as const;

/** Optional behaviour fields of a bot body. */
const behaviourFields = {
  expire: optionalInt(0),
  keywordFinish: z.string().nullable().optional(),
  delayMessage: optionalInt(0),
  unknownMessage: z.string().nullable().optional(),
  listeningFromMe: optionalBool(),
  stopBotFromMe: optionalBool(),
  keepOpen: optionalBool(),
  debounceTime: optionalInt(0),
  ignoreJids: optionalStringList(),
  splitMessages: optionalBool(),
  timePerChar: optionalInt(0),
} satisfies Record<keyof BehaviourSettings, ZodType>;

/** The same fields as a settings schema requires them. */
const requiredBehaviourFields = {
  expire: requiredInt(0),
  keywordFinish: z.string(),
  delayMessage: requiredInt(0),
  unknownMessage: z.string(),
  listeningFromMe: requiredBool(),
  stopBotFromMe: requiredBool(),
  keepOpen: requiredBool(),
  debounceTime: requiredInt(0),
  ignoreJids: z.array(z.string()),
  splitMessages: requiredBool(),
  timePerChar: requiredInt(0),
} satisfies Record<keyof BehaviourSettings, ZodType>;

function withAliases(p: ChatbotProviderName): Record<string, ZodType> {
  const w = PROVIDER_WIRE[p];
  const aliases = Object.fromEntries(Object.entries(w.aliases ?? {}).map(([alias, field]) => [alias, w.fields[field]!.optional()]));
  return { ...w.fields, ...aliases };
}

const botBodies = new Map<ChatbotProviderName, ZodType>();

/** Create and update body of a bot type. */
export function botBody(p: ChatbotProviderName): ZodType {
  let schema = botBodies.get(p);
  if (schema === undefined) {
    schema = z.object({
      enabled: requiredBool(),
      description: optionalText(),
      triggerType: z.enum(TRIGGER_TYPES),
      triggerOperator: optionalEnum(TRIGGER_OPERATORS),
      triggerValue: optionalText(),
      ...behaviourFields,
      ...withAliases(p),
    });
    botBodies.set(p, schema);
  }
  return schema;
}

export type BotBody = Record<string, unknown> & { enabled: boolean; triggerType: BotDraft['triggerType'] };

export function botDraft(p: ChatbotProviderName, body: BotBody): BotDraft {
  const w = PROVIDER_WIRE[p];
  const config: Record<string, unknown> = {};
  for (const field of Object.keys(w.fields)) if (body[field] !== undefined) config[field] = body[field];
  for (const [alias, field] of Object.entries(w.aliases ?? {})) if (config[field] === undefined && body[alias] !== undefined) config[field] = body[alias];
  const behaviour: BehaviourDraft = {};
  for (const field of BEHAVIOUR_FIELDS) if (body[field] !== undefined) (behaviour as Record<string, unknown>)[field] = body[field];
  return {
    enabled: body.enabled,
    description: body.description as string | null | undefined,
    triggerType: body.triggerType,
    triggerOperator: body.triggerOperator as BotDraft['triggerOperator'],
    triggerValue: body.triggerValue as string | null | undefined,
    behaviour,
    config,
  };
}

const settingsBodies = new Map<ChatbotProviderName, ZodType>();

/** `/{bot}/settings` body: the behaviour fields the type's schema requires, both fallback spellings, OpenAI extras. */
export function settingsBody(p: ChatbotProviderName): ZodType {
  let schema = settingsBodies.get(p);
  if (schema === undefined) {
    const w = PROVIDER_WIRE[p];
    const required = new Set<string>(w.settingsRequired);
    const fields = Object.fromEntries(
      BEHAVIOUR_FIELDS.map((f) => [f, required.has(f) ? requiredBehaviourFields[f] : behaviourFields[f]]),
    );
    schema = z.object({ ...fields, fallbackId: optionalText(), [w.fallbackKey]: optionalText(), ...w.settingsExtra });
    settingsBodies.set(p, schema);
  }
  return schema;
}

export function settingsDraft(p: ChatbotProviderName, body: Record<string, unknown>): SettingsDraft {
  const w = PROVIDER_WIRE[p];
  const behaviour: Partial<BehaviourSettings> = {};
  for (const field of BEHAVIOUR_FIELDS) if (body[field] !== undefined && body[field] !== null) (behaviour as Record<string, unknown>)[field] = body[field];
  // Evolution's code reads `fallbackId` while its schemas and Manager send `<type>IdFallback`: both are accepted.
  const fallbackId = body.fallbackId !== undefined ? body.fallbackId : body[w.fallbackKey];
  const extra: Record<string, unknown> = {};
  for (const field of Object.keys(w.settingsExtra ?? {})) if (body[field] !== undefined && body[field] !== null) extra[field] = body[field];
  return { behaviour, fallbackId: fallbackId as string | null | undefined, extra };
}

export const ignoreJidBody = z.object({ remoteJid: z.string().trim().min(1), action: z.enum(['add', 'remove']) });

export const botParams = z.object({ botId: z.string().describe('The bot id'), instanceName: z.string().describe('The instance name') });

export const credsBody = z.object({ name: z.string().trim().min(1), apiKey: z.string().trim().min(1) });
export const credsParams = z.object({ openaiCredsId: z.string().describe('The credentials id'), instanceName: z.string().describe('The instance name') });
export const modelsQuery = z.object({ openaiCredsId: z.string().optional().describe('Credentials to list with (default: the OpenAI settings\' credentials)') });
