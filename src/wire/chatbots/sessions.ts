// Chatbot session routes (compat §3.10, §6.5): changeStatus, fetchSessions, typebot start, and Parley's session list.
import { z } from 'zod';
import { CHATBOT_PROVIDERS, SESSION_TYPE, type ChatbotProviderName, type ChatbotSession } from '../../domain/chatbot.js';
import type { ChangeStatusOutcome } from '../../core/chatbot-sessions.js';
import { iso } from '../common.js';

/** How Evolution names each integration in its messages (`Dify not found`, `Typebot is disabled`). */
export const PROVIDER_LABEL: Record<ChatbotProviderName, string> = {
  openai: 'Openai', dify: 'Dify', flowise: 'Flowise', typebot: 'Typebot', n8n: 'N8n', evoai: 'Evoai', evolutionBot: 'Bot',
};

export const botParams = z.object({
  bot: z.enum(CHATBOT_PROVIDERS),
  instanceName: z.string(),
});

export const botSessionParams = botParams.extend({ botId: z.string() });

export const changeStatusBody = z.object({
  remoteJid: z.string().trim().min(1),
  status: z.enum(['opened', 'paused', 'closed', 'delete']),
});
export type ChangeStatusBody = z.output<typeof changeStatusBody>;

const variable = z.object({ name: z.string().min(1), value: z.unknown() });

export const typebotStartBody = z.object({
  remoteJid: z.string().trim().min(1),
  url: z.string().trim().min(1),
  typebot: z.string().trim().min(1),
  startSession: z.boolean().optional(),
  variables: z.array(variable).optional(),
});
export type TypebotStartBody = z.output<typeof typebotStartBody>;

/** `variables: [{name, value}]` → prefilled variables. */
export const prefilledVariables = (vars: TypebotStartBody['variables']): Record<string, unknown> =>
  Object.fromEntries((vars ?? []).map((v) => [v.name, v.value]));

export const sessionListQuery = z.object({
  status: z.enum(['opened', 'paused', 'closed']).optional(),
  provider: z.enum(CHATBOT_PROVIDERS).optional(),
  remoteJid: z.string().optional(),
});

/** Evolution's `IntegrationSession` row. */
export function integrationSession(s: ChatbotSession) {
  return {
    id: s.id,
    sessionId: s.sessionId,
    remoteJid: s.remoteJid,
    pushName: s.pushName,
    status: s.status,
    awaitUser: s.awaitUser,
    context: s.context,
    type: SESSION_TYPE[s.provider],
    parameters: s.parameters,
    botId: s.botId,
    instanceId: s.instanceId,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

/** One entry of Parley's `GET /chatbot/sessions/{instance}`: the row plus provider, bot, last activity and expiry. */
export function sessionListEntry(s: ChatbotSession, bot: { description: string | null } | undefined) {
  return {
    ...integrationSession(s),
    provider: s.provider,
    botDescription: bot?.description ?? null,
    lastActivityAt: iso(s.updatedAt),
    expiresAt: iso(s.expiresAt),
  };
}

/** The body `changeStatus` answers (compat §6.5). */
export function changeStatusResponse(r: ChangeStatusOutcome) {
  if (r.status === 'delete') return { bot: { remoteJid: r.remoteJid, status: 'delete' } };
  if (r.status === 'closed') return { bot: { instanceName: r.instanceName, bot: { remoteJid: r.remoteJid, status: 'closed' } } };
  return { bot: { instanceName: r.instanceName, bot: { remoteJid: r.remoteJid, status: r.status, session: { count: r.count } } } };
}

export function typebotStartResponse(instanceName: string, body: TypebotStartBody) {
  return { typebot: { instanceName, typebot: { url: body.url, remoteJid: body.remoteJid, typebot: body.typebot, prefilledVariables: prefilledVariables(body.variables) } } };
}
