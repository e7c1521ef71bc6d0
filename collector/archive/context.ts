// What every archive command works with, and the small helpers they share.
import type { SnapshotKind } from '../layout.js';
import type { Archive, Selection } from './catalog.js';
import { ArchiveError } from './errors.js';
import type { Output } from './output.js';
import type { ScanResult } from './reader.js';
import { skippedSummary } from './reader.js';
import type { Reporter } from './report.js';
import { describeWindow, formatMinute, type Window } from './time.js';

export interface Context {
  archive: Archive;
  window: Window;
  now: Date;
  out: Output;
  report: Reporter;
}

/** The snapshots of kind in the window; an empty window is an error that says what there is. */
export function requireSnapshots(ctx: Context, kind: SnapshotKind): Selection {
  const selection = ctx.archive.select(kind, ctx.window);
  if (selection.files.length > 0) return selection;
  const span = ctx.archive.span(kind);
  if (!span) throw new ArchiveError(`archive ${ctx.archive.root} has no ${kind} snapshots`);
  const has = `it has ${kind} snapshots from ${formatMinute(span.first.time)} to ${formatMinute(span.last.time)}`;
  throw new ArchiveError(`no ${kind} snapshots in ${ctx.archive.root} ${describeWindow(ctx.window)} (${has})`);
}

/** Ends a scan: the skipped-files summary on stderr. */
export function summarise(ctx: Context, result: ScanResult): void {
  const summary = skippedSummary(result);
  if (summary) ctx.report.note(summary);
}

export type Align = 'left' | 'right';

/** Rows of cells as aligned text columns, two spaces apart, without trailing blanks. */
export function alignColumns(rows: string[][], align: Align[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => line + '\n')
    .join('');
}

/** Bytes as B, KiB, MiB, GiB with one decimal. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
