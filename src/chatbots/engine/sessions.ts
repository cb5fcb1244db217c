// Session state changes and the events they emit, each in one transaction. Every change that can move an expiry
// calls `changed()`, which re-arms the engine's expiry timer.
import { randomUUID } from 'node:crypto';
import type { Bot, ChatbotSession, SessionStatus } from '../../domain/chatbot.js';
import type { ChatbotEventData, SessionChangeReason } from '../../ports/chatbots.js';
import type { Clock } from '../../ports/clock.js';
import type { Repositories, Store } from '../../ports/store.js';
import { sessionChangeEvents, type EventInstance } from '../../core/chatbot-session-events.js';

export const expiryFrom = (now: Date, expireMinutes: number): Date | null => (expireMinutes > 0 ? new Date(now.getTime() + expireMinutes * 60_000) : null);

export class SessionWriter {
  constructor(
    private readonly store: Store,
    private readonly data: ChatbotEventData,
    private readonly clock: Clock,
    private readonly changed: () => void,
  ) {}

  private async emit(tx: Repositories, instance: EventInstance, session: ChatbotSession, status: SessionStatus | 'delete', reason: SessionChangeReason, at: Date) {
    const after = status === 'delete' ? null : { ...session, status, updatedAt: at };
    const events = sessionChangeEvents(instance, { remoteJid: session.remoteJid, provider: session.provider, botId: session.botId, status, reason, session: after }, this.data);
    await tx.outbox.append(events, at);
  }

  /** A new opened session for a contact and a bot. */
  async open(instance: EventInstance, bot: Bot, remoteJid: string, pushName: string | null, expireMinutes: number, reason: SessionChangeReason = 'started', id: string = randomUUID()): Promise<ChatbotSession> {
    const now = this.clock.now();
    const session: ChatbotSession = {
      id,
      instanceId: instance.id,
      remoteJid,
      provider: bot.provider,
      botId: bot.id,
      sessionId: remoteJid,
      pushName,
      status: 'opened',
      awaitUser: false,
      context: {},
      parameters: {},
      expiresAt: expiryFrom(now, expireMinutes),
      createdAt: now,
      updatedAt: now,
    };
    await this.store.transaction(async (tx) => {
      await tx.botSessions.insert(session);
      await this.emit(tx, instance, session, 'opened', reason, now);
    });
    this.changed();
    return session;
  }

  /** keywordFinish, a finished remote flow, expiry: closed when `keepOpen`, else deleted. */
  async finish(instance: EventInstance, session: ChatbotSession, keepOpen: boolean, reason: SessionChangeReason): Promise<void> {
    const now = this.clock.now();
    await this.store.transaction(async (tx) => {
      if (keepOpen) {
        await tx.botSessions.update(session.id, { status: 'closed', expiresAt: null }, now);
        await this.emit(tx, instance, { ...session, expiresAt: null }, 'closed', reason, now);
      } else {
        await tx.botSessions.delete({ instanceId: session.instanceId, id: session.id });
        await this.emit(tx, instance, session, 'delete', reason, now);
      }
    });
    this.changed();
  }

  /** A human answered from the phone: the bot stays silent until the session is reopened or expires. */
  async pause(instance: EventInstance, session: ChatbotSession, expireMinutes: number): Promise<void> {
    const now = this.clock.now();
    const expiresAt = expiryFrom(now, expireMinutes);
    await this.store.transaction(async (tx) => {
      await tx.botSessions.update(session.id, { status: 'paused', expiresAt }, now);
      await this.emit(tx, instance, { ...session, expiresAt }, 'paused', 'fromMe', now);
    });
    this.changed();
  }

  /** Activity: the session stays as it is and lives `expire` minutes more. */
  async touch(session: ChatbotSession, patch: Parameters<Repositories['botSessions']['update']>[1], expireMinutes: number): Promise<void> {
    const now = this.clock.now();
    await this.store.botSessions.update(session.id, { ...patch, expiresAt: expiryFrom(now, expireMinutes) }, now);
    this.changed();
  }
}
