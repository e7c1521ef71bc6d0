// Parser for DRBD 0.7-8.4 /proc/drbd (and DRBD 9's version-only /proc/drbd).
//
//  0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----
//     ns:0 nr:0 dw:0 dr:2256 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
//
// Minors are printed "%2d:" (so ` 1:` but `10:`), 8.0 and older say `st:` for `ro:`, holes
// between minors are blank lines, and resync/act_log/sync progress lines may follow a device.

export const DRBD_COUNTERS = ['ns', 'nr', 'dw', 'dr', 'al', 'bm', 'lo', 'pe', 'ua', 'ap', 'ep', 'oos'] as const;
export type DrbdCounter = (typeof DRBD_COUNTERS)[number];

export interface DrbdDevice {
  minor: number;
  /** cs: connection state, e.g. Connected, SyncSource, StandAlone, Unconfigured. */
  connectionState: string;
  /** Counters present on the device's statistics line, as printed (decimal digits). */
  counters: Partial<Record<DrbdCounter, string>>;
}

export interface ProcDrbd {
  /** e.g. "8.4.5"; null when there is no version line. */
  version: string | null;
  /** DRBD 9 keeps only version lines in /proc/drbd: statistics come from drbdsetup. */
  isDrbd9: boolean;
  devices: DrbdDevice[];
}

const DEVICE_LINE = /^\s*(\d+):\s+cs:(\S+)/;
const STATS_LINE = /^\s*ns:/;
const VALUE = /^(?:\d+|\[[\d;]+\])$/;
const KNOWN = new Set<string>(DRBD_COUNTERS);

export function parseProcDrbd(text: string): ProcDrbd {
  const version = /^version:\s*(\S+)/m.exec(text)?.[1] ?? null;
  const devices: DrbdDevice[] = [];
  let current: DrbdDevice | undefined;
  for (const line of text.split('\n')) {
    const device = DEVICE_LINE.exec(line);
    if (device) {
      current = { minor: Number(device[1]), connectionState: device[2]!, counters: {} };
      devices.push(current);
      continue;
    }
    if (current && STATS_LINE.test(line)) readCounters(line, current.counters);
  }
  devices.sort((a, b) => a.minor - b.minor);
  const isDrbd9 = version !== null && /^9\./.test(version) && devices.length === 0;
  return { version, isDrbd9, devices };
}

const isSpace = (code: number) => code === 32 || (code >= 9 && code <= 13);

/**
 * The known `name:value` words of a statistics line (value digits, or `[n;n]` summed). Scanned
 * word by word rather than matched by a global regular expression: an array per match was most
 * of what the plugins allocated with 100 devices, enough for a garbage collection of its own.
 */
function readCounters(line: string, counters: DrbdDevice['counters']): void {
  for (let start = 0, end = 0; start < line.length; start = end) {
    while (start < line.length && isSpace(line.charCodeAt(start))) start++;
    end = start;
    while (end < line.length && !isSpace(line.charCodeAt(end))) end++;
    const colon = line.indexOf(':', start);
    if (colon <= start || colon >= end) continue;
    const name = line.slice(start, colon);
    if (!KNOWN.has(name)) continue;
    const value = line.slice(colon + 1, end);
    if (VALUE.test(value)) counters[name as DrbdCounter] = bracketSum(value);
  }
}

/** DRBD 9 debugfs prints some gauges per path as `pe:[3;1]`: the device total is their sum. */
function bracketSum(raw: string): string {
  if (!raw.startsWith('[')) return raw;
  return String(raw.slice(1, -1).split(';').reduce((sum, part) => sum + Number(part || 0), 0));
}
