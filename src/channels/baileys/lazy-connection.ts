// Baileys and its protobuf/WASM stack cost about 40 MiB once imported, so a server without WhatsApp Web instances
// must not pay for them: a connection is a thin shell until its first use loads the real one (load.ts).
import type { Presence } from '../../domain/instance.js';
import type { MessageKey } from '../../domain/message.js';
import type { OutboundMessage } from '../../domain/outbound.js';
import type { ChannelConnection, ConnectResult, SendResult } from '../../ports/channel.js';

export class LazyConnection implements ChannelConnection {
  private real: ChannelConnection | undefined;
  private loading: Promise<ChannelConnection> | undefined;

  constructor(private readonly loadReal: () => Promise<ChannelConnection>) {}

  // Feature sets exist once the socket code is loaded; an instance is only `open` after connect() loaded it.
  get chats() { return this.real?.chats; }
  get profile() { return this.real?.profile; }
  get privacy() { return this.real?.privacy; }
  get groups() { return this.real?.groups; }
  get labels() { return this.real?.labels; }

  async prepare(): Promise<void> {
    await this.load();
  }

  async connect(options: { pairingNumber?: string; resume?: boolean }): Promise<ConnectResult> {
    return (await this.load()).connect(options);
  }

  async restart(): Promise<ConnectResult> {
    return (await this.load()).restart();
  }

  async logout(): Promise<void> {
    await (await this.load()).logout();
  }

  async close(): Promise<void> {
    if (this.loading !== undefined) await (await this.loading).close();
  }

  async setPresence(presence: Presence): Promise<void> {
    await (await this.load()).setPresence(presence);
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    return (await this.load()).send(message);
  }

  async markRead(keys: MessageKey[]): Promise<void> {
    await (await this.load()).markRead?.(keys);
  }

  private load(): Promise<ChannelConnection> {
    this.loading ??= this.loadReal().then((real) => (this.real = real));
    return this.loading;
  }
}
