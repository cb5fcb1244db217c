// How the chatbot engine talks back: sends go through MessagingService (capability check, channel, stored with
// SEND_MESSAGE like an API send — never fed back to bots), presence through the live channel, media from storage.
import type { Presence } from '../domain/instance.js';
import type { OutboundMessage } from '../domain/outbound.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { ChatbotOutlet } from '../ports/chatbots.js';
import type { Store } from '../ports/store.js';
import type { ChannelHost } from './channel-host.js';
import type { MessagingService } from './messaging.js';

export class MessagingChatbotOutlet implements ChatbotOutlet {
  constructor(
    private readonly store: Store,
    private readonly messaging: MessagingService,
    private readonly channels: ChannelHost,
    private readonly blobs: BlobStore,
  ) {}

  async send(instanceId: string, message: OutboundMessage): Promise<void> {
    const instance = await this.store.instances.findById(instanceId);
    if (instance === undefined) throw new Error(`instance ${instanceId} is gone`);
    await this.messaging.send(instance, message.content.kind, message);
  }

  async presence(instanceId: string, remoteJid: string, presence: Extract<Presence, 'composing' | 'recording' | 'paused'>): Promise<void> {
    // Only a live connection that offers chat presence shows it; others (EVOLUTION, Cloud API) have none.
    await this.channels.existing(instanceId)?.chats?.presence(remoteJid, presence, 0);
  }

  async media(instanceId: string, keyId: string): Promise<{ data: Buffer; mimetype: string } | undefined> {
    const message = await this.store.messages.findByKeyId(instanceId, keyId);
    if (message === undefined) return undefined;
    if (message.mediaKey !== null) {
      const blob = await this.blobs.get(instanceId, message.mediaKey);
      if (blob !== undefined) return blob;
    }
    // The EVOLUTION channel may carry media inline as base64.
    const inline = message.message.base64;
    if (typeof inline !== 'string' || inline === '') return undefined;
    const details = Object.values(message.message).find((v): v is { mimetype?: string } => typeof v === 'object' && v !== null && 'mimetype' in v);
    return { data: Buffer.from(inline, 'base64'), mimetype: details?.mimetype ?? 'application/octet-stream' };
  }
}
