// `instances`: create N EVOLUTION instances (distinct numbers) at concurrency C; RSS after create; 50 × GET
// /instance/fetchInstances and GET /instance/connectionState/{i} for 200 random instances; with --server-cmd, restart
// the server and time spawn → fetchInstances answering 200 with all N; then delete them all (bounded concurrency).
import type { BenchOptions } from '../lib/args.js';
import { runLoad, WireClient } from '../lib/client.js';
import { serverFor } from '../lib/server-process.js';
import { percentile, round, sampleRss } from '../lib/stats.js';

const FETCHES = 50;
const STATES = 200;

export async function instances(options: BenchOptions, base: string, progress: (line: string) => void): Promise<Record<string, number>> {
  if (options.target === 'null') throw new Error('the instances workload runs against a server only');
  const server = await serverFor(options);
  const rssNow = () => sampleRss(options.pid ?? server?.pid).stop();
  const n = options.n;
  if (n > 99_999) throw new Error('--n must be at most 99999 for the instances workload');
  const client = new WireClient(base, options.apikey, options.concurrency);
  const tag = Date.now().toString(36).slice(-6);
  const name = (i: number) => `binst${tag}-${i}`;
  // 55 + 6 digits of run + 5 digits of index: distinct numbers within and across runs.
  const runDigits = String(Date.now() % 1_000_000).padStart(6, '0');
  const number = (i: number) => `55${runDigits}${String(i).padStart(5, '0')}`;
  const ours = (list: unknown) => (Array.isArray(list) ? list.filter((x: any) => typeof x?.name === 'string' && x.name.startsWith(`binst${tag}-`)).length : 0);
  const created = new Set<number>();
  const figures: Record<string, number> = {};
  try {
    figures.rssBeforeCreateMiB = rssNow();
    let createErrors = 0;
    const t0 = Date.now();
    await runLoad(n, options.concurrency, options.rate, async (i) => {
      const reply = await client.call('POST', '/instance/create', { instanceName: name(i), integration: 'EVOLUTION', number: number(i) }).catch(() => ({ status: 0, body: undefined }));
      if (reply.status === 201) created.add(i);
      else if (createErrors++ === 0) process.stderr.write(`\ncreate failed: ${reply.status} ${JSON.stringify(reply.body)}\n`);
    }, (done) => progress(`instances: created ${done}/${n}`));
    figures.createPerSec = round(created.size / ((Date.now() - t0) / 1000));
    figures.created = created.size;
    figures.errors = createErrors;
    figures.rssAfterCreateMiB = rssNow();

    const fetchMs: number[] = [];
    let listed = 0;
    for (let k = 0; k < FETCHES; k++) {
      const t = Date.now();
      const reply = await client.call('GET', '/instance/fetchInstances');
      fetchMs.push(Date.now() - t);
      if (reply.status !== 200) throw new Error(`fetchInstances answered ${reply.status}`);
      listed = ours(reply.body);
    }
    figures.fetchInstancesP50Ms = percentile(fetchMs, 50);
    figures.fetchInstancesP99Ms = percentile(fetchMs, 99);
    figures.fetchInstancesListed = listed;
    progress(`instances: fetchInstances p50 ${figures.fetchInstancesP50Ms} ms`);

    const stateMs: number[] = [];
    const pool = [...created];
    for (let k = 0; k < Math.min(STATES, pool.length * 10); k++) {
      const i = pool[Math.floor(Math.random() * pool.length)]!;
      const t = Date.now();
      const reply = await client.call('GET', `/instance/connectionState/${name(i)}`);
      stateMs.push(Date.now() - t);
      if (reply.status !== 200) throw new Error(`connectionState/${name(i)} answered ${reply.status}`);
    }
    figures.connectionStateP50Ms = percentile(stateMs, 50);
    figures.connectionStateP99Ms = percentile(stateMs, 99);

    if (server !== undefined) {
      progress('instances: restarting the server');
      await server.stop();
      const started = await server.start({ until: (list) => ours(list) >= created.size, timeoutMs: 120_000 });
      figures.coldStartMs = started.coldStartMs;
      figures.readyMs = started.readyMs;
      figures.rssAfterRestartMiB = rssNow();
    }
  } finally {
    const t1 = Date.now();
    let deleteErrors = 0;
    const left = [...created];
    await runLoad(left.length, Math.min(options.concurrency, 20), undefined, async (k) => {
      const reply = await client.call('DELETE', `/instance/delete/${name(left[k]!)}`).catch(() => ({ status: 0 }));
      if (reply.status !== 200) deleteErrors += 1;
    }, (done) => progress(`instances: deleted ${done}/${left.length}`));
    figures.deletePerSec = left.length === 0 ? 0 : round(left.length / ((Date.now() - t1) / 1000));
    figures.deleteErrors = deleteErrors;
    await client.close();
  }
  return figures;
}
