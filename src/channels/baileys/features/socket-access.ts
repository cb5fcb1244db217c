// How the feature classes reach the live socket, and the few conversions they share.
import type { WAMessage, WAMessageKey } from 'baileys';
import { instanceNotConnected } from '../../../domain/errors.js';
import type { MessageKey } from '../../../domain/message.js';
import type { MediaSource } from '../../../domain/outbound.js';
import type { ProviderMessage } from '../../../ports/channel-features.js';
import type { BaileysSocket } from '../socket.js';

/** The socket of the instance, or undefined while it is not connected. */
export type SocketGetter = () => BaileysSocket | undefined;

/** A picture as bytes: URLs fetched under the outbound policy (never handed to Baileys to fetch). */
export type PictureBytes = (picture: MediaSource) => Promise<Buffer>;

/** The live socket, or the "instance not connected" 400. */
export function requireSocket(socket: SocketGetter, instanceName: string): BaileysSocket {
  const sock = socket();
  if (sock === undefined) throw instanceNotConnected(instanceName);
  return sock;
}

export function toWAKey(key: MessageKey): WAMessageKey {
  const wa: WAMessageKey = { remoteJid: key.remoteJid, fromMe: key.fromMe, id: key.id };
  if (key.participant !== undefined) wa.participant = key.participant;
  return wa;
}

/** A message Baileys produced, as plain JSON (protobuf objects serialize through their own `toJSON`). */
export function providerMessage(sent: WAMessage | undefined, fallbackKey: MessageKey, now: Date): ProviderMessage {
  if (sent === undefined) return { key: fallbackKey, message: {}, messageTimestamp: Math.floor(now.getTime() / 1000) };
  const key = sent.key;
  const timestamp = Number(sent.messageTimestamp ?? Math.floor(now.getTime() / 1000));
  return {
    key: {
      remoteJid: key.remoteJid ?? fallbackKey.remoteJid,
      fromMe: key.fromMe ?? true,
      id: key.id ?? fallbackKey.id,
      ...(key.participant ? { participant: key.participant } : {}),
    },
    message: sent.message == null ? {} : (JSON.parse(JSON.stringify(sent.message)) as Record<string, unknown>),
    messageTimestamp: timestamp,
  };
}

/** Baileys throws when a picture is absent or hidden by privacy; that is "no picture", not an error. */
export async function pictureOrNull(sock: BaileysSocket, jid: string): Promise<string | null> {
  try {
    return (await sock.profilePictureUrl(jid, 'image')) ?? null;
  } catch {
    return null;
  }
}
