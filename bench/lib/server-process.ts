// `--server-cmd`: the runner starts the server itself, can kill -9 it and start it again, and measures cold start
// (spawn → first 200 on GET /instance/fetchInstances). The command runs through a shell in its own process group,
// so a kill reaches the shell and everything it started. Its output goes to a log file, never to the runner's stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import type { BenchOptions } from './args.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StartResult {
  /** spawn → first 200 on GET /health (Parley) or GET / (other servers). */
  readyMs: number;
  /** spawn → first 200 on GET /instance/fetchInstances (that also satisfies `until`, when given). */
  coldStartMs: number;
}

export interface StartOptions {
  /** Extra condition on the fetchInstances body (e.g. "lists all N instances"). */
  until?: (instances: unknown) => boolean;
  timeoutMs?: number;
}

export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private spawnedAt = 0;
  private leaderPid: number | undefined;
  private serverPid: number | undefined;

  constructor(
    readonly command: string,
    readonly env: Record<string, string>,
    readonly base: string,
    private readonly apikey: string,
    readonly logFile: string,
  ) {}

  /** The pid to sample RSS from: the heaviest process under the shell (the server itself), or the shell's own. */
  get pid(): number | undefined {
    return this.serverPid ?? this.leaderPid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the command and waits until it answers; rejects if it exits first or does not answer in time. */
  async start(options: StartOptions = {}): Promise<StartResult> {
    if (this.running) throw new Error('the server is already running');
    const log = openSync(this.logFile, 'a');
    this.spawnedAt = Date.now();
    const child = spawn(this.command, {
      shell: true,
      detached: true,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    child.unref();
    this.child = child;
    this.leaderPid = child.pid;
    this.serverPid = undefined;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const failed = new Promise<never>((_, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`the server command exited (${signal ?? code}) before it answered; see ${this.logFile}:\n${this.logTail()}`)));
      child.once('error', (error) => reject(error));
    });
    failed.catch(() => undefined);
    const deadline = this.spawnedAt + (options.timeoutMs ?? 60_000);
    const agent = new Agent({ connections: 2, keepAliveTimeout: 1_000, connect: { timeout: 1_000 } });
    try {
      const [readyMs, coldStartMs] = await Promise.race([
        Promise.all([this.poll(deadline, () => this.healthy(agent)), this.poll(deadline, () => this.listed(agent, options.until))]),
        failed,
      ]);
      this.serverPid = findServerPid(child.pid!);
      return { readyMs, coldStartMs };
    } catch (error) {
      await this.kill9();
      throw error;
    } finally {
      await agent.close();
    }
  }

  /** SIGKILL to the whole process group; resolves once the command has exited. */
  async kill9(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** Synchronous last resort (process exit). */
  killNow(): void {
    if (this.running) this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.leaderPid === undefined) return;
    try {
      process.kill(-this.leaderPid, signal);
    } catch {
      try {
        process.kill(this.leaderPid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** Polls every 10 ms until `probe` is true; resolves with ms since spawn. */
  private async poll(deadline: number, probe: () => Promise<boolean>): Promise<number> {
    for (;;) {
      if (await probe().catch(() => false)) return Date.now() - this.spawnedAt;
      if (Date.now() > deadline) throw new Error(`the server did not answer within ${Math.round((deadline - this.spawnedAt) / 1000)} s; see ${this.logFile}:\n${this.logTail()}`);
      if (!this.running) throw new Error(`the server command exited; see ${this.logFile}:\n${this.logTail()}`);
      await sleep(10);
    }
  }

  /** GET /health answers 200 (Parley), or, where there is no /health, GET / answers 200 (Evolution). */
  private async healthy(agent: Agent): Promise<boolean> {
    const health = await request(`${this.base}/health`, { dispatcher: agent, headersTimeout: 2_000, bodyTimeout: 2_000 });
    await health.body.dump();
    if (health.statusCode === 200) return true;
    const root = await request(`${this.base}/`, { dispatcher: agent, headersTimeout: 2_000, bodyTimeout: 2_000 });
    await root.body.dump();
    return root.statusCode === 200;
  }

  private async listed(agent: Agent, until: StartOptions['until']): Promise<boolean> {
    const res = await request(`${this.base}/instance/fetchInstances`, { dispatcher: agent, headers: { apikey: this.apikey }, headersTimeout: 10_000, bodyTimeout: 10_000 });
    if (res.statusCode !== 200) {
      await res.body.dump();
      return false;
    }
    if (until === undefined) {
      await res.body.dump();
      return true;
    }
    return until(await res.body.json());
  }

  private logTail(): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** The process group's heaviest member: with `sh -c "cd x && node main.js"` that is node, not the shell. */
function findServerPid(leader: number): number {
  const rss = (pid: number) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  };
  let best = leader;
  let bestRss = rss(leader);
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      try {
        // Fields after the command name (which may contain spaces): state ppid pgrp …
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) !== leader) continue;
      } catch {
        continue;
      }
      const r = rss(pid);
      if (r > bestRss) {
        best = pid;
        bestRss = r;
      }
    }
  } catch {
    // no /proc: keep the leader
  }
  return best;
}

let starting: Promise<ServerProcess | undefined> | undefined;

/**
 * The server started from `--server-cmd` (started on first use, kept across runs, stopped when the runner ends), or
 * undefined without `--server-cmd`. `extraEnv` (e.g. the fanout workload's transports) goes under `--server-env`.
 */
export function serverFor(options: BenchOptions, extraEnv: Record<string, string> = {}): Promise<ServerProcess | undefined> {
  if (options.serverCmd === undefined) return Promise.resolve(undefined);
  if (starting === undefined) {
    if (options.base === undefined) throw new Error('--server-cmd needs --base (the URL the started server listens on)');
    const logFile = options.serverLog ?? path.join(os.tmpdir(), `bench-server-${process.pid}.log`);
    const server = new ServerProcess(options.serverCmd, { ...extraEnv, ...options.serverEnv }, options.base, options.apikey, logFile);
    process.once('exit', () => server.killNow());
    process.once('beforeExit', () => void server.stop());
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        server.killNow();
        process.exit(130);
      });
    }
    starting = server.start().then((r) => {
      process.stderr.write(`server started (pid ${server.pid}, ready in ${r.readyMs} ms, log ${logFile})\n`);
      return server;
    });
  }
  return starting;
}

/** The started server, for workloads that cannot run without one. */
export async function requireServer(options: BenchOptions, workload: string, extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await serverFor(options, extraEnv);
  if (server === undefined) throw new Error(`the ${workload} workload needs --server-cmd "…" (the runner must be able to kill and restart the server)`);
  return server;
}

type Workload = (options: BenchOptions, base: string, progress: (line: string) => void) => Promise<Record<string, number>>;

/** For the existing workloads: start the server when `--server-cmd` is given and sample its RSS unless `--pid` is. */
export function withServer(workload: Workload): Workload {
  return async (options, base, progress) => {
    const server = options.target === 'null' ? undefined : await serverFor(options);
    return workload({ ...options, pid: options.pid ?? server?.pid }, base, progress);
  };
}
