// Opening many files by short paths from inside their directories.
import { briefError, UserError } from './errors.js';

/**
 * Opens files by a path from inside a directory they are in. The kernel then looks up a few
 * path components per file instead of all a dozen of the full path (bench/README.md has what
 * it saves). The working directory is the process's, so it is put back by restore() before
 * anything else can run: before every await, and at the end.
 */
export class DirectoryCursor {
  private readonly home: string | null;
  /** The directory (relative to base) that is the working directory now, or null: home. */
  private current: string | null = null;

  constructor(private readonly base: string) {
    let home: string | null = null;
    try {
      home = process.cwd();
    } catch {
      // The working directory was removed: without a way back, open by full path.
    }
    this.home = home;
  }

  /** The path to open name (relative to dir, itself relative to base) by: name, or its full path. */
  path(dir: string, name: string): string {
    if (dir !== this.current && this.home !== null) {
      try {
        process.chdir(this.base + dir);
        this.current = dir;
      } catch {
        // Gone meanwhile (the open will say so), or no chdir here (a worker thread).
        return `${this.base}${dir}/${name}`;
      }
    }
    return this.current === dir ? name : `${this.base}${dir}/${name}`;
  }

  /** Back to the working directory the cursor started in. */
  restore(): void {
    if (this.current === null) return;
    this.current = null;
    try {
      process.chdir(this.home!);
    } catch (err) {
      throw new UserError(`cannot return to the working directory ${this.home}: ${briefError(err)}`);
    }
  }
}
