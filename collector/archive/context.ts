// What every archive command works with, and the small helpers they share.
import type { SnapshotKind } from '../../lib/archive/layout.js';
import type { Archive, Selection } from './catalog.js';
import { UserError } from '../../lib/errors.js';
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
  if (!span) throw new UserError(`archive ${ctx.archive.root} has no ${kind} snapshots`);
  const has = `it has ${kind} snapshots from ${formatMinute(span.first.time)} to ${formatMinute(span.last.time)}`;
  throw new UserError(`no ${kind} snapshots in ${ctx.archive.root} ${describeWindow(ctx.window)} (${has})`);
}

/** Ends a scan: the skipped-files summary on stderr. */
export function summarise(ctx: Context, result: ScanResult): void {
  const summary = skippedSummary(result);
  if (summary) ctx.report.note(summary);
}
