// The DRBD state at the minute of a stats snapshot, appended after the configfs entries: the
// state of the replication is what an administrator looks at right after the LIO counters.
// The entry is always headed `[/proc/drbd]`, whatever path was read, like the configfs paths.
// DRBD 9 keeps only version lines in /proc/drbd: there the state comes from
// `drbdsetup events2 --now --statistics`, recorded as a second entry under that command line.
import { describeError } from '../lib/errors.js';
import { EVENTS2_HEADER, PROC_DRBD_HEADER } from '../lib/archive/layout.js';
import { readDrbdText } from '../lib/kernel/drbd.js';
import { DEFAULT_DRBDSETUP, DEFAULT_DRBDSETUP_TIMEOUT_S } from '../lib/kernel/drbdsetup.js';
import { NotARegularFile } from '../lib/small-file.js';

export interface ExtraSection {
  /** The path in the entry's `[...]` line. */
  header: string;
  content: string;
  /** Why the content is missing or partial, for the log. */
  problem?: string;
}

/**
 * The DRBD entries: the /proc/drbd entry and, on DRBD 9, `[drbdsetup events2 --now --statistics]`
 * with that command's output (empty, with the reason as problem, when drbdsetup fails or hangs:
 * it is killed after 5 s). None on a node without DRBD.
 */
export function drbdSections(procPath: string, drbdsetup: string = DEFAULT_DRBDSETUP): ExtraSection[] {
  const text = readDrbdText({ proc: procPath, drbdsetup, timeoutS: DEFAULT_DRBDSETUP_TIMEOUT_S });
  switch (text.kind) {
    case 'absent':
      return [];
    case 'unreadable': {
      // A FIFO or a device placed there by mistake is never read: it could block forever.
      const why = text.error instanceof NotARegularFile ? 'not a regular file, not read' : describeError(text.error);
      return [{ header: PROC_DRBD_HEADER, content: '', problem: `${procPath}: ${why}` }];
    }
    case 'drbd8':
      return [{ header: PROC_DRBD_HEADER, content: text.procText }];
    case 'drbd9': {
      const { events2 } = text;
      const entry: ExtraSection = events2.ok ? { header: EVENTS2_HEADER, content: events2.text } : { header: EVENTS2_HEADER, content: '', problem: events2.reason };
      return [{ header: PROC_DRBD_HEADER, content: text.procText }, entry];
    }
  }
}
