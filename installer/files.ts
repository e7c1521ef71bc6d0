// The installer's file operations, with its ownership rules:
// - it owns what its manifest records, and knows by the recorded sha256 whether the owner of the
//   machine changed a file since;
// - a file it installed and that was changed since is never replaced nor removed (`keep`);
// - a file it did not install that is in the way (e.g. the original Perl `drbd` plugin) is saved
//   under /var/lib/lio-munin/backup before it is replaced, and put back by uninstall;
// - a symlink in the way that points elsewhere is left alone.
// Every action prints one line; with dryRun the same lines are printed and nothing is changed.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  type Stats,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-file.js';
import { UserError } from '../lib/errors.js';
import { BACKUP_DIR, findEntry, MANIFEST, recordEntry, saveManifest, type Entry, type Manifest } from './manifest.js';

export type FileStatus = 'install' | 'update' | 'replace' | 'chmod' | 'unchanged' | 'keep';

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
export const octal = (mode: number): string => '0' + (mode & 0o7777).toString(8);

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Copies (`link`) or moves (`move`) a file or symlink keeping everything about it: a hard link
 * or a rename on the same file system, else a copy with the same mode and times.
 */
function preserve(from: string, to: string, st: Stats, how: 'link' | 'move'): void {
  try {
    if (how === 'link') linkSync(from, to);
    else renameSync(from, to);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
  }
  if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else {
    copyFileSync(from, to);
    chmodSync(to, st.mode & 0o7777);
    utimesSync(to, st.atime, st.mtime);
  }
  if (how === 'move') unlinkSync(from);
}

export class Staging {
  /** Number of changes made (or, with dryRun, that would be made). */
  changes = 0;
  /** With dryRun: what would have been created or removed, so later steps see it. */
  private readonly pretendCreated = new Set<string>();
  private readonly pretendRemoved = new Set<string>();

  constructor(
    /** Staging root ('' for the real system). */
    readonly destdir: string,
    readonly dryRun: boolean,
    readonly manifest: Manifest,
    private readonly print: (line: string) => void,
  ) {}

  /** Where a system path is on disk (under destdir). */
  disk(path: string): string {
    return this.destdir ? join(this.destdir, path) : path;
  }

  log(verb: string, text: string): void {
    this.print(`${verb.padEnd(9)} ${text}`);
  }

  private change(): void {
    this.changes++;
    // Saved after every change, so an interrupted install can still be uninstalled; the state
    // directory is the first thing install creates.
    if (!this.dryRun && existsSync(dirname(this.disk(MANIFEST)))) saveManifest(this.disk(MANIFEST), this.manifest);
  }

  private stat(path: string): Stats | null {
    const disk = this.disk(path);
    if (this.pretendRemoved.has(disk)) return null;
    return lstatOrNull(disk);
  }

  private exists(path: string): boolean {
    return this.pretendCreated.has(this.disk(path)) || this.stat(path) !== null;
  }

  /** mkdir -p, recording each directory it creates. */
  ensureDir(path: string): void {
    if (path === '/' || this.exists(path)) {
      const st = this.stat(path);
      if (st && !st.isDirectory() && !(st.isSymbolicLink() && existsSync(this.disk(path)))) {
        throw new UserError(`${this.disk(path)} is in the way: a directory is needed there`);
      }
      return;
    }
    this.ensureDir(dirname(path));
    const disk = this.disk(path);
    if (this.dryRun) this.pretendCreated.add(disk);
    else {
      mkdirSync(disk);
      chmodSync(disk, 0o755); // whatever the umask: munin-node's plugins run as nobody
    }
    recordEntry(this.manifest, { kind: 'dir', path });
    this.log('mkdir', disk);
    this.change();
  }

  private write(path: string, content: Buffer, mode: number): void {
    if (this.dryRun) {
      this.pretendCreated.add(this.disk(path));
      return;
    }
    // munin-node never sees half a plugin or half a configuration file (and skips the hidden
    // temporary file).
    writeFileAtomic(this.disk(path), content, mode);
  }

  /** Saves what is at path (a file or a symlink) under the backup directory; returns where. */
  private backup(path: string, st: Stats): string {
    let saved = BACKUP_DIR + path;
    for (let n = 1; this.exists(saved); n++) saved = `${BACKUP_DIR}${path}.${n}`;
    this.ensureDir(dirname(saved));
    if (!this.dryRun) preserve(this.disk(path), this.disk(saved), st, 'link');
    else this.pretendCreated.add(this.disk(saved));
    return saved;
  }

  /** Installs a file with the given content and mode, following the ownership rules. */
  installFile(path: string, content: Buffer, mode: number): FileStatus {
    const disk = this.disk(path);
    const wanted = sha256(content);
    const entry = findEntry(this.manifest, 'file', path);
    const st = this.stat(path);
    const record = (backup?: string) =>
      recordEntry(this.manifest, { kind: 'file', path, sha256: wanted, mode: octal(mode), ...(backup ? { backup } : {}) });

    if (!st) {
      this.ensureDir(dirname(path));
      this.write(path, content, mode);
      record(entry?.backup);
      this.log('install', disk);
      this.change();
      return 'install';
    }
    if (st.isDirectory()) throw new UserError(`${disk} is a directory: a file is to be installed there`);
    const current = st.isFile() ? sha256(readFileSync(disk)) : null;
    if (current === wanted) {
      if (!entry) {
        this.log('unchanged', `${disk} (already there, but not installed by lio-munin: uninstall will leave it)`);
        return 'unchanged';
      } else if ((st.mode & 0o7777) !== mode) {
        if (!this.dryRun) chmodSync(disk, mode);
        this.log('chmod', `${disk} ${octal(mode)}`);
        this.change();
        return 'chmod';
      }
      this.log('unchanged', disk);
      return 'unchanged';
    }
    if (entry && current === entry.sha256) {
      this.write(path, content, mode);
      record(entry.backup);
      this.log('update', disk);
      this.change();
      return 'update';
    }
    if (entry) {
      this.log('keep', `${disk} (changed since lio-munin installed it: left as it is; move it away and run install again for the new version)`);
      return 'keep';
    }
    const saved = this.backup(path, st);
    this.write(path, content, mode);
    record(saved);
    this.log('replace', `${disk} (the file that was there is kept as ${this.disk(saved)} and put back by uninstall)`);
    this.change();
    return 'replace';
  }

  /**
   * Enables a plugin: a symlink at path pointing to target, unless something else is there.
   * Returns true when the link is in place afterwards.
   */
  installLink(path: string, target: string, why: string): boolean {
    const disk = this.disk(path);
    const st = this.stat(path);
    if (!st) {
      this.ensureDir(dirname(path));
      if (this.dryRun) this.pretendCreated.add(disk);
      else symlinkSync(target, disk);
      recordEntry(this.manifest, { kind: 'link', path, target });
      this.log('enable', `${disk} -> ${target} (${why})`);
      this.change();
      return true;
    }
    if (st.isSymbolicLink()) {
      const current = readlinkSync(disk);
      if (current === target) {
        this.log('unchanged', `${disk} -> ${target}`);
        return true;
      }
      this.log('keep', `${disk} -> ${current} (points to another plugin: left as it is)`);
      return false;
    }
    this.log('keep', `${disk} (not a symlink: left as it is)`);
    return false;
  }

  /** True when a link to target already enables the plugin at path. */
  linked(path: string, target: string): boolean {
    const st = this.stat(path);
    return st !== null && st.isSymbolicLink() && readlinkSync(this.disk(path)) === target;
  }

  private remove(disk: string): void {
    if (this.dryRun) this.pretendRemoved.add(disk);
    else unlinkSync(disk);
  }

  private wouldBeEmpty(disk: string): boolean {
    return readdirSync(disk).every((name) => this.pretendRemoved.has(join(disk, name)));
  }

  /** Removes what the manifest records, newest first, keeping whatever was changed since. */
  uninstall(): void {
    const entries = [...this.manifest.entries].reverse();
    for (const entry of entries) {
      if (entry.kind === 'link') this.uninstallLink(entry);
      if (entry.kind === 'file') this.uninstallFile(entry);
    }
    const manifest = this.disk(MANIFEST);
    if (lstatOrNull(manifest)) {
      this.remove(manifest);
      this.log('remove', manifest);
      this.changes++;
    }
    // Deepest first: a directory is removed only once what the installer put in it is gone.
    const dirs = entries.filter((e) => e.kind === 'dir').sort((a, b) => b.path.length - a.path.length);
    for (const entry of dirs) {
      const disk = this.disk(entry.path);
      const st = this.stat(entry.path);
      if (!st || !st.isDirectory()) continue;
      if (this.wouldBeEmpty(disk)) {
        if (this.dryRun) this.pretendRemoved.add(disk);
        else rmdirSync(disk);
        this.log('rmdir', disk);
        this.changes++;
      } else {
        this.log('keep', `${disk} (not empty: holds files lio-munin did not install)`);
      }
    }
  }

  private uninstallLink(entry: Extract<Entry, { kind: 'link' }>): void {
    const disk = this.disk(entry.path);
    const st = this.stat(entry.path);
    if (!st) {
      this.log('gone', `${disk} (already removed)`);
    } else if (st.isSymbolicLink() && readlinkSync(disk) === entry.target) {
      this.remove(disk);
      this.log('disable', `${disk} -> ${entry.target}`);
      this.changes++;
    } else {
      this.log('keep', `${disk} (changed since lio-munin made it: left as it is)`);
    }
  }

  private uninstallFile(entry: Extract<Entry, { kind: 'file' }>): void {
    const disk = this.disk(entry.path);
    const st = this.stat(entry.path);
    let removed = false;
    if (!st) {
      this.log('gone', `${disk} (already removed)`);
      removed = true;
    } else if (st.isFile() && sha256(readFileSync(disk)) === entry.sha256) {
      this.remove(disk);
      this.log('remove', disk);
      this.changes++;
      removed = true;
    } else {
      this.log('keep', `${disk} (changed since lio-munin installed it: left as it is)`);
    }
    if (!entry.backup) return;
    const saved = this.disk(entry.backup);
    const backup = this.pretendRemoved.has(saved) ? null : lstatOrNull(saved);
    if (!backup) {
      this.log('gone', `${saved} (the saved previous ${disk} is missing: nothing to put back)`);
      return;
    }
    if (!removed) {
      this.log('keep', `${saved} (the file that was at ${disk} before lio-munin: not put back, since ${disk} was changed)`);
      return;
    }
    if (!this.dryRun) preserve(saved, disk, backup, 'move');
    if (this.dryRun) this.pretendRemoved.add(saved);
    this.pretendRemoved.delete(disk);
    this.log('restore', `${disk} (the file that was there before lio-munin)`);
    this.changes++;
  }
}
