// What the inbound side of the WhatsApp Web channel needs from its connection.
import type { Logger } from 'pino';
import type { Instance, InstanceSettings } from '../../../domain/instance.js';
import type { ChannelEvents, MediaDownloads } from '../../../ports/channel.js';
import type { Clock } from '../../../ports/clock.js';
import type { BaileysSocket } from '../socket.js';

export interface InboundContext {
  instance: Instance;
  /** Core: stores each report (and its events) before resolving. */
  events: ChannelEvents;
  /** The live socket, for read receipts, call rejection, the `msgCall` answer and media re-upload requests. */
  socket: () => BaileysSocket | undefined;
  /** Read per batch, so a settings change applies to the next event. */
  settings: () => Promise<InstanceSettings>;
  logger: Logger;
  /** A group's metadata changed (refresh the group metadata cache). */
  onGroupChanged?(jid: string): void;
  clock?: Clock;
  /** Downloads received media (outbound policy, size and time bounds); without it, messages are stored without media. */
  media?: MediaDownloads;
}
