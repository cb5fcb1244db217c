// `send`: N POST /message/sendText on an EVOLUTION instance, SEND_MESSAGE webhook to the sink.
import type { BenchOptions } from '../lib/args.js';
import { runLoad, WireClient } from '../lib/client.js';
import { BenchSink } from '../lib/sink.js';
import { percentile, round, sampleRss } from '../lib/stats.js';

export async function send(options: BenchOptions, base: string, progress: (line: string) => void): Promise<Record<string, number>> {
  const sink = new BenchSink();
  const sinkUrl = await sink.start();
  const client = new WireClient(base, options.apikey, options.concurrency);
  const name = `bench${Date.now().toString(36)}`;
  const created = await client.call('POST', '/instance/create', {
    instanceName: name, integration: 'EVOLUTION', number: `55${Date.now().toString().slice(-11)}`, webhook: { url: sinkUrl, events: ['SEND_MESSAGE'] },
  });
  if (created.status !== 201) throw new Error(`could not create the bench instance: ${created.status} ${JSON.stringify(created.body)}`);
  const rss = sampleRss(options.pid);
  const latencies: number[] = [];
  let errors = 0;
  const start = Date.now();
  await runLoad(options.n, options.concurrency, options.rate, async (i) => {
    const t0 = Date.now();
    const reply = await client.call('POST', `/message/sendText/${name}`, { number: `55119${String(i % 300).padStart(8, '0')}`, text: `bench ${i}` }).catch(() => ({ status: 0 }));
    latencies.push(Date.now() - t0);
    if (reply.status !== 201) errors += 1;
  }, (done) => progress(`send ${done}/${options.n}, ${sink.unique} webhooks`));
  const elapsed = (Date.now() - start) / 1000;
  await sink.waitFor(options.n - errors, 60_000);
  const rssPeakMiB = rss.stop();
  await client.call('DELETE', `/instance/delete/${name}`);
  await client.close();
  await sink.close();
  return {
    requestsPerSec: round(options.n / elapsed),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    errors,
    webhooksReceived: sink.unique,
    rssPeakMiB,
  };
}
