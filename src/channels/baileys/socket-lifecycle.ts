// The life of one instance's socket: at most one at a time (operations serialized), made from the stored login, and
// driven by the `connection.update`s WhatsApp sends — QR / pairing code, open (then the watchdog), close (the
// reconnect policy decides). State changes are reported to core (which stores them with their events) before they
// count. `BaileysConnection` (connection.ts) builds the channel's operations on top of this.
import { jidNormalizedUser, type ConnectionState as SocketState } from 'baileys';
import type { Logger } from 'pino';
import type { ConnectionState, Instance } from '../../domain/instance.js';
import type { ChannelEvents, ChannelServices, ConnectionNotice } from '../../ports/channel.js';
import type { ConnectionPatch } from '../../ports/store.js';
import { databaseAuthState, type DatabaseAuthState } from './auth-state.js';
import { disconnection, SettleWaiters, type ConnectionOptions } from './connection-parts.js';
import type { BaileysFeatures } from './features/index.js';
import { bindInbound } from './inbound/index.js';
import { QrTracker } from './qr.js';
import { decideOnClose, FRESH_HISTORY, type ReconnectHistory } from './reconnect-policy.js';
import { RetryCounterCache, socketConfig } from './socket-config.js';
import { disconnectCode, type BaileysSocket } from './socket.js';
import { Watchdog, watchdogOptions } from './watchdog.js';

const CREDS_SAVE_RETRIES = 5;

export abstract class SocketLifecycle {
  protected socket: BaileysSocket | undefined;
  private auth: DatabaseAuthState | undefined;
  protected state: ConnectionState;
  protected readonly qr: QrTracker;
  protected readonly waiters: SettleWaiters;
  protected history: ReconnectHistory = FRESH_HISTORY;
  private openedAt: number | undefined;
  protected pairingNumber: string | undefined;
  private cancelReconnect: (() => void) | undefined;
  private watchdog: Watchdog | undefined;
  private detachSocket: (() => void) | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  protected shutDown = false;
  protected readonly logger: Logger;
  private readonly baileysLogger: Logger;
  private readonly retryCounters: RetryCounterCache;
  /** The feature sets (group metadata cache for the socket; caches that belong to one login). */
  protected abstract readonly features: BaileysFeatures;

  constructor(
    protected readonly instance: Instance,
    protected readonly events: ChannelEvents,
    protected readonly services: ChannelServices,
    protected readonly options: ConnectionOptions,
  ) {
    this.state = instance.connectionStatus;
    this.qr = new QrTracker(options.qrcodeLimit);
    this.waiters = new SettleWaiters(options.schedule, options.connectWaitMs);
    this.logger = services.logger.child({ instance: instance.name, channel: 'WHATSAPP-BAILEYS' });
    this.baileysLogger = services.logger.child({ instance: instance.name, class: 'baileys' }, { level: options.baileysLogLevel });
    this.retryCounters = new RetryCounterCache(() => services.clock.now().getTime());
  }

  /** The socket while the instance is open (features and sends use it). */
  liveSocket(): BaileysSocket | undefined {
    return this.state === 'open' ? this.socket : undefined;
  }

  /** Every socket-changing operation runs alone, in call order: never two sockets for one instance. */
  protected serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  protected async startSocket(): Promise<void> {
    if (this.socket !== undefined || this.shutDown) return;
    this.cancelReconnect?.();
    this.cancelReconnect = undefined;
    this.auth ??= await databaseAuthState(this.instance.id, this.services.auth, this.baileysLogger, this.services.clock);
    const [settings, proxy] = await Promise.all([this.services.settings(this.instance.id), this.services.proxy(this.instance.id)]);
    const auth = this.auth;
    const sock = this.options.makeSocket(
      socketConfig({
        auth: auth.state,
        logger: this.baileysLogger,
        browser: this.options.browser,
        pairing: this.pairingNumber !== undefined && !auth.state.creds.registered,
        settings,
        proxy,
        findMessage: (keyId) => this.events.findMessage(keyId),
        cachedGroupMetadata: (jid) => this.features.groupCache.get(jid),
        msgRetryCounterCache: this.retryCounters,
      }),
    );
    this.socket = sock;
    const saveCreds = () => void this.saveCreds(auth, 0);
    // Updates of one socket are handled one after the other, in the order Baileys emitted them.
    let updates = Promise.resolve();
    const onUpdate = (update: Partial<SocketState>) => void (updates = updates.then(() => this.onConnectionUpdate(sock, update)));
    sock.ev.on('creds.update', saveCreds);
    sock.ev.on('connection.update', onUpdate);
    const unbindInbound = bindInbound(sock.ev, {
      instance: this.instance,
      events: this.events,
      socket: () => this.liveSocket(),
      settings: () => this.services.settings(this.instance.id),
      logger: this.logger,
      onGroupChanged: (jid) => this.features.groupCache.invalidate(jid),
      clock: this.services.clock,
      media: this.services.media,
    });
    this.detachSocket = () => {
      sock.ev.off('creds.update', saveCreds);
      sock.ev.off('connection.update', onUpdate);
      unbindInbound();
    };
  }

  /**
   * Baileys mutates the creds in place and announces it once: a failed write (database briefly down) is retried, since
   * a lost creds update can unlink the device. Each attempt writes the creds as they are then.
   */
  private async saveCreds(auth: DatabaseAuthState, attempt: number): Promise<void> {
    try {
      await auth.saveCreds();
    } catch (err) {
      if (attempt >= CREDS_SAVE_RETRIES) {
        this.logger.error({ err, attempts: attempt + 1 }, 'saving the WhatsApp login failed; giving up until the next change');
        return;
      }
      this.logger.warn({ err, attempt: attempt + 1 }, 'saving the WhatsApp login failed; retrying');
      this.options.schedule(1000 * 2 ** attempt, () => void this.saveCreds(auth, attempt + 1));
    }
  }

  protected detach(): void {
    this.watchdog?.stop();
    this.watchdog = undefined;
    this.detachSocket?.();
    this.detachSocket = undefined;
    this.socket = undefined;
    this.openedAt = undefined;
  }

  /** Ends the current socket on purpose (restart, shutdown): its close is not a disconnect to act on. */
  protected async endSocket(): Promise<void> {
    const sock = this.socket;
    this.detach();
    if (sock !== undefined) await sock.end(undefined).catch((err: unknown) => this.logger.warn({ err }, 'ending the socket failed'));
  }

  protected cancelTimers(): void {
    this.cancelReconnect?.();
    this.cancelReconnect = undefined;
  }

  /** Forgets the login and what was learned through it: the next account linked here may see other numbers and groups. */
  protected async wipe(): Promise<void> {
    if (this.auth !== undefined) await this.auth.wipe();
    else await this.services.auth.wipe(this.instance.id);
    this.auth = undefined;
    this.features.numbers.clear();
    this.features.groupCache.clear();
  }

  protected async report(patch: ConnectionPatch, notice?: ConnectionNotice): Promise<void> {
    if (patch.connectionStatus !== undefined) this.state = patch.connectionStatus;
    await this.events.connectionChanged(patch, notice);
  }

  // ---- socket events ----------------------------------------------------------------------------------------------

  private async onConnectionUpdate(sock: BaileysSocket, update: Partial<SocketState>): Promise<void> {
    if (sock !== this.socket) return;
    try {
      if (update.qr !== undefined) await this.onQr(sock, update.qr);
      if (update.connection === 'connecting' && this.state !== 'connecting') await this.report({ connectionStatus: 'connecting' });
      if (update.connection === 'open') await this.onOpen(sock);
      if (update.connection === 'close') await this.serial(() => this.onClose(sock, update.lastDisconnect?.error));
    } catch (err) {
      this.logger.error({ err }, 'handling a connection update failed');
      this.waiters.settle();
    }
  }

  private async onQr(sock: BaileysSocket, code: string): Promise<void> {
    const first = this.qr.latest() === undefined;
    const qr = await this.qr.next(code, this.qr.latest()?.pairingCode ?? null);
    if (qr === undefined) {
      this.logger.warn({ limit: this.options.qrcodeLimit }, 'QR code limit reached; closing');
      await this.serial(async () => {
        this.detach();
        await sock.end(undefined).catch(() => undefined);
        await this.wipe();
        this.qr.reset();
        await this.report({ connectionStatus: 'close', ...disconnection(this.services.clock, 428, 'QR code limit reached') }, { qrLimitReached: true, statusReason: 428 });
      });
      this.waiters.settle();
      return;
    }
    if (first && this.pairingNumber && !sock.authState.creds.registered) {
      await this.requestPairing(sock);
      return;
    }
    this.state = 'connecting';
    await this.events.qrUpdated(qr);
    this.waiters.settle();
  }

  protected async requestPairing(sock: BaileysSocket): Promise<void> {
    const number = this.pairingNumber!;
    const code = await sock.requestPairingCode(number);
    this.qr.setPairingCode(code);
    this.state = 'connecting';
    await this.events.qrUpdated(this.qr.latest()!);
    this.waiters.settle();
  }

  private async onOpen(sock: BaileysSocket): Promise<void> {
    this.openedAt = this.services.clock.now().getTime();
    this.qr.reset();
    this.pairingNumber = undefined;
    const user = sock.user;
    const ownerJid = user?.id ? jidNormalizedUser(user.id) : null;
    let profilePicUrl: string | null = null;
    if (ownerJid !== null) profilePicUrl = (await sock.profilePictureUrl(ownerJid, 'image', 5_000).catch(() => undefined)) ?? null;
    await this.report({ connectionStatus: 'open', ownerJid, profileName: user?.name ?? user?.notify ?? user?.verifiedName ?? null, profilePicUrl });
    this.logger.info({ ownerJid }, 'WhatsApp connection open');
    if (this.options.watchdogIdleMs > 0) {
      this.watchdog = new Watchdog(sock, watchdogOptions(this.options.watchdogIdleMs), this.services.clock, (idleMs) => void this.onDeaf(sock, idleMs), this.options.repeat);
      this.watchdog.start();
    }
    this.waiters.settle();
  }

  /** Open but nothing received and no answer to a keep-alive: restart the socket. */
  private async onDeaf(sock: BaileysSocket, idleMs: number): Promise<void> {
    if (sock !== this.socket) return;
    this.logger.warn({ idleMs }, 'connection is open but receives nothing and answers no keep-alive; restarting it');
    await this.report({ connectionStatus: 'connecting', ...disconnection(this.services.clock, 408, 'watchdog: no traffic and no keep-alive answer') }, { statusReason: 408 });
    await this.serial(async () => {
      if (sock !== this.socket) return;
      await this.endSocket();
      await this.startSocket();
    });
  }

  private async onClose(sock: BaileysSocket, error: Error | undefined): Promise<void> {
    if (sock !== this.socket) return;
    const now = this.services.clock.now().getTime();
    if (this.openedAt !== undefined && now - this.openedAt >= this.options.backoff.stableMs) this.history = FRESH_HISTORY;
    this.detach();
    const code = disconnectCode(error);
    const { decision, history } = decideOnClose(code, this.history, this.options.backoff, this.options.random);
    this.history = history;
    const fields = disconnection(this.services.clock, code, error?.message ?? decision.reason);
    this.logger.info({ code, decision }, 'WhatsApp connection closed');
    if (decision.action === 'stop') {
      if (decision.wipe) await this.wipe();
      this.qr.reset();
      await this.report({ connectionStatus: 'close', ...fields }, { statusReason: code ?? 200, statusInstance: true, loggedOut: decision.loggedOut });
      this.waiters.settle();
      return;
    }
    if (this.state !== 'connecting' || code !== 515) await this.report({ connectionStatus: 'connecting', ...fields }, { statusReason: code ?? 200 });
    if (decision.delayMs === 0) {
      await this.startSocket();
      return;
    }
    this.cancelReconnect = this.options.schedule(decision.delayMs, () => {
      this.cancelReconnect = undefined;
      void this.serial(() => this.startSocket()).catch((err: unknown) => this.logger.error({ err }, 'reconnecting failed'));
    });
  }
}
