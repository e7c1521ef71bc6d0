// archive series PATHGLOB: each matching counter minute by minute - value, increase since the
// previous snapshot and rate over the real time between them - with resets, 32-bit wraps and
// missing snapshots shown as such. An aligned table per counter, or CSV / JSON rows (streamed in
// time order, one row per counter and snapshot, for windows of any length).
import type { SnapshotKind } from '../../lib/archive/layout.js';
import { collectEntries, SeriesBuilder, type Collected, type SeriesRow } from './collect.js';
import { requireSnapshots, type Context } from './context.js';
import { parseCounter, rateUnit, WRAP, wrapOf } from './counters.js';
import { alignColumns, formatInterval } from './format.js';
import { gapBetween, type Gap } from './gaps.js';
import { compileGlob } from './glob.js';
import { formatMinute } from './time.js';

export type SeriesFormat = 'table' | 'csv' | 'json';

export interface SeriesOptions {
  format: SeriesFormat;
  full?: boolean;
}

export async function runSeries(ctx: Context, pattern: string, options: SeriesOptions): Promise<number> {
  const kind = options.full ? 'full' : 'stats';
  if (options.format === 'table') return seriesTable(ctx, pattern, kind);
  compileGlob(pattern); // a bad pattern is reported before the window is looked at
  const selection = requireSnapshots(ctx, kind);
  let builder: SeriesBuilder | null = null;
  let rows = 0;
  const write = options.format === 'csv' ? csvRow : jsonRow;
  const collected = await collectEntries(ctx, pattern, selection, (path, time, text) => {
    if (!builder) {
      // The header goes out with the first row: no match is an error, not an empty document.
      builder = new SeriesBuilder(selection.interval);
      ctx.out.write(options.format === 'csv' ? CSV_HEADER : jsonHead(ctx, pattern, kind, selection.interval));
    }
    ctx.out.write(write(builder.add(path, time, text), rows++));
  });
  if (options.format === 'json') ctx.out.write(jsonTail(collected));
  return 0;
}

// ---- table: one block per counter, so samples are kept until the end: as numbers, with the
// text only of the rare entries that are not a number.

interface Samples {
  times: number[];
  values: Array<bigint | null>;
  /** Index -> archived text, where values holds null. */
  texts: Map<number, string>;
}

async function seriesTable(ctx: Context, pattern: string, kind: SnapshotKind): Promise<number> {
  compileGlob(pattern);
  const samples = new Map<string, Samples>();
  const collected = await collectEntries(ctx, pattern, requireSnapshots(ctx, kind), (path, time, text) => {
    let s = samples.get(path);
    if (!s) samples.set(path, (s = { times: [], values: [], texts: new Map() }));
    const value = parseCounter(text);
    if (value === null) s.texts.set(s.times.length, text);
    s.times.push(time.getTime());
    s.values.push(value);
  });
  const interval = collected.selection.interval;
  const fileTimes = new Set(collected.selection.files.map((f) => f.time.getTime()));
  const unreadable = new Set(collected.result.skipped.map((s) => s.file.time.getTime()));
  collected.paths.forEach((path, n) => {
    const s = samples.get(path)!;
    samples.delete(path);
    const builder = new SeriesBuilder(interval);
    const rows: string[][] = [['time', 'value', 'delta', rateUnit(path), 'note']];
    const markers = new Map<number, string>(); // row index -> gap line printed before it
    for (let i = 0; i < s.times.length; i++) {
      const row = builder.add(path, new Date(s.times[i]), s.texts.get(i) ?? String(s.values[i]));
      if (row.missing > 0) {
        const gap = gapBetween(s.times[i - 1], s.times[i], interval)!;
        const when = gap.missing === 1 ? formatMinute(gap.first) : `${formatMinute(gap.first)} - ${formatMinute(gap.last)}`;
        markers.set(rows.length, `-- ${gap.missing} missing: ${when}${gapReasons(gap, interval, fileTimes, unreadable)} --`);
      }
      rows.push([formatMinute(row.time), row.value === null ? row.text : String(row.value), formatNumber(row.delta), formatRate(row.rate), note(row)]);
    }
    let block = `${n > 0 ? '\n' : ''}${path}\n`;
    alignColumns(rows, ['left', 'right', 'right', 'right', 'left'])
      .split('\n')
      .forEach((line, i) => {
        const marker = markers.get(i);
        if (marker) block += `${marker}\n`;
        if (line) block += `${line}\n`;
      });
    ctx.out.write(block);
  });
  const skipped = collected.result.skipped.length;
  ctx.out.write(
    `\n${collected.paths.length} counter${collected.paths.length === 1 ? '' : 's'}, ${collected.result.read} ${kind} snapshots (expected every ${formatInterval(interval)})${skipped ? `, ${skipped} skipped` : ''}\n`,
  );
  return 0;
}

/** Why snapshots in a gap have no value, when it is not simply that there is no file. */
function gapReasons(gap: Gap, interval: number, fileTimes: Set<number>, unreadable: Set<number>): string {
  let bad = 0;
  let without = 0;
  for (let t = gap.first.getTime(); t <= gap.last.getTime(); t += interval) {
    if (unreadable.has(t)) bad++;
    else if (fileTimes.has(t)) without++;
  }
  const reasons = [bad ? `${bad} unreadable` : '', without ? `${without} without this entry` : ''].filter(Boolean);
  return reasons.length ? ` (${reasons.join(', ')})` : '';
}

const formatNumber = (n: bigint | null) => (n === null ? '-' : String(n));
const formatRate = (rate: number | null) => (rate === null ? '-' : rate.toFixed(3));

/** The note column: what makes a row different from a plain minute. */
export function note(row: SeriesRow): string {
  const notes: string[] = [];
  if (row.value === null) notes.push(row.text === '' ? 'no value (empty entry)' : 'not a counter');
  if (row.event === 'reset') notes.push(`reset (was ${row.previous})`);
  if (row.event === 'wrap') notes.push(`${wrapOf(row.previous!) === WRAP ? 32 : 64}-bit wrap (was ${row.previous})`);
  if (row.rate !== null && row.missing > 0) notes.push(`rate over ${formatInterval((row.seconds ?? 0) * 1000)}`);
  return notes.join('; ');
}

// ---- CSV and JSON rows, streamed.

const CSV_HEADER = 'time,path,value,delta,seconds,rate,unit,event,missing\n';

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A counter or increase (exact, whatever its size) or a measurement (rounded to 6 decimals). */
const exact = (n: bigint | number | null) => (n === null ? '' : typeof n === 'bigint' ? String(n) : String(Number(n.toFixed(6))));

/** The event column: reset, wrap, or no-value for an empty or non-numeric entry. */
function eventName(row: SeriesRow): string {
  return row.value === null ? 'no-value' : (row.event ?? '');
}

function csvRow(row: SeriesRow): string {
  return `${[formatMinute(row.time), csvField(row.path), exact(row.value), exact(row.delta), exact(row.seconds), exact(row.rate), row.unit, eventName(row), String(row.missing)].join(',')}\n`;
}

function jsonHead(ctx: Context, pattern: string, kind: SnapshotKind, interval: number): string {
  const head = {
    archive: ctx.archive.root,
    kind,
    pattern,
    from: ctx.window.from && formatMinute(ctx.window.from),
    to: ctx.window.to && formatMinute(ctx.window.to),
    interval_seconds: interval / 1000,
  };
  return `${JSON.stringify(head).slice(0, -1)},"rows":[\n`;
}

function jsonRow(row: SeriesRow, index: number): string {
  // Written by hand: JSON.stringify takes no BigInt, and a counter above 2^53 is written as its
  // exact digits (JSON numbers have no size limit; a reader may still round them).
  const fields: Array<[string, string]> = [
    ['time', JSON.stringify(formatMinute(row.time))],
    ['timestamp', String(row.time.getTime() / 1000)],
    ['path', JSON.stringify(row.path)],
    ['value', String(row.value)],
    ['delta', String(row.delta)],
    ['seconds', JSON.stringify(row.seconds)],
    ['rate', JSON.stringify(row.rate)],
    ['unit', JSON.stringify(row.unit)],
    ['event', JSON.stringify(eventName(row) || null)],
    ['missing', String(row.missing)],
  ];
  if (row.value === null) fields.push(['text', JSON.stringify(row.text)]);
  return `${index === 0 ? '' : ',\n'}{${fields.map(([name, value]) => `"${name}":${value}`).join(',')}}`;
}

function jsonTail(collected: Collected): string {
  const skipped = collected.result.skipped.map((s) => ({ time: formatMinute(s.file.time), path: s.file.path, reason: s.reason }));
  return `\n],"counters":${JSON.stringify(collected.paths)},"snapshots":${collected.result.read},"skipped":${JSON.stringify(skipped)}}\n`;
}
