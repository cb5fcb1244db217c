// One turn of one contact: the due inputs (debounced messages) → which bot answers → the provider call → replies →
// session update. The inputs are deleted only after the replies went out, so a crash repeats the turn rather than
// losing it; a failed provider call keeps them for a retry with backoff, then is reported.
import type { Logger } from 'pino';
import type { Bot, ChatbotProviderName, ChatbotSession } from '../../domain/chatbot.js';
import type { Instance } from '../../domain/instance.js';
import { ChatbotProviderError, type BotContext, type BotInput, type BotInputRow, type BotMessage, type BotTurn, type ChatbotEventData, type ChatbotOutlet, type ChatbotProvider } from '../../ports/chatbots.js';
import type { Clock } from '../../ports/clock.js';
import type { Store } from '../../ports/store.js';
import type { InstanceBots, EffectiveSettings } from './config.js';
import type { BotConfigCache } from './config-cache.js';
import { extractContent, isAudio } from './content.js';
import { planReplies } from './replies.js';
import type { SessionWriter } from './sessions.js';
import { transcribe } from './speech.js';
import { findTriggeredBot } from './triggers.js';

export interface TurnOptions {
  serverUrl: string;
  globalApiKey: string;
  timeoutMs: number;
  openAiBaseUrl: string;
  openAiGlobalKey?: string;
  language?: string;
  /** TYPEBOT_API_VERSION: Typebot bots see it as `settings.extra.apiVersion` (a bot's own `apiVersion` wins). */
  typebotApiVersion?: 'old' | 'latest';
  /** Waits before retry n+1 of a failed provider call; its length is the number of retries. */
  retryDelaysMs: number[];
  fetch: typeof fetch;
  wait(ms: number): Promise<void>;
}

export interface TurnDeps {
  store: Store;
  providers: ReadonlyMap<ChatbotProviderName, ChatbotProvider>;
  enabled: ReadonlySet<ChatbotProviderName>;
  outlet: ChatbotOutlet;
  data: ChatbotEventData;
  clock: Clock;
  logger: Logger;
  sessions: SessionWriter;
  configs: BotConfigCache;
  options: TurnOptions;
}

const TRANSCRIPTION_FAILED = "Sorry, I couldn't transcribe your audio message. Could you please type your message instead?";

/** The bot for a contact without a live session. */
export function resolveBot(bots: InstanceBots, remoteJid: string, contents: string[]): Bot | undefined {
  return findTriggeredBot(contents, bots.candidates(remoteJid))?.bot;
}

export class TurnRunner {
  constructor(private readonly d: TurnDeps) {}

  async run(instanceId: string, remoteJid: string, inputs: BotInputRow[]): Promise<void> {
    const ids = inputs.map((i) => i.id);
    const done = () => this.d.store.botSessions.deleteInputs(ids);
    const instance = await this.d.store.instances.findById(instanceId);
    if (instance === undefined) return done();
    const messages = inputs.map((i) => this.d.data.message(i.payload)).filter((m): m is BotMessage => m !== undefined);
    const bots = await this.d.configs.get(instanceId);
    const log = this.d.logger.child({ instance: instance.name, remoteJid });

    let session: ChatbotSession | undefined = await this.d.store.botSessions.latest(instanceId, remoteJid);
    let bot = session === undefined ? undefined : bots.bot(session.botId);
    if (bot === undefined || !this.d.providers.has(bot.provider)) session = undefined;

    if (session !== undefined && bot !== undefined) {
      const settings = bots.effective(bot);
      // A closed session keeps the contact silent (keepOpen) until it is reopened or deleted.
      if (session.status === 'closed') return done();
      if (settings.stopBotFromMe && messages.some((m) => m.key.fromMe)) {
        if (session.status !== 'paused') await this.d.sessions.pause(instance, session, settings.expire);
        log.info({ provider: bot.provider }, 'chatbot session paused: a message was sent from the phone');
        return done();
      }
      if (session.status === 'paused') return done();
    }

    const contentsOf = (list: BotMessage[]) => list.map(extractContent);
    if (bot === undefined || session === undefined) {
      bot = resolveBot(bots, remoteJid, contentsOf(messages));
      if (bot === undefined) return done();
    }
    const settings = bots.effective(bot);
    // With stopBotFromMe, a message typed on the phone means a human is talking: it never starts a bot session.
    const fromMeCounts = settings.listeningFromMe && !(session === undefined && settings.stopBotFromMe);
    const turnMessages = fromMeCounts ? messages : messages.filter((m) => !m.key.fromMe);
    if (turnMessages.length === 0 || bots.ignores(remoteJid, bot.provider, bot)) return done();

    const keyword = settings.keywordFinish.trim().toLowerCase();
    const contents = contentsOf(turnMessages);
    if (keyword !== '' && (contents.some((c) => c.trim().toLowerCase() === keyword) || contents.join('\n').trim().toLowerCase() === keyword)) {
      if (session !== undefined) await this.d.sessions.finish(instance, session, settings.keepOpen, 'keywordFinish');
      log.info({ provider: bot.provider }, 'chatbot session finished by keyword');
      return done();
    }

    const last = turnMessages[turnMessages.length - 1]!;
    session ??= await this.d.sessions.open(instance, bot, remoteJid, last.pushName, settings.expire);
    const ctx = this.context(instance, bot, settings, session);

    const text = await this.inputText(ctx, bots, turnMessages, contents);
    if (text === undefined) {
      await this.deliver(instance, remoteJid, [{ kind: 'text', text: TRANSCRIPTION_FAILED }], settings);
      await this.d.sessions.touch(session, { awaitUser: true }, settings.expire);
      return done();
    }
    if (text.trim() === '') {
      if (settings.unknownMessage !== '') await this.deliver(instance, remoteJid, [{ kind: 'text', text: settings.unknownMessage }], settings);
      await this.d.sessions.touch(session, { awaitUser: true }, settings.expire);
      return done();
    }

    const provider = this.d.providers.get(bot.provider)!;
    void this.d.outlet.presence(instanceId, remoteJid, 'composing').catch(() => undefined);
    let turn: BotTurn;
    try {
      turn = await provider.reply(ctx, await this.botInput(instanceId, text, last));
    } catch (error) {
      const attempts = Math.max(...inputs.map((i) => i.attempts));
      const retryable = !(error instanceof ChatbotProviderError) || error.retryable;
      if (retryable && attempts < this.d.options.retryDelaysMs.length) {
        const due = new Date(this.d.clock.now().getTime() + this.d.options.retryDelaysMs[attempts]!);
        await this.d.store.botSessions.retryInputs(ids, due);
        log.warn({ provider: bot.provider, attempt: attempts + 1, err: errorSummary(error) }, 'chatbot provider call failed; will retry');
        return;
      }
      // Reported, not lost: the contact hears `unknownMessage` and the session stays open for the next message.
      log.error({ provider: bot.provider, attempts: attempts + 1, err: errorSummary(error) }, 'chatbot provider call failed; giving up on these messages');
      if (settings.unknownMessage !== '') await this.deliver(instance, remoteJid, [{ kind: 'text', text: settings.unknownMessage }], settings);
      await this.d.sessions.touch(session, { awaitUser: true }, settings.expire);
      return done();
    }

    await this.deliver(instance, remoteJid, turn.replies, settings, turn.linkPreview);
    if (turn.finished) {
      await this.d.sessions.finish(instance, session, settings.keepOpen, 'finished');
    } else {
      await this.d.sessions.touch(
        session,
        { status: 'opened', awaitUser: true, ...(turn.sessionId !== undefined ? { sessionId: turn.sessionId } : {}), ...(turn.context !== undefined ? { context: turn.context } : {}), pushName: last.pushName ?? session.pushName },
        settings.expire,
      );
    }
    return done();
  }

  context(instance: Instance, bot: Bot, settings: EffectiveSettings, session: ChatbotSession): BotContext {
    const o = this.d.options;
    return {
      instance: { id: instance.id, name: instance.name, token: instance.token, ownerJid: instance.ownerJid },
      serverUrl: o.serverUrl,
      globalApiKey: o.globalApiKey,
      bot,
      settings: bot.provider === 'typebot' && o.typebotApiVersion !== undefined && settings.extra.apiVersion === undefined ? { ...settings, extra: { ...settings.extra, apiVersion: o.typebotApiVersion } } : settings,
      session,
      fetch: o.fetch,
      timeoutMs: o.timeoutMs,
      openAiBaseUrl: o.openAiBaseUrl,
      openAiKey: async (credsId) => {
        const fromSettings = settings.extra.openaiCredsId;
        const id = credsId ?? (bot.provider === 'openai' ? (bot.config.openaiCredsId as string | undefined) : undefined) ?? (typeof fromSettings === 'string' ? fromSettings : undefined);
        const creds = id === undefined || id === '' ? undefined : await this.d.store.chatbots.findCreds(instance.id, id);
        return creds?.apiKey ?? o.openAiGlobalKey;
      },
    };
  }

  /**
   * The joined text; voice notes are transcribed (compat §6.7): for OpenAI bots with the bot's key, for the others
   * when the instance's OpenAI settings turn `speechToText` on (their credentials, else OPENAI_API_KEY_GLOBAL).
   * undefined: transcription failed for an OpenAI bot.
   */
  private async inputText(ctx: BotContext, bots: InstanceBots, messages: BotMessage[], contents: string[]): Promise<string | undefined> {
    const parts: string[] = [];
    for (const [i, m] of messages.entries()) {
      if (!isAudio(m) || typeof m.message.speechToText === 'string') {
        parts.push(contents[i]!);
        continue;
      }
      const key = await this.speechKey(ctx, bots);
      const media = key === undefined ? undefined : await this.d.outlet.media(ctx.instance.id, m.key.id);
      if (key === undefined || media === undefined) {
        parts.push(contents[i]!);
        continue;
      }
      try {
        const text = await transcribe(media, { fetch: ctx.fetch, baseUrl: ctx.openAiBaseUrl, apiKey: key, timeoutMs: ctx.timeoutMs, language: this.d.options.language });
        parts.push(ctx.bot.provider === 'openai' ? text : `[audio] ${text}`);
      } catch (error) {
        this.d.logger.warn({ instance: ctx.instance.name, err: errorSummary(error) }, 'speech-to-text failed');
        if (ctx.bot.provider === 'openai') return undefined;
        parts.push(contents[i]!);
      }
    }
    return parts.join('\n');
  }

  /** The key to transcribe with, or undefined when this bot's voice notes are passed on as they are. */
  private async speechKey(ctx: BotContext, bots: InstanceBots): Promise<string | undefined> {
    if (ctx.bot.provider === 'openai') return ctx.openAiKey();
    // The OpenAI settings row is loaded only while OPENAI_ENABLED: speech-to-text is an OpenAI feature.
    const openai = bots.settingsRow('openai');
    if (openai?.extra.speechToText !== true) return undefined;
    const credsId = openai.extra.openaiCredsId;
    return ctx.openAiKey(typeof credsId === 'string' && credsId !== '' ? credsId : undefined);
  }

  private async botInput(instanceId: string, text: string, last: BotMessage): Promise<BotInput> {
    const input: BotInput = { text, key: last.key, pushName: last.pushName, messageType: last.messageType, message: last.message };
    const image = last.message.imageMessage as { mimetype?: string; url?: string } | undefined;
    if (image !== undefined) {
      const mediaUrl = typeof last.message.mediaUrl === 'string' ? last.message.mediaUrl : undefined;
      const stored = mediaUrl === undefined ? await this.d.outlet.media(instanceId, last.key.id).catch(() => undefined) : undefined;
      input.image = { mimetype: stored?.mimetype ?? image.mimetype ?? 'image/jpeg', ...(mediaUrl !== undefined ? { url: mediaUrl } : {}), ...(stored !== undefined ? { base64: stored.data.toString('base64') } : {}) };
    }
    return input;
  }

  /** Sends replies in order; a message the channel cannot send falls back to text, a failed send is logged and skipped. */
  async deliver(instance: Instance, remoteJid: string, replies: BotTurn['replies'], settings: EffectiveSettings, linkPreview?: boolean): Promise<void> {
    for (const planned of planReplies(replies, settings, linkPreview)) {
      try {
        await this.d.outlet.send(instance.id, { to: remoteJid, content: planned.content, delayMs: planned.delayMs });
      } catch (error) {
        if (planned.fallbackText === undefined) {
          this.d.logger.warn({ instance: instance.name, remoteJid, err: errorSummary(error) }, 'chatbot reply could not be sent');
        } else {
          await this.d.outlet
            .send(instance.id, { to: remoteJid, content: { kind: 'text', text: planned.fallbackText }, delayMs: planned.delayMs })
            .catch((e: unknown) => this.d.logger.warn({ instance: instance.name, remoteJid, err: errorSummary(e) }, 'chatbot reply could not be sent'));
        }
      }
      if (planned.waitAfterMs !== undefined && planned.waitAfterMs > 0) await this.d.options.wait(planned.waitAfterMs);
    }
  }
}

/** Error text for logs: message only (provider errors never carry keys; stacks add nothing here). */
export function errorSummary(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
