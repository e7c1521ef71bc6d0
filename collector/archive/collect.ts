// The matching entries of a window's snapshots, read once, and the rate rows made of them: what
// the series and plot commands share.
import { matchingEntries } from '../../lib/archive/entry-reader.js';
import { pathOrder } from '../../lib/archive/layout.js';
import { UserError } from '../../lib/errors.js';
import type { Selection } from './catalog.js';
import { summarise, type Context } from './context.js';
import { parseCounter, rateUnit, step, type CounterEvent, type Sample } from './counters.js';
import { missingBetween } from './gaps.js';
import { compileGlob, SEGMENT_HINT } from './glob.js';
import { scanSnapshots, type ScanResult } from './reader.js';
import { formatMinute } from './time.js';

export interface SeriesRow {
  time: Date;
  path: string;
  /** The value as archived. */
  text: string;
  /** The counter value; null when the entry is empty or not a number. */
  value: bigint | null;
  /** The previous numeric value of this counter, if any. */
  previous: bigint | null;
  delta: bigint | null;
  seconds: number | null;
  rate: number | null;
  event: CounterEvent | null;
  /** Snapshots missing since this counter's previous row (no file, unreadable, or no entry). */
  missing: number;
  unit: string;
}

/** Rows of many counters, fed one snapshot at a time; keeps only each counter's last sample. */
export class SeriesBuilder {
  private readonly last = new Map<string, { time: number; sample: Sample | null }>();

  constructor(private readonly interval: number) {}

  add(path: string, time: Date, text: string): SeriesRow {
    const state = this.last.get(path);
    const value = parseCounter(text);
    const t = time.getTime();
    const previous = state?.sample ?? null;
    const change = value === null ? step(null, { time: t, value: 0n }) : step(previous, { time: t, value });
    this.last.set(path, { time: t, sample: value === null ? previous : { time: t, value } });
    return {
      time,
      path,
      text,
      value,
      previous: previous?.value ?? null,
      ...change,
      missing: state ? missingBetween(state.time, t, this.interval) : 0,
      unit: rateUnit(path),
    };
  }
}

export interface Collected {
  selection: Selection;
  result: ScanResult;
  /** Paths that matched, in path order. */
  paths: string[];
}

/** Reads the window once and hands every matching entry to onEntry, in time order. */
export async function collectEntries(
  ctx: Context,
  pattern: string,
  selection: Selection,
  onEntry: (path: string, time: Date, text: string) => void,
): Promise<Collected> {
  const matcher = compileGlob(pattern);
  const verdicts = new Map<string, boolean>();
  const paths = new Set<string>();
  const result = await scanSnapshots(selection.files, ctx.report, (file, text) => {
    for (const entry of matchingEntries(text, matcher, verdicts)) {
      paths.add(entry.path);
      onEntry(entry.path, file.time, entry.value);
    }
  }, ctx.out);
  summarise(ctx, result);
  if (paths.size === 0 && !ctx.out.closed) {
    throw new UserError(`no entry matches "${pattern}" in ${result.read} ${selection.kind} snapshots ${describeFiles(selection)}${SEGMENT_HINT}`);
  }
  return { selection, result, paths: [...paths].sort(pathOrder) };
}

function describeFiles(selection: Selection): string {
  const files = selection.files;
  return `from ${formatMinute(files[0].time)} to ${formatMinute(files[files.length - 1].time)}`;
}

