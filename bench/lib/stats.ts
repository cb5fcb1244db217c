// Percentiles, medians and RSS sampling.
import { readFileSync } from 'node:fs';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

export const round = (v: number) => Math.round(v * 100) / 100;

/** The median of each numeric figure across runs. */
export function medianOf(runs: Record<string, number>[]): Record<string, number> {
  const keys = Object.keys(runs[0] ?? {});
  return Object.fromEntries(keys.map((k) => [k, percentile(runs.map((r) => r[k]!), 50)]));
}

/** Samples a process's resident memory from /proc every 100 ms; `stop()` returns the peak in MiB. */
export function sampleRss(pid: number | undefined): { stop(): number } {
  if (pid === undefined) return { stop: () => 0 };
  let peak = 0;
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      // the process may be restarting
    }
  };
  read();
  const timer = setInterval(read, 100);
  return {
    stop() {
      clearInterval(timer);
      read();
      return round(peak);
    },
  };
}
