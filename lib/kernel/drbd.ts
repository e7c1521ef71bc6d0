// The DRBD state of this node, from DRBD 8's /proc/drbd or DRBD 9's `drbdsetup events2`: one
// source for the plugins (parsed into devices and counters) and the collector (the raw text it
// archives).
//
// Units are those of DRBD 8's /proc/drbd: ns nr dw dr oos in KiB, al bm counters of metadata
// updates, lo pe ua ap ep requests in flight. DRBD 9's events2 reports the same units (events2.ts).
import { briefError, errorCode } from '../errors.js';
import { readSmallFile, type SmallFile } from '../small-file.js';
import { isResyncing } from './drbd-states.js';
import { runEvents2 } from './drbdsetup.js';
import { parseEvents2, type DeviceObject, type Events2State, type PeerDeviceObject, type Props } from './events2.js';
import { deviceWords, DRBD_COUNTERS, parseProcDrbd, procDrbdVersion, type DrbdCounter, type ProcDrbd } from './proc-drbd.js';

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
  /** The setting that names drbdsetup, for messages ("env.drbdsetup"); none where it cannot be set. */
  drbdsetupSetting?: string;
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
  | { kind: 'drbd9'; procText: string; proc: ProcDrbd; events2: Events2Text };

export type Events2Text =
  /** origin: where the text came from, for messages ("/usr/sbin/drbdsetup events2", a file). */
  | { ok: true; text: string; origin: string }
  /** refused: drbdsetup may not be run or may not talk to the kernel as this user. */
  | { ok: false; reason: string; refused: boolean };

/** /proc/drbd (sources.proc) as text, bounded. */
export function readProcDrbdFile(sources: DrbdSources): SmallFile {
  return readSmallFile(sources.proc, MAX_PROC_BYTES, 'utf8');
}

/** Numbers after a word and a colon: /proc/drbd's counters (`ns:123`, `hits:4`, `api:1`). */
const COUNTER_VALUES = /([a-z]):\d+/g;

/**
 * What a plugin's config can depend on in a DRBD 8 /proc/drbd as read by readProcDrbdFile: the
 * text with its counters' values left out (`ns:#`; the lines, and which counters they have,
 * stay). undefined where it was not read, or is DRBD 9's: events2 puts counters among the states.
 */
export function procDrbdConfigInputs(read: SmallFile): string | undefined {
  if (!('text' in read) || procDrbdVersion(read.text)?.startsWith('9.')) return undefined;
  return read.text.replace(COUNTER_VALUES, '$1:#');
}

/** The sources' text; read: /proc/drbd as readProcDrbdFile read it already. */
export function readDrbdText(sources: DrbdSources, read = readProcDrbdFile(sources)): DrbdText {
  if ('error' in read) return errorCode(read.error) === 'ENOENT' ? { kind: 'absent' } : { kind: 'unreadable', error: read.error };
  const proc = parseProcDrbd(read.text);
  if (!proc.isDrbd9) return { kind: 'drbd8', procText: read.text, proc };
  return { kind: 'drbd9', procText: read.text, proc, events2: readEvents2Text(sources) };
}

function readEvents2Text(sources: DrbdSources): Events2Text {
  const file = sources.events2File;
  if (file) {
    const read = readSmallFile(file.path, MAX_EVENTS2_BYTES, 'utf8');
    if ('error' in read) return { ok: false, refused: false, reason: `cannot read ${file.path} (${file.setting}): ${briefError(read.error)}` };
    return { ok: true, text: read.text, origin: file.path };
  }
  const run = runEvents2(sources.drbdsetup, sources.timeoutS, sources.drbdsetupSetting);
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
  /**
   * Not a good reading, and why: nothing in the text was events2 output, or some lines were not
   * (drbdsetup talking about something else): then what it says about the devices is not trusted,
   * and the devices known from earlier readings are kept.
   */
  | { empty: string };

/** The volumes of events2 text; origin names the text in messages. */
export function parseEvents2Volumes(text: string, origin: string): Events2Volumes {
  const state = parseEvents2(text);
  const first = state.unparsed[0];
  if (state.events === 0) {
    return { empty: `${origin} gave no events2 lines${first === undefined ? '' : ` (first line: "${first.slice(0, 80)}")`}` };
  }
  if (first !== undefined) {
    const n = state.unparsed.length;
    return { empty: `${origin} gave ${n} line${n > 1 ? 's' : ''} that are not events2 output (first: "${first.slice(0, 80)}")` };
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

/** Each events2 device that has a minor, with its minor and the peer devices of its volume. */
function* devicesWithPeers(state: Events2State): Generator<{ device: DeviceObject; minor: number; peerDevices: PeerDeviceObject[] }> {
  // Grouped once, in their order: looking the peers up per device made 20,000 volumes take
  // minutes (bench/README.md).
  const peersOf = new Map<string, PeerDeviceObject[]>();
  for (const peer of state.peerDevices.values()) {
    const key = `${peer.resource}\0${peer.volume}`;
    const group = peersOf.get(key);
    if (group) group.push(peer);
    else peersOf.set(key, [peer]);
  }
  for (const device of state.devices.values()) {
    const minor = device.props.minor;
    if (minor === undefined || !/^\d+$/.test(minor)) continue;
    yield { device, minor: Number(minor), peerDevices: peersOf.get(`${device.resource}\0${device.volume}`) ?? [] };
  }
}

/** Peers in the order of their connection names. */
const byName = (a: { name: string | null }, b: { name: string | null }) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0);

/**
 * The devices (one per minor) with their peers, in the units of DRBD 8's /proc/drbd.
 * Every counter DRBD 9 has is present, null when the line did not carry it; `ep` does not exist
 * in DRBD 9 and is left out. Peers are sorted by name, devices by minor.
 */
export function events2Volumes(state: Events2State): DrbdVolume[] {
  const volumes: DrbdVolume[] = [];
  for (const { device, minor, peerDevices } of devicesWithPeers(state)) {
    const counters: DrbdVolume['device'] = {};
    for (const [key, name] of DEVICE_KEYS) counters[name] = counter(device.props, key);
    const peers: DrbdVolume['peers'] = peerDevices.map((peer) => {
      const peerCounters: DrbdVolume['device'] = {};
      for (const [key, name] of PEER_DEVICE_KEYS) peerCounters[name] = counter(peer.props, key);
      return { name: peer.connection, counters: peerCounters };
    });
    volumes.push({ minor, device: counters, peers: peers.sort(byName) });
  }
  return volumes.sort((a, b) => a.minor - b.minor);
}

/** The replication state of one device (a minor), as the kernel said it. */
export interface DrbdDeviceState {
  minor: number;
  /** The resource name (DRBD 9; DRBD 8's /proc/drbd does not say it). */
  resource: string | null;
  /** The local role: Primary, Secondary, Unknown; null when not said. */
  role: string | null;
  /** The local disk state (UpToDate, Inconsistent, Diskless, ...); null when not said. */
  disk: string | null;
  /** DRBD 9: a diskless client by configuration (`client:yes`): no local disk is expected. */
  client: boolean;
  /** DRBD 9: whether the device has quorum; null on DRBD 8 or when not said. */
  quorum: boolean | null;
  /** DRBD 9: the resource's `suspended:` (`no`, or why I/O is suspended); null on DRBD 8. */
  suspended: string | null;
  /** What the kernel said of the device itself, e.g. `disk:UpToDate quorum:yes`. */
  said: string;
  peers: DrbdPeerState[];
}

export interface DrbdPeerState {
  /** The connection name (DRBD 9); null for DRBD 8's one peer. */
  name: string | null;
  /** DRBD 8: cs:; DRBD 9: the connection state (connection:). */
  connection: string | null;
  /** DRBD 9 only: the replication state of this volume (Established, SyncSource, ...). */
  replication: string | null;
  role: string | null;
  /** The peer's disk state; null when not said. */
  disk: string | null;
  /** DRBD 9: the peer is a diskless client by configuration (`peer-client:yes`). */
  client: boolean;
  /** A resync in progress: done in percent and the time left in seconds (null when not said). */
  resync: { percent: number | null; secondsLeft: number | null } | null;
  /** Out of sync with this peer, KiB as printed; null when not said. */
  outOfSyncKiB: string | null;
  /** What the kernel said of this peer, e.g. `cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown`. */
  said: string;
}

/** The configured devices of a DRBD 8 /proc/drbd (cs:Unconfigured minors are not devices). */
export function procDrbdStates(proc: ProcDrbd): DrbdDeviceState[] {
  return proc.devices
    .filter((d) => d.connectionState !== 'Unconfigured')
    .map((d) => {
      const words = deviceWords(d);
      const progress = d.progress;
      const resync = isResyncing(d.connectionState) ? { percent: progress?.kind === 'resync' ? progress.percent : null, secondsLeft: progress?.kind === 'resync' ? progress.secondsLeft : null } : null;
      const said = words.text + (progress ? ` ${progress.kind === 'verify' ? 'verified' : "sync'ed"}:${progress.percent.toFixed(1)}%${progress.secondsLeft === null ? '' : ` finish:${formatDuration(progress.secondsLeft)}`}` : '');
      return {
        minor: d.minor,
        resource: null,
        role: words.roles?.[0] ?? null,
        // DRBD 0.7 had no UpToDate: its ld: says Consistent of a healthy local disk (0.7 drbd_proc.c).
        disk: words.disks?.[1] === null && words.disks[0] === 'Consistent' ? 'UpToDate' : (words.disks?.[0] ?? null),
        client: false,
        quorum: null,
        suspended: null,
        said,
        peers: [
          {
            name: null,
            connection: d.connectionState,
            replication: null,
            role: words.roles?.[1] ?? null,
            disk: words.disks?.[1] ?? null,
            client: false,
            resync,
            outOfSyncKiB: d.counters.oos ?? null,
            said,
          },
        ],
      };
    });
}

/** H:MM:SS, as /proc/drbd prints `finish:`. */
function formatDuration(seconds: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(seconds / 3600)}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}

const said = (props: Props, keys: readonly string[]) =>
  keys.filter((k) => props[k] !== undefined).map((k) => `${k}:${props[k]}`).join(' ');

const showsProgress = (replication: string | null) => isResyncing(replication) !== false || replication === 'VerifyS' || replication === 'VerifyT';

/** An events2 yes/no word as a boolean; null for another word or none. */
export const parseYesNo = (value: string | undefined) => (value === 'yes' ? true : value === 'no' ? false : null);

/** The devices (one per minor) of an events2 stream with their peers; sorted as events2Volumes. */
export function events2States(state: Events2State): DrbdDeviceState[] {
  const devices: DrbdDeviceState[] = [];
  for (const { device, minor, peerDevices } of devicesWithPeers(state)) {
    const resource = state.resources.get(device.resource) ?? {};
    const peers: DrbdPeerState[] = [];
    for (const peer of peerDevices) {
      const connection = state.connections.get(device.resource + '\0' + peer.connection) ?? {};
      const replication = peer.props.replication ?? null;
      const done = peer.props.done;
      const eta = peer.props.eta;
      peers.push({
        name: peer.connection,
        connection: connection.connection ?? null,
        replication,
        role: connection.role ?? null,
        disk: peer.props['peer-disk'] ?? null,
        client: peer.props['peer-client'] === 'yes',
        resync: isResyncing(replication)
          ? { percent: done !== undefined && /^\d+(\.\d+)?$/.test(done) ? Number(done) : null, secondsLeft: eta !== undefined && /^\d+$/.test(eta) ? Number(eta) : null }
          : null,
        outOfSyncKiB: counter(peer.props, 'out-of-sync'),
        // done: and eta: while a resync or verify runs, or in a state not known here; not after
        // (a recorded stream keeps them from the last resync).
        said: [said(connection, ['connection', 'role']), said(peer.props, showsProgress(replication) ? ['replication', 'peer-disk', 'done', 'eta'] : ['replication', 'peer-disk'])].filter(Boolean).join(' '),
      });
    }
    devices.push({
      minor,
      resource: device.resource,
      role: resource.role ?? null,
      disk: device.props.disk ?? null,
      client: device.props.client === 'yes',
      quorum: parseYesNo(device.props.quorum),
      suspended: resource.suspended ?? null,
      said: [said(resource, ['role', 'suspended']), said(device.props, ['disk', 'client', 'quorum'])].filter(Boolean).join(' '),
      peers: peers.sort(byName),
    });
  }
  return devices.sort((a, b) => a.minor - b.minor);
}
