// archive plot PATHGLOB --out FILE.svg: the rates `series` computes, as a line chart in one
// self-contained SVG file. Long windows are thinned to about one point per pixel column, keeping
// each column's highest rate so that short peaks stay visible.
import { writeFileSync } from 'node:fs';
import { CANONICAL_ROOT } from '../../lib/archive/layout.js';
import { requireSnapshots, type Context } from './context.js';
import { UserError } from '../../lib/errors.js';
import { formatInterval } from './format.js';
import { gapBetween } from './gaps.js';
import { compileGlob } from './glob.js';
import { collectEntries, SeriesBuilder } from './collect.js';
import { renderChart, type ChartLine } from './svg.js';
import { formatMinute } from './time.js';

export interface PlotOptions {
  out: string;
  full?: boolean;
  /** More snapshots than this are thinned to this many columns (default: about the plot's width). */
  maxPoints?: number;
}

/** About the plot's width in pixels: more points than this are thinned. */
const MAX_POINTS = 1000;

interface Line {
  steps: Array<[number, number, number]>;
  marks: number[];
  /** The column being filled when thinning: its index and highest rate. */
  column: { index: number; max: number } | null;
}

export async function runPlot(ctx: Context, pattern: string, options: PlotOptions): Promise<number> {
  if (!options.out) throw new UserError('plot needs --out FILE.svg');
  compileGlob(pattern);
  const kind = options.full ? 'full' : 'stats';
  const selection = requireSnapshots(ctx, kind);
  const files = selection.files;
  const from = files[0].time.getTime();
  const to = files[files.length - 1].time.getTime();
  const maxPoints = options.maxPoints ?? MAX_POINTS;
  const columnMs = files.length > maxPoints ? Math.ceil((to - from) / maxPoints / selection.interval) * selection.interval : 0;

  const builder = new SeriesBuilder(selection.interval);
  const lines = new Map<string, Line>();
  const units = new Set<string>();
  const collected = await collectEntries(ctx, pattern, selection, (path, time, text) => {
    const row = builder.add(path, time, text);
    units.add(row.unit);
    let line = lines.get(path);
    if (!line) lines.set(path, (line = { steps: [], marks: [], column: null }));
    const t = time.getTime();
    if (row.event === 'reset') line.marks.push(t);
    if (row.rate === null) return;
    if (!columnMs) {
      line.steps.push([t - row.seconds! * 1000, t, row.rate]);
      return;
    }
    const index = Math.floor((t - from) / columnMs);
    if (line.column && line.column.index !== index) flushColumn(line, from, to, columnMs);
    if (!line.column) line.column = { index, max: row.rate };
    else line.column.max = Math.max(line.column.max, row.rate);
  });
  for (const line of lines.values()) if (line.column) flushColumn(line, from, to, columnMs);
  if (units.size > 1) {
    throw new UserError(`"${pattern}" matches counters with different units (${[...units].join(', ')}): plot them separately`);
  }

  const readable = files.filter((f) => !collected.result.skipped.some((s) => s.file === f));
  const gaps: Array<[number, number, string]> = [];
  for (let i = 1; i < readable.length; i++) {
    const gap = gapBetween(readable[i - 1].time.getTime(), readable[i].time.getTime(), selection.interval);
    if (!gap) continue;
    const when = gap.missing === 1 ? formatMinute(gap.first) : `${formatMinute(gap.first)} - ${formatMinute(gap.last)}`;
    gaps.push([readable[i - 1].time.getTime(), readable[i].time.getTime(), `${gap.missing} missing: ${when}`]);
  }

  const unit = [...units][0];
  const labels = legendLabels(collected.paths);
  const chartLines: ChartLine[] = collected.paths.map((path, i) => {
    const line = lines.get(path)!;
    return { label: labels[i], title: path, steps: line.steps, marks: line.marks };
  });
  const thinned = columnMs ? `, highest rate per ${formatInterval(columnMs)}` : '';
  const svg = renderChart({
    title: `${unit === 'MiB/s' ? 'MiB/s' : 'Rate'} of ${pattern}`,
    subtitle: `${collected.paths.length === 1 ? collected.paths[0] : commonPattern(collected.paths)}  |  ${kind} snapshots ${formatMinute(files[0].time)} - ${formatMinute(files[files.length - 1].time)}${thinned}`,
    yLabel: unit === 'MiB/s' ? 'MiB/s' : 'per second',
    from,
    to,
    lines: chartLines,
    gaps,
    markMeaning: 'counter reset',
  });
  try {
    writeFileSync(options.out, svg);
  } catch (err) {
    throw new UserError(`cannot write ${options.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  ctx.out.write(`${options.out}: ${collected.paths.length} counter${collected.paths.length === 1 ? '' : 's'}, ${collected.result.read} snapshots, ${formatMinute(files[0].time)} - ${formatMinute(files[files.length - 1].time)}\n`);
  return 0;
}

function flushColumn(line: Line, from: number, to: number, columnMs: number): void {
  const { index, max } = line.column!;
  line.steps.push([from + index * columnMs, Math.min(to, from + (index + 1) * columnMs), max]);
  line.column = null;
}

/**
 * Legend labels: the path segments that differ between the counters (the initiator, the LUN ...),
 * or for a single counter its path below the configfs root.
 */
export function legendLabels(paths: string[]): string[] {
  const short = (p: string) => (p.startsWith(`${CANONICAL_ROOT}/`) ? p.slice(CANONICAL_ROOT.length + 1) : p);
  if (paths.length < 2) return paths.map(short);
  const split = paths.map((p) => p.split('/'));
  if (split.some((s) => s.length !== split[0].length)) return paths.map(short);
  const differing = split[0].map((_, i) => split.some((s) => s[i] !== split[0][i]));
  return split.map((s) => s.filter((_, i) => differing[i]).join(' / '));
}

/** The counters' common path with the differing segments as *. */
export function commonPattern(paths: string[]): string {
  const split = paths.map((p) => p.split('/'));
  if (split.some((s) => s.length !== split[0].length)) return `${paths.length} counters`;
  return split[0].map((segment, i) => (split.some((s) => s[i] !== segment) ? '*' : segment)).join('/');
}
