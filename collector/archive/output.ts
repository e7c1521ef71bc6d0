// Standard output for the archive commands: buffered into large writes (a series can be
// hundreds of thousands of lines), and aware of a reader that went away (`| head`).

export interface OutStream {
  write(text: string): unknown;
  on?(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
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

  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    this.stream.write(this.pending.join(''));
    this.pending = [];
    this.size = 0;
  }
}
