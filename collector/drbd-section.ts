// The DRBD state at the minute of a stats snapshot, appended after the configfs entries: the
// state of the replication is what an administrator looks at right after the LIO counters.
// The entry is always headed `[/proc/drbd]`, whatever path was read, like the configfs paths.
// DRBD 9 keeps only version lines in /proc/drbd: there the state comes from
// `drbdsetup events2 --now --statistics`, recorded as a second entry under that command line.
import { readFileSync, statSync } from 'node:fs';
import { DEFAULT_DRBDSETUP, DEFAULT_DRBDSETUP_TIMEOUT_S, EVENTS2_ARGS, runEvents2 } from '../plugins/lib/drbdsetup.js';
import { parseProcDrbd } from '../plugins/lib/proc-drbd.js';
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

/** The header of the DRBD 9 entry: the command whose output it holds. */
export const EVENTS2_HEADER = `drbdsetup ${EVENTS2_ARGS.join(' ')}`;

/**
 * The DRBD entries: the /proc/drbd entry and, on DRBD 9, `[drbdsetup events2 --now --statistics]`
 * with that command's output (empty, with the reason as problem, when drbdsetup fails or hangs:
 * it is killed after 5 s). None on a node without DRBD.
 */
export function drbdSections(procPath: string, drbdsetup: string = DEFAULT_DRBDSETUP): ExtraSection[] {
  const proc = drbdSection(procPath);
  if (!proc) return [];
  if (proc.problem || !parseProcDrbd(proc.content).isDrbd9) return [proc];
  const run = runEvents2(drbdsetup, DEFAULT_DRBDSETUP_TIMEOUT_S);
  const events2: ExtraSection = run.ok ? { header: EVENTS2_HEADER, content: run.output } : { header: EVENTS2_HEADER, content: '', problem: run.reason };
  return [proc, events2];
}
