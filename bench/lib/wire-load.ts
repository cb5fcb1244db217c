// Pieces the crash, sink-outage and fanout workloads share with `inbound`: the EVOLUTION inbound message, the bench
// instance, and a sender that redelivers what the server did not acknowledge (as a real connector does).
import type { WireClient } from './client.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A distinct `55…` number (13 digits) for an EVOLUTION instance's numberId. */
export function uniqueNumber(salt = 0): string {
  return `55${String((Date.now() * 7 + salt * 7919 + Math.floor(Math.random() * 1e6)) % 1e11).padStart(11, '0')}`;
}

export const chatJid = (chat: number) => `55119${String(chat).padStart(8, '0')}@s.whatsapp.net`;

/** The body of `POST /webhook/evolution` for message `i` of run `prefix`: key id `<prefix>-<i>`, sender chat `i % chats`. */
export function inboundMessage(number: string, prefix: string, i: number, chats: number) {
  const chat = i % chats;
  return {
    numberId: number,
    key: { id: `${prefix}-${i}`, remoteJid: chatJid(chat), fromMe: false },
    pushName: `Sender ${chat}`,
    message: { conversation: `bench message ${i}`, benchSentAt: Date.now() },
    messageType: 'conversation',
  };
}

/** Creates an EVOLUTION instance whose webhook sends MESSAGES_UPSERT to `webhookUrl`. */
export async function createBenchInstance(client: WireClient, name: string, number: string, webhookUrl: string): Promise<void> {
  const created = await client.call('POST', '/instance/create', { instanceName: name, integration: 'EVOLUTION', number, webhook: { url: webhookUrl, events: ['MESSAGES_UPSERT'] } });
  if (created.status !== 201) throw new Error(`could not create the bench instance: ${created.status} ${JSON.stringify(created.body)}`);
}

export async function deleteInstance(client: WireClient, name: string): Promise<void> {
  await client.call('DELETE', `/instance/delete/${name}`).catch(() => undefined);
}

/**
 * Sends message `i` until the server answers 200, at most `attempts` times; before each retry it awaits `ready()`
 * (e.g. "the restarted server answers"). Returns whether it was acknowledged and the HTTP time of the last attempt.
 */
export async function sendInbound(client: WireClient, body: () => unknown, attempts: number, ready: () => Promise<void>): Promise<{ acked: boolean; ms: number }> {
  let ms = 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) {
      await ready();
      await sleep(100 * attempt);
    }
    const t0 = Date.now();
    const reply = await client.call('POST', '/webhook/evolution', body(), false).catch(() => ({ status: 0 }));
    ms = Date.now() - t0;
    if (reply.status === 200) return { acked: true, ms };
  }
  return { acked: false, ms };
}
