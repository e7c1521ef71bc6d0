// Deleting archives older than the retention. Unlike the original (`find /var/log/lio -mtime +365
// | xargs rm -rf`), only this collector's own files go, judged by the date in their names rather
// than by mtime (which a restore from backup or a copy resets): snapshot files
// (YYYYMMDD/lio-[statistics-]YYYYMMDDHHMM.gz, and the original's lio-YYYYMMDDHHMM.gz at the top),
// then the day directories left empty. Anything else under the archive is never touched.
import { readdirSync, rmdirSync, unlinkSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { describeError, errorCode, UserError } from '../lib/errors.js';
import { removeIfStaleTemp } from '../lib/archive/gzip-file.js';
import { parseDayName, parseSnapshotName } from '../lib/archive/layout.js';
import { reportProblem } from './log.js';

export interface PruneOptions {
  archive: string;
  /** Snapshots of the last retentionDays days before today are kept, today's always. */
  retentionDays: number;
  now?: Date;
}

export interface PruneResult {
  /** Paths of the snapshot files removed. */
  files: string[];
  /** Paths of the day directories removed. */
  directories: string[];
  /** Paths of leftover temporary files removed (from snapshots killed mid-write). */
  tempFiles: string[];
}

/** Whole calendar days from day to today (local dates; a DST change does not shift it). */
export function daysBefore(day: Date, today: Date): number {
  const utc = (d: Date) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((utc(today) - utc(day)) / 86_400_000);
}

export function pruneArchive(options: PruneOptions, problem: (message: string) => void = reportProblem): PruneResult {
  const today = options.now ?? new Date();
  const expired = (day: Date) => daysBefore(day, today) > options.retentionDays;
  const result: PruneResult = { files: [], directories: [], tempFiles: [] };

  const removeFile = (path: string, into: string[]) => {
    try {
      unlinkSync(path);
      into.push(path);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') problem(`prune: cannot remove ${path}: ${describeError(err)}`);
    }
  };
  const removeExpiredSnapshots = (dir: string, entries: Dirent[]) => {
    for (const entry of entries) {
      const snapshot = entry.isFile() ? parseSnapshotName(entry.name) : null;
      if (snapshot && expired(snapshot.time)) removeFile(join(dir, entry.name), result.files);
    }
  };

  let top: Dirent[];
  try {
    top = readdirSync(options.archive, { withFileTypes: true });
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return result; // nothing archived yet
    throw new UserError(`archive ${options.archive}: ${describeError(err)}`);
  }
  removeExpiredSnapshots(options.archive, top);

  for (const entry of top) {
    const day = entry.isDirectory() ? parseDayName(entry.name) : null;
    if (!day) continue;
    const dir = join(options.archive, entry.name);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problem(`prune: cannot read ${dir}: ${describeError(err)}`);
      continue;
    }
    for (const e of entries) {
      try {
        if (e.isFile() && removeIfStaleTemp(dir, e.name)) result.tempFiles.push(join(dir, e.name));
      } catch (err) {
        problem(`prune: cannot remove ${join(dir, e.name)}: ${describeError(err)}`);
      }
    }
    removeExpiredSnapshots(dir, entries);
    if (!expired(day)) continue;
    try {
      rmdirSync(dir);
      result.directories.push(dir);
    } catch (err) {
      // Something else lives there: it stays, and so does the directory.
      if (errorCode(err) !== 'ENOTEMPTY' && errorCode(err) !== 'EEXIST') problem(`prune: cannot remove ${dir}: ${describeError(err)}`);
    }
  }
  return result;
}
