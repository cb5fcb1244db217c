// Chat actions over WhatsApp Web: existence checks, receipts, archive/unread, revoke, edit, presence, block.
import type { Presence } from '../../../domain/instance.js';
import type { MessageKey } from '../../../domain/message.js';
import type { ChatActions, LastMessageRef, NumberCheck, NumberQuery, ProviderMessage } from '../../../ports/channel-features.js';
import type { Clock } from '../../../ports/clock.js';
import type { GroupCache } from '../group-cache.js';
import type { NumberChecker } from '../number-check.js';
import { providerMessage, requireSocket, toWAKey, type SocketGetter } from './socket-access.js';

export interface ChatActionDeps {
  instanceName: string;
  socket: SocketGetter;
  numbers: NumberChecker;
  groups: GroupCache;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** The LID of a phone-number JID, when the instance has learned it. */
  lidOf?: (pnJid: string) => Promise<string | undefined>;
}

export class BaileysChatActions implements ChatActions {
  constructor(private readonly deps: ChatActionDeps) {}

  private sock() {
    return requireSocket(this.deps.socket, this.deps.instanceName);
  }

  async checkNumbers(queries: NumberQuery[]): Promise<NumberCheck[]> {
    this.sock();
    const users = queries.filter((q) => !isGroup(q.jids[0]!) && !isLid(q.jids[0]!));
    const found = await this.deps.numbers.resolve(users.map((q) => q.jids));
    const byQuery = new Map(users.map((q, i) => [q, found[i]!]));
    const results: NumberCheck[] = [];
    for (const query of queries) {
      const first = query.jids[0]!;
      if (isLid(first)) {
        // WhatsApp resolves only phone numbers to LIDs, never back; a LID is taken as existing (as Evolution does).
        results.push({ exists: true, jid: first, number: query.number, lid: first });
      } else if (isGroup(first)) {
        results.push({ exists: await this.groupExists(first), jid: first, number: query.number });
      } else {
        const jid = byQuery.get(query) ?? null;
        const lid = jid === null ? undefined : await this.deps.lidOf?.(jid);
        results.push({ exists: jid !== null, jid: jid ?? first, number: query.number, ...(lid ? { lid } : {}) });
      }
    }
    return results;
  }

  private async groupExists(jid: string): Promise<boolean> {
    try {
      await this.deps.groups.metadata(jid);
      return true;
    } catch {
      return false;
    }
  }

  async markRead(keys: MessageKey[]): Promise<void> {
    if (keys.length > 0) await this.sock().readMessages(keys.map(toWAKey));
  }

  async archive(jid: string, archive: boolean, lastMessage: LastMessageRef | undefined): Promise<void> {
    await this.sock().chatModify({ archive, lastMessages: lastMessages(lastMessage) }, jid);
  }

  async markUnread(jid: string, lastMessage: LastMessageRef | undefined): Promise<void> {
    await this.sock().chatModify({ markRead: false, lastMessages: lastMessages(lastMessage) }, jid);
  }

  async deleteForEveryone(key: MessageKey): Promise<ProviderMessage> {
    const sent = await this.sock().sendMessage(key.remoteJid, { delete: toWAKey(key) });
    return providerMessage(sent, key, this.deps.clock.now());
  }

  async edit(key: MessageKey, text: string): Promise<ProviderMessage> {
    const sent = await this.sock().sendMessage(key.remoteJid, { text, edit: toWAKey(key) });
    return providerMessage(sent, key, this.deps.clock.now());
  }

  async presence(jid: string, presence: Presence, delayMs: number): Promise<void> {
    const sock = this.sock();
    await sock.presenceSubscribe(jid);
    await sock.sendPresenceUpdate(presence, jid);
    // Typing and recording are shown for the delay and then stopped; available/unavailable simply stay.
    if (delayMs > 0 && (presence === 'composing' || presence === 'recording')) {
      await this.deps.sleep(delayMs);
      await this.sock().sendPresenceUpdate('paused', jid);
    }
  }

  async block(jid: string, block: boolean): Promise<void> {
    await this.sock().updateBlockStatus(jid, block ? 'block' : 'unblock');
  }
}

function lastMessages(last: LastMessageRef | undefined) {
  if (last === undefined) return [];
  return [{ key: toWAKey(last.key), ...(last.messageTimestamp === undefined ? {} : { messageTimestamp: last.messageTimestamp }) }];
}

const isGroup = (jid: string) => jid.endsWith('@g.us');
const isLid = (jid: string) => jid.endsWith('@lid');
