// What a plugin keeps between runs in $MUNIN_PLUGSTATE (munin-node gives each plugin user a
// directory there): one JSON file, read at most once a run and rewritten only when it changes.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../lib/atomic-file.js';
import { briefError } from '../../lib/errors.js';

/** What save writes for a value, and holds compares with. */
const textOf = (value: unknown) => JSON.stringify(value) + '\n';

export class PluginState {
  /** The file, or null when munin-node gave no state directory (then nothing is kept). */
  readonly path: string | null;
  /** The file's text as last read; undefined when not read yet, null when missing or unreadable. */
  private kept: string | null | undefined;

  /**
   * durable false: the file is replaced atomically but not synced to disk (see
   * writeFileAtomic), for what is rewritten every run and worth nothing after a crash anyway.
   */
  constructor(
    env: NodeJS.ProcessEnv,
    name: string,
    private readonly options: { durable?: boolean } = {},
  ) {
    this.path = env.MUNIN_PLUGSTATE ? `${env.MUNIN_PLUGSTATE}/${name}` : null;
  }

  /** The value kept, or null when there is none or it is damaged. */
  load(): unknown {
    const text = this.text();
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return null;
    }
  }

  /** Whether value is what is kept (as save would write it). */
  holds(value: unknown): boolean {
    return this.path !== null && this.text() === textOf(value);
  }

  /** Keeps value when it differs from what is kept; returns a problem to report, if any (what: what is kept, for it). */
  save(value: unknown, what: string): string | undefined {
    if (this.path === null) return undefined;
    const text = textOf(value);
    if (this.text() === text) return undefined;
    try {
      writeFileAtomic(this.path, text, 0o644, this.options);
      this.kept = text;
      return undefined;
    } catch (err) {
      return `cannot keep ${what} in ${this.path}: ${briefError(err)}`;
    }
  }

  /** The file's text; null when there is none (or no state directory). */
  text(): string | null {
    if (this.kept === undefined) {
      try {
        this.kept = this.path === null ? null : readFileSync(this.path, 'utf8');
      } catch {
        this.kept = null; // not there yet
      }
    }
    return this.kept;
  }
}
