// The chatbot engine: takes MESSAGES_UPSERT from the outbox (woken on commit and by a poll), runs due turns — one at a
// time per contact, many contacts in parallel — and ends expired sessions on a durable timer armed on the earliest
// expiry. Everything it needs to continue (cursor, inputs, sessions) is in the database, so a restart resumes.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bot, ChatbotProviderName, ChatbotSession } from '../../domain/chatbot.js';
import { badRequest, notFound } from '../../domain/errors.js';
import { KeyedMutex } from '../../lib/keyed-mutex.js';
import type { BotInputRow, ChatbotEventData, ChatbotOutlet, ChatbotProvider, ChatbotRuntime } from '../../ports/chatbots.js';
import type { Clock } from '../../ports/clock.js';
import type { Store } from '../../ports/store.js';
import { InstanceBots } from './config.js';
import { BotConfigCache } from './config-cache.js';
import { OutboxIntake, type IntakeOptions } from './intake.js';
import { SessionWriter } from './sessions.js';
import { TurnRunner, type TurnOptions } from './turns.js';

export interface ChatbotEngineOptions extends TurnOptions, IntakeOptions {
  /** Wakes the engine even without a local commit (other nodes, missed wake-ups). */
  pollIntervalMs: number;
  /** Contacts answered in parallel. */
  concurrency: number;
  /** How long an instance's bot configuration is reused (changes on this node are seen at once; on others after this). */
  configTtlMs?: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * Commits wake the engine after this short delay, so a busy instance's hundreds of commits a second cost a few passes,
 * not one each (a bot's answer waits for its debounce anyway).
 */
const COMMIT_WAKE_DELAY_MS = 25;
/** After an unexpected failure (database), a turn's inputs wait this long instead of spinning. */
const FAILED_TURN_DELAY_MS = 5000;

const contactKey = (instanceId: string, remoteJid: string) => `${instanceId}\u0000${remoteJid}`;

export class ChatbotEngine implements ChatbotRuntime {
  private readonly mutex = new KeyedMutex();
  private readonly intake: OutboxIntake;
  private readonly sessions: SessionWriter;
  private readonly turns: TurnRunner;
  private readonly providers: Map<ChatbotProviderName, ChatbotProvider>;
  private readonly enabled: ReadonlySet<ChatbotProviderName>;
  private readonly configs: BotConfigCache;
  private readonly busy = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private commitWake: NodeJS.Timeout | undefined;
  private gapTimer: NodeJS.Timeout | undefined;
  /** Something may be due that the timer does not know of (new inputs, changed sessions, finished turns, a poll). */
  private dirty = true;
  /** When the armed timer fires (epoch ms): until then, with nothing dirty, a pass only takes new events. */
  private nextDueMs = 0;

  constructor(
    private readonly store: Store,
    providers: ChatbotProvider[],
    enabled: Record<ChatbotProviderName, boolean>,
    outlet: ChatbotOutlet,
    data: ChatbotEventData,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: ChatbotEngineOptions,
  ) {
    this.providers = new Map(providers.map((p) => [p.name, p]));
    this.enabled = new Set(providers.map((p) => p.name).filter((name) => enabled[name]));
    this.configs = new BotConfigCache(store.chatbots, this.enabled, { ttlMs: options.configTtlMs ?? 5000 });
    this.sessions = new SessionWriter(store, data, clock, () => this.sessionsChanged());
    this.turns = new TurnRunner({ store, providers: this.providers, enabled: this.enabled, outlet, data, clock, logger, sessions: this.sessions, configs: this.configs, options });
    this.intake = new OutboxIntake(store, data, clock, this.configs, options);
    store.onEventsCommitted(() => this.wakeAfterCommit());
  }

  async start(): Promise<void> {
    await this.intake.init();
    this.stopped = false;
    this.poll = setInterval(() => {
      // Sessions changed through another node (changeStatus) are seen here.
      this.dirty = true;
      this.wake();
    }, this.options.pollIntervalMs);
    this.poll.unref();
    this.wake();
  }

  /** Stops waking; waits for the pass and the turns in progress (their inputs stay stored if they do not finish). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.timer);
    clearTimeout(this.commitWake);
    clearTimeout(this.gapTimer);
    await this.chain;
    await Promise.allSettled([...this.inFlight]);
    await this.intake.flush().catch((error: unknown) => this.logger.warn({ err: error }, 'chatbot engine cursor not written'));
  }

  /** One full pass now (intake, due turns, expiries), waiting for the turns it starts. Tests drive a manual clock with it. */
  async tick(): Promise<void> {
    this.dirty = true;
    await (this.chain = this.chain.then(() => this.pass()));
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private wakeAfterCommit(): void {
    if (this.stopped || this.commitWake !== undefined) return;
    this.commitWake = setTimeout(() => {
      this.commitWake = undefined;
      this.wake();
    }, COMMIT_WAKE_DELAY_MS);
    this.commitWake.unref();
  }

  wake(): void {
    if (this.stopped || this.queued) return;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      await this.pass();
    });
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    try {
      const waitingOnGap = await this.intake.drain();
      if (this.intake.takeStoredCount() > 0) this.dirty = true;
      if (!this.dirty && this.clock.now().getTime() < this.nextDueMs) {
        if (waitingOnGap) this.armGapRecheck();
        return;
      }
      this.dirty = false;
      await this.startDueTurns();
      await this.expire();
      await this.arm(waitingOnGap);
    } catch (error) {
      this.logger.error({ err: error }, 'chatbot engine pass failed');
    }
  }

  private async startDueTurns(): Promise<void> {
    const rows = await this.store.botSessions.dueInputs(this.clock.now(), 1000);
    const groups = new Map<string, BotInputRow[]>();
    for (const row of rows) {
      const key = contactKey(row.instanceId, row.remoteJid);
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const [key, inputs] of groups) {
      if (this.busy.has(key)) continue;
      if (this.inFlight.size >= this.options.concurrency) break;
      const { instanceId, remoteJid } = inputs[0]!;
      this.busy.add(key);
      const turn: Promise<void> = this.mutex
        .run(key, () => this.turns.run(instanceId, remoteJid, inputs))
        .catch(async (error: unknown) => {
          this.logger.error({ instanceId, remoteJid, err: error }, 'chatbot turn failed');
          const due = new Date(this.clock.now().getTime() + FAILED_TURN_DELAY_MS);
          await this.store.botSessions.retryInputs(inputs.map((i) => i.id), due).catch(() => undefined);
        })
        .finally(() => {
          this.busy.delete(key);
          this.inFlight.delete(turn);
          this.dirty = true;
          this.wake();
        });
      this.inFlight.add(turn);
    }
  }

  private async expire(): Promise<void> {
    const now = this.clock.now();
    for (const expired of await this.store.botSessions.expired(now, 100)) {
      await this.mutex.run(contactKey(expired.instanceId, expired.remoteJid), async () => {
        const [current] = await this.store.botSessions.list({ instanceId: expired.instanceId, id: expired.id });
        if (current === undefined || current.status === 'closed' || current.expiresAt === null || current.expiresAt > now) return;
        const instance = await this.store.instances.findById(current.instanceId);
        if (instance === undefined) return;
        const bots = await this.botsFor(instance.id, current.provider);
        const bot = bots.bot(current.botId);
        const keepOpen = bot !== undefined ? bots.effective(bot).keepOpen : (bots.settingsRow(current.provider)?.keepOpen ?? false);
        await this.sessions.finish(instance, current, keepOpen, 'expired');
        this.logger.info({ instance: instance.name, remoteJid: current.remoteJid, provider: current.provider, keepOpen }, 'chatbot session expired');
      });
    }
  }

  /** The timer wakes at the next due input or expiry; a hole in the outbox seqs is rechecked shortly. */
  private async arm(waitingOnGap: boolean): Promise<void> {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const [input, expiry] = await Promise.all([this.store.botSessions.nextInputDue(), this.store.botSessions.nextExpiry()]);
    const next = Math.min(input?.getTime() ?? Infinity, expiry?.getTime() ?? Infinity);
    this.nextDueMs = next;
    if (waitingOnGap) this.armGapRecheck();
    if (next === Infinity) return;
    const delay = Math.max(0, next - this.clock.now().getTime());
    this.timer = setTimeout(() => {
      this.dirty = true;
      this.wake();
    }, Math.min(delay, MAX_TIMER_MS));
    this.timer.unref();
  }

  /** A hole in the outbox seqs (a transaction still committing) is looked at again shortly. */
  private armGapRecheck(): void {
    if (this.gapTimer !== undefined) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      this.wake();
    }, 100);
    this.gapTimer.unref();
  }

  /** The cached configuration; a disabled provider's (its sessions may still expire) is read directly. */
  private botsFor(instanceId: string, provider: ChatbotProviderName): Promise<InstanceBots> {
    return this.enabled.has(provider) ? this.configs.get(instanceId) : InstanceBots.load(this.store.chatbots, instanceId, new Set([provider]));
  }

  /** Bots or settings of the instance changed through this node (the config service calls this). */
  configChanged(instanceId: string): void {
    this.configs.invalidate(instanceId);
  }

  // ChatbotRuntime -------------------------------------------------------------------------------------------------

  exclusive<T>(instanceId: string, remoteJid: string, work: () => Promise<T>): Promise<T> {
    return this.mutex.run(contactKey(instanceId, remoteJid), work);
  }

  sessionsChanged(): void {
    this.dirty = true;
    this.wake();
  }

  async startConversation(instanceId: string, bot: Bot, remoteJid: string, variables: Record<string, unknown>, persist: boolean): Promise<{ sessionId: string | null }> {
    const provider = this.providers.get(bot.provider);
    if (provider?.start === undefined) throw badRequest(`${bot.provider} bots cannot start a conversation`);
    const instance = await this.store.instances.findById(instanceId);
    if (instance === undefined) throw notFound('Instance not found');
    // A session started here may use a bot the API just created (url + typebot): read the configuration afresh.
    if (persist) this.configs.invalidate(instanceId);
    const bots = await this.botsFor(instanceId, bot.provider);
    const settings = bots.effective(bot);
    const now = this.clock.now();
    const draft: ChatbotSession = {
      id: randomUUID(), instanceId, remoteJid, provider: bot.provider, botId: bot.id, sessionId: remoteJid, pushName: null, status: 'opened',
      awaitUser: false, context: {}, parameters: variables, expiresAt: null, createdAt: now, updatedAt: now,
    };
    const turn = await provider.start(this.turns.context(instance, bot, settings, draft), variables);
    let session: ChatbotSession | undefined;
    if (persist) {
      session = await this.sessions.open(instance, bot, remoteJid, null, settings.expire, 'typebotStart', draft.id);
      await this.sessions.touch(session, { awaitUser: true, parameters: variables, ...(turn.sessionId !== undefined ? { sessionId: turn.sessionId } : {}), ...(turn.context !== undefined ? { context: turn.context } : {}) }, settings.expire);
    }
    await this.turns.deliver(instance, remoteJid, turn.replies, settings, turn.linkPreview);
    if (session !== undefined && turn.finished) await this.sessions.finish(instance, session, settings.keepOpen, 'finished');
    this.logger.info({ instance: instance.name, remoteJid, provider: bot.provider, persist }, 'chatbot conversation started');
    return { sessionId: turn.sessionId ?? null };
  }
}
