// Standard output written through its file descriptor: on a pipe (munin-node's, a shell's)
// process.stdout is a net.Socket whose creation loads Node's stream and net modules, a measurable
// part of a short run (bench/README.md). The plugins' output and `lio-collector metrics` use it.
import { writeSync } from 'node:fs';
import { errorCode } from './errors.js';

/**
 * Writes text whole to fd 1. A write error (EPIPE: the reader went away; ENOSPC) goes to failed.
 * A non-blocking stdout that is full (EAGAIN) gets the rest through process.stdout, which waits
 * for it and gives its own errors to failed; then false is returned, and whatever is written
 * after must go through process.stdout too, to stay in order.
 */
export function writeStdout(text: string, failed: (err: unknown) => void): boolean {
  let data: Buffer | null = null;
  let offset = 0;
  try {
    // A string goes to the kernel without a Buffer made here; blocking pipes take all of it.
    offset = writeSync(1, text);
    if (offset < Buffer.byteLength(text)) {
      data = Buffer.from(text);
      while (offset < data.length) offset += writeSync(1, data, offset);
    }
  } catch (err) {
    if (errorCode(err) !== 'EAGAIN') {
      failed(err);
      return true;
    }
    process.stdout.on('error', failed);
    process.stdout.write((data ?? Buffer.from(text)).subarray(offset));
    return false;
  }
  return true;
}
