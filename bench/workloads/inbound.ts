// `inbound` / `inbound-latency`: N messages through POST /webhook/evolution into one EVOLUTION instance, a few hundred
// senders, MESSAGES_UPSERT webhook to the runner's sink; acceptance and inbound→webhook latency, lost, duplicated.
import type { BenchOptions } from '../lib/args.js';
import { runLoad, WireClient } from '../lib/client.js';
import { BenchSink } from '../lib/sink.js';
import { percentile, round, sampleRss } from '../lib/stats.js';

export async function inbound(options: BenchOptions, base: string, progress: (line: string) => void): Promise<Record<string, number>> {
  const sink = new BenchSink();
  const sinkUrl = await sink.start();
  const client = new WireClient(base, options.apikey, options.concurrency);
  const name = `bench${Date.now().toString(36)}`;
  const number = `55${Date.now().toString().slice(-11)}`;
  const created = await client.call('POST', '/instance/create', { instanceName: name, integration: 'EVOLUTION', number, webhook: { url: sinkUrl, events: ['MESSAGES_UPSERT'] } });
  if (created.status !== 201) throw new Error(`could not create the bench instance: ${created.status} ${JSON.stringify(created.body)}`);
  const rss = sampleRss(options.pid);
  const httpLatencies: number[] = [];
  let errors = 0;
  let lastAccepted = 0;
  const start = Date.now();
  await runLoad(options.n, options.concurrency, options.rate, async (i) => {
    const sentAt = Date.now();
    const reply = await client.call('POST', '/webhook/evolution', {
      numberId: number,
      key: { id: `${name}-${i}`, remoteJid: `55119${String(i % 300).padStart(8, '0')}@s.whatsapp.net`, fromMe: false },
      pushName: `Sender ${i % 300}`,
      message: { conversation: `bench message ${i}`, benchSentAt: sentAt },
      messageType: 'conversation',
    }, false).catch(() => ({ status: 0, body: undefined }));
    const now = Date.now();
    httpLatencies.push(now - sentAt);
    if (reply.status === 200) lastAccepted = now;
    else errors += 1;
  }, (done) => progress(`inbound ${done}/${options.n} sent, ${sink.unique} delivered`));
  const accepted = options.n - errors;
  await sink.waitFor(accepted, 120_000);
  const rssPeakMiB = rss.stop();
  await client.call('DELETE', `/instance/delete/${name}`);
  await client.close();
  await sink.close();
  return {
    acceptedPerSec: round(accepted / ((lastAccepted - start) / 1000)),
    deliveredPerSec: round(sink.unique / ((sink.lastAt - start) / 1000)),
    p50Ms: percentile(httpLatencies, 50),
    p99Ms: percentile(httpLatencies, 99),
    maxMs: percentile(httpLatencies, 100),
    e2eP50Ms: percentile(sink.latencies, 50),
    e2eP99Ms: percentile(sink.latencies, 99),
    lost: Math.max(0, accepted - sink.unique),
    duplicated: sink.duplicated,
    errors,
    rssPeakMiB,
  };
}
