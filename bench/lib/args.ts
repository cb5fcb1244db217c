// Command-line options of the bench runner (benchmarks.md "The runner").
export interface BenchOptions {
  workload: string;
  base: string | undefined;
  apikey: string;
  target: 'server' | 'null';
  runs: number;
  n: number;
  concurrency: number;
  rate: number | undefined;
  pid: number | undefined;
  json: string | undefined;
}

export function parseArgs(argv: string[]): BenchOptions {
  const [workload, ...rest] = argv;
  const get = (name: string): string | undefined => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const num = (name: string, fallback: number) => {
    const v = get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${v}"`);
    return n;
  };
  if (workload === undefined || workload.startsWith('--')) throw new Error('usage: npm run bench -- <workload> --base URL --apikey KEY [--runs 3] [--n N] [--concurrency C] [--rate R] [--pid PID] [--json FILE] [--target null]');
  const target = get('target') === 'null' ? 'null' : 'server';
  if (target === 'server' && get('base') === undefined) throw new Error('--base is required (or --target null)');
  return {
    workload,
    base: get('base')?.replace(/\/+$/, ''),
    apikey: get('apikey') ?? '',
    target,
    runs: num('runs', 3),
    n: num('n', 2000),
    concurrency: num('concurrency', 20),
    rate: get('rate') === undefined ? undefined : num('rate', 500),
    pid: get('pid') === undefined ? undefined : num('pid', 0),
    json: get('json'),
  };
}
