// Reading a status file whole, with a guard: only a regular file (a FIFO or a device put in its
// place would block or never end) and at most a bounded size.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export type SmallFile = { text: string } | { error: unknown };

/** Something other than a regular file where one was expected. */
export class NotARegularFile extends Error {
  override name = 'NotARegularFile';
  constructor(readonly path: string) {
    super('not a regular file');
  }
}

/** A file larger than the bound. */
export class FileTooLarge extends Error {
  override name = 'FileTooLarge';
  constructor(
    readonly path: string,
    readonly limit: number,
  ) {
    super(`larger than ${limit} bytes`);
  }
}

/**
 * The content of path, decoded, or the error that stopped it: a system error (ENOENT, EACCES,
 * ...), NotARegularFile, or FileTooLarge past maxBytes. /proc files say size 0, so the size is
 * found by reading, never trusted from stat.
 */
export function readSmallFile(path: string, maxBytes: number, encoding: BufferEncoding): SmallFile {
  let fd = -1;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { error: new NotARegularFile(path) };
    // A size is trusted to refuse a file, never to bound the read: /proc files say 0. Node's
    // readFileSync would be cheaper but reads to the end, whatever that is (bench/README.md).
    if (stat.size > maxBytes) return { error: new FileTooLarge(path, maxBytes) };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return { error: new FileTooLarge(path, maxBytes) };
    }
    return { text: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)).toString(encoding) };
  } catch (err) {
    return { error: err };
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Whether fd is a regular file (false when it cannot be told). */
export function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}
