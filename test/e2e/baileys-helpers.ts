// Shared set-up of the WHATSAPP-BAILEYS e2e tests: a real Parley node whose Baileys channel makes fake sockets that
// behave like WhatsApp (a socket with a linked login opens; one without shows a QR), and a webhook sink.
import { randomBytes } from 'node:crypto';
import { baileysChannel, type BaileysSettings } from '../../src/channels/baileys/index.js';
import { baileysSettings } from '../../src/channels/registry.js';
import { FakeSocketFactory, type FakeBaileysSocket } from '../fakes/fake-baileys-socket.js';
import type { DatabaseKind, TestDatabase } from '../helpers/databases.js';
import { createInstance, startTestServer, type TestServer } from '../helpers/server.js';
import type { WebhookSink } from '../helpers/webhook-sink.js';

export const OWNER = { id: '5511999990000:7@s.whatsapp.net', name: 'Fake Phone', lid: '201000000000007:7@lid' };
export const OWNER_JID = '5511999990000@s.whatsapp.net';

export type Behaviour = 'whatsapp' | 'manual';

/** Makes sockets act like WhatsApp after creation: open with a linked login, else show a QR. */
export function actLikeWhatsApp(fake: FakeSocketFactory): void {
  fake.onCreate = (sock) =>
    setImmediate(() => {
      if (sock.ended) return;
      if (sock.authState.creds.registered && sock.authState.creds.me) sock.openWith(sock.authState.creds.me);
      else sock.emitQr(`2@${randomBytes(12).toString('base64')},${randomBytes(8).toString('hex')}`);
    });
}

export async function startBaileysServer(
  kind: DatabaseKind,
  fake: FakeSocketFactory,
  options: { db?: TestDatabase; env?: Record<string, string>; settings?: Partial<BaileysSettings> } = {},
): Promise<TestServer> {
  return startTestServer(kind, {
    db: options.db,
    env: options.env,
    channelsFor: (services, config) => [
      baileysChannel(
        {
          ...baileysSettings(config),
          makeSocket: fake.makeSocket,
          backoff: { baseMs: 5, maxMs: 20, jitter: 0.5, stableMs: 60_000 },
          watchdogIdleMs: 0,
          connectWaitMs: 2_000,
          send: { ratePerSecond: 1000, burst: 1000, jitterMs: 0 },
          ...options.settings,
        },
        services,
      ),
    ],
  });
}

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

export async function createWithWebhook(server: TestServer, sink: WebhookSink, name: string, extra: Record<string, unknown> = {}): Promise<any> {
  return createInstance(server, { instanceName: name, webhook: { url: `${sink.url}/${name}`, events: [] }, ...extra });
}

/** Hooks of one instance (the webhook path is the instance name). */
export function hooksOf(sink: WebhookSink, name: string, event?: string): any[] {
  return sink.received.filter((h) => h.path === `/${name}` && (event === undefined || h.body.event === event)).map((h) => h.body);
}

/** Connects (QR), scans, waits for the restart-required reconnect to open: the instance ends `open`. */
export async function linkInstance(server: TestServer, fake: FakeSocketFactory, sink: WebhookSink, name: string): Promise<FakeBaileysSocket> {
  const connect = await server.call('GET', `/instance/connect/${name}`);
  if (connect.status !== 200 || typeof connect.body.code !== 'string') throw new Error(`connect failed: ${connect.status} ${connect.text}`);
  const before = fake.for(name).length;
  fake.latest(name).scan(OWNER);
  const opened = await fake.waitFor(name, before + 1);
  await sink.waitFor(() => hooksOf(sink, name, 'connection.update').some((e) => e.data.state === 'open'), 10_000, `${name} open`);
  return opened;
}
