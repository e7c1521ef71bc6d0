// One snapshot: the chosen configfs files (and, for stats, the DRBD and cluster state) as text, gzip-compressed
// into ARCHIVE/YYYYMMDD/lio[-statistics]-YYYYMMDDHHMM.gz, written atomically.
import { chmodSync, lstatSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DirectoryCursor } from '../lib/directory-cursor.js';
import { describeError, UserError } from '../lib/errors.js';
import { EntryText, headerPrefix, isSecret, SECRET_PLACEHOLDER } from '../lib/archive/entry-writer.js';
import { AtomicGzipFile, DIR_MODE, makeDirectory, removeStaleTempFiles } from '../lib/archive/gzip-file.js';
import { CANONICAL_ROOT, inRepeatedHour, snapshotRelativePath, type SnapshotKind } from '../lib/archive/layout.js';
import { DEFAULT_DRBD_PROC } from '../lib/kernel/drbd.js';
import { crmMonSections } from './crm-mon-section.js';
import { checkRoot } from './directories.js';
import { drbdSections } from './drbd-section.js';
import { statsFiles, treeFiles } from './file-selection.js';
import { reportProblem } from './log.js';

export interface SnapshotOptions {
  root: string;
  archive: string;
  kind: SnapshotKind;
  /** Decides the file name; default: the current time. */
  now?: Date;
  /** Path of /proc/drbd for the stats snapshot's DRBD entry (default /proc/drbd); null: no DRBD entry. */
  drbdProc?: string | null;
  /** DRBD 9: drbdsetup for the stats snapshot's events2 entry (default /usr/sbin/drbdsetup). */
  drbdsetup?: string;
  /** crm_mon for the stats snapshot's [crm_mon] entry (the command line's default: /usr/sbin/crm_mon); absent or null: none. */
  crmMon?: string | null;
  /**
   * Never replace a snapshot of the same name: write NAME-2.gz (-3 ...) beside it. The daemon
   * asks for it when the clock went back over minutes it had written; in the hour repeated when
   * daylight saving time ends it is always so.
   */
  keepExisting?: boolean;
}

export interface SnapshotResult {
  /** The archive file written. */
  path: string;
  /** Entries in it, the DRBD entry included. */
  entries: number;
  /** Its size, compressed. */
  bytes: number;
}

/** Where a snapshot reports what it could not read. Unreadable files are normal in configfs. */
export interface SnapshotLog {
  /** A file or directory that gave an empty entry or none (canonical path). Default: ignored. */
  unreadable?(path: string, err: unknown): void;
  /** Anything else worth a log line (the DRBD entry). Default: stderr. */
  problem?(message: string): void;
}

/**
 * What another user could plant in the archive is never followed: a day directory that is a
 * symlink is refused (lio-collector makes them, as directories), and an archive directory anyone
 * may write into is made 0750 first, with a warning; a shared one (sticky, like /tmp) is refused,
 * and so is one whose mode cannot be changed.
 */
function guardArchive(archive: string, day: string, problem: (message: string) => void): void {
  const mode = statSync(archive).mode & 0o7777;
  if (mode & 0o002) {
    const shown = mode.toString(8).padStart(4, '0');
    if (mode & 0o1000) throw new Error(`archive ${archive} is a directory shared by every user (mode ${shown}): give a directory of its own`);
    try {
      chmodSync(archive, DIR_MODE);
    } catch (err) {
      throw new Error(`archive ${archive} is writable by every user (mode ${shown}) and cannot be made 0750: ${describeError(err)}`);
    }
    problem(`archive ${archive} was writable by every user (mode ${shown}): made 0750`);
  }
  if (lstatSync(day, { throwIfNoEntry: false })?.isSymbolicLink()) throw new Error(`${day} is a symlink, not followed: day directories are made by lio-collector`);
}

/** The names a snapshot that replaces nothing may take, in order: NAME.gz (first 1), NAME-2.gz, ... */
function* repeatPaths(archive: string, kind: SnapshotKind, time: Date, first: number): Generator<string> {
  for (let repeat = first; repeat <= MAX_REPEATS; repeat++) yield join(archive, snapshotRelativePath(kind, time, repeat));
}
/** More than an hour of one minute's snapshots side by side is not a clock going back. */
const MAX_REPEATS = 100;

export async function takeSnapshot(options: SnapshotOptions, log: SnapshotLog = {}): Promise<SnapshotResult> {
  const root = checkRoot(options.root);
  const base = root === '/' ? '' : root;
  const now = options.now ?? new Date();
  const archiveDir = resolve(options.archive);
  const path = join(archiveDir, snapshotRelativePath(options.kind, now));
  // In the repeated hour even the first snapshot of a minute is a -2: the reader takes -2 ... of
  // such a minute for the second pass, an hour after the plain name.
  const beside = inRepeatedHour(now) ? repeatPaths(archiveDir, options.kind, now, 2) : options.keepExisting ? repeatPaths(archiveDir, options.kind, now, 1) : undefined;
  const unreadable = log.unreadable ?? (() => {});
  const problem = log.problem ?? reportProblem;

  let file: AtomicGzipFile | null = null;
  try {
    const archive = dirname(dirname(path));
    makeDirectory(archive);
    guardArchive(archive, dirname(path), problem);
    removeStaleTempFiles(dirname(path));
    file = new AtomicGzipFile(path);
    const text = new EntryText();
    const cursor = new DirectoryCursor(base);
    const onUnlistable = (rel: string, err: unknown) => unreadable(CANONICAL_ROOT + rel, err);
    const files = options.kind === 'stats' ? statsFiles(root, onUnlistable) : treeFiles(root, onUnlistable);
    try {
      let headerDir: string | null = null;
      let header = headerPrefix(CANONICAL_ROOT);
      for (const { rel, dir, name, type } of files) {
        if (isSecret(name)) {
          text.addText(CANONICAL_ROOT + rel, `${SECRET_PLACEHOLDER}\n`);
        } else if (type === 'file') {
          if (dir !== headerDir) {
            header = headerPrefix(CANONICAL_ROOT + dir);
            headerDir = dir;
          }
          const err = text.addFileIn(header, name, cursor.path(dir, name));
          if (err) unreadable(CANONICAL_ROOT + rel, err);
        } else {
          // Symlinks (never followed) and anything that is not a regular file, such as a FIFO
          // whose open would block: listed, with no content, as the original's failing cat gave.
          text.addText(CANONICAL_ROOT + rel, null);
        }
        const ready = text.takeReady();
        if (ready.length === 0) continue;
        cursor.restore();
        for (const chunk of ready) await file.write(chunk);
      }
    } finally {
      cursor.restore();
    }
    if (options.kind === 'stats' && options.drbdProc !== null) {
      // /proc/drbd, and on DRBD 9 the output of drbdsetup events2.
      for (const section of drbdSections(options.drbdProc ?? DEFAULT_DRBD_PROC, options.drbdsetup)) {
        text.addText(section.header, section.content);
        if (section.problem) problem(`DRBD entry empty: ${section.problem}`);
      }
    }
    if (options.kind === 'stats' && options.crmMon) {
      for (const section of crmMonSections(options.crmMon)) {
        text.addText(section.header, section.content);
        if (section.problem) problem(`crm_mon entry without the cluster state: ${section.problem}`);
      }
    }
    for (const chunk of text.takeRest()) await file.write(chunk);
    const written = await file.commit(beside);
    return { path: written.path, entries: text.entries, bytes: written.bytes };
  } catch (err) {
    file?.abort();
    throw new UserError(`${path} not written: ${describeError(err)}`);
  }
}
