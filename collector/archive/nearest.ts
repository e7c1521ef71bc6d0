// The snapshot nearest to a time, for show and diff.
import type { SnapshotKind } from '../../lib/archive/layout.js';
import { UserError } from '../../lib/errors.js';
import type { SnapshotFile } from './catalog.js';
import { requireSnapshots, type Context } from './context.js';
import { readSnapshot, SnapshotReadError } from './reader.js';
import { formatMinute } from './time.js';

/**
 * The readable snapshot of kind nearest to target (on a tie the earlier), with its text;
 * unreadable candidates are skipped with a warning each. Says on stderr when it is not at target.
 */
export function nearestSnapshot(ctx: Context, kind: SnapshotKind, target: Date): { file: SnapshotFile; text: Buffer } {
  let skipped = 0;
  for (const file of ctx.archive.byDistance(kind, target, ctx.window)) {
    let text: Buffer;
    try {
      text = readSnapshot(file.path, (message) => ctx.report.warn(message));
    } catch (err) {
      if (!(err instanceof SnapshotReadError)) throw err;
      ctx.report.warn(`skipped ${file.path}: ${err.message}`);
      skipped++;
      continue;
    }
    const offset = Math.round((file.time.getTime() - target.getTime()) / 60_000);
    if (offset !== 0 || skipped > 0) {
      const when = offset === 0 ? 'at that time' : `${formatOffset(Math.abs(offset))} ${offset < 0 ? 'earlier' : 'later'}`;
      ctx.report.note(`nearest readable ${kind} snapshot to ${formatMinute(target)}: ${formatMinute(file.time)} (${when}), ${file.path}`);
    }
    return { file, text };
  }
  requireSnapshots(ctx, kind); // throws when the window is empty
  throw new UserError(`no readable ${kind} snapshot in ${ctx.archive.root} (${skipped} skipped)`);
}

function formatOffset(minutes: number): string {
  if (minutes < 120) return `${minutes} min`;
  if (minutes < 2880) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${Math.floor(minutes / 1440)} days ${Math.floor((minutes % 1440) / 60)} h`;
}
