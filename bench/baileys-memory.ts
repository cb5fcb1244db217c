// Memory per idle WHATSAPP-BAILEYS instance: starts Parley in-process (SQLite in a temp dir) with the fake socket
// factory, creates N instances over HTTP, links each (connect → QR → scan → restart-required → open), forces GC and
// reports RSS and heap: the baseline, after creating (no sockets), after all are open, and the delta per instance.
//   npm run bench:baileys-memory -- --n 500
// The fake socket holds no websocket, Signal repository or Baileys caches, so the figure is Parley's own cost per
// connection (connection object, DB-backed auth state with its key cache, features, limiter, loggers, listeners);
// a real Baileys socket adds its own on top.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createParley } from '../src/app.js';
import { baileysChannel } from '../src/channels/baileys/index.js';
import { baileysSettings } from '../src/channels/registry.js';
import { loadConfig } from '../src/config/load.js';
import { FakeSocketFactory } from '../test/fakes/fake-baileys-socket.js';

const API_KEY = 'bench-baileys-memory-key-0123456789';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function settle(): Promise<{ rssMiB: number; heapMiB: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (the npm script does)');
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(100);
  }
  const m = process.memoryUsage();
  return { rssMiB: m.rss / 2 ** 20, heapMiB: m.heapUsed / 2 ** 20 };
}

async function main(): Promise<void> {
  const n = arg('n', 500);
  const concurrency = arg('concurrency', 20);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-baileys-'));
  const fake = new FakeSocketFactory();
  // WhatsApp's behaviour: a linked login opens; a fresh one shows a QR.
  fake.onCreate = (sock) =>
    setImmediate(() => {
      if (sock.authState.creds.registered && sock.authState.creds.me) sock.openWith(sock.authState.creds.me);
      else sock.emitQr(`2@bench-${fake.sockets.length}`);
    });
  const config = loadConfig({ SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', PARLEY_DATA_DIR: dataDir, AUTHENTICATION_API_KEY: API_KEY, LOG_LEVEL: 'silent' });
  const parley = await createParley({
    config,
    apiKey: API_KEY,
    logger: pino({ level: 'silent' }),
    channelsFor: (services, cfg) => [baileysChannel({ ...baileysSettings(cfg), makeSocket: fake.makeSocket }, services)],
  });
  const base = await parley.start();
  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(base + route, { method, headers: { apikey: API_KEY, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<any>;
  };
  const inBatches = async (work: (i: number) => Promise<void>) => {
    for (let start = 0; start < n; start += concurrency) {
      await Promise.all(Array.from({ length: Math.min(concurrency, n - start) }, (_, k) => work(start + k)));
    }
  };
  try {
    const baseline = await settle();
    const names = Array.from({ length: n }, (_, i) => `bmem-${i}`);
    await inBatches((i) => call('POST', '/instance/create', { instanceName: names[i], integration: 'WHATSAPP-BAILEYS' }));
    const created = await settle();
    await inBatches(async (i) => {
      const name = names[i]!;
      await call('GET', `/instance/connect/${name}`);
      fake.latest(name).scan({ id: `55119${String(i).padStart(8, '0')}:1@s.whatsapp.net`, name: `Bench ${i}` });
      const opened = await fake.waitFor(name, 2);
      for (let tries = 0; tries < 400 && (await call('GET', `/instance/connectionState/${name}`)).instance.state !== 'open'; tries++) await sleep(5);
      if (opened.ended) throw new Error(`${name} closed`);
    });
    const open = (await call('GET', '/instance/fetchInstances')).filter((r: any) => r.connectionStatus === 'open').length;
    const connected = await settle();
    const perInstanceKiB = ((connected.rssMiB - created.rssMiB) * 1024) / n;
    const heapPerInstanceKiB = ((connected.heapMiB - created.heapMiB) * 1024) / n;
    const result = {
      instances: n,
      open,
      liveSockets: fake.sockets.filter((s) => !s.ended).length,
      rssBaselineMiB: +baseline.rssMiB.toFixed(1),
      rssAfterCreateMiB: +created.rssMiB.toFixed(1),
      rssAllOpenMiB: +connected.rssMiB.toFixed(1),
      rssPerOpenInstanceKiB: +perInstanceKiB.toFixed(1),
      heapPerOpenInstanceKiB: +heapPerInstanceKiB.toFixed(1),
      rssPerInstanceTotalKiB: +(((connected.rssMiB - baseline.rssMiB) * 1024) / n).toFixed(1),
    };
    console.table(result);
    console.log(JSON.stringify(result));
  } finally {
    await parley.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
