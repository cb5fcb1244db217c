// Response shapes of the chatbot routes: bot rows and settings rows with Evolution's column names (compat §8).
import { DEFAULT_BEHAVIOUR, type Bot, type ChatbotProviderName, type ChatbotSettings, type OpenAiCreds } from '../../domain/chatbot.js';
import { iso } from '../common.js';
import { BEHAVIOUR_FIELDS, PROVIDER_WIRE } from './providers.js';

/** A bot as Evolution's table row: provider columns, behaviour columns (null when the settings row applies), trigger. */
export function botRow(bot: Bot) {
  const w = PROVIDER_WIRE[bot.provider];
  const row: Record<string, unknown> = { id: bot.id, enabled: bot.enabled, description: bot.description };
  for (const field of Object.keys(w.fields)) row[field] = bot.config[field] ?? null;
  for (const field of BEHAVIOUR_FIELDS) row[field] = bot.behaviour[field] ?? null;
  row.triggerType = bot.triggerType;
  row.triggerOperator = bot.triggerOperator;
  row.triggerValue = bot.triggerValue;
  row.createdAt = iso(bot.createdAt);
  row.updatedAt = iso(bot.updatedAt);
  row.instanceId = bot.instanceId;
  return row;
}

/** The settings row with the type's fallback column and the generic `fallbackId` (both carry the same id). */
export function settingsRow(s: ChatbotSettings) {
  const w = PROVIDER_WIRE[s.provider];
  const row: Record<string, unknown> = { id: s.id };
  for (const field of BEHAVIOUR_FIELDS) row[field] = s[field];
  row[w.fallbackKey] = s.fallbackId;
  for (const field of Object.keys(w.settingsExtra ?? {})) row[field] = s.extra[field] ?? (field === 'speechToText' ? false : null);
  row.createdAt = iso(s.createdAt);
  row.updatedAt = iso(s.updatedAt);
  row.instanceId = s.instanceId;
  row.fallbackId = s.fallbackId;
  return row;
}

/** `fetchSettings`: the row plus its fallback bot, or Evolution's defaults when the instance never set any. */
export function fetchSettingsResponse(provider: ChatbotProviderName, settings: ChatbotSettings | undefined, fallback: Bot | undefined) {
  if (settings === undefined) {
    const w = PROVIDER_WIRE[provider];
    const extra = provider === 'openai' ? { openaiCredsId: null, speechToText: false } : {};
    return { ...DEFAULT_BEHAVIOUR, ignoreJids: [], ...extra, fallbackId: '', [w.fallbackKey]: '', fallback: null };
  }
  return { ...settingsRow(settings), fallback: fallback === undefined ? null : botRow(fallback) };
}

export function credsRow(c: OpenAiCreds) {
  return { id: c.id, name: c.name, apiKey: c.apiKey, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt), instanceId: c.instanceId };
}

/** `GET /openai/creds`: each credential with its bots under Evolution's relation name. */
export function credsListRow(c: OpenAiCreds, bots: Bot[]) {
  return { ...credsRow(c), OpenaiAssistant: bots.map(botRow) };
}
