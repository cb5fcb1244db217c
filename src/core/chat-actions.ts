// Chat actions that need a WhatsApp Web channel: existence checks, archive/unread, revoke, edit, presence, block.
// Stored state follows from the channel's own echo of the action (a revoke or edit comes back as a message update);
// WhatsApp does not echo our own chat patches, so an archive is recorded here, the way a chat sync would be.
import type { ChatPatch } from '../domain/channel-report.js';
import { badRequest } from '../domain/errors.js';
import type { Instance, Presence } from '../domain/instance.js';
import type { MessageKey } from '../domain/message.js';
import type { LastMessageRef, NumberCheck, NumberQuery, ProviderMessage } from '../ports/channel-features.js';
import type { Store } from '../ports/store.js';
import type { ChannelHost } from './channel-host.js';
import { requireFeature } from './channel-features.js';

/** Evolution edits text and captions only. */
const EDITABLE_TYPES = new Set(['conversation', 'extendedTextMessage', 'imageMessage', 'videoMessage']);

export type NumberCheckResult = NumberCheck & { name?: string };

/** Stores a chat change with its CHATS_UPDATE, as a channel's chat sync would (core/channel-reports.ts). */
export type ChatChangeRecorder = (instance: Instance, patch: ChatPatch) => Promise<void>;

export class ChatActionsService {
  constructor(
    private readonly store: Store,
    private readonly channels: ChannelHost,
    private readonly recordChat: ChatChangeRecorder,
  ) {}

  private chats(instance: Instance, capability: Parameters<typeof requireFeature>[2]) {
    return requireFeature(this.channels, instance, capability, 'chats');
  }

  /** Whether each number is on WhatsApp, with the stored contact name where there is one. */
  async whatsappNumbers(instance: Instance, queries: NumberQuery[]): Promise<NumberCheckResult[]> {
    const checks = await this.chats(instance, 'whatsappNumbers').checkNumbers(queries);
    return Promise.all(
      checks.map(async (check) => {
        if (!check.exists) return check;
        const [contact] = await this.store.contacts.list(instance.id, { remoteJid: check.jid }, 1, 1);
        return contact?.pushName ? { ...check, name: contact.pushName } : check;
      }),
    );
  }

  /** Throws Evolution's "not on WhatsApp" 400 (the check object as the message) unless the number exists. */
  async requireExists(instance: Instance, query: NumberQuery): Promise<NumberCheck> {
    const [check] = await this.chats(instance, 'whatsappNumbers').checkNumbers([query]);
    if (check === undefined || !check.exists) throw badRequest(check ?? { jid: query.jids[0], exists: false, number: query.number });
    return check;
  }

  async archive(instance: Instance, jid: string, archive: boolean, lastMessage: LastMessageRef | undefined): Promise<void> {
    const chats = this.chats(instance, 'archive');
    await chats.archive(jid, archive, lastMessage ?? (await this.newestMessage(instance, jid)));
    await this.recordChat(instance, { remoteJid: jid, archived: archive });
  }

  async markUnread(instance: Instance, jid: string, lastMessage: LastMessageRef | undefined): Promise<void> {
    const chats = this.chats(instance, 'archive');
    await chats.markUnread(jid, lastMessage ?? (await this.newestMessage(instance, jid)));
  }

  /** WhatsApp's chat patches anchor on the chat's newest message; without one from the client, the stored one. */
  private async newestMessage(instance: Instance, jid: string): Promise<LastMessageRef | undefined> {
    const { records } = await this.store.messages.list({ instanceId: instance.id, remoteJid: jid, page: 1, pageSize: 1 });
    const newest = records[0];
    return newest === undefined ? undefined : { key: newest.key, messageTimestamp: newest.messageTimestamp };
  }

  deleteForEveryone(instance: Instance, key: MessageKey): Promise<ProviderMessage> {
    return this.chats(instance, 'delete').deleteForEveryone(key);
  }

  async edit(instance: Instance, key: MessageKey, text: string): Promise<ProviderMessage> {
    const chats = this.chats(instance, 'edit');
    const stored = await this.store.messages.findByKeyId(instance.id, key.id);
    if (stored !== undefined && !EDITABLE_TYPES.has(stored.messageType)) throw badRequest('Message not compatible');
    return chats.edit(key, text);
  }

  presence(instance: Instance, jid: string, presence: Presence, delayMs: number): Promise<void> {
    return this.chats(instance, 'presence').presence(jid, presence, delayMs);
  }

  block(instance: Instance, jid: string, block: boolean): Promise<void> {
    return this.chats(instance, 'block').block(jid, block);
  }
}
