// The DRBD state of this node, from DRBD 8's /proc/drbd or DRBD 9's `drbdsetup events2`: one
// source for the plugins (parsed into devices and counters) and the collector (the raw text it
// archives).
//
// Units are those of DRBD 8's /proc/drbd: ns nr dw dr oos in KiB, al bm counters of metadata
// updates, lo pe ua ap ep requests in flight. DRBD 9's events2 reports the same units (events2.ts).
import { errorCode } from '../errors.js';
import { readSmallFile } from '../small-file.js';
import { runEvents2 } from './drbdsetup.js';
import { parseEvents2, type Events2State, type Props } from './events2.js';
import { DRBD_COUNTERS, parseProcDrbd, type DrbdCounter, type ProcDrbd } from './proc-drbd.js';

export const DEFAULT_DRBD_PROC = '/proc/drbd';

/** Far more than /proc/drbd of hundreds of minors, or events2 output of as many volumes and peers. */
const MAX_PROC_BYTES = 4 << 20;
const MAX_EVENTS2_BYTES = 64 << 20;

/** Where this node's DRBD state is read from. */
export interface DrbdSources {
  /** /proc/drbd: DRBD 8's statistics; on DRBD 9 version lines only. */
  proc: string;
  /** DRBD 9: drbdsetup, run as `drbdsetup events2 --now --statistics`, killed after timeoutS. */
  drbdsetup: string;
  timeoutS: number;
  /**
   * DRBD 9: a file holding that command's output, read instead of running drbdsetup; setting is
   * what named it, for messages (e.g. "env.drbd_events2").
   */
  events2File?: { path: string; setting: string };
}

/** What the sources said, as text. */
export type DrbdText =
  /** No /proc/drbd: the drbd module is not loaded. */
  | { kind: 'absent' }
  /** /proc/drbd is there but cannot be read (EACCES, not a regular file, too large). */
  | { kind: 'unreadable'; error: unknown }
  | { kind: 'drbd8'; procText: string; proc: ProcDrbd }
  | { kind: 'drbd9'; procText: string; events2: Events2Text };

export type Events2Text =
  /** origin: where the text came from, for messages ("/usr/sbin/drbdsetup events2", a file). */
  | { ok: true; text: string; origin: string }
  /** refused: drbdsetup may not be run or may not talk to the kernel as this user. */
  | { ok: false; reason: string; refused: boolean };

export function readDrbdText(sources: DrbdSources): DrbdText {
  const read = readSmallFile(sources.proc, MAX_PROC_BYTES, 'utf8');
  if ('error' in read) return errorCode(read.error) === 'ENOENT' ? { kind: 'absent' } : { kind: 'unreadable', error: read.error };
  const proc = parseProcDrbd(read.text);
  if (!proc.isDrbd9) return { kind: 'drbd8', procText: read.text, proc };
  return { kind: 'drbd9', procText: read.text, events2: readEvents2Text(sources) };
}

function readEvents2Text(sources: DrbdSources): Events2Text {
  const file = sources.events2File;
  if (file) {
    const read = readSmallFile(file.path, MAX_EVENTS2_BYTES, 'latin1');
    if ('error' in read) {
      const why = errorCode(read.error) ?? (read.error as Error).message;
      return { ok: false, refused: false, reason: `cannot read ${file.path} (${file.setting}): ${why}` };
    }
    return { ok: true, text: read.text, origin: file.path };
  }
  const run = runEvents2(sources.drbdsetup, sources.timeoutS);
  return run.ok ? { ok: true, text: run.output, origin: `${sources.drbdsetup} events2` } : run;
}

/** True when /proc/drbd is DRBD 9's (version lines only): statistics then need drbdsetup. */
export function isDrbd9Node(procPath: string = DEFAULT_DRBD_PROC): boolean {
  const read = readSmallFile(procPath, MAX_PROC_BYTES, 'latin1');
  return 'text' in read && parseProcDrbd(read.text).isDrbd9;
}

/** One DRBD device (a minor) and its replication peers. */
export interface DrbdVolume {
  minor: number;
  /** Counters of the device itself: dr dw al bm lo ap (ep on 8.x). */
  device: Partial<Record<DrbdCounter, string | null>>;
  /** Per peer counters: ns nr oos pe ua. DRBD 8 has exactly one, named null. */
  peers: Array<{ name: string | null; counters: Partial<Record<DrbdCounter, string | null>> }>;
}

/** The counters that belong to a peer (a connection) rather than to the device. */
export const PEER_COUNTERS: ReadonlySet<DrbdCounter> = new Set(['ns', 'nr', 'oos', 'pe', 'ua']);

/** The configured devices of a DRBD 8 /proc/drbd, with their one unnamed peer. */
export function procDrbdVolumes(proc: ProcDrbd): DrbdVolume[] {
  return proc.devices
    .filter((d) => Object.keys(d.counters).length > 0)
    .map((d): DrbdVolume => {
      const device: DrbdVolume['device'] = {};
      const peer: DrbdVolume['device'] = {};
      // The known names in turn, not Object.entries (an array per counter): with many devices
      // this keeps a fetch clear of a garbage collection (bench/README.md).
      for (const key of DRBD_COUNTERS) {
        const value = d.counters[key];
        if (value !== undefined) (PEER_COUNTERS.has(key) ? peer : device)[key] = value;
      }
      return { minor: d.minor, device, peers: [{ name: null, counters: peer }] };
    });
}

export type Events2Volumes =
  | { volumes: DrbdVolume[]; state: Events2State }
  /** Nothing in the text was events2 output. */
  | { empty: string };

/** The volumes of events2 text; origin names the text in messages. */
export function parseEvents2Volumes(text: string, origin: string): Events2Volumes {
  const state = parseEvents2(text);
  if (state.events === 0) {
    const first = state.unparsed[0];
    return { empty: `${origin} gave no events2 lines${first === undefined ? '' : ` (first line: "${first.slice(0, 80)}")`}` };
  }
  return { volumes: events2Volumes(state), state };
}

/** events2 key of a device statistic -> DRBD 8 counter. */
export const DEVICE_KEYS: ReadonlyArray<[string, DrbdCounter]> = [
  ['read', 'dr'],
  ['written', 'dw'],
  ['al-writes', 'al'],
  ['bm-writes', 'bm'],
  ['lower-pending', 'lo'],
  ['upper-pending', 'ap'],
];

/** events2 key of a peer device statistic -> DRBD 8 counter. */
export const PEER_DEVICE_KEYS: ReadonlyArray<[string, DrbdCounter]> = [
  ['sent', 'ns'],
  ['received', 'nr'],
  ['out-of-sync', 'oos'],
  ['pending', 'pe'],
  ['unacked', 'ua'],
];

/** A statistic as printed (decimal digits), or null when it is missing or not a number. */
function counter(props: Props, key: string): string | null {
  const value = props[key];
  return value !== undefined && /^\d+$/.test(value) ? value : null;
}

/**
 * The devices (one per minor) with their peers, in the units of DRBD 8's /proc/drbd.
 * Every counter DRBD 9 has is present, null when the line did not carry it; `ep` does not exist
 * in DRBD 9 and is left out. Peers are sorted by name, devices by minor.
 */
export function events2Volumes(state: Events2State): DrbdVolume[] {
  const volumes: DrbdVolume[] = [];
  for (const device of state.devices.values()) {
    const minor = device.props.minor;
    if (minor === undefined || !/^\d+$/.test(minor)) continue;
    const counters: DrbdVolume['device'] = {};
    for (const [key, name] of DEVICE_KEYS) counters[name] = counter(device.props, key);
    const peers: DrbdVolume['peers'] = [];
    for (const peer of state.peerDevices.values()) {
      if (peer.resource !== device.resource || peer.volume !== device.volume) continue;
      const peerCounters: DrbdVolume['device'] = {};
      for (const [key, name] of PEER_DEVICE_KEYS) peerCounters[name] = counter(peer.props, key);
      peers.push({ name: peer.connection, counters: peerCounters });
    }
    peers.sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
    volumes.push({ minor: Number(minor), device: counters, peers });
  }
  return volumes.sort((a, b) => a.minor - b.minor);
}
