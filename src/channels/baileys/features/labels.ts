// WhatsApp Business labels on chats, over WhatsApp Web's app-state patches.
import type { LabelActions } from '../../../ports/channel-features.js';
import { requireSocket, type SocketGetter } from './socket-access.js';

export class BaileysLabelActions implements LabelActions {
  constructor(
    private readonly instanceName: string,
    private readonly socket: SocketGetter,
  ) {}

  async handle(jid: string, labelId: string, action: 'add' | 'remove'): Promise<void> {
    const sock = requireSocket(this.socket, this.instanceName);
    if (action === 'add') await sock.addChatLabel(jid, labelId);
    else await sock.removeChatLabel(jid, labelId);
  }
}
