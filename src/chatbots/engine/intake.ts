// The engine's outbox consumer: MESSAGES_UPSERT events after its cursor become durable inputs (one per event), and
// the cursor moves in the same transaction, so a crash neither drops nor doubles a message. Only messages a bot
// would handle are stored: the contact has a session, or a bot is triggered (or is a fallback).
import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '../../domain/events.js';
import type { BotInputRow, ChatbotEventData } from '../../ports/chatbots.js';
import type { Clock } from '../../ports/clock.js';
import type { Store } from '../../ports/store.js';
import type { InstanceBots } from './config.js';
import type { BotConfigCache } from './config-cache.js';
import { extractContent, isConversationTurn } from './content.js';
import { resolveBot } from './turns.js';

export const CONSUMER = 'chatbot-engine';
const BATCH = 500;
/**
 * With no input to store, the cursor is written at most this often: on a busy instance without bots, a write per
 * pass would cost more than the messages themselves. After a crash the few events since are read again and, holding
 * no input, are skipped again (inputs are unique by event id anyway).
 */
const IDLE_CURSOR_WRITE_MS = 1000;

export interface IntakeOptions {
  /** How long a hole in the outbox seqs is waited for (a transaction still committing) before it is skipped. */
  gapWaitMs: number;
}

export class OutboxIntake {
  private cursor = 0;
  private cursorWrittenAt = -Infinity;
  private storedSinceCheck = 0;
  /** First time each missing seq was seen (monotonic ms). */
  private readonly gaps = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly data: ChatbotEventData,
    private readonly clock: Clock,
    private readonly configs: BotConfigCache,
    private readonly options: IntakeOptions,
  ) {}

  /** On the very first start the engine begins at the end of the outbox: older messages are history, not questions. */
  async init(): Promise<void> {
    if (await this.store.botSessions.hasCursor(CONSUMER)) {
      this.cursor = await this.store.botSessions.cursor(CONSUMER);
    } else {
      this.cursor = await this.store.outbox.lastSeq();
      await this.store.botSessions.setCursor(CONSUMER, this.cursor);
    }
  }

  /** How many inputs were stored since the last call (the engine looks for due turns only when there are new ones). */
  takeStoredCount(): number {
    const stored = this.storedSinceCheck;
    this.storedSinceCheck = 0;
    return stored;
  }

  /** Writes the cursor an idle pass may have left unwritten (on stop). */
  async flush(): Promise<void> {
    await this.store.botSessions.setCursor(CONSUMER, this.cursor);
  }

  /** Takes everything committed so far; true when a gap is still being waited for. */
  async drain(): Promise<boolean> {
    for (;;) {
      const seqs = await this.store.outbox.seqsAfter(this.cursor, BATCH * 2);
      if (seqs.length === 0) return false;
      const upTo = this.horizon(seqs);
      if (upTo === this.cursor) return true;
      const events = await this.store.outbox.after(this.cursor, upTo, ['MESSAGES_UPSERT'], BATCH);
      const next = events.length === BATCH ? events[events.length - 1]!.seq : upTo;
      await this.take(events, next);
      this.cursor = next;
    }
  }

  /** The last seq up to which every event is visible (holes older than gapWaitMs are skipped: rolled back). */
  private horizon(seqs: number[]): number {
    let upTo = this.cursor;
    let expected = this.cursor + 1;
    const now = performance.now();
    for (const seq of seqs) {
      while (expected < seq) {
        const seen = this.gaps.get(expected) ?? now;
        this.gaps.set(expected, seen);
        if (now - seen < this.options.gapWaitMs) return upTo;
        this.gaps.delete(expected);
        expected += 1;
      }
      upTo = seq;
      expected = seq + 1;
    }
    for (const seq of this.gaps.keys()) if (seq <= upTo) this.gaps.delete(seq);
    return upTo;
  }

  private async take(events: StoredEvent[], next: number): Promise<void> {
    const now = this.clock.now();
    const configs = new Map<string, InstanceBots>();
    const inputs: BotInputRow[] = [];
    const dueByContact = new Map<string, { instanceId: string; remoteJid: string; due: Date }>();
    for (const event of events) {
      const message = this.data.message(event.data);
      if (event.instanceId === null || message === undefined || !isConversationTurn(message)) continue;
      let bots = configs.get(event.instanceId);
      if (bots === undefined) {
        bots = await this.configs.get(event.instanceId);
        configs.set(event.instanceId, bots);
      }
      if (!bots.hasBots) continue;
      const remoteJid = message.key.remoteJid;
      const session = await this.store.botSessions.latest(event.instanceId, remoteJid);
      const bot = bots.bot(session?.botId ?? null) ?? resolveBot(bots, remoteJid, [extractContent(message)]);
      if (bot === undefined) continue;
      // A message from the phone may hand the chat to a human: decide at once. Others wait for the debounce.
      const debounceMs = message.key.fromMe ? 0 : bots.effective(bot).debounceTime * 1000;
      const due = new Date(now.getTime() + debounceMs);
      inputs.push({ id: randomUUID(), instanceId: event.instanceId, remoteJid, eventId: event.id, payload: event.data as Record<string, unknown>, dueAt: due, attempts: 0, createdAt: now });
      const key = `${event.instanceId}\u0000${remoteJid}`;
      const previous = dueByContact.get(key);
      dueByContact.set(key, { instanceId: event.instanceId, remoteJid, due: previous === undefined || debounceMs === 0 ? due : new Date(Math.max(previous.due.getTime(), due.getTime())) });
    }
    if (inputs.length === 0) {
      if (performance.now() - this.cursorWrittenAt < IDLE_CURSOR_WRITE_MS) return;
      await this.store.botSessions.setCursor(CONSUMER, next);
      this.cursorWrittenAt = performance.now();
      return;
    }
    await this.store.transaction(async (tx) => {
      for (const input of inputs) await tx.botSessions.enqueueInput(input);
      // Debounce restarts with every message: the contact's pending inputs are all due at the newest due time.
      for (const c of dueByContact.values()) await tx.botSessions.deferInputs(c.instanceId, c.remoteJid, c.due);
      await tx.botSessions.setCursor(CONSUMER, next);
    });
    this.cursorWrittenAt = performance.now();
    this.storedSinceCheck += inputs.length;
  }
}
