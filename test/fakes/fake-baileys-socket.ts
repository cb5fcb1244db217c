// A fake Baileys socket for tests. It implements the channel's `BaileysSocket` (a Pick of Baileys' own `WASocket`),
// and its event emitter (fake-baileys-events.ts) is typed with Baileys' `BaileysEventMap`, so a Baileys upgrade that
// changes an event or a signature the channel uses breaks the build. It never touches the network: helpers drive the
// connection the way WhatsApp would (QR, scan + restart-required, open, close with a disconnect code), every call is
// recorded, and `sendMessage` builds the message with Baileys' own `generateWAMessage` (media "uploaded" to a fake host).
import { randomBytes } from 'node:crypto';
import { Boom } from '@hapi/boom';
import {
  addTransactionCapability,
  generateWAMessage,
  type AnyMessageContent,
  type AuthenticationCreds,
  type Contact,
  type ConnectionState,
  type GroupMetadata,
  type UserFacingSocketConfig,
  type WAMessage,
} from 'baileys';
import { pino } from 'pino';
import type { BaileysSocket, BaileysSocketFunctions, MakeSocket } from '../../src/channels/baileys/socket.js';
import { FakeEventEmitter, FakeWebSocket } from './fake-baileys-events.js';

type Fn = (...args: never[]) => unknown;
type Method = { [K in keyof BaileysSocketFunctions]: BaileysSocketFunctions[K] extends Fn ? K : never }[keyof BaileysSocketFunctions];

export interface RecordedCall {
  method: string;
  args: unknown[];
}

const nullLogger = pino({ level: 'silent' });

export class FakeBaileysSocket implements BaileysSocket {
  readonly calls: RecordedCall[] = [];
  readonly ev = new FakeEventEmitter();
  readonly ws = new FakeWebSocket();
  readonly authState: BaileysSocket['authState'];
  readonly signalRepository: BaileysSocket['signalRepository'];
  /** The error the socket ended with (`null` while it is up). */
  endedWith: Error | undefined | null = null;
  /** How the watchdog's keep-alive query is answered: a frame back (`answer`) or never (`hang`). */
  keepAlive: 'answer' | 'hang' = 'answer';
  private readonly answers = new Map<string, (...args: any[]) => unknown>();
  private readonly lids = new Map<string, string>();
  private sequence = 0;

  constructor(readonly config: UserFacingSocketConfig) {
    this.authState = {
      creds: config.auth.creds,
      keys: addTransactionCapability(config.auth.keys, nullLogger, { maxCommitRetries: 1, delayBetweenTriesMs: 1 }),
    };
    const lids = this.lids;
    this.signalRepository = {
      lidMapping: {
        storeLIDPNMappings: async (pairs) => void pairs.forEach((p) => lids.set(p.pn, p.lid)),
        getLIDForPN: async (pn) => lids.get(pn) ?? null,
        getLIDsForPNs: async (pns) => pns.filter((pn) => lids.has(pn)).map((pn) => ({ pn, lid: lids.get(pn)! })),
        getPNForLID: async (lid) => [...lids.entries()].find(([, l]) => l === lid)?.[0] ?? null,
        getPNsForLIDs: async (ls) => [...lids.entries()].filter(([, l]) => ls.includes(l)).map(([pn, lid]) => ({ pn, lid })),
      },
    };
    // Baileys announces `connecting` on the next tick after the socket is made.
    process.nextTick(() => {
      if (this.endedWith === null) this.ev.emit('connection.update', { connection: 'connecting', receivedPendingNotifications: false, qr: undefined });
    });
  }

  get user(): Contact | undefined {
    return this.authState.creds.me;
  }

  /** Replaces a method's default answer (e.g. `answer('groupMetadata', async () => meta)`). */
  answer<M extends Method>(method: M, impl: BaileysSocketFunctions[M]): void {
    this.answers.set(method, impl as (...args: any[]) => unknown);
  }

  callsOf(method: Method): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private invoke<R>(method: Method, args: unknown[], fallback: () => R): R {
    this.calls.push({ method, args });
    const answer = this.answers.get(method);
    return answer === undefined ? fallback() : (answer(...args) as R);
  }

  // ---- driving the connection -------------------------------------------------------------------------------------

  emitConnection(update: Partial<ConnectionState>): void {
    this.ev.emit('connection.update', update);
  }

  emitQr(code: string): void {
    this.emitConnection({ qr: code });
  }

  /** The phone scanned the QR (or entered the pairing code): creds registered, then WhatsApp asks for a restart (515). */
  scan(user: Contact = { id: '5511999999999:12@s.whatsapp.net', name: 'Fake Phone' }): void {
    Object.assign(this.authState.creds, { me: user, registered: true } satisfies Partial<AuthenticationCreds>);
    this.ev.emit('creds.update', { me: user, registered: true });
    this.emitConnection({ isNewLogin: true, qr: undefined });
    this.closeWith(515, 'restart required');
  }

  /** Logged in: `creds.me` set and the connection `open` (what Baileys emits on `CB:success`). */
  openWith(user: Contact = { id: '5511999999999:12@s.whatsapp.net', name: 'Fake Phone', lid: '123456789012345:12@lid' }): void {
    Object.assign(this.authState.creds, { me: user, registered: true } satisfies Partial<AuthenticationCreds>);
    this.ev.emit('creds.update', { me: user });
    this.emitConnection({ connection: 'open' });
  }

  /** Closes the way Baileys does: `connection: close` with a Boom carrying the disconnect code, then no more events. */
  closeWith(statusCode: number, message = `closed with ${statusCode}`): void {
    void this.finish(new Boom(message, { statusCode }));
  }

  get ended(): boolean {
    return this.endedWith !== null;
  }

  private async finish(error: Error | undefined): Promise<void> {
    if (this.endedWith !== null) return;
    this.endedWith = error;
    this.ws.open = false;
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
    this.ev.removeAllListeners('connection.update');
    this.ev.destroy();
  }

  // ---- socket functions -------------------------------------------------------------------------------------------

  end: BaileysSocket['end'] = (error) => this.invoke('end', [error], () => this.finish(error));

  logout: BaileysSocket['logout'] = (msg) =>
    this.invoke('logout', [msg], async () => void this.finish(new Boom(msg ?? 'Intentional Logout', { statusCode: 401 })));

  query: BaileysSocket['query'] = (node, timeoutMs) =>
    this.invoke('query', [node, timeoutMs], () => {
      if (this.keepAlive === 'hang') return new Promise<never>(() => {});
      this.ws.receiveFrame({ tag: 'iq', attrs: { type: 'result', id: node.attrs.id ?? '' } });
      return Promise.resolve({ tag: 'iq', attrs: { type: 'result' } });
    });

  requestPairingCode: BaileysSocket['requestPairingCode'] = (phoneNumber, custom) =>
    this.invoke('requestPairingCode', [phoneNumber, custom], async () => {
      if (!/^\d+$/.test(phoneNumber)) throw new Error(`pairing number must be digits only, got ${phoneNumber}`);
      const code = custom ?? randomBytes(5).toString('hex').slice(0, 8).toUpperCase();
      this.authState.creds.pairingCode = code;
      return code;
    });

  sendMessage: BaileysSocket['sendMessage'] = (jid, content, options) =>
    this.invoke('sendMessage', [jid, content, options], () => this.buildSent(jid, content, options));

  private async buildSent(jid: string, content: AnyMessageContent, options: Parameters<BaileysSocket['sendMessage']>[2]): Promise<WAMessage> {
    // Baileys stamps fields onto the content it is given; the recorded call keeps what the channel passed.
    const message = await generateWAMessage(jid, copyPlain(content), {
      logger: nullLogger,
      userJid: this.authState.creds.me?.id ?? '0@s.whatsapp.net',
      messageId: options?.messageId ?? `3EB0${(++this.sequence).toString(16).toUpperCase().padStart(4, '0')}${randomBytes(6).toString('hex').toUpperCase()}`,
      upload: async (_path, opts) => ({ mediaUrl: `https://mmg.fake.whatsapp.net/${opts.fileEncSha256B64}`, directPath: `/v/fake/${opts.mediaType}` }),
      ...(options?.quoted === undefined ? {} : { quoted: options.quoted }),
    });
    if (this.config.emitOwnEvents !== false) {
      process.nextTick(() => this.ev.emit('messages.upsert', { messages: [message], type: 'append' }));
    }
    return message;
  }

  sendPresenceUpdate: BaileysSocket['sendPresenceUpdate'] = (type, toJid) => this.invoke('sendPresenceUpdate', [type, toJid], async () => {});
  presenceSubscribe: BaileysSocket['presenceSubscribe'] = (toJid) => this.invoke('presenceSubscribe', [toJid], async () => {});
  readMessages: BaileysSocket['readMessages'] = (keys) => this.invoke('readMessages', [keys], async () => {});
  rejectCall: BaileysSocket['rejectCall'] = (callId, callFrom) => this.invoke('rejectCall', [callId, callFrom], async () => {});
  onWhatsApp: BaileysSocket['onWhatsApp'] = (...numbers) =>
    this.invoke('onWhatsApp', numbers, async () => numbers.map((n) => ({ jid: `${n.replace(/\D/g, '')}@s.whatsapp.net`, exists: true })));
  chatModify: BaileysSocket['chatModify'] = (mod, jid) => this.invoke('chatModify', [mod, jid], async () => {});
  updateBlockStatus: BaileysSocket['updateBlockStatus'] = (jid, action) => this.invoke('updateBlockStatus', [jid, action], async () => {});
  fetchBlocklist: BaileysSocket['fetchBlocklist'] = () => this.invoke('fetchBlocklist', [], async () => []);
  profilePictureUrl: BaileysSocket['profilePictureUrl'] = (jid, type, timeoutMs) =>
    this.invoke('profilePictureUrl', [jid, type, timeoutMs], async () => `https://pps.fake.whatsapp.net/${encodeURIComponent(jid)}.jpg`);
  fetchStatus: BaileysSocket['fetchStatus'] = (...jids) =>
    this.invoke('fetchStatus', jids, async () => jids.map((id) => ({ id, status: { status: 'Hey there! I am using WhatsApp.', setAt: new Date(0) } })));
  getBusinessProfile: BaileysSocket['getBusinessProfile'] = (jid) => this.invoke('getBusinessProfile', [jid], async () => undefined);
  updateProfileName: BaileysSocket['updateProfileName'] = (name) => this.invoke('updateProfileName', [name], async () => {});
  updateProfileStatus: BaileysSocket['updateProfileStatus'] = (status) => this.invoke('updateProfileStatus', [status], async () => {});
  updateProfilePicture: BaileysSocket['updateProfilePicture'] = (jid, content, dimensions) =>
    this.invoke('updateProfilePicture', [jid, content, dimensions], async () => {});
  removeProfilePicture: BaileysSocket['removeProfilePicture'] = (jid) => this.invoke('removeProfilePicture', [jid], async () => {});
  fetchPrivacySettings: BaileysSocket['fetchPrivacySettings'] = (force) =>
    this.invoke('fetchPrivacySettings', [force], async () => ({ readreceipts: 'all', profile: 'all', status: 'contacts', online: 'all', last: 'contacts', groupadd: 'all' }));
  updateLastSeenPrivacy: BaileysSocket['updateLastSeenPrivacy'] = (v) => this.invoke('updateLastSeenPrivacy', [v], async () => {});
  updateOnlinePrivacy: BaileysSocket['updateOnlinePrivacy'] = (v) => this.invoke('updateOnlinePrivacy', [v], async () => {});
  updateProfilePicturePrivacy: BaileysSocket['updateProfilePicturePrivacy'] = (v) => this.invoke('updateProfilePicturePrivacy', [v], async () => {});
  updateStatusPrivacy: BaileysSocket['updateStatusPrivacy'] = (v) => this.invoke('updateStatusPrivacy', [v], async () => {});
  updateReadReceiptsPrivacy: BaileysSocket['updateReadReceiptsPrivacy'] = (v) => this.invoke('updateReadReceiptsPrivacy', [v], async () => {});
  updateGroupsAddPrivacy: BaileysSocket['updateGroupsAddPrivacy'] = (v) => this.invoke('updateGroupsAddPrivacy', [v], async () => {});
  updateCallPrivacy: BaileysSocket['updateCallPrivacy'] = (v) => this.invoke('updateCallPrivacy', [v], async () => {});
  updateMessagesPrivacy: BaileysSocket['updateMessagesPrivacy'] = (v) => this.invoke('updateMessagesPrivacy', [v], async () => {});
  updateDefaultDisappearingMode: BaileysSocket['updateDefaultDisappearingMode'] = (d) => this.invoke('updateDefaultDisappearingMode', [d], async () => {});
  addChatLabel: BaileysSocket['addChatLabel'] = (jid, labelId) => this.invoke('addChatLabel', [jid, labelId], async () => {});
  removeChatLabel: BaileysSocket['removeChatLabel'] = (jid, labelId) => this.invoke('removeChatLabel', [jid, labelId], async () => {});
  updateMediaMessage: BaileysSocket['updateMediaMessage'] = (message) => this.invoke('updateMediaMessage', [message], async () => message);

  // Groups: plausible defaults; tests that need specific metadata program them with `answer`.
  private groupMeta(id: string, subject = 'Fake group', participants: string[] = []): GroupMetadata {
    return {
      id,
      subject,
      owner: this.authState.creds.me?.id,
      creation: 1_700_000_000,
      participants: participants.map((p) => ({ id: p, admin: null })),
    };
  }
  groupMetadata: BaileysSocket['groupMetadata'] = (jid) => this.invoke('groupMetadata', [jid], async () => this.groupMeta(jid));
  groupCreate: BaileysSocket['groupCreate'] = (subject, participants) =>
    this.invoke('groupCreate', [subject, participants], async () => this.groupMeta(`1203630${Date.now()}@g.us`, subject, participants));
  groupLeave: BaileysSocket['groupLeave'] = (id) => this.invoke('groupLeave', [id], async () => {});
  groupUpdateSubject: BaileysSocket['groupUpdateSubject'] = (jid, subject) => this.invoke('groupUpdateSubject', [jid, subject], async () => {});
  groupUpdateDescription: BaileysSocket['groupUpdateDescription'] = (jid, d) => this.invoke('groupUpdateDescription', [jid, d], async () => {});
  groupRequestParticipantsList: BaileysSocket['groupRequestParticipantsList'] = (jid) => this.invoke('groupRequestParticipantsList', [jid], async () => []);
  groupRequestParticipantsUpdate: BaileysSocket['groupRequestParticipantsUpdate'] = (jid, ps, action) =>
    this.invoke('groupRequestParticipantsUpdate', [jid, ps, action], async () => ps.map((p) => ({ status: '200', jid: p })));
  groupParticipantsUpdate: BaileysSocket['groupParticipantsUpdate'] = (jid, ps, action) =>
    this.invoke('groupParticipantsUpdate', [jid, ps, action], async () => ps.map((p) => ({ status: '200', jid: p, content: { tag: 'participant', attrs: { jid: p } } })));
  groupInviteCode: BaileysSocket['groupInviteCode'] = (jid) => this.invoke('groupInviteCode', [jid], async () => 'FakeInviteCode123');
  groupRevokeInvite: BaileysSocket['groupRevokeInvite'] = (jid) => this.invoke('groupRevokeInvite', [jid], async () => 'FakeInviteCode456');
  groupAcceptInvite: BaileysSocket['groupAcceptInvite'] = (code) => this.invoke('groupAcceptInvite', [code], async () => '120363000000000001@g.us');
  groupGetInviteInfo: BaileysSocket['groupGetInviteInfo'] = (code) => this.invoke('groupGetInviteInfo', [code], async () => this.groupMeta('120363000000000001@g.us'));
  groupToggleEphemeral: BaileysSocket['groupToggleEphemeral'] = (jid, e) => this.invoke('groupToggleEphemeral', [jid, e], async () => {});
  groupSettingUpdate: BaileysSocket['groupSettingUpdate'] = (jid, s) => this.invoke('groupSettingUpdate', [jid, s], async () => {});
  groupMemberAddMode: BaileysSocket['groupMemberAddMode'] = (jid, m) => this.invoke('groupMemberAddMode', [jid, m], async () => {});
  groupJoinApprovalMode: BaileysSocket['groupJoinApprovalMode'] = (jid, m) => this.invoke('groupJoinApprovalMode', [jid, m], async () => {});
  groupFetchAllParticipating: BaileysSocket['groupFetchAllParticipating'] = () => this.invoke('groupFetchAllParticipating', [], async () => ({}));
}

/**
 * Installs fake sockets: pass `makeSocket` as the channel's socket maker; every socket made is kept, in order, per
 * instance (Baileys' logger child carries the instance name as `instance`).
 */
export class FakeSocketFactory {
  readonly sockets: FakeBaileysSocket[] = [];
  /** Called with every new socket (e.g. to open it at once). */
  onCreate: ((socket: FakeBaileysSocket, instance: string | undefined) => void) | undefined;

  readonly makeSocket: MakeSocket = (config) => {
    const socket = new FakeBaileysSocket(config);
    this.sockets.push(socket);
    this.onCreate?.(socket, instanceOf(socket));
    return socket;
  };

  /** Sockets made for one instance (by name), oldest first. */
  for(instance: string): FakeBaileysSocket[] {
    return this.sockets.filter((s) => instanceOf(s) === instance);
  }

  /** The newest socket of an instance; throws if there is none. */
  latest(instance: string): FakeBaileysSocket {
    const all = this.for(instance);
    const last = all.at(-1);
    if (last === undefined) throw new Error(`no socket made for instance ${instance}`);
    return last;
  }

  /** Waits (polling the event loop, no timers to tune) until an instance has `count` sockets. */
  async waitFor(instance: string, count = 1, attempts = 500): Promise<FakeBaileysSocket> {
    for (let i = 0; i < attempts && this.for(instance).length < count; i++) await new Promise((r) => setTimeout(r, 5));
    const all = this.for(instance);
    if (all.length < count) throw new Error(`instance ${instance} has ${all.length} sockets, expected ${count}`);
    return all[count - 1]!;
  }
}

/** A deep copy of plain objects and arrays; Buffers and other class instances are shared. */
function copyPlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyPlain) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyPlain(v)])) as T;
  }
  return value;
}

function instanceOf(socket: FakeBaileysSocket): string | undefined {
  const logger = socket.config.logger as { bindings?: () => Record<string, unknown> } | undefined;
  const name = logger?.bindings?.().instance;
  return typeof name === 'string' ? name : undefined;
}
