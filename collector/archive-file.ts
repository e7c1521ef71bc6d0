// Writing one archive file so that it appears complete or not at all: gzip into a temporary
// file in the same directory, fsync it, rename it to its final name, fsync the directory.
// A crash or kill -9 leaves at most a temporary file, never a truncated .gz under a final
// name; temporary files of processes that are gone are removed by the next snapshot (in its
// day directory) and by prune (in every day directory).
//
// Archive files are 0640 and the directories we create 0750 whatever the umask, since
// statistics name every initiator and LUN of the SAN.
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { errorCode } from './report.js';

export const FILE_MODE = 0o640;
export const DIR_MODE = 0o750;

/** `.lio-statistics-202601011200.gz.4242.tmp`: hidden, not ending in .gz, naming its writer. */
const TEMP_NAME = /^\.lio-(?:statistics-)?\d{12}\.gz\.(\d+)\.tmp$/;
/** A temporary file this old is stale even if its writer's pid has been reused meanwhile. */
const TEMP_MAX_AGE_MS = 24 * 3600 * 1000;
/** Uncompressed bytes queued for compression before the reader waits. */
const MAX_QUEUED_BYTES = 8 << 20;

export function tempName(finalName: string, pid = process.pid): string {
  return `.${finalName}.${pid}.tmp`;
}

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
 * Returns the names removed. A directory that cannot be read has nothing to clean.
 */
export function removeStaleTempFiles(dir: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => removeIfStaleTemp(dir, name, now));
}

/** Removes dir/name if it is a temporary file of ours whose writer is gone; true if removed. */
export function removeIfStaleTemp(dir: string, name: string, now = Date.now()): boolean {
  const match = TEMP_NAME.exec(name);
  if (!match) return false;
  const pid = Number(match[1]);
  const path = join(dir, name);
  try {
    const writerGone = pid !== process.pid && !processExists(pid);
    if (!writerGone && now - statSync(path).mtimeMs < TEMP_MAX_AGE_MS) return false;
    unlinkSync(path);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false; // its writer renamed it meanwhile
    throw err;
  }
}

/** A gzip file being written under a temporary name until commit(). */
export class AtomicGzipFile {
  readonly tempPath: string;
  private readonly fd: number;
  private readonly gzip: Gzip;
  private failure: unknown = null;
  private written = 0;
  private closed = false;

  /** Opens the temporary file beside finalPath, creating the directory if needed. */
  constructor(readonly finalPath: string) {
    makeDirectory(dirname(finalPath));
    this.tempPath = join(dirname(finalPath), tempName(basename(finalPath)));
    this.fd = openSync(this.tempPath, 'wx', FILE_MODE);
    try {
      fchmodSync(this.fd, FILE_MODE);
    } catch (err) {
      this.abort();
      throw err;
    }
    // Compression runs on libuv's thread pool while the caller goes on reading files.
    this.gzip = createGzip({ level: 6, chunkSize: 256 * 1024 });
    this.gzip.on('data', (data: Buffer) => this.writeAll(data));
    this.gzip.on('error', (err) => {
      this.failure ??= err;
    });
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

  /** Finishes compression and gives the file its final name. Returns the file's size. */
  async commit(): Promise<number> {
    this.throwIfFailed();
    this.gzip.end();
    try {
      await finished(this.gzip);
    } catch (err) {
      this.failure ??= err;
    }
    this.throwIfFailed();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.closed = true;
    renameSync(this.tempPath, this.finalPath);
    syncDirectory(dirname(this.finalPath));
    return this.written;
  }

  /** Drops the temporary file (after a failure). Never throws. */
  abort(): void {
    this.gzip?.destroy();
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

  private writeAll(data: Buffer): void {
    if (this.failure) return;
    try {
      for (let offset = 0; offset < data.length; ) offset += writeSync(this.fd, data, offset);
      this.written += data.length;
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

/** Makes a rename in dir durable. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
