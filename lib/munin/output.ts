// Standard output of a plugin, written in pieces as the lines come.
import { describeError, errorCode } from '../errors.js';
import { writeStdout } from '../stdout.js';
import { warn, type Output } from './protocol.js';

/** Output is handed to the kernel in pieces of about this many characters. */
const PIECE = 64 * 1024;

/**
 * Standard output, written in pieces of about 64 KiB as the lines come: a config of thousands of
 * fields never exists as one string, and munin-node reads while the plugin still works.
 * Written to fd 1, not through process.stdout (lib/stdout.ts).
 */
export class StdoutOutput implements Output {
  private lines: string[] = [];
  private length = 0;
  /** Non-blocking stdout that was full: everything after goes through Node's stream, in order. */
  private viaStream = false;
  private closed = false;

  write(text: string): void {
    // A batch of lines (protocol.ts) goes out as it is, after what came before it, not copied by a join.
    if (text.length >= PIECE / 2) {
      this.flush();
      this.lines.push(text);
      this.flush();
      return;
    }
    this.lines.push(text);
    this.length += text.length;
    if (this.length >= PIECE) this.flush();
  }

  /** Everything flushed has been written (or has failed): nothing is left to Node's stream. */
  get complete(): boolean {
    return !this.viaStream;
  }

  /** Writes what is pending, all of it, before returning. */
  flush(): void {
    // A batch that came alone is written as it is, not copied by a join.
    const text = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    this.length = 0;
    if (text === '' || this.closed) return;
    if (this.viaStream) {
      process.stdout.write(text);
      return;
    }
    this.viaStream = !writeStdout(text, (err) => this.failed(err));
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
