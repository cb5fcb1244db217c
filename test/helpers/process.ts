// Runs the real server as a child process (`node --import tsx src/main.ts`): for restart, shutdown and crash tests.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { callApi, type CallOptions, type CallResult } from './server.js';

/** The repository root (where package.json and src/ live). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Environment variables a child must not inherit from the test runner (they would change what it does). */
const NOT_INHERITED = [
  /^NODE_TEST_CONTEXT$/,
  /^NODE_OPTIONS$/,
  /^SERVER_/,
  /^PARLEY_/,
  /^DATABASE_/,
  /^AUTHENTICATION_/,
  /^LOG_/,
  /^DEL_INSTANCE$/,
  /^QRCODE_LIMIT$/,
  /^CORS_/,
  /^WA_BUSINESS_/,
  /^FACEBOOK_/,
];

export interface ProcessOptions {
  /** Data directory (PARLEY_DATA_DIR). */
  dataDir: string;
  /** DATABASE_URL. */
  databaseUrl: string;
  /** AUTHENTICATION_API_KEY; `null` leaves it unset (the server then generates or reads `<dataDir>/apikey`). */
  apiKey: string | null;
  /** Extra or overriding variables; a value of `undefined` removes the variable. */
  env?: Record<string, string | undefined>;
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  /** Working directory of the child; the repository root by default. */
  cwd?: string;
  /** How long to wait for `GET /health` to answer 200 (ms). */
  readyTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** stdout lines that parse as JSON objects (the structured log). */
  logLines(): Record<string, unknown>[];
  /** Resolves with the exit status once the process has exited. */
  exited: Promise<ExitStatus>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** Resolves when a stdout line satisfies `match` (already seen lines count), rejects on exit or timeout. */
  waitForStdout(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** An HTTP call with `apikey` (the `apiKey` option unless given), parsed like the in-process helper. */
  call(method: string, urlPath: string, options?: CallOptions): Promise<CallResult>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<ExitStatus>;
  /** SIGKILL (kill -9), then waits for the exit. */
  kill(): Promise<ExitStatus>;
}

/** A TCP port that was free a moment ago: listen on 0, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the bound port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

function childEnv(options: ProcessOptions, port: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || NOT_INHERITED.some((re) => re.test(name))) continue;
    env[name] = value;
  }
  Object.assign(env, {
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: String(port),
    PARLEY_DATA_DIR: options.dataDir,
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: 'info',
  });
  if (options.apiKey !== null) env.AUTHENTICATION_API_KEY = options.apiKey;
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * Spawns the server and returns at once, without waiting for it to be ready (use this for processes expected
 * to fail at start, e.g. on a bad configuration).
 */
export async function spawnServer(options: ProcessOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: options.cwd ?? REPO_ROOT,
    env: childEnv(options, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const lineWaiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    out += chunk;
    for (const wake of lineWaiters) wake();
  });
  child.stderr!.on('data', (chunk: string) => {
    err += chunk;
  });

  let done = false;
  const exited = new Promise<ExitStatus>((resolve) => {
    // 'close' comes after the exit and after the pipes closed, so stdout()/stderr() then hold everything written.
    child.once('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
      for (const wake of lineWaiters) wake();
    });
  });

  const call = (method: string, urlPath: string, o: CallOptions = {}) => callApi(url, options.apiKey, method, urlPath, o);

  const waitForStdout = (match: (line: string) => boolean, timeoutMs = 10_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const line = out.split('\n').find((l) => match(l));
        if (line !== undefined) return finish(() => resolve(line));
        if (done) return finish(() => reject(new Error(`process exited before the expected output\n${describe()}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for output\n${describe()}`))), timeoutMs);
      const finish = (then: () => void) => {
        clearTimeout(timer);
        lineWaiters.delete(check);
        then();
      };
      lineWaiters.add(check);
      check();
    });

  const describe = () => `--- stdout ---\n${out}\n--- stderr ---\n${err}`;

  const signal = async (sig: NodeJS.Signals): Promise<ExitStatus> => {
    if (!done && child.exitCode === null && child.signalCode === null) child.kill(sig);
    return exited;
  };

  return {
    url,
    port,
    child,
    stdout: () => out,
    stderr: () => err,
    logLines: () => parseJsonLines(out),
    exited,
    hasExited: () => done,
    waitForStdout,
    call,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}

/**
 * Spawns the server and waits until `GET /health` answers 200. Rejects (after killing the child) when it exits
 * first or is not ready in time; the error carries the child's output.
 */
export async function startServerProcess(options: ProcessOptions): Promise<ServerProcess> {
  const server = await spawnServer(options);
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (server.hasExited()) {
      const status = await server.exited;
      throw new Error(`server exited before it was ready (code ${status.code}, signal ${status.signal})\n` + output(server));
    }
    try {
      const response = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return server;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`server was not ready within ${options.readyTimeoutMs ?? 20_000} ms\n` + output(server));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function output(server: ServerProcess): string {
  return `--- stdout ---\n${server.stdout()}\n--- stderr ---\n${server.stderr()}`;
}

/** The lines of `text` that are JSON objects (pino's structured log). */
export function parseJsonLines(text: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) lines.push(value as Record<string, unknown>);
    } catch {
      // Not a log line.
    }
  }
  return lines;
}
