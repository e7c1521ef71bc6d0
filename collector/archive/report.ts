// Everything the reader says on stderr: one-line warnings, notes, and the progress bar, which is
// drawn only when stderr is a terminal (a cron job or a pipe gets nothing but the warnings).

export interface ErrStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const PROGRAM = 'lio-collector';
/** Redraw at most this often: a terminal is slow next to inflating snapshots. */
const REDRAW_MS = 100;

export class Reporter {
  private bar: { total: number; done: number; started: number; drawn: number; label: string } | null = null;
  private barVisible = false;

  constructor(
    private readonly stderr: ErrStream,
    private readonly clock: () => number = Date.now,
  ) {}

  warn(message: string): void {
    this.line(`${PROGRAM}: warning: ${message}`);
  }

  note(message: string): void {
    this.line(`${PROGRAM}: ${message}`);
  }

  /** Starts a bar of total steps; a no-op unless stderr is a terminal. */
  startProgress(total: number, label: string): void {
    if (!this.stderr.isTTY || total <= 1) return;
    const now = this.clock();
    this.bar = { total, done: 0, started: now, drawn: 0, label };
  }

  tick(): void {
    if (!this.bar) return;
    this.bar.done++;
    const now = this.clock();
    if (now - this.bar.drawn >= REDRAW_MS || this.bar.done === this.bar.total) {
      this.bar.drawn = now;
      this.draw();
    }
  }

  endProgress(): void {
    this.clearBar();
    this.bar = null;
  }

  private draw(): void {
    if (!this.bar) return;
    const { total, done, started, label } = this.bar;
    const seconds = Math.max((this.clock() - started) / 1000, 0.001);
    const rate = done / seconds;
    const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    const counts = `${String(done).padStart(String(total).length)}/${total} ${label}`;
    const tail = ` ${Math.round((done / total) * 100)
      .toString()
      .padStart(3)}%  ${rate.toFixed(0)} files/s  eta ${formatDuration(eta)}`;
    const width = Math.max(10, Math.min(40, (this.stderr.columns ?? 80) - counts.length - tail.length - 4));
    const filled = Math.round((done / total) * width);
    this.stderr.write(`\r\x1b[K${counts} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${tail}`);
    this.barVisible = true;
  }

  private clearBar(): void {
    if (this.barVisible) this.stderr.write('\r\x1b[K');
    this.barVisible = false;
  }

  private line(text: string): void {
    this.clearBar();
    this.stderr.write(`${text}\n`);
    if (this.bar) this.draw();
  }
}

function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}:${String(s).padStart(2, '0')}`;
}
