// Event pipeline throughput: N MESSAGES_UPSERT events (a few hundred chats) written to the outbox the way a channel's
// inbound pipeline writes them, delivered to one local webhook receiver. Reports delivered/s and store→receive latency.
//   npm run bench:events -- [--n 20000] [--batch 50] [--chats 300] [--db postgres://…] [--runs 3]
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createParley } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import type { NewEvent } from '../src/domain/events.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const N = Number(arg('n', '20000'));
const BATCH = Number(arg('batch', '50'));
const CHATS = Number(arg('chats', '300'));
const RUNS = Number(arg('runs', '3'));
const DB = arg('db', '');

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function run(): Promise<Record<string, number>> {
  const received: number[] = [];
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((r) => (resolveAll = r));
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { data: { t: number } };
      received.push(Date.now() - body.data.t);
      res.end('ok');
      if (received.length >= N) resolveAll();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const schema = `bench_${Date.now()}`;
  const config = loadConfig({
    SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', PARLEY_DATA_DIR: dataDir, AUTHENTICATION_API_KEY: 'bench-key-0123456789abcdef', LOG_LEVEL: 'warn',
    ...(DB ? { DATABASE_URL: `${DB}${DB.includes('?') ? '&' : '?'}schema=${schema}` } : {}),
  });
  const parley = await createParley({ config, apiKey: config.apiKey!, logger: pino({ level: 'warn' }) });
  await parley.start();
  const created = await parley.instances.create({ name: 'bench', integration: 'EVOLUTION', number: '5511', settings: {} });
  await parley.store.endpoints.upsertForInstance(created.instance.id, 'webhook', { enabled: true, events: ['MESSAGES_UPSERT'], config: { url: `http://127.0.0.1:${port}/hook` } }, new Date());
  await parley.dispatcher?.refresh();

  const t0 = Date.now();
  for (let i = 0; i < N; i += BATCH) {
    const events: NewEvent[] = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) {
      const chat = `55119${String(j % CHATS).padStart(8, '0')}@s.whatsapp.net`;
      events.push({ event: 'MESSAGES_UPSERT', instanceId: created.instance.id, instanceName: 'bench', chatKey: chat, data: { key: { remoteJid: chat, id: `m${j}` }, t: Date.now() } });
    }
    await parley.store.transaction((tx) => tx.outbox.append(events, new Date()));
  }
  const writtenMs = Date.now() - t0;
  await all;
  const totalMs = Date.now() - t0;
  await parley.stop();
  receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (DB) {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: DB });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  }
  const sorted = [...received].sort((a, b) => a - b);
  return {
    events: N,
    writtenPerSec: Math.round((N / writtenMs) * 1000),
    deliveredPerSec: Math.round((N / totalMs) * 1000),
    e2eP50Ms: percentile(sorted, 50),
    e2eP99Ms: percentile(sorted, 99),
    lost: Math.max(0, N - received.length),
  };
}

const runs: Record<string, number>[] = [];
for (let r = 0; r < RUNS; r++) {
  const result = await run();
  runs.push(result);
  console.log(`run ${r + 1}/${RUNS}: ${JSON.stringify(result)}`);
}
const median = Object.fromEntries(Object.keys(runs[0]!).map((k) => [k, runs.map((x) => x[k]!).sort((a, b) => a - b)[Math.floor(runs.length / 2)]]));
console.log(JSON.stringify({ workload: 'events-webhook', target: 'parley', database: DB ? 'postgres' : 'sqlite', runs, median }));
