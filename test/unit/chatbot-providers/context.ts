// Builds what the engine hands a provider: a BotContext around one bot and one session, and a BotInput, so each
// provider test can play several turns and carry the session's sessionId/context forward as the engine does.
import assert from 'node:assert/strict';
import { DEFAULT_BEHAVIOUR, type Bot, type ChatbotProviderName, type ChatbotSession } from '../../../src/domain/chatbot.js';
import { ChatbotProviderError, type BotContext, type BotInput, type BotTurn } from '../../../src/ports/chatbots.js';

export const REMOTE_JID = '5511999999999@s.whatsapp.net';
export const INSTANCE_TOKEN = 'instance-token-123';
export const GLOBAL_KEY = 'global-api-key-456';
export const SERVER_URL = 'https://parley.example';

export interface Harness {
  ctx: BotContext;
  /** Keeps a turn's sessionId and context in the session, as the engine does. */
  keep(turn: BotTurn): void;
}

export function harness(provider: ChatbotProviderName, config: Record<string, unknown>, options: { timeoutMs?: number; openAiBaseUrl?: string; openAiKey?: string; extra?: Record<string, unknown> } = {}): Harness {
  const now = new Date('2026-11-21T12:00:00Z');
  const bot: Bot = {
    id: `bot-${provider}`, instanceId: 'inst-1', provider, enabled: true, description: null, triggerType: 'all', triggerOperator: null,
    triggerValue: null, behaviour: {}, config, createdAt: now, updatedAt: now,
  };
  const session: ChatbotSession = {
    id: 'session-row-1', instanceId: 'inst-1', remoteJid: REMOTE_JID, provider, botId: bot.id, sessionId: REMOTE_JID, pushName: 'Ana',
    status: 'opened', awaitUser: false, context: {}, parameters: {}, expiresAt: null, createdAt: now, updatedAt: now,
  };
  const ctx: BotContext = {
    instance: { id: 'inst-1', name: 'inst1', token: INSTANCE_TOKEN, ownerJid: '5511888888888@s.whatsapp.net' },
    serverUrl: SERVER_URL,
    globalApiKey: GLOBAL_KEY,
    bot,
    settings: { ...DEFAULT_BEHAVIOUR, extra: options.extra ?? {} },
    session,
    fetch: globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 5_000,
    openAiKey: async (credsId) => (credsId === 'creds-1' || credsId === undefined ? options.openAiKey : undefined),
    openAiBaseUrl: options.openAiBaseUrl ?? 'http://127.0.0.1:9/v1',
  };
  return {
    ctx,
    keep(turn) {
      if (turn.sessionId !== undefined) session.sessionId = turn.sessionId;
      if (turn.context !== undefined) session.context = turn.context;
    },
  };
}

let counter = 0;

export function textInput(text: string, overrides: Partial<BotInput> = {}): BotInput {
  counter += 1;
  return {
    text,
    key: { remoteJid: REMOTE_JID, fromMe: false, id: `3EB0MSG${counter}` },
    pushName: 'Ana',
    messageType: 'conversation',
    message: { conversation: text },
    ...overrides,
  };
}

/** A 1×1 PNG. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export function imageInput(caption: string, image: BotInput['image']): BotInput {
  return textInput(`imageMessage|3EB0IMG|${caption}`, { messageType: 'imageMessage', message: { imageMessage: { caption } }, image });
}

export function texts(turn: BotTurn): string[] {
  return turn.replies.map((reply) => (reply.kind === 'text' ? reply.text : `<${reply.kind}>`));
}

/** Expects a ChatbotProviderError; checks that its message names the provider and never shows the secrets. */
export async function providerFails(
  work: () => Promise<unknown>,
  expected: { provider: string; status?: number; retryable?: boolean; includes?: RegExp; secrets?: string[] },
): Promise<ChatbotProviderError> {
  let caught: unknown;
  try {
    await work();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ChatbotProviderError, `expected a ChatbotProviderError, got ${String(caught)}`);
  assert.ok(caught.message.startsWith(expected.provider), `"${caught.message}" should name ${expected.provider}`);
  if (expected.status !== undefined) assert.equal(caught.status, expected.status);
  if (expected.retryable !== undefined) assert.equal(caught.retryable, expected.retryable);
  if (expected.includes !== undefined) assert.match(caught.message, expected.includes);
  for (const secret of expected.secrets ?? []) assert.ok(!caught.message.includes(secret), `the message leaks a secret: ${caught.message}`);
  return caught;
}
