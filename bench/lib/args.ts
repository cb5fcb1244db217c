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
  /** `--server-cmd`: the runner starts, kills and restarts the server itself (bench/lib/server-process.ts). */
  serverCmd: string | undefined;
  /** `--server-env "K=V K2=V2"`: merged over the runner's environment for the server command. */
  serverEnv: Record<string, string>;
  /** `--server-log FILE`: where the started server's stdout/stderr go. */
  serverLog: string | undefined;
  /** sink-outage: `--outage-seconds` (20) and `--outage-mode 500|refuse`. */
  outageSeconds: number;
  outageMode: '500' | 'refuse';
  /** sink-outage: `--chats` distinct sender chats (200). */
  chats: number;
  /** crash / sink-outage / fanout: `--drain-seconds`, the bound on waiting for delivery after the disturbance (120). */
  drainSeconds: number;
  /** fanout: broker URLs and the port of the slow (global) webhook receiver. */
  rabbitmqUrl: string;
  natsUrl: string;
  mqttUrl: string;
  slowSinkPort: number | undefined;
}

/** `"K=V K2=V2"` → `{K: 'V', K2: 'V2'}` (values without spaces). */
export function parseEnvList(text: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of (text ?? '').split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--server-env: "${pair}" is not KEY=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

function outageMode(value: string | undefined): '500' | 'refuse' {
  if (value === undefined || value === '500') return '500';
  if (value === 'refuse') return 'refuse';
  throw new Error(`--outage-mode must be 500 or refuse, got "${value}"`);
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
  if (workload === undefined || workload.startsWith('--')) throw new Error('usage: npm run bench -- <workload> --base URL --apikey KEY [--runs 3] [--n N] [--concurrency C] [--rate R] [--pid PID] [--json FILE] [--target null] [--server-cmd "…"] [--server-env "K=V …"] (see bench/README.md)');
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
    serverCmd: get('server-cmd'),
    serverEnv: parseEnvList(get('server-env')),
    serverLog: get('server-log'),
    outageSeconds: num('outage-seconds', 20),
    outageMode: outageMode(get('outage-mode')),
    chats: num('chats', 200),
    drainSeconds: num('drain-seconds', 120),
    rabbitmqUrl: get('rabbitmq-url') ?? 'amqp://guest:guest@127.0.0.1:5672',
    natsUrl: get('nats-url') ?? 'nats://127.0.0.1:4222',
    mqttUrl: get('mqtt-url') ?? 'mqtt://127.0.0.1:1883',
    slowSinkPort: get('slow-sink-port') === undefined ? undefined : num('slow-sink-port', 0),
  };
}
