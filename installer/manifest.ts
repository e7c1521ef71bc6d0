// The installer's record of what it put on the system, so that `lio-munin uninstall` removes
// exactly that. Paths are those of the installed system (without --destdir), so a manifest
// staged under a DESTDIR is right once the staged tree is copied to /.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-file.js';
import { UserError } from '../lib/errors.js';

export const STATE_DIR = '/var/lib/lio-munin';
export const MANIFEST = `${STATE_DIR}/manifest.json`;
/** Files that were in the way of an installed file, kept here until uninstall puts them back. */
export const BACKUP_DIR = `${STATE_DIR}/backup`;

export type Entry =
  /** A directory the installer created (removed by uninstall when empty). */
  | { kind: 'dir'; path: string }
  /**
   * A file the installer wrote: sha256 of what it wrote, to tell whether someone changed it
   * since. backup: where the file that was there before is kept.
   */
  | { kind: 'file'; path: string; sha256: string; mode: string; backup?: string }
  /** A symlink the installer made (a plugin enabled in /etc/munin/plugins). */
  | { kind: 'link'; path: string; target: string };

export interface Manifest {
  format: 1;
  entries: Entry[];
}

const NOTE = 'Written by `lio-munin install`, read by `lio-munin uninstall`: do not edit. Paths are those of the installed system.';

export function emptyManifest(): Manifest {
  return { format: 1, entries: [] };
}

/**
 * Whether path is one the installer can have written: absolute, already normal (no `.` or `..`
 * segment, no `//`, no trailing `/`), not `/` itself, no control character. Joined to a DESTDIR,
 * such a path cannot name anything outside it by its text (symlinks are checked at uninstall).
 */
export function isPlainPath(path: unknown): path is string {
  return typeof path === 'string' && path.startsWith('/') && path !== '/' && posix.normalize(path) === path && !path.endsWith('/') && !path.split('/').includes('..') && !/[\x00-\x1f\x7f]/.test(path);
}

function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  if (!isPlainPath(e.path)) return false;
  switch (e.kind) {
    case 'dir':
      return true;
    case 'file':
      // A backup is kept under BACKUP_DIR, nowhere else.
      return typeof e.sha256 === 'string' && typeof e.mode === 'string' && (e.backup === undefined || (isPlainPath(e.backup) && e.backup.startsWith(`${BACKUP_DIR}/`)));
    case 'link':
      return typeof e.target === 'string';
    default:
      return false;
  }
}

/** Reads the manifest at diskPath; an absent file is an empty manifest, a damaged one an error. */
export function loadManifest(diskPath: string): Manifest {
  if (!existsSync(diskPath)) return emptyManifest();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(diskPath, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read the manifest ${diskPath}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new UserError(`the manifest ${diskPath} is not one lio-munin wrote (it holds ${JSON.stringify(parsed)}, not an object): fix or remove it`);
  }
  const m = parsed as { format?: unknown; entries?: unknown };
  if (m.format !== 1 || !Array.isArray(m.entries)) {
    throw new UserError(`the manifest ${diskPath} is not one lio-munin wrote (format 1 with entries): fix or remove it`);
  }
  // Every path is checked before anything is done: a manifest with one bad entry is refused whole.
  const bad = m.entries.find((e) => !isEntry(e));
  if (bad !== undefined) {
    throw new UserError(`the manifest ${diskPath} is refused, nothing was changed: an entry lio-munin cannot have written (${JSON.stringify(bad)}; paths must be absolute and plain, without . or .., backups under ${BACKUP_DIR}): fix or remove it`);
  }
  return { format: 1, entries: m.entries };
}

/**
 * Throws unless every path of the manifest, on disk under destdir, stays inside destdir once the
 * symlinks among its existing directories are followed (a staged `etc` that links to /etc).
 * Checked for the whole manifest before uninstall removes anything.
 */
export function checkInsideDestdir(manifest: Manifest, destdir: string, diskPath: string): void {
  const inside = realpathSync(destdir);
  for (const entry of manifest.entries) {
    for (const path of [entry.path, entry.kind === 'file' ? entry.backup : undefined]) {
      if (path === undefined) continue;
      // The nearest directory above the path that exists: where a removal would really happen.
      let dir = dirname(join(destdir, path));
      while (!existsSync(dir)) dir = dirname(dir);
      const real = realpathSync(dir);
      if (real !== inside && !real.startsWith(`${inside}/`)) {
        throw new UserError(`the manifest ${diskPath} is refused, nothing was changed: ${join(destdir, path)} leads outside ${destdir} (${dir} is ${real})`);
      }
    }
  }
}

/** Writes the manifest atomically (a temporary file in the same directory, then rename). */
export function saveManifest(diskPath: string, manifest: Manifest): void {
  const text = JSON.stringify({ note: NOTE, format: manifest.format, entries: manifest.entries }, null, 2) + '\n';
  writeFileAtomic(diskPath, text, 0o644);
}

export function findEntry<K extends Entry['kind']>(manifest: Manifest, kind: K, path: string): Extract<Entry, { kind: K }> | undefined {
  return manifest.entries.find((e): e is Extract<Entry, { kind: K }> => e.kind === kind && e.path === path);
}

/** Adds or replaces the entry for entry.path (one entry per path and kind). */
export function recordEntry(manifest: Manifest, entry: Entry): void {
  const index = manifest.entries.findIndex((e) => e.kind === entry.kind && e.path === entry.path);
  if (index >= 0) manifest.entries[index] = entry;
  else manifest.entries.push(entry);
}
