// Labels (WhatsApp Business chat tags): the stored list, and tagging a chat through the channel.
import type { Instance } from '../domain/instance.js';
import type { Label } from '../domain/label.js';
import type { LabelRepository } from '../ports/labels.js';
import type { ChannelHost } from './channel-host.js';
import { requireFeature } from './channel-features.js';
import type { MessagingService } from './messaging.js';

export class LabelService {
  constructor(
    private readonly labels: LabelRepository,
    private readonly channels: ChannelHost,
    private readonly messaging: MessagingService,
  ) {}

  /** The labels the channel reported (labels.edit), from storage. */
  find(instance: Instance): Promise<Label[]> {
    this.messaging.require(instance, 'labels');
    return this.labels.list(instance.id);
  }

  /** Tags or untags a chat; storage follows at once (the channel's echo of the change is then a no-op). */
  async handle(instance: Instance, jid: string, labelId: string, action: 'add' | 'remove'): Promise<void> {
    await requireFeature(this.channels, instance, 'labels', 'labels').handle(jid, labelId, action);
    if (action === 'add') await this.labels.associate(instance.id, jid, labelId);
    else await this.labels.dissociate(instance.id, jid, labelId);
  }
}
