// The drbd_state graphs: replication health per DRBD device (and per peer on DRBD 9), with the
// warning and critical ranges munin-limits alerts on, from the same sources as the other DRBD
// plugins (lib/kernel/drbd.ts).
import { diskHealth, isConnected8, isConnected9, isResyncing, ROLES, type DiskHealth } from '../../lib/kernel/drbd-states.js';
import { events2States, parseEvents2Volumes, procDrbdConfigInputs, procDrbdStates, readDrbdText, readProcDrbdFile, type DrbdDeviceState, type DrbdPeerState, type DrbdSources } from '../../lib/kernel/drbd.js';
import type { SmallFile } from '../../lib/small-file.js';
import { AlertRanges, type Ranges } from '../../lib/munin/alert-ranges.js';
import { FieldNames } from '../../lib/munin/field-names.js';
import { warn, type Field, type Graph, type Plugin } from '../../lib/munin/protocol.js';
import { drbdSources, events2Failure, NEEDS_ROOT, peerNamePart, unavailableReason } from './drbd.js';
import { PluginState } from './plugin-state.js';

/** One kind of health value: its field suffix, where it is drawn, and its default ranges. */
interface Measure {
  /** Field name suffix, and the name of its `env.<kind>_warning` / `_critical` settings. */
  kind: string;
  graph: 'health' | 'role' | 'resync' | 'eta' | 'oos';
  /** Per peer (a connection) rather than per device. */
  perPeer: boolean;
  /** DRBD 9 only: printed only when the source is events2. */
  drbd9?: boolean;
  label: string;
  info: string;
  warning?: string;
  critical?: string;
}

const MEASURES: Measure[] = [
  { kind: 'connected', graph: 'health', perPeer: true, label: 'connected', critical: '1:', info: '1 connected to the peer, 0 not (StandAlone, WFConnection, Connecting, ...): no redundancy.' },
  { kind: 'disk', graph: 'health', perPeer: false, label: 'local disk', warning: '1:', critical: '0.5:', info: '1 UpToDate; 0.5 degraded (Inconsistent, Outdated, DUnknown, ...); 0 Failed, or Diskless where a disk is expected.' },
  { kind: 'peerdisk', graph: 'health', perPeer: true, label: 'peer disk', warning: '1:', critical: '0.5:', info: "The peer's disk: 1 UpToDate; 0.5 degraded (Inconsistent, Outdated, DUnknown, ...); 0 Failed or Diskless." },
  { kind: 'primary', graph: 'role', perPeer: false, label: 'primary', info: '1 Primary (this node serves the I/O), 0 Secondary.' },
  { kind: 'quorum', graph: 'health', perPeer: false, drbd9: true, label: 'quorum', critical: '1:', info: '1 quorum held, 0 lost (I/O frozen or failing, as on-no-quorum says). DRBD 9.' },
  { kind: 'suspended', graph: 'role', perPeer: false, drbd9: true, label: 'I/O suspended', critical: ':0', info: '1 I/O suspended (by the user, fencing, missing data or lost quorum), 0 not. DRBD 9.' },
  { kind: 'synced', graph: 'resync', perPeer: true, label: 'resync done', warning: '100:', info: 'Resync done, in percent; 100 when no resync runs.' },
  { kind: 'eta', graph: 'eta', perPeer: true, label: 'resync time left', info: "The kernel's estimate of the time a resync still needs, seconds; 0 when none runs." },
  { kind: 'oos', graph: 'oos', perPeer: true, label: 'out of sync', info: 'Out of sync with the peer, in bytes: what a resync still has to copy.' },
];

const GRAPHS: Record<Measure['graph'], { name: string; attributes: Array<[string, string]> }> = {
  health: {
    name: 'drbd_state',
    attributes: [
      ['graph_title', 'DRBD replication health'],
      ['graph_category', 'disk'],
      ['graph_info', 'Per DRBD device (and per peer on DRBD 9), 1 where all is well: connected, local and peer disk up to date (0.5 degraded, 0 failed), and on DRBD 9 quorum held. Every field alerts through munin-limits; its extinfo says what the kernel said.'],
      ['graph_vlabel', '1 yes, 0.5 degraded, 0 no'],
      // A margin around 0 and 1 keeps those lines off the frame; a grid line and label at each of
      // the three levels.
      ['graph_args', '--lower-limit -0.1 --upper-limit 1.1 --rigid --y-grid 0.5:1'],
      ['graph_scale', 'no'],
      ['graph_printf', '%4.1lf'],
    ],
  },
  role: {
    name: 'drbd_state.role',
    attributes: [
      ['graph_title', 'DRBD role and suspended I/O'],
      ['graph_category', 'disk'],
      ['graph_info', 'Per DRBD device: 1 where this node is Primary (it serves the I/O), and on DRBD 9 1 where I/O to the resource is suspended (critical).'],
      ['graph_vlabel', '1 yes, 0 no'],
      ['graph_args', '--lower-limit -0.1 --upper-limit 1.1 --rigid --y-grid 1:1'],
      ['graph_scale', 'no'],
      ['graph_printf', '%4.1lf'],
    ],
  },
  resync: {
    name: 'drbd_state.resync',
    attributes: [
      ['graph_title', 'DRBD resync progress'],
      ['graph_category', 'disk'],
      ['graph_info', 'How far each resync has got, in percent; 100 when no resync runs.'],
      ['graph_vlabel', 'percent done'],
      // 100 (no resync) drawn below the frame, not on it.
      ['graph_args', '--lower-limit 0 --upper-limit 105 --rigid --y-grid 25:1'],
      ['graph_scale', 'no'],
      ['graph_printf', '%5.1lf'],
    ],
  },
  eta: {
    name: 'drbd_state.resync_time',
    attributes: [
      ['graph_title', 'DRBD resync time left'],
      ['graph_category', 'disk'],
      ['graph_info', "The kernel's estimate of the time each running resync still needs."],
      ['graph_vlabel', 'seconds'],
      ['graph_args', '--lower-limit 0'],
      ['graph_printf', '%7.0lf'],
    ],
  },
  oos: {
    name: 'drbd_state.out_of_sync',
    attributes: [
      ['graph_title', 'DRBD data out of sync'],
      ['graph_category', 'disk'],
      ['graph_info', 'Data out of sync with each peer: what a resync still has to copy.'],
      ['graph_vlabel', 'bytes'],
      ['graph_args', '--base 1024 --lower-limit 0'],
      ['graph_printf', '%7.2lf'],
    ],
  },
};

/** The devices and how they were read: what the fields and their values are made of. */
interface Reading {
  devices: DrbdDeviceState[];
  /** True on DRBD 9 (events2): quorum and suspended have fields. */
  drbd9: boolean;
  /** The source was read whole and well-formed: a known device missing from it is not configured. */
  complete: boolean;
  /** Why values are unknown, when they are. */
  problem?: string;
  /** drbdsetup was refused: the plugin needs `user root`. */
  needsRoot?: boolean;
}

/** A device remembered from an earlier run (see KNOWN_FILE). */
interface KnownDevice {
  minor: number;
  resource: string | null;
  peers: Array<string | null>;
  drbd9: boolean;
  /** DRBD 9 has reported quorum for it (older DRBD 9 releases print no quorum:). */
  quorum?: boolean;
  /** false: the source has never said the peer's disk state (DRBD 0.7's ld: prints the local one only). */
  peerDisk?: boolean;
}

// Devices and peers seen before are kept in $MUNIN_PLUGSTATE: a device that goes down or a
// source that cannot be read must not make its fields (and so its alerts) disappear.
const KNOWN_FILE = 'lio-munin-drbd-state.json';

function read(sources: DrbdSources, procFile: SmallFile | undefined): Reading | { unavailable: string; absent: boolean } {
  const text = readDrbdText(sources, procFile);
  switch (text.kind) {
    case 'absent':
    case 'unreadable':
      return { unavailable: unavailableReason(sources.proc, text), absent: text.kind === 'absent' };
    case 'drbd8': {
      // What the kernel writes starts with its version line, ends with a newline, and gives every
      // configured device its statistics line: anything less was cut short (or is not /proc/drbd).
      const complete =
        text.proc.version !== null && text.procText.endsWith('\n') && text.proc.devices.every((d) => d.connectionState === 'Unconfigured' || Object.keys(d.counters).length > 0);
      return { devices: procDrbdStates(text.proc), drbd9: false, complete, problem: complete ? undefined : `${sources.proc} is not a whole /proc/drbd (no version line, or cut short)` };
    }
  }
  const events2 = text.events2;
  if (!events2.ok) return { devices: [], drbd9: true, complete: false, problem: events2Failure(events2), needsRoot: events2.refused };
  const parsed = parseEvents2Volumes(events2.text, events2.origin);
  if ('empty' in parsed) return { devices: [], drbd9: true, complete: false, problem: parsed.empty };
  const complete = parsed.state.initialStateDone;
  return { devices: events2States(parsed.state), drbd9: true, complete, problem: complete ? undefined : `${events2.origin}: no "exists -" line, the state may be partial` };
}

/** The devices kept, those that look like devices (a damaged file keeps nothing). */
function loadKnown(state: PluginState): KnownDevice[] {
  const devices = (state.load() as { devices?: unknown } | null)?.devices;
  return Array.isArray(devices) ? devices.filter((d: KnownDevice) => Number.isInteger(d?.minor) && Array.isArray(d.peers)) : [];
}

/** The devices now and those known from before, merged: what gets fields. */
function merge(reading: Reading, known: KnownDevice[]): KnownDevice[] {
  const byMinor = new Map<number, KnownDevice>();
  for (const device of known) byMinor.set(device.minor, { ...device, peers: [...device.peers] });
  for (const device of reading.devices) {
    const entry = byMinor.get(device.minor) ?? { minor: device.minor, resource: device.resource, peers: [], drbd9: reading.drbd9 };
    entry.resource = device.resource ?? entry.resource;
    entry.drbd9 = reading.drbd9;
    if (device.quorum !== null) entry.quorum = true;
    if (device.peers.some((p) => p.disk !== null)) entry.peerDisk = true;
    else if (reading.complete) entry.peerDisk ??= false;
    if (reading.drbd9 && device.peers.length > 0) entry.peers = entry.peers.filter((p) => p !== null); // DRBD 8's unnamed peer, upgraded
    for (const peer of device.peers) if (!entry.peers.includes(peer.name)) entry.peers.push(peer.name);
    byMinor.set(device.minor, entry);
  }
  return [...byMinor.values()].sort((a, b) => a.minor - b.minor);
}

/** A value and what to say about it: the value is null (U) when the source did not say. */
interface Value {
  value: string | null;
  /** A state word this code does not know: worth a warning line. */
  unknown?: string;
}

// The common values, one object each rather than one per field.
const NO_VALUE: Value = { value: null };
const ONE: Value = { value: '1' };
const ZERO: Value = { value: '0' };
const HUNDRED: Value = { value: '100' };
const DISK_VALUE: Record<DiskHealth, Value> = { 'up-to-date': ONE, degraded: { value: '0.5' }, failed: ZERO };

function diskValue(state: string | null, client: boolean): Value {
  if (state === null) return NO_VALUE;
  // A diskless client by configuration is as it should be.
  if (client && state === 'Diskless') return ONE;
  const health = diskHealth(state);
  return health ? DISK_VALUE[health] : { value: null, unknown: `disk state "${state}"` };
}

function boolValue(meaning: boolean | null, word: string | null, what: string): Value {
  if (meaning !== null) return meaning ? ONE : ZERO;
  return word === null ? NO_VALUE : { value: null, unknown: `${what} "${word}"` };
}

/** The value of a measure for a device (and peer), as read now. */
function valueOf(measure: Measure, device: DrbdDeviceState, peer: DrbdPeerState | undefined, drbd9: boolean): Value {
  switch (measure.kind) {
    case 'connected':
      if (!peer) return NO_VALUE;
      return boolValue((drbd9 ? isConnected9 : isConnected8)(peer.connection), peer.connection, 'connection state');
    case 'disk':
      return diskValue(device.disk, device.client);
    case 'peerdisk':
      return peer ? diskValue(peer.disk, peer.client) : NO_VALUE;
    case 'primary':
      if (device.role === null) return NO_VALUE;
      return ROLES.includes(device.role) ? (device.role === 'Primary' ? ONE : ZERO) : { value: null, unknown: `role "${device.role}"` };
    case 'quorum':
      return { value: device.quorum === null ? null : device.quorum ? '1' : '0' };
    case 'suspended':
      return { value: device.suspended === null ? null : device.suspended === 'no' ? '0' : '1' };
    case 'synced':
      if (!peer) return NO_VALUE;
      if (!peer.resync) return connectedOrUnknown(peer, drbd9, HUNDRED);
      return { value: peer.resync.percent === null ? null : String(peer.resync.percent) };
    case 'eta':
      if (!peer) return NO_VALUE;
      if (!peer.resync) return connectedOrUnknown(peer, drbd9, ZERO);
      return { value: peer.resync.secondsLeft === null ? null : String(peer.resync.secondsLeft) };
    case 'oos':
      return { value: peer?.outOfSyncKiB ?? null };
  }
  return NO_VALUE;
}

/** No resync: the "none" value, unless the replication state is missing or one this code does not know. */
function connectedOrUnknown(peer: DrbdPeerState, drbd9: boolean, none: Value): Value {
  const state = drbd9 ? peer.replication : peer.connection;
  if (state === null) return NO_VALUE;
  if (isResyncing(state) !== null) return none;
  // On DRBD 8 the word is cs:, already reported for the connected field.
  return drbd9 ? { value: null, unknown: `replication state "${state}"` } : NO_VALUE;
}

/** A device that is known but not in a complete reading: not configured now. */
function notConfigured(measure: Measure): string | null {
  switch (measure.kind) {
    case 'connected':
    case 'disk':
      return '0';
    default:
      return null;
  }
}

export function drbdStatePlugin(env: NodeJS.ProcessEnv): Plugin<Graph[]> {
  const sources = drbdSources(env);
  const kept = new PluginState(env, KNOWN_FILE);
  // /proc/drbd as configInputs read it: the config is made from the text its memo is kept for.
  let procFile: SmallFile | undefined;
  return {
    // DRBD 8: the devices kept and /proc/drbd without its counters' values.
    configInputs() {
      procFile = readProcDrbdFile(sources);
      const proc = procDrbdConfigInputs(procFile);
      return proc === undefined ? undefined : `${JSON.stringify(kept.text())}\n${proc}`;
    },
    autoconf() {
      const reading = read(sources, undefined);
      if ('unavailable' in reading) return `no (${reading.unavailable})`;
      if (reading.drbd9 && reading.devices.length === 0 && reading.problem) return reading.needsRoot ? `no (${NEEDS_ROOT})` : `no (DRBD 9: ${reading.problem})`;
      if (reading.devices.length === 0) return 'no (no DRBD device is configured)';
      return 'yes';
    },
    graph(withValues, withConfig = true) {
      const read1 = read(sources, procFile);
      // The usual run: the devices kept are the devices now, so the text kept is compared with
      // theirs instead of parsed, merged and made again (bench/README.md).
      const now = 'unavailable' in read1 ? undefined : merge(read1, []);
      let reading: Reading;
      let known: KnownDevice[];
      let problem: string | undefined;
      if (now && kept.holds({ devices: now })) {
        reading = read1 as Reading;
        known = now;
      } else {
        const remembered = loadKnown(kept);
        if ('unavailable' in read1 && remembered.length === 0) {
          // No DRBD here, and never seen: the health graph's title and no fields, as the other DRBD plugins.
          return [{ name: GRAPHS.health.name, attributes: GRAPHS.health.attributes, fields: [] }];
        }
        // Devices were seen before: their fields stay. Without /proc/drbd (the module unloaded) none
        // is configured now (critical); a /proc/drbd that cannot be read says nothing (U).
        reading =
          'unavailable' in read1
            ? { devices: [], drbd9: remembered.some((d) => d.drbd9), complete: read1.absent, problem: read1.unavailable }
            : read1;
        known = merge(reading, remembered);
        problem = reading.devices.length > 0 || reading.complete ? kept.save({ devices: known }, 'the DRBD device list') : undefined;
      }
      if (reading.problem) warn(reading.complete ? `${reading.problem}: the devices seen before are not configured now` : `${reading.problem}; values not read are U`);
      if (problem) warn(problem);
      // One copy of the settings: each look-up in process.env is a call into Node's C++ side.
      const settings = { ...env };
      const context: FieldContext = { rows: rowsOf(known, reading, settings), reading, withValues, withConfig, reported: new Set() };
      if (withConfig) context.ranges = new AlertRanges(settings, MEASURES, /^drbd\w+$/);
      // An array per graph: a fetch leaves out a graph without fields (a source that said nothing).
      return (Object.keys(GRAPHS) as Array<Measure['graph']>).map((graph) => ({
        name: GRAPHS[graph].name,
        attributes: GRAPHS[graph].attributes,
        fields: graphFields(graph, context),
      }));
    },
  };
}

/** A device that gets fields, with what all its fields share. */
interface Row {
  entry: KnownDevice;
  /** Its state now; undefined when the reading does not have it. */
  device: DrbdDeviceState | undefined;
  /** `drbd<minor>`: the start of its field names. */
  drbdName: string;
  /** How labels and messages name it: `drbd0`, or `drbd0 (r0)` with a resource name. */
  who: string;
  /** Known, but not in a complete reading: not configured now. */
  missing: boolean;
}

/** The devices that get fields, in order, each worked out once for all the graphs. */
function rowsOf(known: KnownDevice[], reading: Reading, settings: Record<string, string | undefined>): Row[] {
  const now = new Map(reading.devices.map((d) => [d.minor, d]));
  return known.map((entry) => {
    const device = now.get(entry.minor);
    const drbdName = `drbd${entry.minor}`;
    const resource = entry.resource ?? settings[`${drbdName}_resource`] ?? null;
    return { entry, device, drbdName, who: resource ? `${drbdName} (${resource})` : drbdName, missing: !device && reading.complete };
  });
}

interface FieldContext {
  rows: Row[];
  ranges?: AlertRanges;
  reading: Reading;
  withValues: boolean;
  withConfig: boolean;
  /** Unknown state words already reported (one stderr line each, whichever graph meets them). */
  reported: Set<string>;
}

const NO_RANGES: Ranges = {};

/** Each graph's measures, in MEASURES order. */
const MEASURES_OF = Object.fromEntries((Object.keys(GRAPHS) as Array<Measure['graph']>).map((graph) => [graph, MEASURES.filter((m) => m.graph === graph)])) as Record<Measure['graph'], Measure[]>;

/**
 * The fields of one graph, in device order, each device's measures in MEASURES order. An array,
 * not a generator: the graphs are made whole anyway, and resuming a generator per field costs
 * (bench/README.md). Indexed loops, not for-of: an iterator per device and measure costs more than
 * the field.
 */
function graphFields(graph: Measure['graph'], context: FieldContext): Field[] {
  const rows = context.rows;
  const measures = MEASURES_OF[graph];
  // Only names with a peer's name in them need it.
  let names: FieldNames | undefined;
  const fields: Field[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const entry = row.entry;
    for (let m = 0; m < measures.length; m++) {
      const measure = measures[m]!;
      if (measure.drbd9 && !entry.drbd9) continue;
      if (measure.kind === 'quorum' && !entry.quorum) continue;
      if (measure.kind === 'peerdisk' && entry.peerDisk === false) continue;
      if (!measure.perPeer) {
        // drbd<minor><kind> is valid and unique as it is.
        fields.push(fieldOf(measure, row, row.device?.peers[0], undefined, row.drbdName + measure.kind, context));
        continue;
      }
      const peers = entry.peers;
      for (let p = 0; p < peers.length; p++) {
        const peerName = peers[p];
        // With one peer the names are DRBD 8's, so history survives an 8 to 9 upgrade; a peer's
        // name part needs FieldNames.
        const named = peers.length > 1 && peerName !== null && peerName !== undefined;
        if (named) names ??= new FieldNames();
        const name = named ? names!.next(row.drbdName + peerNamePart(peerName) + measure.kind, `${row.drbdName}/${peerName}/${measure.kind}`) : row.drbdName + measure.kind;
        fields.push(fieldOf(measure, row, peerOf(row.device, entry, peerName!), peerName, name, context));
      }
    }
  }
  return fields;
}

/** One field: of a device's measure (peerName undefined) or of one of its peers'. */
function fieldOf(measure: Measure, row: Row, peer: DrbdPeerState | undefined, peerName: string | null | undefined, name: string, context: FieldContext): Field {
  const { device, who, missing } = row;
  const { reading, withConfig } = context;
  let value: string | null = null;
  if (device) {
    const v = valueOf(measure, device, peer, reading.drbd9);
    value = v.value;
    const line = v.unknown && `${who}: unknown ${v.unknown} (a newer DRBD?): the values that depend on it are U`;
    if (line && !context.reported.has(line)) {
      context.reported.add(line);
      warn(line);
    }
  } else if (missing) {
    value = notConfigured(measure);
  }
  // No min: every value is a state, a percent or an amount, never below 0. All properties in one
  // literal: objects of one shape are cheaper to make and to read.
  const ranges = withConfig ? context.ranges!.of(measure.kind, name) : NO_RANGES;
  return {
    name,
    label: withConfig ? `${who} ${measure.label}${measure.perPeer && peerName ? ` (peer ${peerName})` : ''}` : '',
    type: 'GAUGE',
    info: withConfig ? measure.info : undefined,
    cdef: withConfig && measure.kind === 'oos' ? `${name},1024,*` : undefined,
    warning: ranges.warning,
    critical: ranges.critical,
    extinfo: withConfig ? extinfoOf(measure, device, peer, peerName, reading, missing, row.drbdName) : undefined,
    value: context.withValues ? value : null,
  };
}

/** The peer state of a known peer name; with one peer, whatever the one peer is called now. */
function peerOf(device: DrbdDeviceState | undefined, entry: KnownDevice, peerName: string | null): DrbdPeerState | undefined {
  if (!device) return undefined;
  for (const peer of device.peers) if (peer.name === peerName) return peer;
  return entry.peers.length === 1 ? device.peers[0] : undefined;
}

/** What the kernel said, for the alert text; or why nothing is known. */
function extinfoOf(measure: Measure, device: DrbdDeviceState | undefined, peer: DrbdPeerState | undefined, peerName: string | null | undefined, reading: Reading, missing: boolean, drbdName: string): string {
  if (device) {
    if (!measure.perPeer) return device.said;
    if (reading.drbd9) return `${device.said}; peer ${peerName}: ${peer?.said ?? 'not in the current state'}`;
    return peer?.said ?? 'peer not in the current state';
  }
  if (missing) return `${drbdName} is not configured now (it was before${reading.problem ? `; ${reading.problem}` : ''}); remove ${KNOWN_FILE} from the plugin state directory if it was removed on purpose`;
  return reading.problem ?? 'not read';
}
