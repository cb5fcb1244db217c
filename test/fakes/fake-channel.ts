// A channel for tests: connects with a QR, pairs on demand, logs out, records what core asked of it.
import type { Instance, Integration, Presence } from '../../src/domain/instance.js';
import type { ChannelConnection, ChannelEvents, ChannelFactory, ConnectResult } from '../../src/ports/channel.js';

export class FakeChannel implements ChannelFactory {
  readonly capabilities = new Set(['presence', 'text'] as const);
  readonly unsupportedMessage = 'Method not available on Fake Channel';
  readonly calls: string[] = [];
  private sent = 0;
  private readonly live = new Map<string, { instance: Instance; events: ChannelEvents; qrCount: number; state: ConnectResult['state'] }>();

  constructor(readonly integration: Integration = 'WHATSAPP-BAILEYS') {}

  open(instance: Instance, events: ChannelEvents): ChannelConnection {
    const entry = { instance, events, qrCount: 0, state: instance.connectionStatus };
    this.live.set(instance.name, entry);
    const qr = () => ({
      pairingCode: null,
      code: `fake-qr-${instance.name}-${entry.qrCount}`,
      base64: `data:image/png;base64,${Buffer.from(`qr${entry.qrCount}`).toString('base64')}`,
      count: entry.qrCount,
    });
    return {
      connect: async ({ pairingNumber, resume }) => {
        this.calls.push(`connect:${instance.name}${resume ? ':resume' : ''}${pairingNumber ? `:${pairingNumber}` : ''}`);
        if (entry.state === 'open') return { state: 'open' };
        entry.qrCount += 1;
        entry.state = 'connecting';
        await events.connectionChanged({ connectionStatus: 'connecting' });
        return { state: 'connecting', qrcode: { ...qr(), pairingCode: pairingNumber ? 'ABCD1234' : null } };
      },
      restart: async () => {
        this.calls.push(`restart:${instance.name}`);
        return { state: entry.state };
      },
      logout: async () => {
        this.calls.push(`logout:${instance.name}`);
        entry.state = 'close';
        await events.connectionChanged({ connectionStatus: 'close' });
      },
      close: async () => {
        this.calls.push(`close:${instance.name}`);
      },
      setPresence: async (presence: Presence) => {
        this.calls.push(`presence:${instance.name}:${presence}`);
      },
      send: async (message) => {
        this.calls.push(`send:${instance.name}:${message.to}`);
        const text = message.content.kind === 'text' ? message.content.text : message.content.kind;
        return { key: { remoteJid: message.to, fromMe: true, id: `FAKE${++this.sent}` }, message: { conversation: text }, messageType: 'conversation', status: 'SERVER_ACK', messageTimestamp: Math.floor(Date.now() / 1000) };
      },
    };
  }

  /** Simulates the phone scanning the QR. */
  async pair(name: string, ownerJid = '5511999999999@s.whatsapp.net'): Promise<void> {
    const entry = this.live.get(name);
    if (entry === undefined) throw new Error(`no live connection for ${name}`);
    entry.state = 'open';
    await entry.events.connectionChanged({ connectionStatus: 'open', ownerJid, profileName: 'Fake Phone' });
  }
}
