// Writing a file so that it appears complete or not at all: into a hidden temporary file in the
// same directory, synced, then renamed over the final name, and the directory synced. A crash or
// kill -9 leaves at most the temporary file, never a truncated file under the final name.
import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** `.NAME.PID.tmp`: hidden (munin-node and the archive reader skip dot files), naming its writer. */
export function tempName(finalName: string, pid = process.pid): string {
  return `.${finalName}.${pid}.tmp`;
}

/** A file being written under its temporary name until commit(). */
export class AtomicFile {
  readonly tempPath: string;
  private readonly fd: number;
  private closed = false;
  /** Bytes written so far. */
  written = 0;

  /** Creates the temporary file beside finalPath (which must not exist) with exactly mode. */
  constructor(
    readonly finalPath: string,
    mode: number,
  ) {
    this.tempPath = join(dirname(finalPath), tempName(basename(finalPath)));
    this.fd = openNew(this.tempPath, mode);
    try {
      fchmodSync(this.fd, mode); // whatever the umask
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  write(data: Uint8Array): void {
    for (let offset = 0; offset < data.length; ) offset += writeSync(this.fd, data, offset);
    this.written += data.length;
  }

  /**
   * Gives the file its final name; durably (the file synced before, the rename after) unless
   * durable is false: then a crash may lose the file or leave it empty, never half of it.
   */
  commit(durable = true): void {
    if (durable) fsyncSync(this.fd);
    closeSync(this.fd);
    this.closed = true;
    renameSync(this.tempPath, this.finalPath);
    if (durable) syncDirectory(dirname(this.finalPath));
  }

  /**
   * Like commit(), but replaces nothing: the file gets the first of paths (in its directory) that
   * is free, taken with link(2), which fails on an existing name. Returns the path taken.
   */
  commitBeside(paths: Iterable<string>): string {
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.closed = true;
    for (const path of paths) {
      try {
        linkSync(this.tempPath, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      unlinkSync(this.tempPath);
      syncDirectory(dirname(path));
      return path;
    }
    throw new Error('every name is taken');
  }

  /** Drops the temporary file (after a failure). Never throws. */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        closeSync(this.fd);
      } catch {
        // already unusable: nothing more to release
      }
    }
    try {
      unlinkSync(this.tempPath);
    } catch {
      // never created, or already gone
    }
  }
}

/**
 * Creates path exclusively. One already there carries our pid but is not ours (we make one
 * AtomicFile per final path at a time): a dead process's, whose pid we got; it is replaced.
 */
function openNew(path: string, mode: number): number {
  try {
    return openSync(path, 'wx', mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    unlinkSync(path);
    return openSync(path, 'wx', mode);
  }
}

/** Writes content to path atomically, with exactly mode; durably unless durable is false (see commit). */
export function writeFileAtomic(path: string, content: string | Uint8Array, mode: number, { durable = true }: { durable?: boolean } = {}): void {
  const file = new AtomicFile(path, mode);
  try {
    file.write(typeof content === 'string' ? Buffer.from(content) : content);
    file.commit(durable);
  } catch (err) {
    file.abort();
    throw err;
  }
}

/** Makes a rename in dir durable. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
