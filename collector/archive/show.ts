// archive show TIME: the snapshot nearest to TIME, decompressed, exactly as archived.
import type { SnapshotKind } from '../layout.js';
import type { SnapshotFile } from './catalog.js';
import { requireSnapshots, type Context } from './context.js';
import { ArchiveError } from './errors.js';
import { readSnapshot, SnapshotReadError } from './reader.js';
import { formatMinute, parseTime } from './time.js';

/**
 * The readable snapshot of kind nearest to target (on a tie the earlier), with its text;
 * unreadable candidates are skipped with a warning each. Says on stderr when it is not at target.
 */
export function nearestSnapshot(ctx: Context, kind: SnapshotKind, target: Date): { file: SnapshotFile; text: Buffer } {
  let skipped = 0;
  for (const file of ctx.archive.byDistance(kind, target, ctx.window)) {
    let text: Buffer;
    try {
      text = readSnapshot(file.path);
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
  throw new ArchiveError(`no readable ${kind} snapshot in ${ctx.archive.root} (${skipped} skipped)`);
}

function formatOffset(minutes: number): string {
  if (minutes < 120) return `${minutes} min`;
  if (minutes < 2880) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${Math.floor(minutes / 1440)} days ${Math.floor((minutes % 1440) / 60)} h`;
}

export async function runShow(ctx: Context, time: string, options: { full?: boolean }): Promise<number> {
  const target = parseTime(time, ctx.now, 'TIME');
  const { text } = nearestSnapshot(ctx, options.full ? 'full' : 'stats', target);
  ctx.out.write(text.toString('utf8'));
  return 0;
}
