// Writing one archive file so that it appears complete or not at all (lib/atomic-file.ts), gzip
// compressed as it is written. Temporary files of processes that are gone are removed by the
// next snapshot (in its day directory) and by prune (in every day directory).
//
// Archive files are 0640 and the directories we create 0750 whatever the umask, since
// statistics name every initiator and LUN of the SAN.
import { chmodSync, lstatSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { AtomicFile } from '../atomic-file.js';
import { errorCode } from '../errors.js';

export const FILE_MODE = 0o640;
export const DIR_MODE = 0o750;

/** `.lio-statistics-202601011200.gz.4242.tmp`: hidden, not ending in .gz, naming its writer. */
const TEMP_NAME = /^\.lio-(?:statistics-)?\d{12}\.gz\.(\d+)\.tmp$/;
/** A temporary file this old is stale even if its writer's pid has been reused meanwhile. */
const TEMP_MAX_AGE_MS = 24 * 3600 * 1000;
/** Uncompressed bytes queued for compression before the reader waits. */
const MAX_QUEUED_BYTES = 8 << 20;

/** Creates dir (and missing parents) with mode 0750, leaving existing directories as they are. */
export function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir, { mode: DIR_MODE });
    chmodSync(dir, DIR_MODE);
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return;
    if (errorCode(err) !== 'ENOENT') throw err;
    makeDirectory(dirname(dir));
    makeDirectory(dir);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

/**
 * Removes this collector's temporary files in dir whose writer is gone (or that are a day old).
 * Returns the names removed. A directory that cannot be read has nothing to clean, and a name
 * that cannot be removed is left: cleaning up never stops the snapshot that does it.
 */
export function removeStaleTempFiles(dir: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => {
    try {
      return removeIfStaleTemp(dir, name, now);
    } catch {
      return false;
    }
  });
}

/**
 * Removes dir/name if it is a temporary file of ours whose writer is gone; true if removed. Only
 * a regular file owned by this user can be one: a directory, symlink or FIFO with such a name, or
 * another user's file, is a stranger's and stays.
 */
export function removeIfStaleTemp(dir: string, name: string, now = Date.now()): boolean {
  const match = TEMP_NAME.exec(name);
  if (!match) return false;
  const pid = Number(match[1]);
  const path = join(dir, name);
  try {
    const st = lstatSync(path);
    if (!st.isFile() || st.uid !== process.getuid?.()) return false;
    const writerGone = pid !== process.pid && !processExists(pid);
    if (!writerGone && now - st.mtimeMs < TEMP_MAX_AGE_MS) return false;
    unlinkSync(path);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false; // its writer renamed it meanwhile
    throw err;
  }
}

/** A gzip file being written under a temporary name until commit(). */
export class AtomicGzipFile {
  private readonly file: AtomicFile;
  private readonly gzip: Gzip;
  private failure: unknown = null;

  /** Opens the temporary file beside finalPath, creating the directory if needed. */
  constructor(readonly finalPath: string) {
    makeDirectory(dirname(finalPath));
    this.file = new AtomicFile(finalPath, FILE_MODE);
    // Compression runs on libuv's thread pool while the caller goes on reading files.
    this.gzip = createGzip({ level: 6, chunkSize: 256 * 1024 });
    this.gzip.on('data', (data: Buffer) => this.writeAll(data));
    this.gzip.on('error', (err) => {
      this.failure ??= err;
    });
  }

  get tempPath(): string {
    return this.file.tempPath;
  }

  /** Queues text for compression; waits only when much is queued. The chunk must not be reused. */
  async write(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    this.gzip.write(chunk);
    // Let compressed output reach the file between chunks.
    if (this.gzip.writableLength > MAX_QUEUED_BYTES) await once(this.gzip, 'drain');
    else await nextTurn();
    this.throwIfFailed();
  }

  /**
   * Finishes compression and gives the file its final name, or with beside the first of those
   * names that is free (replacing nothing). Returns the name given and the file's size.
   */
  async commit(beside?: Iterable<string>): Promise<{ path: string; bytes: number }> {
    this.throwIfFailed();
    this.gzip.end();
    try {
      await finished(this.gzip);
    } catch (err) {
      this.failure ??= err;
    }
    this.throwIfFailed();
    let path = this.finalPath;
    if (beside) path = this.file.commitBeside(beside);
    else this.file.commit();
    return { path, bytes: this.file.written };
  }

  /** Drops the temporary file (after a failure). Never throws. */
  abort(): void {
    this.gzip.destroy();
    this.file.abort();
  }

  private writeAll(data: Buffer): void {
    if (this.failure) return;
    try {
      this.file.write(data);
    } catch (err) {
      // ENOSPC, EIO, ...: stop compressing; write() or commit() reports it.
      this.failure = err;
      this.gzip.destroy(err as Error);
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
