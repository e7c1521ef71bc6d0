// The installer's record of what it put on the system, so that `lio-munin uninstall` removes
// exactly that. Paths are those of the installed system (without --destdir), so a manifest
// staged under a DESTDIR is right once the staged tree is copied to /.
import { existsSync, readFileSync } from 'node:fs';
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

function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  if (typeof e.path !== 'string' || !e.path.startsWith('/')) return false;
  switch (e.kind) {
    case 'dir':
      return true;
    case 'file':
      return typeof e.sha256 === 'string' && typeof e.mode === 'string' && (e.backup === undefined || typeof e.backup === 'string');
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
  const m = parsed as { format?: unknown; entries?: unknown };
  if (m.format !== 1 || !Array.isArray(m.entries) || !m.entries.every(isEntry)) {
    throw new UserError(`the manifest ${diskPath} is not one lio-munin wrote (format 1 with entries): fix or remove it`);
  }
  return { format: 1, entries: m.entries };
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
