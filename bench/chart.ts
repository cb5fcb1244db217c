// Draws inbound→webhook latency (e2eP50Ms, e2eP99Ms) against offered load from `inbound-latency` outputs, as a
// dependency-free SVG line chart:
//   npm run bench:chart -- lat-100.json lat-200.json lat-500.json … --out docs/latency.svg [--title "…"] [--x accepted]
// The offered load of a file is its `rate` field when it has one, else the last number in its file name
// (`lat-500.json` → 500), else its median acceptedPerSec; `--x accepted` always uses acceptedPerSec. Files are grouped
// into series by target (the null pipeline is its own series) and base URL; each series gets a p50 and a p99 line.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface Point {
  x: number;
  p50: number;
  p99: number;
  file: string;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function parse(argv: string[]): { files: string[]; out: string; title: string; xAccepted: boolean } {
  const files: string[] = [];
  let out: string | undefined;
  let title = 'Inbound → webhook latency against offered load';
  let xAccepted = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out') out = argv[++i];
    else if (a === '--title') title = argv[++i] ?? title;
    else if (a === '--x') xAccepted = argv[++i] === 'accepted';
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length === 0 || out === undefined) throw new Error('usage: npm run bench:chart -- <inbound-latency JSON files…> --out docs/latency.svg [--title "…"] [--x accepted]');
  return { files, out, title, xAccepted };
}

function load(files: string[], xAccepted: boolean): Map<string, Point[]> {
  const series = new Map<string, Point[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8').trim();
    // A --json file holds the object; a captured stdout holds it on its last line.
    const output = JSON.parse(text.startsWith('{') ? text : text.split('\n').pop()!) as {
      workload?: string; target?: string; base?: string; rate?: number; label?: string; median?: Record<string, number>;
    };
    const m = output.median;
    if (m === undefined || typeof m.e2eP50Ms !== 'number' || typeof m.e2eP99Ms !== 'number') throw new Error(`${file}: no median e2eP50Ms/e2eP99Ms (is it inbound or inbound-latency output?)`);
    const fromName = /(\d+(?:\.\d+)?)(?!.*\d)/.exec(path.basename(file, path.extname(file)))?.[1];
    const x = xAccepted ? m.acceptedPerSec : (output.rate ?? (fromName !== undefined ? Number(fromName) : m.acceptedPerSec));
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${file}: cannot tell its offered load`);
    const label = output.label ?? (output.target === 'null' ? 'null pipeline' : (output.base ?? 'server'));
    const points = series.get(label) ?? [];
    points.push({ x, p50: m.e2eP50Ms, p99: m.e2eP99Ms, file });
    series.set(label, points);
  }
  for (const points of series.values()) points.sort((a, b) => a.x - b.x);
  return series;
}

/** Round tick steps (1, 2, 5 × 10^k) covering [0, max]. */
function ticks(max: number, count = 6): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number) => (Math.abs(v) >= 1000 ? `${v / 1000}k` : String(v));

function render(series: Map<string, Point[]>, title: string): string {
  const W = 820;
  // The legend goes under the plot (two lines per series), so it never hides a point.
  const legendH = series.size * 2 * 18 + 16;
  const H = 500 + legendH;
  const m = { left: 70, right: 30, top: 50, bottom: 60 + legendH };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const all = [...series.values()].flat();
  const xt = ticks(Math.max(...all.map((p) => p.x)));
  const yt = ticks(Math.max(...all.map((p) => p.p99)));
  const xMax = xt[xt.length - 1]!;
  const yMax = yt[yt.length - 1]!;
  const sx = (v: number) => m.left + (v / xMax) * pw;
  const sy = (v: number) => m.top + ph - (v / yMax) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${W / 2}" y="28" text-anchor="middle" font-size="16" font-weight="600">${esc(title)}</text>`);
  // Grid and axes.
  for (const v of yt) parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${sy(v)}" y2="${sy(v)}" stroke="#e5e5e5"/><text x="${m.left - 8}" y="${sy(v) + 4}" text-anchor="end" fill="#444">${fmt(v)}</text>`);
  for (const v of xt) parts.push(`<line x1="${sx(v)}" x2="${sx(v)}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/><text x="${sx(v)}" y="${m.top + ph + 18}" text-anchor="middle" fill="#444">${fmt(v)}</text>`);
  parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#333"/>`);
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#333"/>`);
  parts.push(`<text x="${m.left + pw / 2}" y="${m.top + ph + 40}" text-anchor="middle" fill="#222">offered load (messages/s)</text>`);
  parts.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#222">inbound → webhook latency (ms)</text>`);
  // Lines: p50 solid, p99 dashed, one colour per series.
  const legend: { label: string; colour: string; dash: boolean }[] = [];
  [...series.entries()].forEach(([label, points], k) => {
    const colour = COLOURS[k % COLOURS.length]!;
    for (const [key, dash] of [['p50', false], ['p99', true]] as const) {
      const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p[key]).toFixed(1)}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash ? ' stroke-dasharray="6 4"' : ''}/>`);
      for (const p of points) {
        parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p[key]).toFixed(1)}" r="3.5" fill="${dash ? '#fff' : colour}" stroke="${colour}" stroke-width="1.5"><title>${esc(`${label} ${key} at ${p.x}/s: ${p[key]} ms (${path.basename(p.file)})`)}</title></circle>`);
      }
      legend.push({ label: `${label} — ${key === 'p50' ? 'e2e p50' : 'e2e p99'}`, colour, dash });
    }
  });
  const lx = m.left + 14;
  const ly = m.top + ph + 62;
  const lw = Math.max(...legend.map((l) => l.label.length)) * 6.6 + 50;
  parts.push(`<rect x="${lx - 8}" y="${ly - 8}" width="${lw}" height="${legend.length * 18 + 10}" fill="#ffffff" stroke="#ccc"/>`);
  legend.forEach((l, i) => {
    const y = ly + 6 + i * 18;
    parts.push(`<line x1="${lx}" x2="${lx + 28}" y1="${y}" y2="${y}" stroke="${l.colour}" stroke-width="2"${l.dash ? ' stroke-dasharray="6 4"' : ''}/><text x="${lx + 36}" y="${y + 4}" fill="#222">${esc(l.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

try {
  const { files, out, title, xAccepted } = parse(process.argv.slice(2));
  const series = load(files, xAccepted);
  writeFileSync(out, render(series, title));
  const count = [...series.values()].reduce((n, s) => n + s.length, 0);
  console.log(`wrote ${out}: ${series.size} series, ${count} points`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
