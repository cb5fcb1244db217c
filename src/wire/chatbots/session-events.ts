// The chatbot engine's wire side: reading MESSAGES_UPSERT data, and the data of TYPEBOT_START,
// TYPEBOT_CHANGE_STATUS (compat §5.5) and Parley's CHATBOT_SESSION_UPDATE.
import type { MessageContent, MessageKey } from '../../domain/message.js';
import type { BotMessage, ChatbotEventData, SessionChange } from '../../ports/chatbots.js';
import { iso } from '../common.js';
import { integrationSession } from './sessions.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function readMessage(data: unknown): BotMessage | undefined {
  if (!isObject(data) || !isObject(data.key) || !isObject(data.message)) return undefined;
  const key = data.key as unknown as MessageKey;
  if (typeof key.remoteJid !== 'string' || typeof key.id !== 'string') return undefined;
  return {
    key: { ...key, fromMe: key.fromMe === true },
    pushName: typeof data.pushName === 'string' && data.pushName !== '' ? data.pushName : null,
    messageType: typeof data.messageType === 'string' ? data.messageType : 'unknown',
    message: data.message as MessageContent,
    contextInfo: isObject(data.contextInfo) ? data.contextInfo : null,
  };
}

export const chatbotEventData: ChatbotEventData = {
  message: readMessage,
  sessionUpdate: (c: SessionChange) => ({
    remoteJid: c.remoteJid,
    provider: c.provider,
    botId: c.botId,
    status: c.status,
    reason: c.reason,
    expiresAt: iso(c.session?.expiresAt ?? null),
    session: c.session === null ? null : integrationSession(c.session),
  }),
  typebotChangeStatus: (c) => ({
    remoteJid: c.remoteJid,
    status: c.status,
    session: 'count' in c ? { count: c.count } : c.session === null ? null : integrationSession(c.session),
  }),
  typebotStart: (s) => ({ remoteJid: s.remoteJid, url: s.url, typebot: s.typebot, variables: s.variables, sessionId: s.sessionId }),
};
