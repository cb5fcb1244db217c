// The bench runner (benchmarks.md): `npm run bench -- <workload> --base URL --apikey KEY [options]`.
// Speaks only the Evolution v2 wire API, so it can point at Parley or any Evolution-compatible server.
import { writeFileSync } from 'node:fs';
import { parseArgs } from './lib/args.js';
import { medianOf } from './lib/stats.js';
import { startNullPipeline } from './null-pipeline.js';
import { withServer } from './lib/server-process.js';
import { crash } from './workloads/crash.js';
import { fanout } from './workloads/fanout.js';
import { inbound } from './workloads/inbound.js';
import { instances } from './workloads/instances.js';
import { send } from './workloads/send.js';
import { sinkOutage } from './workloads/sink-outage.js';

const WORKLOADS: Record<string, typeof inbound> = {
  inbound: withServer(inbound),
  'inbound-latency': withServer((o, base, p) => inbound({ ...o, rate: o.rate ?? 500 }, base, p)),
  send: withServer(send),
  instances,
  crash,
  'sink-outage': sinkOutage,
  fanout,
};

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const workload = WORKLOADS[options.workload];
  if (workload === undefined) throw new Error(`unknown workload "${options.workload}"; available: ${Object.keys(WORKLOADS).join(', ')}`);
  if (options.target === 'null' && options.workload === 'send') throw new Error('the null target serves the inbound workloads only');
  const nullTarget = options.target === 'null' ? await startNullPipeline() : undefined;
  const base = nullTarget?.base ?? options.base!;
  const progress = process.stderr.isTTY ? (line: string) => process.stderr.write(`\r${line}   `) : () => undefined;
  const runs: Record<string, number>[] = [];
  try {
    for (let r = 1; r <= options.runs; r++) {
      const result = await workload(options, base, progress);
      if (process.stderr.isTTY) process.stderr.write('\n');
      runs.push(result);
      console.log(`run ${r}/${options.runs}: ${Object.entries(result).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
  } finally {
    await nullTarget?.close();
  }
  const median = medianOf(runs);
  console.table(median);
  const output = { workload: options.workload, target: options.target === 'null' ? 'null' : 'server', base, runs, median };
  if (options.json !== undefined) writeFileSync(options.json, JSON.stringify(output, null, 2));
  console.log(JSON.stringify(output));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
