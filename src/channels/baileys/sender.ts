// Sending on a live socket: map the content, wait for the instance's send limiter, show typing/recording for the
// requested delay, send, and describe what WhatsApp accepted as a SendResult.
import type { WAMessage } from 'baileys';
import { DomainError } from '../../domain/errors.js';
import { messageTypeOf, type MessageContent, type MessageStatus } from '../../domain/message.js';
import type { OutboundMessage } from '../../domain/outbound.js';
import type { SendResult } from '../../ports/channel.js';
import type { Clock } from '../../ports/clock.js';
import type { SendLimiter, Sleep } from './send-limiter.js';
import { planSend, type SendMappingContext } from './send-mapping.js';
import type { BaileysSocket } from './socket.js';

/** Evolution splits long "typing…" delays into chunks, as WhatsApp drops a composing state after a while. */
const PRESENCE_CHUNK_MS = 20_000;

const WA_STATUS: Record<number, MessageStatus> = { 0: 'ERROR', 1: 'PENDING', 2: 'SERVER_ACK', 3: 'DELIVERY_ACK', 4: 'READ', 5: 'PLAYED' };

export interface SenderDeps {
  limiter: SendLimiter;
  sleep: Sleep;
  clock: Clock;
  mapping: SendMappingContext;
}

export async function sendOn(sock: BaileysSocket, outbound: OutboundMessage, deps: SenderDeps): Promise<SendResult> {
  const plan = await planSend(outbound, deps.mapping);
  await deps.limiter.take();
  const delay = outbound.delayMs ?? 0;
  if (delay > 0 && plan.jid !== 'status@broadcast') {
    await sock.presenceSubscribe(plan.jid);
    for (let left = delay; left > 0; left -= PRESENCE_CHUNK_MS) {
      await sock.sendPresenceUpdate(plan.presence, plan.jid);
      await deps.sleep(Math.min(left, PRESENCE_CHUNK_MS));
    }
    await sock.sendPresenceUpdate('paused', plan.jid);
  }
  const sent = await sock.sendMessage(plan.jid, plan.content, plan.options);
  if (sent === undefined) throw new DomainError('unavailable', ['WhatsApp did not return the sent message']);
  return sendResult(sent, plan.jid, deps.clock);
}

/** A sent WAMessage as core stores it (Evolution's msg object: extended text reads as `conversation`). */
export function sendResult(sent: WAMessage, jid: string, clock: Clock): SendResult {
  const message = normalizeContent(sent.message == null ? {} : (JSON.parse(JSON.stringify(sent.message)) as MessageContent));
  const key = sent.key;
  return {
    key: {
      remoteJid: key.remoteJid ?? jid,
      fromMe: key.fromMe ?? true,
      id: key.id ?? '',
      ...(key.participant ? { participant: key.participant } : {}),
    },
    message,
    messageType: messageTypeOf(message),
    status: WA_STATUS[typeof sent.status === 'number' ? sent.status : 1] ?? 'PENDING',
    messageTimestamp: sent.messageTimestamp == null ? Math.floor(clock.now().getTime() / 1000) : Number(sent.messageTimestamp),
  };
}

function normalizeContent(content: MessageContent): MessageContent {
  const extended = content.extendedTextMessage as { text?: unknown } | undefined;
  if (extended === undefined || typeof extended.text !== 'string') return content;
  const { extendedTextMessage: _dropped, ...rest } = content;
  return { conversation: extended.text, ...rest };
}
