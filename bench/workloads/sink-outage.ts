// `sink-outage`: the inbound load over --chats sender chats (messages of one chat are sent one after another); once
// the sink has a fifth of the messages it answers 500 (--outage-mode 500) or refuses connections (--outage-mode
// refuse) for --outage-seconds, then recovers. Reports whether everything acknowledged arrived after recovery,
// attempts per event (requests the sink saw, failed ones included, / N) and whether each chat's messages arrived in
// the order they were sent (duplicates ignored).
import type { BenchOptions } from '../lib/args.js';
import { runLoad, WireClient } from '../lib/client.js';
import { RecordingSink } from '../lib/recording-sink.js';
import { serverFor } from '../lib/server-process.js';
import { percentile, round } from '../lib/stats.js';
import { createBenchInstance, deleteInstance, inboundMessage, sendInbound, sleep, uniqueNumber } from '../lib/wire-load.js';

const SETTLE_MS = 1_000;

export async function sinkOutage(options: BenchOptions, base: string, progress: (line: string) => void): Promise<Record<string, number>> {
  if (options.target === 'null') throw new Error('the sink-outage workload runs against a server only');
  await serverFor(options);
  const n = options.n;
  const chats = options.chats;
  const name = `boutage${Date.now().toString(36)}`;
  const number = uniqueNumber();
  const sink = new RecordingSink(name);
  const sinkUrl = await sink.start();
  const client = new WireClient(base, options.apikey, options.concurrency);
  await createBenchInstance(client, name, number, sinkUrl);

  let outageAt = 0;
  let recoveredAt = 0;
  const outage = sink.waitUntil(() => sink.unique >= Math.ceil(n / 5), options.drainSeconds * 1000).then(async () => {
    outageAt = Date.now();
    if (options.outageMode === 'refuse') await sink.refuse();
    else sink.mode = 'fail';
    progress(`sink-outage: sink ${options.outageMode === 'refuse' ? 'refusing connections' : 'answering 500'} for ${options.outageSeconds} s (${sink.unique}/${n} delivered)`);
    await sleep(options.outageSeconds * 1000);
    if (options.outageMode === 'refuse') await sink.accept();
    else sink.mode = 'ok';
    recoveredAt = Date.now();
    progress(`sink-outage: sink recovered (${sink.unique}/${n} delivered)`);
  });

  const acked = new Set<number>();
  const httpMs: number[] = [];
  let errors = 0;
  // One message of a chat in flight at a time, in index order: the send order per chat is the index order.
  const chatTail = new Map<number, Promise<void>>();
  try {
    await runLoad(n, options.concurrency, options.rate, async (i) => {
      const chat = i % chats;
      const previous = chatTail.get(chat) ?? Promise.resolve();
      let release!: () => void;
      chatTail.set(chat, new Promise<void>((r) => (release = r)));
      await previous;
      try {
        const result = await sendInbound(client, () => inboundMessage(number, name, i, chats), 3, () => Promise.resolve());
        httpMs.push(result.ms);
        if (result.acked) acked.add(i);
        else errors += 1;
      } finally {
        release();
      }
    }, (done) => progress(`sink-outage: ${done}/${n} sent, ${sink.unique} delivered, ${sink.requests} attempts`));
    await outage;
    const drained = await sink.waitForAll(acked, options.drainSeconds * 1000);
    const lastFirst = sink.lastFirstArrival(acked);
    await sleep(SETTLE_MS);
    const deadLetters = await countDeadLetters(client, name);
    const delivered = [...acked].filter((i) => sink.delivered.has(i)).length;
    const outOfOrderChats = chatsOutOfOrder(sink.order, chats);
    return {
      accepted: acked.size,
      deliveredAfterRecovery: delivered,
      lost: acked.size - delivered,
      attemptsPerEvent: round(sink.requests / n),
      perChatOrderKept: outOfOrderChats === 0 ? 1 : 0,
      outOfOrderChats,
      duplicated: sink.duplicated,
      deadLetters,
      recoveryDrainMs: drained ? Math.max(0, lastFirst - recoveredAt) : -1,
      outageMs: recoveredAt - outageAt,
      errors,
      p50Ms: percentile(httpMs, 50),
      p99Ms: percentile(httpMs, 99),
    };
  } finally {
    await outage.catch(() => undefined);
    await deleteInstance(client, name);
    await client.close();
    await sink.close();
  }
}

/** Dead-lettered MESSAGES_UPSERT deliveries, from Parley's delivery API; -1 where the server has none (Evolution). */
async function countDeadLetters(client: WireClient, instance: string): Promise<number> {
  let dead = 0;
  let before: number | undefined;
  for (let page = 0; page < 100; page++) {
    const reply = await client.call('GET', `/events/deliveries/${instance}?status=dead&limit=500${before === undefined ? '' : `&before=${before}`}`).catch(() => ({ status: 0, body: undefined }));
    if (reply.status !== 200 || !Array.isArray(reply.body)) return page === 0 ? -1 : dead;
    const rows = (reply.body as { seq: number; event: string; attempts: number; lastStatus: number | null; lastError: string | null; chat: string; createdAt: string }[]).filter((r) => r.event === 'messages.upsert');
    if (page === 0 && rows.length > 0) process.stderr.write(`\nsink-outage: dead letters, e.g. ${JSON.stringify(rows.slice(0, 3).map(({ seq, attempts, lastStatus, lastError, chat, createdAt }) => ({ seq, attempts, lastStatus, lastError, chat, createdAt })))}\n`);
    dead += rows.length;
    if (rows.length < 500) break;
    before = rows[rows.length - 1]!.seq;
  }
  return dead;
}

/** Chats in which some message's first copy arrived after a later-sent message's first copy. */
function chatsOutOfOrder(order: number[], chats: number): number {
  const seen = new Set<number>();
  const last = new Map<number, number>();
  const bad = new Set<number>();
  for (const i of order) {
    if (seen.has(i)) continue;
    seen.add(i);
    const chat = i % chats;
    if ((last.get(chat) ?? -1) > i) bad.add(chat);
    else last.set(chat, i);
  }
  return bad.size;
}
