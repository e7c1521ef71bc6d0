// The metrics of `lio-collector metrics` and `archive export`: LIO, iSCSI and DRBD in Prometheus
// conventions (base units, `_total` counters, labels for dimensions). DRBD metrics carry
// drbd-reactor's names and labels where drbd-reactor has them (LINBIT/drbd-reactor,
// src/plugin/prometheus.rs), so that its dashboard and the common DRBD rules work unchanged.
//
// One mapping from a configfs statistics path to a sample serves both the live tree and the
// archived snapshots (whose entries are the same paths): lioSampleOf().
import { DirectoryCursor } from '../lib/directory-cursor.js';
import { briefError } from '../lib/errors.js';
import { readCounter, readLioTree, readPlainCounter } from '../lib/kernel/configfs.js';
import { events2States as events2StatesOf, parseEvents2Volumes, parseYesNo, procDrbdStates, procDrbdVolumes, readDrbdText, type DrbdDeviceState, type DrbdSources, type DrbdVolume } from '../lib/kernel/drbd.js';
import { isConnected8 } from '../lib/kernel/drbd-states.js';
import type { DeviceObject, Props } from '../lib/kernel/events2.js';
import { ioFlags, type DrbdCounter, type ProcDrbd } from '../lib/kernel/proc-drbd.js';
import { CONNECTION_ERRORS, hasIscsiStatistics, LOGIN_RESULTS, LOGOUT_KINDS, readAclSession, readConnectionErrors, readDynamicSessions, SESSION_ERRORS } from '../lib/kernel/iscsi.js';
import { scaledDigits, type Labels, type MetricFamily, type MetricType } from '../lib/prometheus/exposition.js';

const MiB = 1048576;
const KiB = 1024;

/** Every family we export, in output order: name -> [type, help]. */
export const FAMILIES: ReadonlyArray<readonly [string, MetricType, string]> = [
  ['lio_lun_read_bytes_total', 'counter', 'Bytes read from a LUN of a target portal group, all initiators (scsi_tgt_port/read_mbytes, counted in MiB).'],
  ['lio_lun_written_bytes_total', 'counter', 'Bytes written to a LUN of a target portal group, all initiators (scsi_tgt_port/write_mbytes, counted in MiB).'],
  ['lio_lun_commands_total', 'counter', 'SCSI commands received for a LUN of a target portal group (scsi_tgt_port/in_cmds).'],
  ['lio_initiator_lun_read_bytes_total', 'counter', 'Bytes read by an initiator from one of its mapped LUNs (scsi_auth_intr/read_mbytes, counted in MiB).'],
  ['lio_initiator_lun_written_bytes_total', 'counter', 'Bytes written by an initiator to one of its mapped LUNs (scsi_auth_intr/write_mbytes, counted in MiB).'],
  ['lio_initiator_lun_commands_total', 'counter', 'SCSI commands of an initiator to one of its mapped LUNs (scsi_auth_intr/num_cmds).'],
  ['lio_iscsi_target_sessions', 'gauge', 'iSCSI sessions of a target (iscsi_instance/sessions).'],
  ['lio_iscsi_target_logins_total', 'counter', 'iSCSI login attempts of a target by result (iscsi_login_stats).'],
  ['lio_iscsi_target_logouts_total', 'counter', 'iSCSI logouts of a target by kind (iscsi_logout_stats).'],
  ['lio_iscsi_target_session_errors_total', 'counter', 'iSCSI session errors of a target by kind (iscsi_sess_err).'],
  ['lio_iscsi_initiator_logged_in', 'gauge', '1 when the initiator has an iSCSI session with the target portal group, 0 when its ACL has none.'],
  ['lio_iscsi_initiator_connection_errors_total', 'counter', 'Connection errors of the session of an ACL initiator by kind (iscsi_sess_stats).'],
  ['drbdreactor_up', 'gauge', 'Always 1, as drbd-reactor has it: DRBD metrics in drbd-reactor\'s names are served here (written by lio-collector, not by drbd-reactor), so that dashboards that list instances by it, like drbd-reactor\'s, list this host.'],
  ['drbd_version', 'gauge', 'Version of the loaded DRBD kernel module (kmod, from /proc/drbd), always 1.'],
  ['drbd_resource_resources', 'gauge', 'Number of resources (DRBD 8: configured devices).'],
  ['drbd_resource_role', 'gauge', 'DRBD role of the resource (1 for the current one).'],
  ['drbd_resource_suspended', 'gauge', 'Boolean whether the resource is suspended (DRBD 8: the s of the I/O flags).'],
  ['drbd_resource_maypromote', 'gauge', 'Boolean whether the resource may be promoted to Primary (DRBD 9, as drbdsetup computes it).'],
  ['drbd_resource_promotionscore', 'gauge', 'The promotion score (higher is better) for the resource (DRBD 9).'],
  ['drbd_resource_forceiofailures', 'gauge', 'Boolean whether the resource is configured (could be temporarily) to force I/O failures, e.g. during secondary --force (DRBD 9).'],
  ['drbd_connection_state', 'gauge', 'DRBD connection state (1 for the current one).'],
  ['drbd_connection_congested', 'gauge', 'Boolean whether the TCP send buffer of the data connection is more than 80% filled (DRBD 9).'],
  ['drbd_connection_apinflight_bytes', 'gauge', 'Application requests in flight (not completed) on this connection, bytes (DRBD 9).'],
  ['drbd_connection_rsinflight_bytes', 'gauge', 'Resync requests in flight on this connection, bytes (DRBD 9).'],
  ['drbd_device_state', 'gauge', 'DRBD device (local disk) state (1 for the current one).'],
  ['drbd_device_client', 'gauge', 'Boolean whether this device is a client (intentional diskless, DRBD 9).'],
  ['drbd_device_unintentionaldiskless', 'gauge', 'Boolean whether the device is diskless without being a client.'],
  ['drbd_device_quorum', 'gauge', 'Boolean whether this device has DRBD quorum (DRBD 9).'],
  ['drbd_device_open', 'gauge', 'Boolean whether this device is opened (DRBD 9).'],
  ['drbd_device_size_bytes', 'gauge', 'Device size in bytes (DRBD 9).'],
  ['drbd_device_read_bytes_total', 'counter', 'Net data read from the local disk.'],
  ['drbd_device_written_bytes_total', 'counter', 'Net data written to the local disk.'],
  ['drbd_device_alwrites_total', 'counter', 'Updates of the activity log area of the meta data.'],
  ['drbd_device_bmwrites_total', 'counter', 'Updates of the bitmap area of the meta data.'],
  ['drbd_device_upperpending', 'gauge', 'Block I/O requests forwarded to DRBD, not yet answered by DRBD.'],
  ['drbd_device_lowerpending', 'gauge', 'Open requests to the local I/O subsystem issued by DRBD.'],
  ['drbd_device_alsuspended', 'gauge', 'Boolean whether the activity log is suspended (DRBD 9; DRBD 8.3.10 and later: the last I/O flag).'],
  ['drbd_peerdevice_outofsync_bytes', 'gauge', 'Bytes currently out of sync with this peer, according to the bitmap DRBD has for it.'],
  ['drbd_peerdevice_sent_bytes_total', 'counter', 'Bytes sent to this peer (drbd-reactor: drbd_peerdevice_sent_bytes).'],
  ['drbd_peerdevice_received_bytes_total', 'counter', 'Bytes received from this peer (drbd-reactor: drbd_peerdevice_received_bytes).'],
  ['drbd_peerdevice_pending', 'gauge', 'Requests sent to this peer, not yet answered.'],
  ['drbd_peerdevice_unacked', 'gauge', 'Requests received from this peer, not yet acknowledged.'],
  ['drbd_peerdevice_replication_state', 'gauge', 'DRBD replication state with this peer (1 for the current one; DRBD 8: cs: while connected, Off otherwise).'],
  ['drbd_peerdevice_resync_done_ratio', 'gauge', 'Part of a running resync with this peer that is done (0 to 1).'],
  ['drbd_peerdevice_resync_remaining_seconds', 'gauge', 'Time a running resync with this peer needs to finish, as DRBD estimates it.'],
  ['lio_collector_unreadable_values', 'gauge', 'Values that could not be read in this collection and are missing from it (never written as 0).'],
];

/** The metrics of one collection, filled family by family in any order, printed in FAMILIES order. */
export class MetricSet {
  private readonly families = new Map<string, MetricFamily>(FAMILIES.map(([name, type, help]) => [name, { name, type, help, samples: [] }]));
  /** What could not be read, one line each. */
  readonly problems: string[] = [];

  add(name: string, labels: Labels, value: string): void {
    const family = this.families.get(name);
    if (!family) throw new Error(`unknown metric ${name}`);
    family.samples.push({ labels, value });
  }

  problem(text: string): void {
    this.problems.push(text);
  }

  /** The families, the error gauge last. */
  result(): MetricFamily[] {
    this.families.get('lio_collector_unreadable_values')!.samples = [{ labels: [], value: String(this.problems.length) }];
    return [...this.families.values()];
  }
}

const number = (name: string) => name.slice(name.lastIndexOf('_') + 1);

/** Label values of the login results and logout and error kinds, by kernel file name. */
const KIND: Record<string, [string, string]> = {
  accepts: ['result', 'success'],
  authorize_fails: ['result', 'authorization_failure'],
  authenticate_fails: ['result', 'authentication_failure'],
  negotiate_fails: ['result', 'negotiation_failure'],
  other_fails: ['result', 'other_failure'],
  redirects: ['result', 'redirect'],
  normal_logouts: ['kind', 'normal'],
  abnormal_logouts: ['kind', 'abnormal'],
  digest_errors: ['kind', 'digest'],
  cxn_errors: ['kind', 'connection'],
  format_errors: ['kind', 'format'],
  conn_digest_errors: ['kind', 'digest'],
  conn_timeout_errors: ['kind', 'timeout'],
};

const LUN_FILES: Record<string, [string, number]> = {
  read_mbytes: ['read_bytes_total', MiB],
  write_mbytes: ['written_bytes_total', MiB],
  in_cmds: ['commands_total', 1],
  num_cmds: ['commands_total', 1],
};

export interface LioSample {
  family: string;
  labels: Labels;
  /** Multiplies the kernel's number (MiB to bytes). */
  factor: number;
}

const TGT_PORT = ['read_mbytes', 'write_mbytes', 'in_cmds'];
const AUTH_INTR = ['read_mbytes', 'write_mbytes', 'num_cmds'];
/** Under a target's fabric_statistics. */
const TARGET_STATS = [
  'iscsi_instance/sessions',
  ...LOGIN_RESULTS.map((n) => `iscsi_login_stats/${n}`),
  ...LOGOUT_KINDS.map((n) => `iscsi_logout_stats/${n}`),
  ...SESSION_ERRORS.map((n) => `iscsi_sess_err/${n}`),
];

const SEG = '([^/]+)';
const TPG = `${SEG}/${SEG}/tpgt_(\\d+)`;
const PATTERNS: Array<[RegExp, (m: string[]) => LioSample]> = [
  [
    new RegExp(`^${TPG}/lun/lun_(\\d+)/statistics/scsi_tgt_port/(${TGT_PORT.join('|')})$`),
    ([, fabric, target, tpgt, lun, file]) => ({ family: `lio_lun_${LUN_FILES[file!]![0]}`, factor: LUN_FILES[file!]![1], labels: [['fabric', fabric!], ['target', target!], ['tpgt', tpgt!], ['lun', lun!]] }),
  ],
  [
    new RegExp(`^${TPG}/acls/${SEG}/lun_(\\d+)/statistics/scsi_auth_intr/(${AUTH_INTR.join('|')})$`),
    ([, fabric, target, tpgt, initiator, lun, file]) => ({
      family: `lio_initiator_lun_${LUN_FILES[file!]![0]}`,
      factor: LUN_FILES[file!]![1],
      labels: [['fabric', fabric!], ['target', target!], ['tpgt', tpgt!], ['initiator', initiator!], ['lun', lun!]],
    }),
  ],
  [new RegExp(`^iscsi/${SEG}/fabric_statistics/iscsi_instance/sessions$`), ([, target]) => ({ family: 'lio_iscsi_target_sessions', factor: 1, labels: [['target', target!]] })],
  [
    new RegExp(`^iscsi/${SEG}/fabric_statistics/(?:iscsi_login_stats/(${LOGIN_RESULTS.join('|')})|iscsi_logout_stats/(${LOGOUT_KINDS.join('|')})|iscsi_sess_err/(${SESSION_ERRORS.join('|')}))$`),
    ([, target, login, logout, error]) => ({
      family: login ? 'lio_iscsi_target_logins_total' : logout ? 'lio_iscsi_target_logouts_total' : 'lio_iscsi_target_session_errors_total',
      factor: 1,
      labels: [['target', target!], KIND[(login ?? logout ?? error)!]!],
    }),
  ],
  [
    new RegExp(`^iscsi/${SEG}/tpgt_(\\d+)/acls/${SEG}/fabric_statistics/iscsi_sess_stats/(${CONNECTION_ERRORS.join('|')})$`),
    ([, target, tpgt, initiator, file]) => ({ family: 'lio_iscsi_initiator_connection_errors_total', factor: 1, labels: [['target', target!], ['tpgt', tpgt!], ['initiator', initiator!], KIND[file!]!] }),
  ],
];

/**
 * How the `[PATH]` header of every archived path that lioSampleOf maps ends: `archive export`
 * looks for these instead of reading each of a snapshot's tens of thousands of entries.
 */
export const LIO_SAMPLE_ENDINGS: readonly string[] = [
  ...TGT_PORT.map((file) => `/statistics/scsi_tgt_port/${file}]`),
  ...AUTH_INTR.map((file) => `/statistics/scsi_auth_intr/${file}]`),
  ...TARGET_STATS.map((file) => `/fabric_statistics/${file}]`),
  ...CONNECTION_ERRORS.map((file) => `/fabric_statistics/iscsi_sess_stats/${file}]`),
];

/** The sample a statistics file gives (path relative to the configfs root, no leading "/"), or null. */
export function lioSampleOf(rel: string): LioSample | null {
  for (const [pattern, make] of PATTERNS) {
    const match = pattern.exec(rel);
    if (match) return make(match as unknown as string[]);
  }
  return null;
}

/** Adds the sample of one statistics file with its value (kernel digits). */
export function addLioValue(set: MetricSet, sample: LioSample, digits: string): void {
  set.add(sample.family, sample.labels, scaledDigits(digits, sample.factor));
}

function addFile(set: MetricSet, path: string, sample: LioSample, openAs = path): void {
  const read = readCounter(path, openAs);
  if ('value' in read) addLioValue(set, sample, read.value);
  else set.problem(read.problem);
}

/** A LUN counter file's sample without its labels, as lioSampleOf maps its path. */
interface LunFile {
  file: string;
  family: string;
  factor: number;
}

const lunFiles = (files: readonly string[], familyPrefix: string): LunFile[] => files.map((file) => ({ file, family: `${familyPrefix}${LUN_FILES[file]![0]}`, factor: LUN_FILES[file]![1] }));
const TGT_PORT_FILES = lunFiles(TGT_PORT, 'lio_lun_');
const AUTH_INTR_FILES = lunFiles(AUTH_INTR, 'lio_initiator_lun_');

/**
 * The counters of one LUN directory (dir, a path from the TPG's directory), as lioSampleOf maps
 * their paths, made from the parts of the tree already known: thousands of paths need not be
 * matched against the patterns. One labels object for the LUN's files, formatted once
 * (formatText). The files are opened from inside the TPG's directory (DirectoryCursor), as the
 * plugins open them: the kernel looks up a few path components instead of all of them.
 */
function addLunFiles(set: MetricSet, cursor: DirectoryCursor, tpgPath: string, dir: string, files: readonly LunFile[], labels: Labels): void {
  for (const { file, family, factor } of files) {
    const inTpg = `${dir}/${file}`;
    const openAs = cursor.path(tpgPath, inTpg);
    // A counter as the kernel writes it, scaled exactly (below 2^53), as scaledDigits would give
    // it, without a result object or its digits parsed again; anything else is read again as text.
    const plain = readPlainCounter(openAs);
    if (plain !== null && plain * factor <= Number.MAX_SAFE_INTEGER) set.add(family, labels, String(plain * factor));
    else addFile(set, `${tpgPath}/${inTpg}`, { family, factor, labels }, openAs);
  }
}

/** The LIO and iSCSI metrics of the configfs tree at root. */
export function addLioMetrics(set: MetricSet, root: string): void {
  const tree = readLioTree(root);
  for (const dir of tree.unlisted) set.problem(`cannot list ${dir.path}: ${dir.error}`);
  const iscsiTargets = new Set<string>();
  const cursor = new DirectoryCursor('');
  try {
    for (const tpg of tree.tpgs) {
      const tpgt = number(tpg.tpgt);
      for (const lun of tpg.luns) {
        const labels: Labels = [['fabric', tpg.fabric], ['target', tpg.target], ['tpgt', tpgt], ['lun', number(lun)]];
        addLunFiles(set, cursor, tpg.path, `lun/${lun}/statistics/scsi_tgt_port`, TGT_PORT_FILES, labels);
      }
      for (const acl of tpg.acls) {
        for (const lun of acl.mappedLuns) {
          const labels: Labels = [['fabric', tpg.fabric], ['target', tpg.target], ['tpgt', tpgt], ['initiator', acl.initiator], ['lun', number(lun)]];
          addLunFiles(set, cursor, tpg.path, `acls/${acl.initiator}/${lun}/statistics/scsi_auth_intr`, AUTH_INTR_FILES, labels);
        }
      }
      if (tpg.fabric !== 'iscsi' || !hasIscsiStatistics(`${root}/iscsi/${tpg.target}`)) continue;
      if (!iscsiTargets.has(tpg.target)) {
        iscsiTargets.add(tpg.target);
        for (const file of TARGET_STATS) {
          const rel = `iscsi/${tpg.target}/fabric_statistics/${file}`;
          addFile(set, `${root}/${rel}`, lioSampleOf(rel)!);
        }
      }
      addSessions(set, root, tpg.target, tpg.tpgt, tpg.acls.map((a) => a.initiator));
    }
  } finally {
    cursor.restore();
  }
}

function addSessions(set: MetricSet, root: string, target: string, tpgtDir: string, initiators: string[]): void {
  const tpgPath = `${root}/iscsi/${target}/${tpgtDir}`;
  const tpgt = number(tpgtDir);
  for (const initiator of initiators) {
    const aclPath = `${tpgPath}/acls/${initiator}`;
    const labels: Labels = [['target', target], ['tpgt', tpgt], ['initiator', initiator]];
    const session = readAclSession(aclPath);
    if (session.loggedIn === null) set.problem(session.problem ?? `${aclPath}/info: session state unknown`);
    else set.add('lio_iscsi_initiator_logged_in', labels, session.loggedIn ? '1' : '0');
    const problems: string[] = [];
    const errors = readConnectionErrors(aclPath, problems);
    for (const problem of problems) set.problem(problem);
    for (const [name, value] of Object.entries(errors.values)) {
      if (value !== null) set.add('lio_iscsi_initiator_connection_errors_total', [...labels, KIND[name]!], value);
    }
  }
  const problems: string[] = [];
  const dynamic = readDynamicSessions(tpgPath, problems) ?? [];
  for (const problem of problems) set.problem(problem);
  for (const initiator of dynamic) set.add('lio_iscsi_initiator_logged_in', [['target', target], ['tpgt', tpgt], ['initiator', initiator]], '1');
}

// drbd-reactor's state names (src/drbd.rs: Role, ConnectionState, DiskState), and DRBD 9's
// replication states (drbd_strings.c) with DRBD 8's resync states.
const ROLES = ['Unknown', 'Primary', 'Secondary'];
const CONNECTION_STATES = ['StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError', 'TearDown', 'Connecting', 'Connected'];
const DISK_STATES = ['Diskless', 'Attaching', 'Detaching', 'Failed', 'Negotiating', 'Inconsistent', 'Outdated', 'DUnknown', 'Consistent', 'UpToDate'];
const REPLICATION_STATES = [
  'Off', 'Established', 'StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID', 'SyncSource', 'SyncTarget',
  'VerifyS', 'VerifyT', 'PausedSyncS', 'PausedSyncT', 'Ahead', 'Behind', 'SkippedSyncS', 'SkippedSyncT',
];

/** One sample per known state, 1 for the current one (all 0 for a state word not known here). */
function addEnum(set: MetricSet, name: string, labels: Labels, states: readonly string[], current: string | null): void {
  if (current === null) return;
  for (const state of states) set.add(name, [...labels, [name, state]], state === current ? '1' : '0');
}

const flag = (value: boolean) => (value ? '1' : '0');

/** DRBD 8's cs: as drbd-reactor's connection state, and as a replication state. */
function drbd8States(cs: string | null): { connection: string | null; replication: string | null } {
  if (cs === null) return { connection: null, replication: null };
  const connected = isConnected8(cs);
  if (connected) return { connection: 'Connected', replication: cs === 'Connected' ? 'Established' : cs };
  if (connected === null) return { connection: cs, replication: null };
  return { connection: cs === 'WFConnection' || cs === 'WFReportParams' ? 'Connecting' : cs, replication: 'Off' };
}

/**
 * How a source names a device, and what it says of it beyond DrbdDeviceState, in events2's words
 * (DRBD 8: its I/O flags as `suspended:` and `al-suspended:`); a word not said is not there.
 */
interface DrbdDetails {
  /** drbd-reactor's `name`: the resource (DRBD 8: the device, drbd<minor>). */
  name: string;
  volume: string;
  /** suspended, may_promote, promotion_score, force-io-failures */
  resource: Props;
  /** open, size, al-suspended */
  device: Props;
  /** peer-node-id, congested, ap-in-flight, rs-in-flight */
  connection: (peer: string | null) => Props;
}

const NONE: Props = {};

/** A yes/no word as 1/0; nothing for another word (drbdsetup prints open:unknown for an older kernel) or none. */
function addYesNo(set: MetricSet, name: string, labels: Labels, word: string | undefined): void {
  const value = parseYesNo(word);
  if (value !== null) set.add(name, labels, flag(value));
}

const INTEGER = /^-?\d+$/;

/** A number events2 printed, times factor; a word that is not a number is a problem. */
function addPrinted(set: MetricSet, name: string, labels: Labels, props: Props, key: string, factor: number): void {
  const value = props[key];
  if (value === undefined) return;
  if (INTEGER.test(value)) set.add(name, labels, scaledDigits(value, factor));
  else set.problem(`DRBD ${labels.map(([k, v]) => `${k}=${v}`).join(' ')}: ${key}:${value} is not a number`);
}

function addCounter(set: MetricSet, name: string, labels: Labels, counters: Partial<Record<DrbdCounter, string | null>>, key: DrbdCounter, factor: number): void {
  const value = counters[key];
  if (value === undefined) return;
  if (value === null) set.problem(`DRBD ${labels.map(([k, v]) => `${k}=${v}`).join(' ')}: ${key} not reported`);
  else set.add(name, labels, scaledDigits(value, factor));
}

function addDrbdDevices(set: MetricSet, volumes: DrbdVolume[], states: DrbdDeviceState[], details: (state: DrbdDeviceState) => DrbdDetails, drbd8: boolean): void {
  const resources = new Set<string>();
  const connections = new Set<string>();
  const volumeOf = new Map<number, DrbdVolume>();
  for (const volume of volumes) if (!volumeOf.has(volume.minor)) volumeOf.set(volume.minor, volume);
  for (const state of states) {
    const volume = volumeOf.get(state.minor);
    const id = details(state);
    const device: Labels = [['name', id.name], ['volume', id.volume], ['minor', String(state.minor)]];
    if (!resources.has(id.name)) {
      resources.add(id.name);
      const resource: Labels = [['name', id.name]];
      addEnum(set, 'drbd_resource_role', resource, ROLES, state.role);
      if (id.resource.suspended !== undefined) set.add('drbd_resource_suspended', resource, flag(id.resource.suspended !== 'no'));
      addYesNo(set, 'drbd_resource_maypromote', resource, id.resource.may_promote);
      addPrinted(set, 'drbd_resource_promotionscore', resource, id.resource, 'promotion_score', 1);
      addYesNo(set, 'drbd_resource_forceiofailures', resource, id.resource['force-io-failures']);
    }
    addEnum(set, 'drbd_device_state', device, DISK_STATES, state.disk);
    if (!drbd8) set.add('drbd_device_client', device, flag(state.client));
    if (state.disk !== null) set.add('drbd_device_unintentionaldiskless', device, flag(!state.client && state.disk === 'Diskless'));
    if (state.quorum !== null) set.add('drbd_device_quorum', device, flag(state.quorum));
    addYesNo(set, 'drbd_device_open', device, id.device.open);
    addPrinted(set, 'drbd_device_size_bytes', device, id.device, 'size', KiB);
    addYesNo(set, 'drbd_device_alsuspended', device, id.device['al-suspended']);
    if (volume) {
      addCounter(set, 'drbd_device_read_bytes_total', device, volume.device, 'dr', KiB);
      addCounter(set, 'drbd_device_written_bytes_total', device, volume.device, 'dw', KiB);
      addCounter(set, 'drbd_device_alwrites_total', device, volume.device, 'al', 1);
      addCounter(set, 'drbd_device_bmwrites_total', device, volume.device, 'bm', 1);
      addCounter(set, 'drbd_device_upperpending', device, volume.device, 'ap', 1);
      addCounter(set, 'drbd_device_lowerpending', device, volume.device, 'lo', 1);
    }
    for (const peer of state.peers) {
      const connection: Array<[string, string]> = [['name', id.name]];
      if (peer.name !== null) connection.push(['conn_name', peer.name]);
      const said = id.connection(peer.name);
      const nodeId = said['peer-node-id'];
      if (nodeId !== undefined) connection.push(['peer_node_id', nodeId]);
      const states8 = drbd8 ? drbd8States(peer.connection) : { connection: peer.connection, replication: peer.replication };
      const connectionKey = connection.map(([, v]) => v).join('\0');
      if (!connections.has(connectionKey)) {
        connections.add(connectionKey);
        addEnum(set, 'drbd_connection_state', connection, CONNECTION_STATES, states8.connection);
        addYesNo(set, 'drbd_connection_congested', connection, said.congested);
        // In 512-byte sectors (drbd-headers drbd_genl.h), printed as they are.
        addPrinted(set, 'drbd_connection_apinflight_bytes', connection, said, 'ap-in-flight', 512);
        addPrinted(set, 'drbd_connection_rsinflight_bytes', connection, said, 'rs-in-flight', 512);
      }
      const peerDevice: Labels = [...connection, ['volume', id.volume]];
      const counters = volume?.peers.find((p) => p.name === peer.name)?.counters;
      if (counters) {
        addCounter(set, 'drbd_peerdevice_outofsync_bytes', peerDevice, counters, 'oos', KiB);
        addCounter(set, 'drbd_peerdevice_sent_bytes_total', peerDevice, counters, 'ns', KiB);
        addCounter(set, 'drbd_peerdevice_received_bytes_total', peerDevice, counters, 'nr', KiB);
        addCounter(set, 'drbd_peerdevice_pending', peerDevice, counters, 'pe', 1);
        addCounter(set, 'drbd_peerdevice_unacked', peerDevice, counters, 'ua', 1);
      }
      addEnum(set, 'drbd_peerdevice_replication_state', peerDevice, REPLICATION_STATES, states8.replication);
      if (peer.resync?.percent != null) set.add('drbd_peerdevice_resync_done_ratio', peerDevice, String(peer.resync.percent / 100));
      if (peer.resync?.secondsLeft != null) set.add('drbd_peerdevice_resync_remaining_seconds', peerDevice, String(peer.resync.secondsLeft));
    }
  }
}

/** drbd-reactor's `drbd_version`, kmod only (its utils is drbdadm's version, a command we do not run). */
export function addDrbdVersion(set: MetricSet, proc: ProcDrbd): void {
  // drbd-reactor prints DRBD_KERNEL_VERSION_CODE as major.minor.patch; /proc/drbd may add a release (9.0.22-2).
  const kmod = proc.version === null ? null : /^\d+\.\d+\.\d+/.exec(proc.version)?.[0];
  if (kmod) set.add('drbd_version', [['kmod', kmod]], '1');
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** The metrics of DRBD 8's /proc/drbd, parsed. */
export function addProcDrbdMetrics(set: MetricSet, proc: ProcDrbd): void {
  const states = procDrbdStates(proc);
  set.add('drbdreactor_up', [], '1');
  set.add('drbd_resource_resources', [], String(states.length));
  const deviceOf = new Map(proc.devices.map((d) => [d.minor, d]));
  const details = (s: DrbdDeviceState): DrbdDetails => {
    const flags = ioFlags(deviceOf.get(s.minor)!);
    return {
      name: `drbd${s.minor}`,
      volume: '0',
      resource: flags ? { suspended: yesNo(flags.suspended) } : NONE,
      device: flags?.alSuspended != null ? { 'al-suspended': yesNo(flags.alSuspended) } : NONE,
      connection: () => NONE,
    };
  };
  addDrbdDevices(set, procDrbdVolumes(proc), states, details, true);
}

/** The metrics of DRBD 9's events2 text; origin names it in problems. */
export function addEvents2Metrics(set: MetricSet, text: string, origin: string): void {
  const parsed = parseEvents2Volumes(text, origin);
  if ('empty' in parsed) return set.problem(parsed.empty);
  const { volumes, state } = parsed;
  set.add('drbdreactor_up', [], '1');
  set.add('drbd_resource_resources', [], String(state.resources.size));
  const deviceOf = new Map<string, DeviceObject>();
  for (const device of state.devices.values()) if (device.props.minor !== undefined) deviceOf.set(device.props.minor, device);
  const details = (s: DrbdDeviceState): DrbdDetails => {
    const device = deviceOf.get(String(s.minor));
    return {
      name: s.resource!,
      volume: device?.volume ?? '0',
      resource: state.resources.get(s.resource!) ?? NONE,
      device: device?.props ?? NONE,
      connection: (peer) => state.connections.get(`${s.resource}\0${peer}`) ?? NONE,
    };
  };
  addDrbdDevices(set, volumes, events2StatesOf(state), details, false);
}



/** The DRBD metrics of this node, read as sources say; nothing when DRBD is not loaded. */
export function addDrbdMetrics(set: MetricSet, sources: DrbdSources): void {
  const text = readDrbdText(sources);
  switch (text.kind) {
    case 'absent':
      return;
    case 'unreadable':
      return set.problem(`cannot read ${sources.proc}: ${briefError(text.error)}`);
    case 'drbd8':
      addDrbdVersion(set, text.proc);
      return addProcDrbdMetrics(set, text.proc);
    case 'drbd9':
      addDrbdVersion(set, text.proc);
      if (!text.events2.ok) return set.problem(text.events2.reason);
      return addEvents2Metrics(set, text.events2.text, text.events2.origin);
  }
}

export interface CollectOptions {
  root: string;
  /** null: no DRBD metrics. */
  drbd: DrbdSources | null;
}

/** Everything `lio-collector metrics` prints, and what could not be read. */
export function collectMetrics(options: CollectOptions): { families: MetricFamily[]; problems: string[] } {
  const set = new MetricSet();
  addLioMetrics(set, options.root);
  if (options.drbd) addDrbdMetrics(set, options.drbd);
  return { families: set.result(), problems: set.problems };
}
