// The benchmark's results as Markdown: the targets first, then one table per section.
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Measurement } from './measure.js';

export type Verdict = 'pass' | 'FAIL' | 'not measured';

export interface TargetRow {
  what: string;
  measured: string;
  reference: string;
  ratio: string;
  /** Ratio of the fastest runs: less disturbed by load spikes than the medians, for reading noisy runs. */
  bestRatio: string;
  limit: string;
  verdict: Verdict;
}

export interface Table {
  title: string;
  /** Markdown paragraph under the title. */
  intro?: string;
  headers: string[];
  rows: string[][];
}

export interface Section {
  targets: TargetRow[];
  tables: Table[];
  notes: string[];
}

export const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(value < 100 ? 1 : 0)} ms`);
export const ratio = (value: number) => `${value.toFixed(2)}x`;
export const mib = (kib: number | null) => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);
export const bytes = (n: number) =>
  n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;

/** `median` and `min–max` cells of a measurement, or its problem. */
export function timeCells(m: Measurement | undefined): [string, string] {
  if (!m) return ['not run', ''];
  if (!m.ok) return [`failed: ${m.problem}`, ''];
  return [ms(m.spread.median), `${ms(m.spread.min)}–${ms(m.spread.max)}`];
}

/** Ratio of two medians, or null when either is missing. */
export function medianRatio(m: Measurement | undefined, reference: Measurement | undefined): number | null {
  return m?.ok && reference?.ok ? m.spread.median / reference.spread.median : null;
}

/** A target on a ratio of medians: measured / reference <= limit (or < limit when strict). */
export function ratioTarget(
  what: string,
  m: Measurement | undefined,
  reference: Measurement | undefined,
  limit: number,
  options: { why?: string; strict?: boolean } = {},
): TargetRow {
  const r = medianRatio(m, reference);
  return {
    what,
    measured: m?.ok ? ms(m.spread.median) : (options.why ?? (m ? `failed: ${m.problem}` : 'not run')),
    reference: reference?.ok ? ms(reference.spread.median) : reference ? `failed: ${reference.problem}` : '',
    ratio: r === null ? '' : ratio(r),
    bestRatio: m?.ok && reference?.ok ? ratio(m.spread.min / reference.spread.min) : '',
    limit: `${options.strict ? '<' : '<='} ${limit}x`,
    verdict: r === null ? 'not measured' : (options.strict ? r < limit : r <= limit) ? 'pass' : 'FAIL',
  };
}

export function table(t: Table): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [`## ${t.title}`, ''];
  if (t.intro) lines.push(t.intro, '');
  lines.push(`| ${t.headers.join(' | ')} |`, `|${t.headers.map(() => ' --- ').join('|')}|`);
  for (const row of t.rows) lines.push(`| ${row.map(escape).join(' | ')} |`);
  return lines.join('\n') + '\n';
}

export function targetsTable(targets: TargetRow[]): Table {
  return {
    title: 'Targets (issue 5, and issue 7 for the archive reader)',
    intro:
      'Medians of whole-process wall-clock times; ratios are between commands measured in the same interleaved group. ' +
      'The result is judged on the ratio of medians; the ratio of the fastest runs is shown to help read a run on a loaded machine.',
    headers: ['Target', 'Measured', 'Reference', 'Ratio', 'Limit', 'Result', 'Ratio of fastest runs'],
    rows: targets.map((t) => [t.what, t.measured, t.reference, t.ratio, t.limit, t.verdict, t.bestRatio]),
  };
}

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

export interface RunInfo {
  started: Date;
  seconds: number;
  runs: number;
  loadBefore: string;
  loadAfter: string;
}

export function header(info: RunInfo): string {
  return [
    '# Benchmark results (`npm run bench`)',
    '',
    `Measured ${info.started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} CPUs (${cpuModel()}), ` +
      `Node ${process.version}, ${process.platform}/${process.arch}. ` +
      `${info.runs} timed runs of each command (plugins: more, see below) after one warm-up, interleaved round-robin within each group, ` +
      'each in the environment cron and munin-node give a job (PATH, HOME, LANG and its own settings; see bench/measure.ts). ' +
      `Load average (1, 5, 15 min) before: ${info.loadBefore}, after: ${info.loadAfter}. The whole benchmark took ${Math.round(info.seconds)} s.`,
    '',
  ].join('\n');
}
