// Standard output for the archive commands: buffered into large writes (a series can be
// millions of lines), paced by the reader (a pipe to a slow `less` must not make the output pile
// up in memory), and aware of a reader that went away (`| head`).

export interface OutStream {
  write(text: string | Uint8Array): unknown;
  /** Set on a terminal (process.stdout). */
  isTTY?: boolean;
  on?(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  /** Node's writable streams: set while writes wait in memory for the reader. */
  writableNeedDrain?: boolean;
  /** Node's writable streams: bytes written but still held in memory. */
  writableLength?: number;
  once?(event: 'drain' | 'close', listener: () => void): unknown;
  off?(event: 'drain' | 'close', listener: () => void): unknown;
}

const FLUSH_AT = 64 * 1024;

export class Output {
  private pending: string[] = [];
  private size = 0;
  /** True once the reader closed the pipe (or writing failed): commands stop reading snapshots. */
  closed = false;
  /** A write error other than a closed pipe (a full disk under `> file`), reported at the end. */
  failure: NodeJS.ErrnoException | null = null;

  constructor(private readonly stream: OutStream) {
    stream.on?.('error', (err) => {
      if (err.code !== 'EPIPE') this.failure = err;
      this.closed = true;
    });
  }

  write(text: string): void {
    if (this.closed) return;
    this.pending.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  /** Bytes as they are, after what is pending. */
  writeBytes(bytes: Uint8Array): void {
    if (this.closed) return;
    this.flush();
    this.stream.write(bytes);
  }

  /** Whether the stream holds nothing written to it (bytes given to writeBytes may be reused). */
  get drained(): boolean {
    return (this.stream.writableLength ?? 0) === 0;
  }

  /** Whether the reader is a terminal, where control characters would be obeyed, not shown. */
  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    this.stream.write(this.pending.join(''));
    this.pending = [];
    this.size = 0;
  }

  /**
   * Resolves once what was written has gone to the reader (at once if nothing waits), after
   * letting pending events run; false when the output is closed and reading can stop.
   */
  async ready(): Promise<boolean> {
    const stream = this.stream;
    if (!this.closed && stream.writableNeedDrain && stream.once && stream.off) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearInterval(poll);
          stream.off!('drain', done);
          stream.off!('close', done);
          resolve();
        };
        // A broken pipe is reported through 'error', which sets closed: look for it too.
        const poll = setInterval(() => this.closed && done(), 50);
        stream.once!('drain', done);
        stream.once!('close', done);
      });
    } else await new Promise(setImmediate);
    return !this.closed;
  }
}
