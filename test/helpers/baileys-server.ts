// A Parley node whose WHATSAPP-BAILEYS channel is the real one over fake sockets: instances connect and open at once
// (the fake "phone" is already linked), and every Baileys call is recorded on the instance's FakeBaileysSocket.
import { baileysChannel } from '../../src/channels/baileys/index.js';
import { baileysSettings } from '../../src/channels/registry.js';
import { evolutionChannel } from '../../src/channels/evolution/index.js';
import { FakeSocketFactory, type FakeBaileysSocket } from '../fakes/fake-baileys-socket.js';
import type { DatabaseKind } from './databases.js';
import { createInstance, startTestServer, type TestServer } from './server.js';

export interface BaileysTestServer {
  server: TestServer;
  sockets: FakeSocketFactory;
  /** Every wait the channel asked for (sendPresence's delay, number-check spacing, send pacing); none really sleeps. */
  sleeps: number[];
  /** Creates a WHATSAPP-BAILEYS instance, connects it and waits until it is open; returns its socket. */
  openInstance(name: string): Promise<FakeBaileysSocket>;
}

export async function startBaileysServer(kind: DatabaseKind): Promise<BaileysTestServer> {
  const sockets = new FakeSocketFactory();
  const sleeps: number[] = [];
  // The phone links as soon as the socket exists (after Baileys' own `connecting`).
  sockets.onCreate = (socket) => setImmediate(() => socket.openWith());
  const server = await startTestServer(kind, {
    channelsFor: (services, config) => [
      evolutionChannel,
      baileysChannel({ ...baileysSettings(config), makeSocket: sockets.makeSocket, sleep: async (ms) => void sleeps.push(ms) }, services),
    ],
  });
  return {
    server,
    sockets,
    sleeps,
    async openInstance(name) {
      await createInstance(server, { instanceName: name, integration: 'WHATSAPP-BAILEYS', qrcode: false });
      const connected = await server.call('GET', `/instance/connect/${name}`);
      if (connected.status !== 200) throw new Error(`connect failed: ${connected.status} ${connected.text}`);
      for (let i = 0; i < 500; i++) {
        const state = await server.call('GET', `/instance/connectionState/${name}`);
        if (state.body?.instance?.state === 'open') return sockets.latest(name);
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`instance ${name} did not open`);
    },
  };
}
