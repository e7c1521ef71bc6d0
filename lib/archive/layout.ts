// The archive layout users grep, shared by the writer and the reader:
//
//   ARCHIVE/YYYYMMDD/lio-statistics-YYYYMMDDHHMM.gz   minute snapshot of the statistics subtrees
//   ARCHIVE/YYYYMMDD/lio-YYYYMMDDHHMM.gz              hourly snapshot of the whole tree
//
// Times are local. Each snapshot is, for every file in byte order of its path:
// a line `[PATH]`, the file's content as read, and a blank line. PATH is always the canonical
// /sys/kernel/config/target/... path, whatever root was read, so zgrep patterns carry over; a
// path with a control character is written as a JSON string, `["..."]` (entry-writer.ts headerLine).
// Stats snapshots end with the DRBD entries: `[/proc/drbd]`, and on DRBD 9
// `[drbdsetup events2 --now --statistics]`, then `[crm_mon]` where Pacemaker is.
// lib/archive/entry-writer.ts writes the entries,
// lib/archive/entry-reader.ts reads them.
import { DEFAULT_DRBD_PROC } from '../kernel/drbd.js';
import { EVENTS2_ARGS } from '../kernel/drbdsetup.js';
import { DEFAULT_TARGET_ROOT } from '../kernel/configfs.js';

/** The root every archived configfs path names, whatever root was read. */
export const CANONICAL_ROOT = DEFAULT_TARGET_ROOT;
/** The header of the /proc/drbd entry, whatever file was read. */
export const PROC_DRBD_HEADER = DEFAULT_DRBD_PROC;
/** The header of the DRBD 9 entry: the command whose output it holds. */
export const EVENTS2_HEADER = `drbdsetup ${EVENTS2_ARGS.join(' ')}`;
/** The header of the cluster state entry (collector/crm-mon-section.ts says its lines). */
export const CRM_MON_HEADER = 'crm_mon';
export const DEFAULT_ARCHIVE = '/var/log/lio';

export type SnapshotKind = 'stats' | 'full';

const PREFIX: Record<SnapshotKind, string> = { stats: 'lio-statistics-', full: 'lio-' };
const NAME = /^lio-(statistics-)?(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})\.gz$/;
const DAY = /^(\d{4})(\d{2})(\d{2})$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** YYYYMMDD of a local time. */
export function dayStamp(time: Date): string {
  return `${pad(time.getFullYear(), 4)}${pad(time.getMonth() + 1)}${pad(time.getDate())}`;
}

/** YYYYMMDDHHMM of a local time. */
export function minuteStamp(time: Date): string {
  return `${dayStamp(time)}${pad(time.getHours())}${pad(time.getMinutes())}`;
}

/** Path of the snapshot of kind taken at time, relative to the archive root. */
export function snapshotRelativePath(kind: SnapshotKind, time: Date): string {
  return `${dayStamp(time)}/${PREFIX[kind]}${minuteStamp(time)}.gz`;
}

/** Kind and local minute of a snapshot file name, or null for anything that is not one. */
export function parseSnapshotName(name: string): { kind: SnapshotKind; time: Date } | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const [, statistics, y, mo, d, h, mi] = m;
  const time = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  // Reject impossible dates (20261331...), which Date would roll over.
  if (minuteStamp(time) !== `${y}${mo}${d}${h}${mi}`) return null;
  return { kind: statistics ? 'stats' : 'full', time };
}

/** Local midnight of a day directory name, or null for anything that is not one. */
export function parseDayName(name: string): Date | null {
  const m = DAY.exec(name);
  if (!m) return null;
  const day = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return dayStamp(day) === name ? day : null;
}

/** Byte order of the paths the names stand in, as `LANG=C sort` of full paths gives. */
export function pathOrder(a: string, b: string): number {
  const x = a + '/';
  const y = b + '/';
  return x < y ? -1 : x > y ? 1 : 0;
}
