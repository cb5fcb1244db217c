// One WhatsApp Web instance as a channel connection: connect (QR or pairing code), resume at boot, restart, logout,
// close, presence and sending, plus the WhatsApp-Web-only feature sets. The socket itself lives in socket-lifecycle.ts.
import { instanceNotConnected } from '../../domain/errors.js';
import type { Instance, Presence } from '../../domain/instance.js';
import type { OutboundMessage } from '../../domain/outbound.js';
import type { ChannelConnection, ChannelEvents, ChannelServices, ConnectResult, SendResult } from '../../ports/channel.js';
import { isLinkedLogin } from './boot.js';
import { disconnection, type ConnectionOptions } from './connection-parts.js';
import { attachFeatures, createBaileysFeatures, type BaileysFeatures } from './features/index.js';
import { FRESH_HISTORY } from './reconnect-policy.js';
import { sendOn } from './sender.js';
import { SendLimiter } from './send-limiter.js';
import type { BaileysSocket } from './socket.js';
import { SocketLifecycle } from './socket-lifecycle.js';

export type { ConnectionOptions, Schedule } from './connection-parts.js';

export class BaileysConnection extends SocketLifecycle implements ChannelConnection {
  private readonly limiter: SendLimiter;
  readonly features: BaileysFeatures;

  constructor(instance: Instance, events: ChannelEvents, services: ChannelServices, options: ConnectionOptions) {
    super(instance, events, services, options);
    this.limiter = new SendLimiter(options.send, services.clock, options.sleep, options.random);
    this.features = createBaileysFeatures({
      instanceName: instance.name,
      socket: () => this.liveSocket(),
      clock: services.clock,
      sleep: options.sleep,
      lidOf: (pn) => services.identities.lidForPn(instance.id, pn),
      media: services.media,
    });
    attachFeatures(this, this.features);
  }

  async connect(options: { pairingNumber?: string; resume?: boolean }): Promise<ConnectResult> {
    this.shutDown = false;
    if (options.resume) return this.resume();
    if (this.state === 'open' && this.socket !== undefined) return { state: 'open' };
    if (options.pairingNumber !== undefined) this.pairingNumber = options.pairingNumber.replace(/\D/g, '');
    const settled = this.waiters.next();
    await this.serial(() => this.startSocket());
    const sock = this.socket;
    // Asked for a pairing code on a socket that already shows QRs: request it now.
    const latest = this.qr.latest();
    if (sock !== undefined && this.pairingNumber && latest !== undefined && latest.pairingCode === null && !sock.authState.creds.registered) {
      await this.requestPairing(sock);
    }
    if (this.qr.latest() === undefined && this.state !== 'open') await settled;
    return this.result();
  }

  private result(): ConnectResult {
    const qrcode = this.qr.latest();
    if (this.state === 'open' || qrcode === undefined) return { state: this.state };
    return { state: this.state, qrcode };
  }

  /** Boot: reconnect when a linked login is stored, through the gate; answers at once. */
  private async resume(): Promise<ConnectResult> {
    const linked = isLinkedLogin(await this.services.auth.loadCreds(this.instance.id));
    if (!linked) {
      // A stored `open`/`connecting` without a login is stale (e.g. credentials wiped while this node was down).
      if (this.state !== 'close') await this.report({ connectionStatus: 'close' });
      return { state: 'close' };
    }
    void this.options.bootGate
      .run(async () => {
        if (this.shutDown) return;
        const settled = this.waiters.next();
        await this.serial(() => this.startSocket());
        let cancel: (() => void) | undefined;
        await Promise.race([settled, new Promise<void>((resolve) => (cancel = this.options.schedule(this.options.resumeSlotMs, resolve)))]);
        cancel?.();
      })
      .catch((err: unknown) => this.logger.error({ err }, 'resuming the WhatsApp connection failed'));
    return { state: this.state };
  }

  async restart(): Promise<ConnectResult> {
    const settled = this.waiters.next();
    await this.serial(async () => {
      await this.endSocket();
      await this.startSocket();
    });
    await settled;
    return this.result();
  }

  async logout(): Promise<void> {
    await this.serial(async () => {
      this.cancelTimers();
      const sock = this.socket;
      this.detach();
      if (sock !== undefined) {
        // Unlinks the device on the phone; the socket then closes with 401, which is ours, not a disconnect to handle.
        await sock.logout().catch((err: unknown) => this.logger.warn({ err }, 'unlinking the device failed; wiping the login anyway'));
      }
      await this.wipe();
      this.qr.reset();
      this.history = FRESH_HISTORY;
      await this.report({ connectionStatus: 'close', ...disconnection(this.services.clock, 401, 'Intentional Logout') }, { statusReason: 401, statusInstance: true });
    });
  }

  async close(): Promise<void> {
    this.shutDown = true;
    await this.serial(async () => {
      this.cancelTimers();
      await this.endSocket();
    });
  }

  async setPresence(presence: Presence): Promise<void> {
    await this.requireOpen().sendPresenceUpdate(presence);
  }

  async send(outbound: OutboundMessage): Promise<SendResult> {
    return sendOn(this.requireOpen(), outbound, {
      limiter: this.limiter,
      sleep: this.options.sleep,
      clock: this.services.clock,
      mapping: {
        maxMediaBytes: this.options.maxMediaBytes,
        media: this.services.media,
        groupParticipants: async (jid) => (await this.features.groupCache.metadata(jid)).participants.map((p) => p.id),
      },
    });
  }

  private requireOpen(): BaileysSocket {
    const sock = this.liveSocket();
    if (sock === undefined) throw instanceNotConnected(this.instance.name);
    return sock;
  }
}
