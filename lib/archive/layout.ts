// The archive layout users grep, shared by the writer and the reader:
//
//   ARCHIVE/YYYYMMDD/lio-statistics-YYYYMMDDHHMM.gz   minute snapshot of the statistics subtrees
//   ARCHIVE/YYYYMMDD/lio-YYYYMMDDHHMM.gz              hourly snapshot of the whole tree
//   ARCHIVE/YYYYMMDD/lio-statistics-YYYYMMDDHHMM-2.gz  a minute met again (-3, ...): see below
//
// Times are local. A local minute comes twice when daylight saving time ends, and after the
// clock was set back: its second snapshot is written beside the first, never over it, with -2
// (then -3 ...) before .gz. Each snapshot is, for every file in byte order of its path:
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
const NAME = /^lio-(statistics-)?(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(?:-([2-9]|[1-9]\d+))?\.gz$/;
const HOUR_MS = 3600 * 1000;
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

/** Path of the snapshot of kind taken at time, relative to the archive root; repeat 2 or more: the minute met again. */
export function snapshotRelativePath(kind: SnapshotKind, time: Date, repeat = 1): string {
  return `${dayStamp(time)}/${PREFIX[kind]}${minuteStamp(time)}${repeat > 1 ? `-${repeat}` : ''}.gz`;
}

/**
 * Whether time is in the second pass of the local hour repeated when daylight saving time ends
 * (its local minute also names a time an hour earlier). Date reads a repeated local time as its
 * first pass.
 */
export function inRepeatedHour(time: Date): boolean {
  const first = new Date(time.getFullYear(), time.getMonth(), time.getDate(), time.getHours(), time.getMinutes());
  return first.getTime() < Math.floor(time.getTime() / 60_000) * 60_000;
}

/**
 * Kind and time of a snapshot file name, or null for anything that is not one. The time is the
 * local minute of the name; a repeat (-2 ...) of a minute in the hour repeated when daylight
 * saving time ends is taken for its second pass, an hour later.
 */
export function parseSnapshotName(name: string): { kind: SnapshotKind; time: Date; repeat: number } | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const [, statistics, y, mo, d, h, mi, repeat] = m;
  let time = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  // Reject impossible dates (20261331...), which Date would roll over.
  if (minuteStamp(time) !== `${y}${mo}${d}${h}${mi}`) return null;
  if (repeat && inRepeatedHour(new Date(time.getTime() + HOUR_MS))) time = new Date(time.getTime() + HOUR_MS);
  return { kind: statistics ? 'stats' : 'full', time, repeat: repeat ? Number(repeat) : 1 };
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
