// `crash` (needs --server-cmd): the inbound load; once the sink has half the messages, kill -9 the server and start
// it again. Requests cut off by the kill are sent again once the server answers (as a connector redelivers what was
// not acknowledged). Then wait for delivery and count: acknowledged but never delivered (must be 0), duplicates, and
// duplicates whose copies carried different (or no) `webhook-id` headers (must be 0 for Parley).
import type { BenchOptions } from '../lib/args.js';
import { runLoad, WireClient } from '../lib/client.js';
import { RecordingSink } from '../lib/recording-sink.js';
import { requireServer } from '../lib/server-process.js';
import { percentile } from '../lib/stats.js';
import { createBenchInstance, deleteInstance, inboundMessage, sendInbound, sleep, uniqueNumber } from '../lib/wire-load.js';

const CHATS = 300;
/** After everything acknowledged arrived, keep listening this long for late duplicates. */
const SETTLE_MS = 3_000;

export async function crash(options: BenchOptions, base: string, progress: (line: string) => void): Promise<Record<string, number>> {
  if (options.target === 'null') throw new Error('the crash workload runs against a server only');
  const server = await requireServer(options, 'crash');
  const n = options.n;
  const name = `bcrash${Date.now().toString(36)}`;
  const number = uniqueNumber();
  const sink = new RecordingSink(name);
  const sinkUrl = await sink.start();
  const client = new WireClient(base, options.apikey, options.concurrency);
  await createBenchInstance(client, name, number, sinkUrl);

  const acked = new Set<number>();
  let killedAt = 0;
  let acknowledgedAtKill = 0;
  let deliveredAtKill = 0;
  let restartedAt = 0;
  let coldStartMs = 0;
  let up: Promise<void> = Promise.resolve();
  const kill = () => {
    if (killedAt !== 0) return up;
    killedAt = Date.now();
    acknowledgedAtKill = acked.size;
    deliveredAtKill = sink.unique;
    up = (async () => {
      await server.kill9();
      progress(`crash: killed with ${sink.unique}/${n} delivered, ${acked.size} acknowledged; restarting`);
      const started = await server.start();
      coldStartMs = started.coldStartMs;
      restartedAt = Date.now();
    })();
    up.catch(() => undefined);
    return up;
  };
  const half = sink.waitUntil(() => sink.unique >= n / 2, options.drainSeconds * 1000).then((reached) => (reached ? kill() : undefined));

  let errors = 0;
  const httpMs: number[] = [];
  try {
    await runLoad(n, options.concurrency, options.rate, async (i) => {
      const result = await sendInbound(client, () => inboundMessage(number, name, i, CHATS), 6, () => up);
      httpMs.push(result.ms);
      if (result.acked) acked.add(i);
      else errors += 1;
    }, (done) => progress(`crash: ${done}/${n} sent, ${acked.size} acknowledged, ${sink.unique} delivered`));
    await half;
    if (killedAt === 0) throw new Error(`the sink never reached half the messages (${sink.unique}/${n}) within --drain-seconds ${options.drainSeconds}`);
    await up;
    const drained = await sink.waitForAll(acked, options.drainSeconds * 1000);
    const drainedAt = drained ? Math.max(restartedAt, sink.lastFirstArrival(acked)) : Date.now();
    await sleep(SETTLE_MS);
    const lost = [...acked].filter((i) => !sink.delivered.has(i)).length;
    return {
      acknowledged: acked.size,
      acknowledgedAtKill,
      deliveredAtKill,
      acknowledgedButLost: lost,
      deliveredNotAcknowledged: [...sink.delivered.keys()].filter((i) => !acked.has(i)).length,
      duplicated: sink.duplicated,
      duplicatedDifferentEventId: sink.duplicatedDifferentEventId,
      drainAfterRestartMs: drainedAt - restartedAt,
      coldStartMs,
      errors,
      p50Ms: percentile(httpMs, 50),
      p99Ms: percentile(httpMs, 99),
    };
  } finally {
    await up.catch(() => undefined);
    if (!server.running) await server.start().catch(() => undefined);
    await deleteInstance(client, name);
    await client.close();
    await sink.close();
  }
}

/** When the last acknowledged message first reached the sink. */
