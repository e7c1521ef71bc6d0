// Standard output of a plugin, written in pieces as the lines come.
import { writeSync } from 'node:fs';
import { describeError, errorCode } from '../errors.js';
import { warn, type Output } from './protocol.js';

/** Output is handed to the kernel in pieces of about this many characters. */
const PIECE = 64 * 1024;

/**
 * Standard output, written in pieces of about 64 KiB as the lines come: a config of thousands of
 * fields never exists as one string, and munin-node reads while the plugin still works.
 * A plain write to fd 1: on a pipe (munin-node's) process.stdout is a net.Socket whose creation
 * loads Node's stream and net modules, a measurable part of a whole plugin run.
 */
export class StdoutOutput implements Output {
  private lines: string[] = [];
  private length = 0;
  /** Non-blocking stdout that was full: everything after goes through Node's stream, in order. */
  private viaStream = false;
  private closed = false;

  write(text: string): void {
    this.lines.push(text);
    this.length += text.length;
    if (this.length >= PIECE) this.flush();
  }

  /** Writes what is pending, all of it, before returning. */
  flush(): void {
    const text = this.lines.join('');
    this.lines = [];
    this.length = 0;
    if (text === '' || this.closed) return;
    if (this.viaStream) {
      process.stdout.write(text);
      return;
    }
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
      if (errorCode(err) === 'EAGAIN') {
        // A non-blocking stdout that is full: let Node's stream wait for it.
        this.viaStream = true;
        process.stdout.on('error', (streamErr) => this.failed(streamErr));
        process.stdout.write((data ?? Buffer.from(text)).subarray(offset));
      } else {
        this.failed(err);
      }
    }
  }

  /**
   * The reader went away (EPIPE: munin-node gave up on us) or the output cannot be written
   * (ENOSPC on a file): one line on stderr and a non-zero status, not a stack trace.
   */
  private failed(err: unknown): void {
    if (this.closed) return;
    this.closed = true;
    warn(errorCode(err) === 'EPIPE' ? 'stdout closed before all output was written' : `cannot write to stdout: ${describeError(err)}`);
    process.exitCode = 1;
  }
}
