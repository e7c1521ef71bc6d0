// Parser for DRBD 0.7-8.4 /proc/drbd (and DRBD 9's version-only /proc/drbd).
//
//  0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----
//     ns:0 nr:0 dw:0 dr:2256 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
//
// Minors are printed "%2d:" (so ` 1:` but `10:`), 8.0 and older say `st:` for `ro:`, 0.7 says
// `ld:` (local disk only) for `ds:`, holes between minors are blank lines, and resync/act_log
// detail lines and the progress of a resync or an online verify may follow a device. Progress,
// from the kernel's drbd_proc.c (drbd_syncer_progress):
//
//     [=>..................] sync'ed: 10.8% (2543056/2843380)K
//     finish: 0:12:42 speed: 3,212 (3,228) K/sec
//
// `verified:` instead of `sync'ed:` during an online verify (cs:VerifyS/VerifyT); the amounts are
// left/total in K, or in M for large resyncs, after which `finish:` may follow on the same line
// (8.3's `...Mfinish:`).

export const DRBD_COUNTERS = ['ns', 'nr', 'dw', 'dr', 'al', 'bm', 'lo', 'pe', 'ua', 'ap', 'ep', 'oos'] as const;
export type DrbdCounter = (typeof DRBD_COUNTERS)[number];

export interface DrbdDevice {
  minor: number;
  /** cs: connection state, e.g. Connected, SyncSource, StandAlone, Unconfigured. */
  connectionState: string;
  /** The rest of the device line after cs:, as printed (roles, disk states, flags): see deviceWords(). */
  stateLine: string;
  /** A resync or an online verify in progress, as its progress lines said; null when none. */
  progress: DrbdProgress | null;
  /**
   * Counters present on the device's statistics line, as printed (decimal digits); null for one
   * that cannot be trusted: cut short at the end of the text, or beyond any 64-bit counter.
   */
  counters: Partial<Record<DrbdCounter, string | null>>;
}

/** The state words of a device line, parsed (only the health plugin needs them). */
export interface DrbdDeviceWords {
  /** ro: (st: on 8.0) local and peer role, e.g. ['Primary', 'Unknown']; null when not printed. */
  roles: [string, string] | null;
  /** ds: local and peer disk state, e.g. ['UpToDate', 'DUnknown']; 0.7's ld: has no peer (null). */
  disks: [string, string | null] | null;
  /** The state words as printed: `cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown`. */
  text: string;
}

export interface DrbdProgress {
  kind: 'resync' | 'verify';
  /** Done, in percent (one decimal, as printed). */
  percent: number;
  /** Left to do, in KiB (printed in K, or in M for large ones); null when not printed. */
  leftKiB: number | null;
  /** The kernel's estimate of the time left (`finish:`), in seconds; null when not printed. */
  secondsLeft: number | null;
}

export interface ProcDrbd {
  /** e.g. "8.4.5"; null when there is no version line. */
  version: string | null;
  /** DRBD 9 keeps only version lines in /proc/drbd: statistics come from drbdsetup. */
  isDrbd9: boolean;
  devices: DrbdDevice[];
}

const DEVICE_LINE = /^\s*(\d+):\s+cs:(\S+)(.*)$/;
const PROGRESS = /(sync'ed|verified):\s*(\d+(?:\.\d+)?)%(?:\s*\((\d+)\/\d+\)([KM]))?/;
const FINISH = /finish:\s*(\d+):(\d\d):(\d\d)/;
const STATS_LINE = /^\s*ns:/;
const KNOWN = new Set<string>(DRBD_COUNTERS);

const VERSION_LINE = /^version:\s*(\S+)/m;

/** The module version a /proc/drbd text starts with (`8.4.11-1`, `9.2.8`); null without a version line. */
export function procDrbdVersion(text: string): string | null {
  return VERSION_LINE.exec(text)?.[1] ?? null;
}

export function parseProcDrbd(text: string): ProcDrbd {
  const version = procDrbdVersion(text);
  const devices: DrbdDevice[] = [];
  let current: DrbdDevice | undefined;
  const lines = text.split('\n');
  // A text that does not end with a newline was cut short: its last number may be too.
  const cutLine = text.endsWith('\n') ? -1 : lines.length - 1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const device = DEVICE_LINE.exec(line);
    if (device) {
      current = deviceLine(Number(device[1]), device[2]!, device[3]!);
      devices.push(current);
      continue;
    }
    if (!current) continue;
    // The kernel's own indent first: the regular expression need not run (nor be compiled).
    if (line.startsWith('    ns:') || STATS_LINE.test(line)) readCounters(line, current.counters, i === cutLine);
    else readProgress(line, current);
  }
  devices.sort((a, b) => a.minor - b.minor);
  const isDrbd9 = version !== null && version.startsWith('9.') && devices.length === 0;
  return { version, isDrbd9, devices };
}

function deviceLine(minor: number, connectionState: string, rest: string): DrbdDevice {
  return { minor, connectionState, stateLine: rest, progress: null, counters: {} };
}

/** The roles, disk states and state words of a device line. */
export function deviceWords(device: DrbdDevice): DrbdDeviceWords {
  const line84 = STATE_LINE_84.exec(device.stateLine);
  if (line84) {
    // Indexed, not destructured: destructuring iterates, an object per element.
    const role = line84[2]!;
    const peerRole = line84[3]!;
    const disk = line84[4]!;
    const peerDisk = line84[5]!;
    return { roles: [role, peerRole], disks: [disk, peerDisk], text: `cs:${device.connectionState} ${line84[1]}:${role}/${peerRole} ds:${disk}/${peerDisk}` };
  }
  let roles: DrbdDeviceWords['roles'] = null;
  let disks: DrbdDeviceWords['disks'] = null;
  let text = `cs:${device.connectionState}`;
  // The name:value words after cs: (not the protocol letter and I/O flags), in one pass.
  for (const word of device.stateLine.split(WHITESPACE)) {
    if (word.length < 4 || word.charCodeAt(2) !== 0x3a /* : */) continue;
    text += ` ${word}`;
    const name = word.slice(0, 2);
    const value = word.slice(3);
    const slash = value.indexOf('/');
    if ((name === 'ro' || name === 'st') && slash > 0) roles = [value.slice(0, slash), value.slice(slash + 1)];
    else if (name === 'ds' && slash > 0) disks = [value.slice(0, slash), value.slice(slash + 1)];
    else if (name === 'ld' && !disks) disks = [value, null];
  }
  return { roles, disks, text };
}

const WHITESPACE = /\s+/;

/**
 * The usual rest of a device line (8.0 to 8.4), ` ro:Primary/Secondary ds:UpToDate/UpToDate C r-----`,
 * in one match instead of a split and a look at every word (bench/README.md): the same roles,
 * disks and words as the loop gives for it.
 */
const STATE_LINE_84 = /^ (ro|st):([^\s/]+)\/(\S*) ds:([^\s/]+)\/(\S*) [A-C] [rs][-a-z]{3,5}$/;

/**
 * The I/O flags after the protocol letter, from the kernel's drbd_proc.c: 8.0 prints four
 * (`r---`: `s` I/O suspended or `r` running, then resync paused `a` `p` `u`), 8.3 adds the
 * congestion reason (`r----`), 8.3.10 and 8.4 the activity log suspended (`r-----`, `s` last).
 * DRBD 0.7 prints none.
 */
const IO_FLAGS = /(?:^|\s)([rs])[-a][-p][-u](?:[-a-z]([-s])?)?(?=\s|$)/;

export interface DrbdIoFlags {
  /** I/O suspended (by the user, fencing or missing data): `s`. */
  suspended: boolean;
  /** The activity log suspended; null before 8.3.10, which does not print it. */
  alSuspended: boolean | null;
}

/** The I/O flags of a device line; null when it prints none (0.7, cs:Unconfigured). */
export function ioFlags(device: DrbdDevice): DrbdIoFlags | null {
  const flags = IO_FLAGS.exec(device.stateLine);
  if (!flags) return null;
  return { suspended: flags[1] === 's', alSuspended: flags[2] === undefined ? null : flags[2] === 's' };
}

/** The progress lines of a resync or verify: percent and amount left, then finish:. */
function readProgress(line: string, device: DrbdDevice): void {
  if (!line.includes(':')) return;
  const progress = PROGRESS.exec(line);
  if (progress) {
    const left = progress[3] === undefined ? null : Number(progress[3]) * (progress[4] === 'M' ? 1024 : 1);
    device.progress = { kind: progress[1] === 'verified' ? 'verify' : 'resync', percent: Number(progress[2]), leftKiB: left, secondsLeft: null };
  }
  const finish = device.progress ? FINISH.exec(line) : null;
  if (finish) device.progress!.secondsLeft = Number(finish[1]) * 3600 + Number(finish[2]) * 60 + Number(finish[3]);
}

/** A `name:value` word of a statistics line: value digits, or DRBD 9 debugfs's `[n;n]`. */
const COUNTER_WORD = /(?<=^|\s)([a-z]+):(\d+|\[[\d;]+\])(?=\s|$)/g;

/**
 * The statistics line of DRBD 8.3 and 8.4 as the kernel prints it, all its counters in one match:
 * a match costs about as much as one of COUNTER_WORD's (bench/README.md). Any other line, or a
 * last line cut short, is read word by word.
 */
const STATS_84 = /^\s*ns:(\d+) nr:(\d+) dw:(\d+) dr:(\d+) al:(\d+) bm:(\d+) lo:(\d+) pe:(\d+) ua:(\d+) ap:(\d+) ep:(\d+) wo:[a-z] oos:(\d+)$/;
const STATS_84_COUNTERS: readonly DrbdCounter[] = ['ns', 'nr', 'dw', 'dr', 'al', 'bm', 'lo', 'pe', 'ua', 'ap', 'ep', 'oos'];

/**
 * The known `name:value` words of a statistics line. One regular expression over the line: with
 * V8's optimizing compilers off (the plugins' --max-opt=1), its native matcher beats a scan
 * character by character in JavaScript (bench/README.md).
 */
function readCounters(line: string, counters: DrbdDevice['counters'], cut: boolean): void {
  const line84 = cut ? null : STATS_84.exec(line);
  if (line84) {
    for (let i = 0; i < STATS_84_COUNTERS.length; i++) counters[STATS_84_COUNTERS[i]!] = counterValue(line84[i + 1]!);
    return;
  }
  COUNTER_WORD.lastIndex = 0;
  for (let match = COUNTER_WORD.exec(line); match; match = COUNTER_WORD.exec(line)) {
    const name = match[1]!;
    if (!KNOWN.has(name)) continue;
    const atEnd = match.index + match[0].length === line.length;
    counters[name as DrbdCounter] = cut && atEnd ? null : counterValue(match[2]!);
  }
}

/** The largest value of a kernel counter (unsigned 64 bits): anything above is not one. */
const MAX_COUNTER = 18446744073709551615n;

/**
 * The value of a counter word, exact; DRBD 9 debugfs prints some gauges per path as `pe:[3;1]`,
 * whose device total is their sum. null for a value no counter can hold.
 */
function counterValue(raw: string): string | null {
  if (!raw.startsWith('[')) return raw.length < 20 || BigInt(raw) <= MAX_COUNTER ? raw : null;
  let sum = 0n;
  for (const part of raw.slice(1, -1).split(';')) if (part !== '') sum += BigInt(part);
  return sum <= MAX_COUNTER ? String(sum) : null;
}
