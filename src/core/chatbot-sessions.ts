// Session use cases behind the routes (compat §6.5, §3.10): changeStatus, fetchSessions, Typebot start, and Parley's
// session list. Scoped to the instance (Evolution's are not). Work on a contact is serialized with the engine's turns.
import { randomUUID } from 'node:crypto';
import { DEFAULT_BEHAVIOUR, type Bot, type ChatbotProviderName, type ChatbotSession } from '../domain/chatbot.js';
import { badRequest } from '../domain/errors.js';
import type { Instance } from '../domain/instance.js';
import type { ChatbotEventData, ChatbotRuntime, SessionChange } from '../ports/chatbots.js';
import type { Clock } from '../ports/clock.js';
import type { Repositories, Store } from '../ports/store.js';
import { sessionChangeEvents } from './chatbot-session-events.js';

export type ChangeStatus = 'opened' | 'paused' | 'closed' | 'delete';

export type ChangeStatusOutcome =
  | { status: 'delete'; remoteJid: string }
  | { status: 'closed'; remoteJid: string; instanceName: string }
  | { status: 'opened' | 'paused'; remoteJid: string; instanceName: string; count: number };

export interface SessionListFilter {
  status?: ChatbotSession['status'];
  provider?: ChatbotProviderName;
  remoteJid?: string;
}

export interface TypebotStart {
  remoteJid: string;
  url: string;
  typebot: string;
  startSession: boolean;
  variables: Record<string, unknown>;
}

export class ChatbotSessionService {
  constructor(
    private readonly store: Store,
    /** The engine of this node; absent when it does not run here (then no conversation can be started). */
    private readonly runtime: () => ChatbotRuntime | undefined,
    private readonly data: ChatbotEventData,
    private readonly clock: Clock,
  ) {}

  private exclusive<T>(instance: Instance, remoteJid: string, work: () => Promise<T>): Promise<T> {
    const runtime = this.runtime();
    return runtime === undefined ? work() : runtime.exclusive(instance.id, remoteJid, work);
  }

  private async changeEvents(tx: Repositories, instance: Instance, sessions: ChatbotSession[], status: ChangeStatus, at: Date, expiresAt?: (s: ChatbotSession) => Date | null): Promise<void> {
    const events = sessions.flatMap((s) => {
      const after = status === 'delete' ? null : { ...s, status, updatedAt: at, ...(expiresAt !== undefined ? { expiresAt: expiresAt(s) } : {}) };
      const change: SessionChange = { remoteJid: s.remoteJid, provider: s.provider, botId: s.botId, status, reason: 'changeStatus', session: after };
      return sessionChangeEvents(instance, change, this.data);
    });
    if (events.length > 0) await tx.outbox.append(events, at);
  }

  /** `delete` and `closed` (without keepOpen) remove the contact's sessions; `opened`/`paused` set their status. */
  async changeStatus(instance: Instance, provider: ChatbotProviderName, remoteJid: string, status: ChangeStatus): Promise<ChangeStatusOutcome> {
    const outcome = await this.exclusive(instance, remoteJid, async () => {
      const now = this.clock.now();
      const sessions = (await this.store.botSessions.list({ instanceId: instance.id, remoteJid })).filter((s) => s.botId !== null);
      const keepOpen = status === 'closed' && ((await this.store.chatbots.findSettings(instance.id, provider))?.keepOpen ?? DEFAULT_BEHAVIOUR.keepOpen);
      if (status === 'delete' || (status === 'closed' && !keepOpen)) {
        await this.store.transaction(async (tx) => {
          for (const s of sessions) await tx.botSessions.delete({ instanceId: instance.id, id: s.id });
          await this.changeEvents(tx, instance, sessions, 'delete', now);
        });
        return status === 'delete' ? { status, remoteJid } : { status: 'closed' as const, remoteJid, instanceName: instance.name };
      }
      if (status === 'closed') {
        await this.store.transaction(async (tx) => {
          for (const s of sessions) await tx.botSessions.update(s.id, { status: 'closed', expiresAt: null }, now);
          await this.changeEvents(tx, instance, sessions, 'closed', now, () => null);
        });
        return { status, remoteJid, instanceName: instance.name };
      }
      // Reopened or paused by hand: the session lives `expire` minutes from now.
      const expiries = new Map<string, Date | null>();
      for (const s of sessions) expiries.set(s.id, await this.expiryOf(instance.id, s, now));
      await this.store.transaction(async (tx) => {
        for (const s of sessions) await tx.botSessions.update(s.id, { status, expiresAt: expiries.get(s.id) ?? null }, now);
        await this.changeEvents(tx, instance, sessions, status, now, (s) => expiries.get(s.id) ?? null);
      });
      return { status, remoteJid, instanceName: instance.name, count: sessions.length };
    });
    this.runtime()?.sessionsChanged();
    return outcome;
  }

  private async expiryOf(instanceId: string, s: ChatbotSession, now: Date): Promise<Date | null> {
    const bot = s.botId === null ? undefined : await this.store.chatbots.findBot(instanceId, s.provider, s.botId);
    const row = await this.store.chatbots.findSettings(instanceId, s.provider);
    const minutes = bot?.behaviour.expire ?? row?.expire ?? DEFAULT_BEHAVIOUR.expire;
    return minutes > 0 ? new Date(now.getTime() + minutes * 60_000) : null;
  }

  /** The sessions of one bot of the instance; undefined when the instance has no such bot. */
  async fetchSessions(instance: Instance, provider: ChatbotProviderName, botId: string): Promise<ChatbotSession[] | undefined> {
    const bot = await this.store.chatbots.findBot(instance.id, provider, botId);
    if (bot === undefined) return undefined;
    return this.store.botSessions.list({ instanceId: instance.id, provider, botId });
  }

  /** Every session of the instance with its bot (Parley's session view). */
  async list(instance: Instance, filter: SessionListFilter): Promise<{ session: ChatbotSession; bot: Bot | undefined }[]> {
    const sessions = await this.store.botSessions.list({ instanceId: instance.id, remoteJid: filter.remoteJid, provider: filter.provider });
    const bots = new Map<string, Bot | undefined>();
    const out: { session: ChatbotSession; bot: Bot | undefined }[] = [];
    for (const session of sessions) {
      if (filter.status !== undefined && session.status !== filter.status) continue;
      if (session.botId !== null && !bots.has(session.botId)) bots.set(session.botId, await this.store.chatbots.findBot(instance.id, session.provider, session.botId));
      out.push({ session, bot: session.botId === null ? undefined : bots.get(session.botId) });
    }
    return out;
  }

  /**
   * `POST /typebot/start`. With `startSession`, a bot for url + typebot is found or created, the contact's sessions are
   * replaced by a new one, and the first messages are sent. Without it, the flow is started once and its first
   * messages are sent, but no session is kept (Evolution sends nothing then; Parley sends what the flow said).
   */
  async typebotStart(instance: Instance, start: TypebotStart): Promise<void> {
    if (start.remoteJid === 'status@broadcast') return;
    const runtime = this.runtime();
    if (runtime === undefined) throw badRequest('The chatbot engine does not run on this node (PARLEY_DISPATCH=false)');
    const now = this.clock.now();
    const bot = start.startSession ? await this.typebotBot(instance, start, now) : transientTypebot(instance, start, now);
    const { sessionId } = await runtime.exclusive(instance.id, start.remoteJid, async () => {
      if (start.startSession) await this.store.botSessions.delete({ instanceId: instance.id, remoteJid: start.remoteJid });
      return runtime.startConversation(instance.id, bot, start.remoteJid, start.variables, start.startSession);
    });
    await this.store.transaction((tx) =>
      tx.outbox.append(
        [{ event: 'TYPEBOT_START', instanceId: instance.id, instanceName: instance.name, sender: instance.ownerJid, chatKey: start.remoteJid, data: this.data.typebotStart({ ...start, sessionId }) }],
        this.clock.now(),
      ),
    );
  }

  private async typebotBot(instance: Instance, start: TypebotStart, now: Date): Promise<Bot> {
    const existing = (await this.store.chatbots.listBots(instance.id, 'typebot')).find((b) => b.config.url === start.url && b.config.typebot === start.typebot);
    if (existing !== undefined) return existing;
    const bot = transientTypebot(instance, start, now);
    await this.store.chatbots.insertBot(bot);
    return bot;
  }
}

/** A Typebot bot for url + public id that no message triggers (a keyword bot without a value): it answers its sessions only. */
function transientTypebot(instance: Instance, start: TypebotStart, now: Date): Bot {
  return {
    id: randomUUID(),
    instanceId: instance.id,
    provider: 'typebot',
    enabled: true,
    description: `Typebot ${start.typebot} (started by API)`,
    triggerType: 'keyword',
    triggerOperator: 'equals',
    triggerValue: null,
    behaviour: {},
    config: { url: start.url, typebot: start.typebot },
    createdAt: now,
    updatedAt: now,
  };
}
