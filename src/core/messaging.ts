// Sending: capability check, the channel's send, then the sent message, its chat and SEND_MESSAGE in one transaction.
import { randomUUID } from 'node:crypto';
import { badRequest, instanceNotConnected } from '../domain/errors.js';
import type { Instance } from '../domain/instance.js';
import type { Message } from '../domain/message.js';
import type { OutboundKind, OutboundMessage } from '../domain/outbound.js';
import type { ChannelCapability, TemplateApi } from '../ports/channel.js';
import type { Store } from '../ports/store.js';
import type { ChannelHost } from './channel-host.js';
import type { InboundPipeline } from './inbound.js';

export class MessagingService {
  constructor(
    private readonly store: Store,
    private readonly channels: ChannelHost,
    private readonly pipeline: InboundPipeline,
  ) {}

  /** Answers the channel's "not available" 400 unless its channel has the capability. */
  require(instance: Instance, capability: ChannelCapability): void {
    const factory = this.channels.factory(instance.integration);
    if (!factory.capabilities.has(capability)) throw badRequest(factory.unsupportedMessage);
  }

  /** The channel's template API (WhatsApp Cloud API). */
  templates(instance: Instance): TemplateApi {
    this.require(instance, 'templates');
    const api = this.channels.connection(instance).templates;
    if (api === undefined) throw badRequest(this.channels.factory(instance.integration).unsupportedMessage);
    return api;
  }

  async send(instance: Instance, kind: OutboundKind, outbound: OutboundMessage): Promise<Message> {
    this.require(instance, kind);
    if (instance.connectionStatus !== 'open') throw instanceNotConnected(instance.name);
    if (outbound.quoted !== undefined && outbound.quoted.message === undefined) {
      // Evolution loads the quoted message from storage when the client gives only its key.
      const quoted = await this.store.messages.findByKeyId(instance.id, outbound.quoted.key.id);
      if (quoted !== undefined) outbound = { ...outbound, quoted: { key: quoted.key, message: quoted.message } };
    }
    const result = await this.channels.connection(instance).send(outbound);
    const message: Message = {
      id: randomUUID(),
      instanceId: instance.id,
      key: result.key,
      pushName: instance.profileName,
      messageType: result.messageType,
      message: result.message,
      contextInfo: outbound.quoted ? { stanzaId: outbound.quoted.key.id, participant: outbound.quoted.key.remoteJid ?? outbound.to, quotedMessage: outbound.quoted.message ?? null } : null,
      source: 'unknown',
      messageTimestamp: result.messageTimestamp,
      status: result.status,
    };
    await this.store.transaction((tx) => this.pipeline.storeMessage(tx, instance, message, null, undefined, 'SEND_MESSAGE'));
    return message;
  }
}
