// The generic EVOLUTION channel: a connector outside Parley delivers messages. Inbound arrives by
// `POST /webhook/evolution` (routed by numberId = instance number); outbound is stored and emitted as SEND_MESSAGE
// for the connector to carry. Always `open`.
import { randomUUID } from 'node:crypto';
import { messageTypeOf, type InboundMessage } from '../../domain/message.js';
import type { ChannelCapability, ChannelFactory, WebhookBatch } from '../../ports/channel.js';
import { evolutionContent } from './content.js';

/** The body of `POST /webhook/evolution`, already validated by the route. */
export interface EvolutionInbound {
  numberId: string;
  key: { id?: string; remoteJid: string; fromMe?: boolean; participant?: string };
  pushName?: string | null;
  message: Record<string, unknown>;
  messageType?: string;
  messageTimestamp?: number;
  profilePicUrl?: string | null;
}

const CAPABILITIES: ReadonlySet<ChannelCapability> = new Set<ChannelCapability>(['text', 'media', 'voice', 'buttons']);

export const evolutionChannel: ChannelFactory = {
  integration: 'EVOLUTION',
  capabilities: CAPABILITIES,
  unsupportedMessage: 'Method not available on Evolution Channel',
  open(instance, events) {
    return {
      async connect() {
        if (instance.connectionStatus !== 'open') await events.connectionChanged({ connectionStatus: 'open' });
        return { state: 'open' };
      },
      async restart() {
        return { state: 'open' };
      },
      async logout() {
        await events.connectionChanged({ connectionStatus: 'close' });
      },
      async close() {},
      async setPresence() {},
      async send(outbound) {
        const { message, messageType } = evolutionContent(outbound.content);
        return {
          key: { remoteJid: outbound.to, fromMe: true, id: randomUUID() },
          message,
          messageType,
          status: 'PENDING',
          messageTimestamp: Math.floor(Date.now() / 1000),
        };
      },
    };
  },
  async parseWebhook(body) {
    const b = body as EvolutionInbound;
    const message: InboundMessage = {
      key: { remoteJid: b.key.remoteJid, fromMe: b.key.fromMe ?? false, id: b.key.id ?? randomUUID(), ...(b.key.participant ? { participant: b.key.participant } : {}) },
      pushName: b.pushName ?? null,
      messageType: b.messageType ?? messageTypeOf(b.message),
      message: b.message,
      messageTimestamp: b.messageTimestamp ?? Math.floor(Date.now() / 1000),
      source: 'unknown',
      ...(b.profilePicUrl !== undefined ? { profilePicUrl: b.profilePicUrl } : {}),
    };
    const batch: WebhookBatch = { accountId: b.numberId, messages: [message], statuses: [] };
    return [batch];
  },
};
