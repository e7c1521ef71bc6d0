// The drbd, drbd_al and drbd_ext graphs, built from DRBD statistics whatever their source.
//
// Units are those of DRBD 8's /proc/drbd, which the field names come from: ns nr dw dr oos in
// KiB, al bm counters of metadata updates, lo pe ua ap ep requests in flight. DRBD 9's
// `drbdsetup events2 --statistics` reports the same units (see events2.ts).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DRBD_COUNTERS, parseProcDrbd, type DrbdCounter } from './proc-drbd.js';
import { errorCode, FieldNames, warn, type Field, type Graph, type Plugin } from './munin.js';
import { events2Volumes, parseEvents2 } from './events2.js';
import { DEFAULT_DRBDSETUP, drbdsetupTimeout, NEEDS_ROOT, runEvents2 } from './drbdsetup.js';

export const DEFAULT_DRBD_PROC = '/proc/drbd';

/** One DRBD device (a minor) and its replication peers. */
export interface DrbdVolume {
  minor: number;
  /** Counters of the device itself: dr dw al bm lo ap (ep on 8.x). */
  device: Partial<Record<DrbdCounter, string | null>>;
  /** Per peer counters: ns nr oos pe ua. DRBD 8 has exactly one, named null. */
  peers: Array<{ name: string | null; counters: Partial<Record<DrbdCounter, string | null>> }>;
}

export type DrbdSource =
  /** warning: something worth one line on stderr, the values are still good. */
  | { volumes: DrbdVolume[]; warning?: string }
  /** No DRBD here (module not loaded, /proc/drbd unreadable). */
  | { unavailable: string }
  /** DRBD 9 statistics could not be read: the last known devices, every value null. */
  | { failed: string; needsRoot: boolean; volumes: DrbdVolume[] };

const PEER_COUNTERS: ReadonlySet<DrbdCounter> = new Set(['ns', 'nr', 'oos', 'pe', 'ua']);

/**
 * Reads the statistics the way the environment says: env.drbd_proc (default /proc/drbd); on
 * DRBD 9, whose /proc/drbd has only version lines, `drbdsetup events2 --now --statistics` run
 * from env.drbdsetup (default /usr/sbin/drbdsetup, killed after env.drbdsetup_timeout seconds,
 * default 5), or the file env.drbd_events2 holding that command's output.
 */
export function readDrbd(env: NodeJS.ProcessEnv): DrbdSource {
  const path = env.drbd_proc || DEFAULT_DRBD_PROC;
  let text: string;
  try {
    // /proc/drbd is ASCII. As 'utf8', Node reads it in one native call: 0.8 ms instead of 1.6 ms
    // through its JavaScript read loop (a /proc file has no size to read at once).
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = errorCode(err);
    return { unavailable: code === 'ENOENT' ? `${path} not found: drbd module not loaded` : `cannot read ${path}: ${code}` };
  }
  const proc = parseProcDrbd(text);
  if (proc.isDrbd9) return readDrbd9(env);
  const volumes = proc.devices
    .filter((d) => Object.keys(d.counters).length > 0)
    .map((d): DrbdVolume => {
      const device: DrbdVolume['device'] = {};
      const peer: DrbdVolume['device'] = {};
      // The known names in turn, not Object.entries (an array per counter): with 100 devices this
      // keeps a fetch clear of its first garbage collection, 13.0 -> 8.8 ms in-process.
      for (const key of DRBD_COUNTERS) {
        const value = d.counters[key];
        if (value !== undefined) (PEER_COUNTERS.has(key) ? peer : device)[key] = value;
      }
      return { minor: d.minor, device, peers: [{ name: null, counters: peer }] };
    });
  return { volumes };
}

function readDrbd9(env: NodeJS.ProcessEnv): DrbdSource {
  let output: string;
  let origin: string;
  if (env.drbd_events2) {
    origin = env.drbd_events2;
    try {
      output = readFileSync(env.drbd_events2, 'latin1');
    } catch (err) {
      return failed(env, `cannot read ${env.drbd_events2} (env.drbd_events2): ${errorCode(err)}`, false);
    }
  } else {
    const drbdsetup = env.drbdsetup || DEFAULT_DRBDSETUP;
    origin = `${drbdsetup} events2`;
    const run = runEvents2(drbdsetup, drbdsetupTimeout(env));
    if (!run.ok) return failed(env, run.refused ? `${NEEDS_ROOT} (${run.reason})` : run.reason, run.refused);
    output = run.output;
  }
  const state = parseEvents2(output);
  if (state.events === 0) {
    const first = state.unparsed[0];
    return failed(env, `${origin} gave no events2 lines${first === undefined ? '' : ` (first line: "${first.slice(0, 80)}")`}`, false);
  }
  const volumes = events2Volumes(state);
  const stateProblem = saveKnownVolumes(env, volumes);
  const skipped = state.unparsed.length;
  const warning = skipped > 0 ? `${origin}: ignored ${skipped} line${skipped > 1 ? 's' : ''} that are not events2 output (first: "${state.unparsed[0]!.slice(0, 80)}")` : stateProblem;
  return warning ? { volumes, warning } : { volumes };
}

function failed(env: NodeJS.ProcessEnv, reason: string, needsRoot: boolean): DrbdSource {
  return { failed: reason, needsRoot, volumes: loadKnownVolumes(env) };
}

// The devices, peers and counters of the last good DRBD 9 reading are kept in $MUNIN_PLUGSTATE,
// so that when drbdsetup fails the graphs keep their fields (with U) instead of losing them.
const KNOWN_VOLUMES_FILE = 'lio-munin-drbd9-devices.json';

type KnownVolume = { minor: number; device: DrbdCounter[]; peers: Array<{ name: string | null; counters: DrbdCounter[] }> };

function knownVolumesPath(env: NodeJS.ProcessEnv): string | null {
  return env.MUNIN_PLUGSTATE ? `${env.MUNIN_PLUGSTATE}/${KNOWN_VOLUMES_FILE}` : null;
}

/** Writes the field set when it changed; returns a problem to report, if any. */
function saveKnownVolumes(env: NodeJS.ProcessEnv, volumes: DrbdVolume[]): string | undefined {
  const path = knownVolumesPath(env);
  if (!path) return undefined;
  const known: KnownVolume[] = volumes.map((v) => ({
    minor: v.minor,
    device: Object.keys(v.device) as DrbdCounter[],
    peers: v.peers.map((p) => ({ name: p.name, counters: Object.keys(p.counters) as DrbdCounter[] })),
  }));
  const text = JSON.stringify({ volumes: known }) + '\n';
  try {
    if (readFileSync(path, 'utf8') === text) return undefined;
  } catch {
    // not there yet
  }
  try {
    writeFileSync(`${path}.${process.pid}`, text);
    renameSync(`${path}.${process.pid}`, path);
    return undefined;
  } catch (err) {
    return `cannot keep the DRBD device list in ${path}: ${errorCode(err)}`;
  }
}

function loadKnownVolumes(env: NodeJS.ProcessEnv): DrbdVolume[] {
  const path = knownVolumesPath(env);
  if (!path) return [];
  try {
    const { volumes } = JSON.parse(readFileSync(path, 'utf8')) as { volumes: KnownVolume[] };
    const unknown = (keys: DrbdCounter[]) => Object.fromEntries(keys.map((k) => [k, null])) as DrbdVolume['device'];
    return volumes.map((v) => ({
      minor: v.minor,
      device: unknown(v.device),
      peers: v.peers.map((p) => ({ name: p.name, counters: unknown(p.counters) })),
    }));
  } catch {
    return []; // missing or damaged: no known fields
  }
}

/**
 * True when /proc/drbd is DRBD 9's (version lines only), i.e. the plugins need drbdsetup and so
 * `user root`. For the installer.
 */
export function isDrbd9Node(procPath: string = DEFAULT_DRBD_PROC): boolean {
  try {
    return parseProcDrbd(readFileSync(procPath, 'latin1')).isDrbd9;
  } catch {
    return false;
  }
}

/** What one field of a DRBD graph shows. */
interface Measure {
  counter: DrbdCounter;
  /** Suffix of the field name: the original plugins named oos `os`. */
  suffix: string;
  label: string;
  info: string;
  type: 'DERIVE' | 'GAUGE';
  /** KiB to bytes. */
  kib?: boolean;
}

export interface DrbdGraphSpec {
  attributes: Array<[string, string]>;
  measures: Measure[];
}

const COMMON: Array<[string, string]> = [
  ['graph_scale', 'yes'],
  ['graph_period', 'second'],
  ['graph_height', '200'],
  ['graph_width', '400'],
  ['graph_printf', '%7.2lf'],
];

export const DRBD_GRAPHS: Record<'drbd' | 'drbd_al' | 'drbd_ext', DrbdGraphSpec> = {
  drbd: {
    attributes: [
      ['graph_title', 'DRBD disk and network traffic'],
      ['graph_category', 'disk'],
      ['graph_info', 'Per DRBD device: local disk reads and writes, replication traffic sent to and received from the peer, and the amount of data out of sync (bytes, not a rate).'],
      ['graph_vlabel', 'bytes per ${graph_period}'],
      ['graph_args', '--base 1024 --lower-limit 0'],
      ...COMMON,
    ],
    measures: [
      { counter: 'dr', suffix: 'dr', label: 'disk read', info: 'Read from the local disk (dr).', type: 'DERIVE', kib: true },
      { counter: 'dw', suffix: 'dw', label: 'disk write', info: 'Written to the local disk (dw).', type: 'DERIVE', kib: true },
      { counter: 'ns', suffix: 'ns', label: 'network send', info: 'Sent to the peer over the network (ns).', type: 'DERIVE', kib: true },
      { counter: 'nr', suffix: 'nr', label: 'network receive', info: 'Received from the peer over the network (nr).', type: 'DERIVE', kib: true },
      { counter: 'oos', suffix: 'os', label: 'out of sync', info: 'Data currently out of sync with the peer (oos), in bytes: an amount, not a rate.', type: 'GAUGE', kib: true },
    ],
  },
  drbd_al: {
    attributes: [
      ['graph_title', 'DRBD activity log updates'],
      ['graph_category', 'disk'],
      ['graph_info', 'Per DRBD device: updates of the activity log area of the metadata (al). Many updates mean writes spread over more extents than al-extents covers.'],
      ['graph_vlabel', 'updates per ${graph_period}'],
      ['graph_args', '--base 1000 --lower-limit 0'],
      ...COMMON,
    ],
    measures: [
      { counter: 'al', suffix: 'al', label: 'activity log updates', info: 'Activity log updates of the metadata (al).', type: 'DERIVE' },
    ],
  },
  drbd_ext: {
    attributes: [
      ['graph_title', 'DRBD bitmap updates and requests in flight'],
      ['graph_category', 'disk'],
      ['graph_info', 'Per DRBD device: bitmap updates per second (bm) and the number of requests in flight at the moment of the reading (lo pe ua ap ep).'],
      ['graph_vlabel', 'updates per ${graph_period} / requests'],
      ['graph_args', '--base 1000 --lower-limit 0'],
      ...COMMON,
    ],
    measures: [
      { counter: 'bm', suffix: 'bm', label: 'bitmap updates', info: 'Bitmap updates of the metadata per second (bm).', type: 'DERIVE' },
      { counter: 'lo', suffix: 'lo', label: 'local pending', info: 'Requests open to the local disk (lo).', type: 'GAUGE' },
      { counter: 'pe', suffix: 'pe', label: 'pending', info: 'Requests sent to the peer, not yet answered (pe).', type: 'GAUGE' },
      { counter: 'ua', suffix: 'ua', label: 'unacknowledged', info: 'Requests received from the peer, not yet acknowledged (ua).', type: 'GAUGE' },
      { counter: 'ap', suffix: 'ap', label: 'application pending', info: 'Block I/O requests forwarded to DRBD, not yet answered (ap).', type: 'GAUGE' },
      { counter: 'ep', suffix: 'ep', label: 'epochs', info: 'Epoch objects (ep), DRBD 8 only.', type: 'GAUGE' },
    ],
  },
};

/**
 * The part of a field name that tells one peer from another: the cleaned peer name, with a
 * leading `_` when it starts with a digit, so that `drbd1` + `0a` can never read as `drbd10` + `a`.
 */
function peerNamePart(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

export function drbdPlugin(spec: DrbdGraphSpec, env: NodeJS.ProcessEnv): Plugin {
  return {
    autoconf() {
      const source = readDrbd(env);
      if ('unavailable' in source) return `no (${source.unavailable})`;
      if ('failed' in source) return source.needsRoot ? `no (${NEEDS_ROOT})` : `no (DRBD 9: ${source.failed})`;
      if (source.volumes.length === 0) return 'no (no DRBD device is configured)';
      return 'yes';
    },
    graph(withValues, withConfig = true) {
      const source = readDrbd(env);
      if ('failed' in source) warn(`${source.failed}; ${source.volumes.length > 0 ? 'values are U' : 'no fields: no earlier good reading is kept'}`);
      else if ('warning' in source && source.warning) warn(source.warning);
      const volumes = 'volumes' in source ? source.volumes : [];
      // Made one at a time as they are printed, from the one reading above: see Graph.fields.
      const fields = { [Symbol.iterator]: () => drbdFields(spec, volumes, withValues, withConfig) };
      const graph: Graph = { attributes: spec.attributes, fields };
      return graph;
    },
  };
}

/** The fields of a graph for these volumes, in order; labels are left empty unless withConfig. */
function* drbdFields(spec: DrbdGraphSpec, volumes: DrbdVolume[], withValues: boolean, withConfig: boolean): Generator<Field> {
  const names = new FieldNames();
  const field = (measure: Measure, candidate: string, identity: string, label: string, value: string | null | undefined): Field => {
    const name = names.next(candidate, identity);
    return {
      name,
      label,
      info: measure.info,
      type: measure.type,
      min: 0,
      cdef: measure.kib ? `${name},1024,*` : undefined,
      value: withValues ? value ?? null : null,
    };
  };
  for (const volume of volumes) {
    const device = `drbd${volume.minor}`;
    for (const measure of spec.measures) {
      if (!PEER_COUNTERS.has(measure.counter)) {
        if (!(measure.counter in volume.device)) continue;
        const label = withConfig ? `${device} ${measure.label}` : '';
        yield field(measure, device + measure.suffix, `${device}//${measure.counter}`, label, volume.device[measure.counter]);
        continue;
      }
      for (const peer of volume.peers) {
        if (!(measure.counter in peer.counters)) continue;
        // With one peer the names are the DRBD 8 names, so history survives an 8 to 9 upgrade.
        const named = volume.peers.length > 1 && peer.name !== null;
        const label = withConfig ? `${device} ${measure.label}${named ? ` (peer ${peer.name})` : ''}` : '';
        const candidate = device + (named ? peerNamePart(peer.name!) : '') + measure.suffix;
        yield field(measure, candidate, `${device}/${peer.name ?? ''}/${measure.counter}`, label, peer.counters[measure.counter]);
      }
    }
  }
}
