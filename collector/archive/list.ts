// archive list: the snapshots in the window per day and kind (count, first and last time, size)
// and every gap, since the minutes that are missing are what an incident review needs to know.
import { statSync } from 'node:fs';
import { dayStamp, type SnapshotKind } from '../../lib/archive/layout.js';
import type { SnapshotFile } from './catalog.js';
import { requireSnapshots, type Context } from './context.js';
import { alignColumns, formatInterval, formatSize, plural } from './format.js';
import { UserError } from '../../lib/errors.js';
import { findGaps, type Gap } from './gaps.js';
import { scanSnapshots, type Skipped } from './reader.js';
import { formatClock, formatDay, formatMinute } from './time.js';

export interface ListOptions {
  /** Decompress every file to find corrupt ones (otherwise only names and sizes are read). */
  verify?: boolean;
  kinds?: SnapshotKind[];
}

/** A gzip file cannot be shorter than its 10-byte header, 8-byte trailer and some data. */
const MIN_GZIP = 20;

interface KindListing {
  kind: SnapshotKind;
  files: SnapshotFile[];
  sizes: Map<SnapshotFile, number>;
  interval: number;
  gaps: Gap[];
  skipped: Skipped[];
}

export async function runList(ctx: Context, options: ListOptions): Promise<number> {
  const listings: KindListing[] = [];
  for (const kind of options.kinds ?? (['stats', 'full'] as const)) {
    const selection = ctx.archive.select(kind, ctx.window);
    if (selection.files.length === 0) continue;
    const sizes = new Map<SnapshotFile, number>();
    const skipped: Skipped[] = [];
    ctx.report.startProgress(selection.files.length, `${kind} files`);
    for (const file of selection.files) {
      ctx.report.tick();
      let size = 0;
      try {
        size = statSync(file.path).size;
      } catch {
        /* vanished: reported below as unreadable */
      }
      sizes.set(file, size);
      if (size < MIN_GZIP) {
        const reason = size === 0 ? 'empty file' : `only ${size} bytes, not a gzip file`;
        skipped.push({ file, reason });
        ctx.report.warn(`skipped ${file.path}: ${reason}`);
      }
    }
    ctx.report.endProgress();
    const tooShort = new Set(skipped.map((s) => s.file));
    let files = selection.files.filter((f) => !tooShort.has(f));
    if (options.verify) {
      const result = await scanSnapshots(files, ctx.report, () => {});
      skipped.push(...result.skipped);
      const bad = new Set(result.skipped.map((s) => s.file));
      files = files.filter((f) => !bad.has(f));
    }
    listings.push({ kind, files, sizes, interval: selection.interval, gaps: findGaps(files, selection.interval), skipped });
  }
  if (listings.length === 0) {
    requireSnapshots(ctx, options.kinds?.[0] ?? 'stats'); // throws with what the archive has
    throw new UserError('no snapshots in the window');
  }

  const rows = [['day', 'kind', 'snapshots', 'first', 'last', 'size', 'gaps']];
  const days = [...new Set(listings.flatMap((l) => l.files.map((f) => dayStamp(f.time))))].sort();
  for (const day of days) {
    for (const listing of listings) {
      const files = listing.files.filter((f) => dayStamp(f.time) === day);
      if (files.length === 0) continue;
      // The size is what the day takes on disk, unreadable files included.
      let bytes = 0;
      for (const [file, size] of listing.sizes) if (dayStamp(file.time) === day) bytes += size;
      // A gap counts on the day of the snapshot before it, which is listed (a whole missing day is not).
      const gaps = listing.gaps.filter((g) => dayStamp(new Date(g.first.getTime() - listing.interval)) === day);
      const missing = gaps.reduce((n, g) => n + g.missing, 0);
      rows.push([
        formatDay(files[0].time),
        listing.kind,
        String(files.length),
        formatClock(files[0].time),
        formatClock(files[files.length - 1].time),
        formatSize(bytes),
        gaps.length === 0 ? '0' : `${gaps.length} (${missing} missing)`,
      ]);
    }
  }
  let text = alignColumns(rows, ['left', 'left', 'right', 'left', 'left', 'right', 'left']);

  for (const listing of listings) {
    if (listing.gaps.length === 0) continue;
    text += `\ngaps in the ${listing.kind} snapshots (expected every ${formatInterval(listing.interval)}):\n`;
    const gapRows = listing.gaps.map((g) => [
      g.missing === 1 ? formatMinute(g.first) : `${formatMinute(g.first)} - ${formatMinute(g.last)}`,
      `${g.missing} missing`,
    ]);
    text += indent(alignColumns(gapRows, ['left', 'right']));
  }
  for (const listing of listings) {
    if (listing.skipped.length === 0) continue;
    text += `\nskipped ${listing.kind} snapshots (unreadable, counted as missing above):\n`;
    const skipped = [...listing.skipped].sort((a, b) => a.file.time.getTime() - b.file.time.getTime());
    text += skipped.map((s) => `  ${formatMinute(s.file.time)}  ${s.file.path}: ${s.reason}\n`).join('');
  }

  const count = listings.reduce((n, l) => n + l.files.length, 0);
  const bytes = listings.reduce((n, l) => n + [...l.sizes.values()].reduce((a, b) => a + b, 0), 0);
  const gaps = listings.reduce((n, l) => n + l.gaps.length, 0);
  const missing = listings.reduce((n, l) => n + l.gaps.reduce((m, g) => m + g.missing, 0), 0);
  const skipped = listings.reduce((n, l) => n + l.skipped.length, 0);
  text += `\n${plural(count, 'snapshot')}, ${formatSize(bytes)}; ${plural(gaps, 'gap')} (${missing} missing)`;
  text += skipped > 0 ? `; ${skipped} skipped as unreadable\n` : options.verify ? '; all readable\n' : '\n';
  ctx.out.write(text);
  return 0;
}

const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');
