// Chatbot ports. To add a bot provider: one file under src/chatbots/providers/ implementing `ChatbotProvider`, plus
// one line in src/chatbots/providers/registry.ts. Triggers, sessions, expiry, debounce and sending are the engine's.
import type { Bot, ChatbotProviderName, ChatbotSession, ChatbotSettings, OpenAiCreds, SessionStatus, BehaviourSettings } from '../domain/chatbot.js';
import type { MessageContent, MessageKey } from '../domain/message.js';
import type { ButtonSpec, OutboundMessage } from '../domain/outbound.js';

// ---------------------------------------------------------------------------------------------------------------
// Storage

/** Bots, settings rows and OpenAI credentials (storage/repositories/chatbot-config.ts). */
export interface ChatbotConfigRepository {
  insertBot(bot: Bot): Promise<void>;
  updateBot(bot: Bot): Promise<void>;
  /** Scoped to the instance: another instance's bot id is not found. */
  findBot(instanceId: string, provider: ChatbotProviderName, id: string): Promise<Bot | undefined>;
  listBots(instanceId: string, provider: ChatbotProviderName): Promise<Bot[]>;
  /** Deletes the bot and its sessions. */
  deleteBot(instanceId: string, provider: ChatbotProviderName, id: string): Promise<boolean>;
  findSettings(instanceId: string, provider: ChatbotProviderName): Promise<ChatbotSettings | undefined>;
  upsertSettings(settings: Omit<ChatbotSettings, 'id' | 'createdAt' | 'updatedAt'>, at: Date): Promise<ChatbotSettings>;
  insertCreds(creds: OpenAiCreds): Promise<void>;
  listCreds(instanceId: string): Promise<OpenAiCreds[]>;
  findCreds(instanceId: string, id: string): Promise<OpenAiCreds | undefined>;
  /** Evolution checks apiKey uniqueness across all instances; with `instanceId`, Parley's check is scoped to that instance. */
  findCredsByApiKey(apiKey: string, instanceId?: string): Promise<OpenAiCreds | undefined>;
  findCredsByName(instanceId: string, name: string): Promise<OpenAiCreds | undefined>;
  deleteCreds(instanceId: string, id: string): Promise<boolean>;
}

export interface SessionFilter {
  instanceId: string;
  /** One session row. */
  id?: string;
  remoteJid?: string;
  provider?: ChatbotProviderName;
  botId?: string;
}

/** A message waiting for a bot: stored durably when taken from the outbox, answered when due (debounce). */
export interface BotInputRow {
  id: string;
  instanceId: string;
  remoteJid: string;
  /** The outbox event id it came from (unique: taking the same event twice stores it once). */
  eventId: string;
  /** The Evolution msg object of the MESSAGES_UPSERT event. */
  payload: Record<string, unknown>;
  dueAt: Date;
  attempts: number;
  createdAt: Date;
}

/** Sessions, the durable input queue and the engine's outbox cursor (storage/repositories/chatbot-sessions.ts). */
export interface ChatbotSessionRepository {
  /** The newest session of a contact, any provider (one logical session per instance + remoteJid). */
  latest(instanceId: string, remoteJid: string): Promise<ChatbotSession | undefined>;
  insert(session: ChatbotSession): Promise<void>;
  update(id: string, patch: Partial<Pick<ChatbotSession, 'status' | 'awaitUser' | 'sessionId' | 'context' | 'parameters' | 'expiresAt' | 'pushName' | 'botId'>>, at: Date): Promise<void>;
  list(filter: SessionFilter): Promise<ChatbotSession[]>;
  setStatus(filter: SessionFilter, status: SessionStatus, at: Date): Promise<number>;
  delete(filter: SessionFilter): Promise<number>;
  /** Sessions still opened or paused whose expiry is due. */
  expired(now: Date, limit: number): Promise<ChatbotSession[]>;
  /** Earliest pending expiry, to arm the timer. */
  nextExpiry(): Promise<Date | undefined>;

  /** Stores an input unless its eventId is known; false for a duplicate. */
  enqueueInput(input: BotInputRow): Promise<boolean>;
  /** Pushes back the due time of a contact's pending inputs (debounce restarts on every new message). */
  deferInputs(instanceId: string, remoteJid: string, dueAt: Date): Promise<void>;
  /** Contacts with inputs due, each with all their pending inputs in arrival order. */
  dueInputs(now: Date, limit: number): Promise<BotInputRow[]>;
  nextInputDue(): Promise<Date | undefined>;
  deleteInputs(ids: string[]): Promise<void>;
  retryInputs(ids: string[], dueAt: Date): Promise<void>;

  /** Outbox position the engine has taken events up to (0 when it never ran). */
  cursor(consumer: string): Promise<number>;
  /** Whether the consumer ever stored a cursor (on its first start it begins at the end of the outbox). */
  hasCursor(consumer: string): Promise<boolean>;
  setCursor(consumer: string, seq: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Providers

/** What the engine hands a provider for one turn. */
export interface BotInput {
  /** Text extracted per Evolution's rules (`imageMessage|<ref>|caption`, transcribed audio …), debounced messages joined by `\n`. */
  text: string;
  key: MessageKey;
  pushName: string | null;
  messageType: string;
  message: MessageContent;
  /** Image of the message, when it has one (for providers that accept files). */
  image?: { url?: string; base64?: string; mimetype: string };
}

export interface BotContext {
  /** `ownerJid`: the instance's own number (Typebot receives it as a prefilled variable), when known. */
  instance: { id: string; name: string; token: string; ownerJid?: string | null };
  /** SERVER_URL, sent to providers as `serverUrl`. */
  serverUrl: string;
  /** The global API key (Typebot receives it as `apiKey`, as in Evolution). */
  globalApiKey: string;
  bot: Bot;
  settings: BehaviourSettings & { extra: Record<string, unknown> };
  session: ChatbotSession;
  /** HTTP through the outbound policy (cloud metadata always refused, private ranges when configured), with a timeout. */
  fetch: typeof fetch;
  /** Per-call timeout (ms) the provider should apply to each request. */
  timeoutMs: number;
  /** The instance's OpenAI API key (settings creds), for OpenAI bots and speech-to-text. */
  openAiKey(credsId?: string): Promise<string | undefined>;
  /** OPENAI base URL (tests point it at a fake). */
  openAiBaseUrl: string;
}

export type BotReply = (
  | { kind: 'text'; text: string }
  | { kind: 'media'; mediatype: 'image' | 'video' | 'audio' | 'document'; url: string; caption?: string; fileName?: string }
  | { kind: 'list'; title: string; description?: string; footerText: string; buttonText: string; sections: { title: string; rows: { title: string; description?: string; rowId: string }[] }[] }
  | { kind: 'buttons'; title?: string; description?: string; footer?: string; thumbnailUrl?: string; buttons: ButtonSpec[] }
) & {
  /** Pause before the next reply (Typebot `wait` client-side action after this bubble). */
  waitAfterMs?: number;
};

/** A provider's answer to one turn. */
export interface BotTurn {
  replies: BotReply[];
  /** New remote conversation id to keep in the session (thread, conversation_id, Typebot session). */
  sessionId?: string;
  /** New provider state to keep (replaces the session's context). */
  context?: Record<string, unknown>;
  /** The remote conversation ended (Typebot: no input expected): the engine closes or deletes the session. */
  finished?: boolean;
  linkPreview?: boolean;
}

/**
 * A provider call failed (non-2xx, timeout, network, malformed answer). The message names the provider, the status
 * and a short body excerpt, never a key. `retryable`: timeouts, network errors, 408/429 and 5xx.
 */
export class ChatbotProviderError extends Error {
  override name = 'ChatbotProviderError';
  constructor(
    message: string,
    readonly provider: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface ChatbotProvider {
  readonly name: ChatbotProviderName;
  /** One turn: send the input, return the replies. Throws on provider errors (the engine retries or reports). */
  reply(ctx: BotContext, input: BotInput): Promise<BotTurn>;
  /** Starts a remote conversation without user input (Typebot `/typebot/start`). */
  start?(ctx: BotContext, variables: Record<string, unknown>): Promise<BotTurn>;
}

// ---------------------------------------------------------------------------------------------------------------
// How the engine talks back to the conversation (implemented by core on top of MessagingService).

export interface ChatbotOutlet {
  /** Sends through the instance's channel; stored with SEND_MESSAGE like an API send (never fed back to bots). */
  send(instanceId: string, message: OutboundMessage): Promise<void>;
  /** Typing/recording presence in a chat; ignored by channels without presence. */
  presence(instanceId: string, remoteJid: string, presence: 'composing' | 'recording' | 'paused'): Promise<void>;
  /** Stored media bytes of a message (audio to transcribe, images to forward). */
  media(instanceId: string, keyId: string): Promise<{ data: Buffer; mimetype: string } | undefined>;
}

// ---------------------------------------------------------------------------------------------------------------
// Engine events and the messages it reads, in the wire format (implemented in src/wire/chatbots/session-events.ts and
// injected, so the engine never spells an Evolution field).

/** A message as the engine reads it from a MESSAGES_UPSERT event. */
export interface BotMessage {
  key: MessageKey;
  pushName: string | null;
  messageType: string;
  message: MessageContent;
  contextInfo: Record<string, unknown> | null;
}

/** Why a session changed (the `reason` of CHATBOT_SESSION_UPDATE). */
export type SessionChangeReason = 'started' | 'keywordFinish' | 'finished' | 'expired' | 'fromMe' | 'changeStatus' | 'typebotStart';

export interface SessionChange {
  remoteJid: string;
  provider: ChatbotProviderName;
  botId: string | null;
  /** `delete`: the session row is gone. */
  status: SessionStatus | 'delete';
  reason: SessionChangeReason;
  /** The session after the change; null when deleted. */
  session: ChatbotSession | null;
}

export interface ChatbotEventData {
  /** The message a MESSAGES_UPSERT event (or a stored input) carries; undefined when the data is not one. */
  message(data: unknown): BotMessage | undefined;
  /** CHATBOT_SESSION_UPDATE data (Parley's event, every provider). */
  sessionUpdate(change: SessionChange): unknown;
  /** TYPEBOT_CHANGE_STATUS data (typebot sessions; Evolution's shape). */
  typebotChangeStatus(change: SessionChange | { remoteJid: string; status: SessionStatus | 'delete'; count: number }): unknown;
  /** TYPEBOT_START data. */
  typebotStart(start: { remoteJid: string; url: string; typebot: string; variables: Record<string, unknown>; sessionId: string | null }): unknown;
}

/** What session routes (core) need from the running engine. */
export interface ChatbotRuntime {
  /** Runs `work` exclusively for one contact, never alongside that contact's turn or expiry. */
  exclusive<T>(instanceId: string, remoteJid: string, work: () => Promise<T>): Promise<T>;
  /** Sessions were changed outside the engine: re-arm the expiry timer. */
  sessionsChanged(): void;
  /**
   * Starts a remote conversation without user input (Typebot start) and sends its first messages. With `persist`,
   * a session is stored (opened, or finished at once when the flow ends); returns the provider's session id.
   */
  startConversation(instanceId: string, bot: Bot, remoteJid: string, variables: Record<string, unknown>, persist: boolean): Promise<{ sessionId: string | null }>;
}
