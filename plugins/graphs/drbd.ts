// The drbd, drbd_al and drbd_ext graphs, built from DRBD statistics whatever their source
// (lib/kernel/drbd.ts: /proc/drbd on DRBD 8, drbdsetup events2 on DRBD 9).
import { briefError } from '../../lib/errors.js';
import { DEFAULT_DRBD_PROC, parseEvents2Volumes, PEER_COUNTERS, procDrbdConfigInputs, procDrbdVolumes, readDrbdText, readProcDrbdFile, type DrbdSources, type DrbdText, type DrbdVolume, type Events2Text } from '../../lib/kernel/drbd.js';
import { DEFAULT_DRBDSETUP, DEFAULT_DRBDSETUP_TIMEOUT_S } from '../../lib/kernel/drbdsetup.js';
import type { DrbdCounter } from '../../lib/kernel/proc-drbd.js';
import { FieldNames } from '../../lib/munin/field-names.js';
import { warn, type Field, type Graph, type Plugin } from '../../lib/munin/protocol.js';
import type { SmallFile } from '../../lib/small-file.js';
import { PluginState } from './plugin-state.js';

export const NEEDS_ROOT = 'drbdsetup needs root: add "user root" for drbd* in plugin-conf.d';

export type DrbdSource =
  /** warning: something worth one line on stderr, the values are still good. */
  | { volumes: DrbdVolume[]; warning?: string }
  /** No DRBD here (module not loaded, /proc/drbd unreadable). */
  | { unavailable: string }
  /** DRBD 9 statistics could not be read: the last known devices, every value null. */
  | { failed: string; needsRoot: boolean; volumes: DrbdVolume[] };

/** Seconds from env.drbdsetup_timeout, or the default when unset or not a positive number. */
export function drbdsetupTimeout(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.drbdsetup_timeout);
  return env.drbdsetup_timeout && Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_DRBDSETUP_TIMEOUT_S;
}

/**
 * The sources the plugin settings name: env.drbd_proc (default /proc/drbd); on DRBD 9, whose
 * /proc/drbd has only version lines, drbdsetup from env.drbdsetup (default /usr/sbin/drbdsetup,
 * killed after env.drbdsetup_timeout seconds, default 5), or the file env.drbd_events2 holding
 * its output.
 */
export function drbdSources(env: NodeJS.ProcessEnv): DrbdSources {
  return {
    proc: env.drbd_proc || DEFAULT_DRBD_PROC,
    drbdsetup: env.drbdsetup || DEFAULT_DRBDSETUP,
    drbdsetupSetting: 'env.drbdsetup',
    timeoutS: drbdsetupTimeout(env),
    events2File: env.drbd_events2 ? { path: env.drbd_events2, setting: 'env.drbd_events2' } : undefined,
  };
}

/** Why there is no DRBD to read here, as the DRBD plugins say it. */
export function unavailableReason(proc: string, text: Extract<DrbdText, { kind: 'absent' | 'unreadable' }>): string {
  return text.kind === 'absent' ? `${proc} not found: drbd module not loaded` : `cannot read ${proc}: ${briefError(text.error)}`;
}

/** Why DRBD 9's events2 could not be read, as the DRBD plugins say it. */
export function events2Failure(events2: Extract<Events2Text, { ok: false }>): string {
  return events2.refused ? `${NEEDS_ROOT} (${events2.reason})` : events2.reason;
}

/**
 * The DRBD devices and their counters from sources (drbdSources of the plugin settings env);
 * procFile: /proc/drbd as already read (readProcDrbdFile).
 */
export function readDrbd(env: NodeJS.ProcessEnv, sources: DrbdSources, procFile?: SmallFile): DrbdSource {
  const text = readDrbdText(sources, procFile);
  switch (text.kind) {
    case 'absent':
    case 'unreadable':
      return { unavailable: unavailableReason(sources.proc, text) };
    case 'drbd8':
      return { volumes: procDrbdVolumes(text.proc) };
  }
  const events2 = text.events2;
  if (!events2.ok) return failed(env, events2Failure(events2), events2.refused);
  const parsed = parseEvents2Volumes(events2.text, events2.origin);
  if ('empty' in parsed) return failed(env, parsed.empty, false);
  const { volumes } = parsed;
  const warning = saveKnownVolumes(env, volumes);
  return warning ? { volumes, warning } : { volumes };
}

function failed(env: NodeJS.ProcessEnv, reason: string, needsRoot: boolean): DrbdSource {
  return { failed: reason, needsRoot, volumes: loadKnownVolumes(env) };
}

// The devices, peers and counters of the last good DRBD 9 reading are kept in $MUNIN_PLUGSTATE,
// so that when drbdsetup fails the graphs keep their fields (with U) instead of losing them.
const KNOWN_VOLUMES_FILE = 'lio-munin-drbd9-devices.json';

type KnownVolume = { minor: number; device: DrbdCounter[]; peers: Array<{ name: string | null; counters: DrbdCounter[] }> };

const knownVolumes = (env: NodeJS.ProcessEnv) => new PluginState(env, KNOWN_VOLUMES_FILE);

/** Keeps the field set; returns a problem to report, if any. */
function saveKnownVolumes(env: NodeJS.ProcessEnv, volumes: DrbdVolume[]): string | undefined {
  const known: KnownVolume[] = volumes.map((v) => ({
    minor: v.minor,
    device: Object.keys(v.device) as DrbdCounter[],
    peers: v.peers.map((p) => ({ name: p.name, counters: Object.keys(p.counters) as DrbdCounter[] })),
  }));
  return knownVolumes(env).save({ volumes: known }, 'the DRBD device list');
}

function loadKnownVolumes(env: NodeJS.ProcessEnv): DrbdVolume[] {
  try {
    const { volumes } = knownVolumes(env).load() as { volumes: KnownVolume[] };
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

// Made by a call marked pure, so that a bundle that does not use them (drbd_state) leaves them
// out: the spreads alone would keep them, and every byte of a plugin is parsed at each start.
export const DRBD_GRAPHS = /* @__PURE__ */ drbdGraphs();

function drbdGraphs(): Record<'drbd' | 'drbd_al' | 'drbd_ext', DrbdGraphSpec> {
  return {
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
}

/**
 * The part of a field name that tells one peer from another: the cleaned peer name, with a
 * leading `_` when it starts with a digit, so that `drbd1` + `0a` can never read as `drbd10` + `a`.
 */
export function peerNamePart(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

export function drbdPlugin(spec: DrbdGraphSpec, env: NodeJS.ProcessEnv): Plugin {
  const sources = drbdSources(env);
  // /proc/drbd as configInputs read it: the config is made from the text its memo is kept for.
  let procFile: SmallFile | undefined;
  return {
    // DRBD 8: /proc/drbd without its counters' values (DRBD 9 keeps no config).
    configInputs() {
      procFile = readProcDrbdFile(sources);
      return procDrbdConfigInputs(procFile);
    },
    autoconf() {
      const source = readDrbd(env, sources);
      if ('unavailable' in source) return `no (${source.unavailable})`;
      if ('failed' in source) return source.needsRoot ? `no (${NEEDS_ROOT})` : `no (DRBD 9: ${source.failed})`;
      if (source.volumes.length === 0) return 'no (no DRBD device is configured)';
      return 'yes';
    },
    graph(withValues, withConfig = true) {
      const source = readDrbd(env, sources, procFile);
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
  // Only names with a peer's name in them need it: drbd<minor><suffix> is valid and unique as it is
  // (as in drbd_state), and testing each of thousands costs (bench/README.md).
  const names = new FieldNames();
  const field = (measure: Measure, name: string, label: string, value: string | null | undefined): Field => {
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
        yield field(measure, device + measure.suffix, label, volume.device[measure.counter]);
        continue;
      }
      for (const peer of volume.peers) {
        if (!(measure.counter in peer.counters)) continue;
        // With one peer the names are the DRBD 8 names, so history survives an 8 to 9 upgrade.
        const named = volume.peers.length > 1 && peer.name !== null;
        const label = withConfig ? `${device} ${measure.label}${named ? ` (peer ${peer.name})` : ''}` : '';
        const name = named ? names.next(device + peerNamePart(peer.name!) + measure.suffix, `${device}/${peer.name}/${measure.counter}`) : device + measure.suffix;
        yield field(measure, name, label, peer.counters[measure.counter]);
      }
    }
  }
}
