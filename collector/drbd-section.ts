// The DRBD state at the minute of a stats snapshot, appended after the configfs entries: the
// state of the replication is what an administrator looks at right after the LIO counters.
// The entry is always headed `[/proc/drbd]`, whatever path was read, like the configfs paths.
import { readFileSync, statSync } from 'node:fs';
import { describeError, errorCode } from './report.js';

export const DEFAULT_DRBD_PROC = '/proc/drbd';

export interface ExtraSection {
  /** The path in the entry's `[...]` line. */
  header: string;
  content: string;
  /** Why the content is missing or partial, for the log. */
  problem?: string;
}

/** The /proc/drbd entry, or null on a node without DRBD (no such file). */
export function drbdSection(procPath: string): ExtraSection | null {
  const header = DEFAULT_DRBD_PROC;
  try {
    // Reading a FIFO or a device placed there by mistake could block forever.
    if (!statSync(procPath).isFile()) return { header, content: '', problem: `${procPath}: not a regular file, not read` };
    return { header, content: readFileSync(procPath, 'utf8') };
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    return { header, content: '', problem: `${procPath}: ${describeError(err)}` };
  }
}
