// The lio_disk graphs: throughput, IOPS, latency and utilization of LIO targets, as overviews
// with one line (or read/write pair) per target and drill-down graphs per target, so that no graph
// grows with the whole system (Munin's diskstats is the model; see README).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type Picomatch from 'picomatch';
import { DirectoryCursor } from '../../lib/directory-cursor.js';
import { blockDeviceNames, blockStatPath, DEFAULT_BLOCK_ROOT, DEFAULT_DEV_ROOT, readBlockStat, type BlockStat } from '../../lib/kernel/block-stat.js';
import { DEFAULT_TARGET_ROOT, isRecalled, readCounter, readLioTree, readLunBackstore, readPlainCounter, type LioTpg } from '../../lib/kernel/configfs.js';
import { readListedLioTree } from './lio-listings.js';
import { AlertRanges } from '../../lib/munin/alert-ranges.js';
import { cleanName, FieldNames } from '../../lib/munin/field-names.js';
import { warn, type Field, type Graph, type Plugin } from '../../lib/munin/protocol.js';
import { shortTarget } from './lio.js';
import { PluginState } from './plugin-state.js';

// The previous stat reading of each block device: latency and utilization are differences.
const STATE_FILE = 'lio-munin-lio-disk.json';

/** Counters of one LUN or one initiator: cumulative MiB read and written, commands. */
interface Counters {
  read: number | null;
  write: number | null;
  cmds: number | null;
}

/** What a block device did between the previous run and this one. */
interface DeviceRates {
  /** Average seconds a read (a write) took, queue included; 0 when there was none. */
  readWait: number;
  writeWait: number;
  /** Percent of the time the device had I/O in flight. */
  busy: number;
  /** The differences the target overview sums. */
  readIos: number;
  readTicks: number;
  writeIos: number;
  writeTicks: number;
}

interface DiskLun {
  lun: string;
  key: string;
  /** The kernel name of the block device behind the backstore (dm-3, drbd0, sdb), or null. */
  device: string | null;
  /** What the LUN exports, for labels and infos: e.g. iblock_0/lv0 on /dev/vg1/lv0. */
  backstore: string;
  counters: Counters;
}

interface DiskInitiator {
  name: string;
  key: string;
  mappedLuns: string[];
  counters: Counters;
}

interface DiskTarget {
  tpg: LioTpg;
  /** Graph and field name part, unique in the run: the cleaned target name (and TPG). */
  key: string;
  label: string;
  luns: DiskLun[];
  initiators: DiskInitiator[];
}

interface Model {
  targets: DiskTarget[];
  /** Rates per device name; absent when not known (first run, unreadable, counter went back). */
  rates: Map<string, DeviceRates>;
}

/** Whitespace- or comma-separated picomatch patterns; null when none are set. */
function matcher(setting: string | undefined): ((name: string) => boolean) | null {
  const patterns = (setting ?? '').split(/[\s,]+/).filter((p) => p !== '');
  if (patterns.length === 0) return null;
  // Loaded only when a pattern is set (the plugin runs as a CommonJS bundle, in which esbuild
  // makes this call evaluate the bundled picomatch): evaluating it at every start cost about a
  // tenth of Node's own start-up (bench/README.md).
  const picomatch = require('picomatch') as typeof Picomatch;
  return picomatch(patterns);
}

/**
 * env.include / env.exclude on target and initiator names: an excluded name is left out; with
 * include set, a target is kept when it or one of its initiators matches, an initiator when it or
 * its target matches.
 */
export function nameFilter(env: NodeJS.ProcessEnv): { target(t: LioTpg): boolean; initiator(t: LioTpg, initiator: string): boolean } {
  const include = matcher(env.include);
  const exclude = matcher(env.exclude);
  const initiator = (t: LioTpg, name: string) => !exclude?.(name) && (!include || include(t.target) || include(name));
  return {
    target: (t) => !exclude?.(t.target) && (!include || include(t.target) || t.acls.some((a) => initiator(t, a.initiator))),
    initiator,
  };
}

const NO_COUNTERS: Counters = { read: null, write: null, cmds: null };

/** One counter, by its path from the TPG's directory; null (said on stderr) when it cannot be read. */
function readOne(tpg: LioTpg, inTpg: string, cursor: DirectoryCursor): number | null {
  const openAs = cursor.path(tpg.path, inTpg);
  const plain = readPlainCounter(openAs);
  if (plain !== null) return plain;
  // Anything but a plain counter is read again, to be checked and said as everywhere else.
  const read = readCounter(`${tpg.path}/${inTpg}`, openAs);
  if ('value' in read) return Number(read.value);
  warn(read.problem);
  return null;
}

/**
 * Adds the three counters of a statistics directory (a path from the TPG's directory) to total,
 * which it returns; a sum with an unknown part is unknown. Summed as they are read: thousands of
 * mapped LUNs need no object each.
 */
function addCounters(total: Counters, tpg: LioTpg, dir: string, cmdsFile: string, cursor: DirectoryCursor): Counters {
  const read = readOne(tpg, `${dir}/read_mbytes`, cursor);
  const write = readOne(tpg, `${dir}/write_mbytes`, cursor);
  const cmds = readOne(tpg, `${dir}/${cmdsFile}`, cursor);
  total.read = total.read === null || read === null ? null : total.read + read;
  total.write = total.write === null || write === null ? null : total.write + write;
  total.cmds = total.cmds === null || cmds === null ? null : total.cmds + cmds;
  return total;
}

const zero = (): Counters => ({ read: 0, write: 0, cmds: 0 });

function sum(all: Counters[]): Counters {
  const add = (k: keyof Counters) => all.reduce<number | null>((s, c) => (s === null || c[k] === null ? null : s + c[k]!), 0);
  return { read: add('read'), write: add('write'), cmds: add('cmds') };
}

function buildModel(env: NodeJS.ProcessEnv, withValues: boolean): Model {
  // Absolute: the counters are read from inside each TPG's directory (DirectoryCursor).
  const root = resolve(env.target_root || DEFAULT_TARGET_ROOT);
  const blockRoot = resolve(env.block_root || DEFAULT_BLOCK_ROOT);
  const devRoot = resolve(env.dev_root || DEFAULT_DEV_ROOT);
  const filter = nameFilter(env);
  // A directory that cannot be listed is said once; the fields below it are U, as last listed.
  const tree = readListedLioTree(root, env);
  /** Adds a statistics directory's counters to total; one under a directory not listable now is U. */
  const addTo = (total: Counters, tpg: LioTpg, dir: string, cmdsFile: string) =>
    isRecalled(tree, `${tpg.path}/${dir}`) ? { read: null, write: null, cmds: null } : addCounters(total, tpg, dir, cmdsFile, cursor!);
  const targetKeys = new FieldNames();
  const cursor = withValues ? new DirectoryCursor('') : null;
  const deviceName = blockDeviceNames(devRoot);
  /** The stat file of each device behind a LUN. */
  const statPaths = new Map<string, string>();
  const targets: DiskTarget[] = [];
  try {
    for (const tpg of tree.tpgs) {
      if (!filter.target(tpg)) continue;
      const tpgName = tpg.tpgt === 'tpgt_1' ? '' : tpg.tpgt;
      const key = targetKeys.next(cleanName(tpg.target) + tpgName, tpg.path);
      const label = [tpg.fabric === 'iscsi' ? '' : `${tpg.fabric} `, shortTarget(tpg.target), tpgName ? ` ${tpgName}` : ''].join('');
      const lunKeys = new FieldNames();
      const luns = tpg.luns.map((lun): DiskLun => {
        const backstore = readLunBackstore(root, `${tpg.path}/lun/${lun}`);
        const name = backstore?.udevPath ? deviceName(backstore.udevPath) : null;
        // A name without a stat file is no block device (a file under /dev, a vanished device).
        const statPath = name === null ? null : (statPaths.get(name) ?? blockStatPath(name, blockRoot));
        const device = statPath !== null ? name : null;
        if (device) statPaths.set(device, statPath!);
        return {
          lun,
          key: lunKeys.next(lun, lun),
          device,
          backstore: backstore ? `${backstore.hba}/${backstore.name}${backstore.udevPath ? ` on ${backstore.udevPath}` : ''}` : 'no backstore link',
          counters: cursor ? addTo(zero(), tpg, `lun/${lun}/statistics/scsi_tgt_port`, 'in_cmds') : NO_COUNTERS,
        };
      });
      const initiatorKeys = new FieldNames();
      const initiators = tpg.acls
        .filter((acl) => filter.initiator(tpg, acl.initiator))
        .map((acl): DiskInitiator => ({
          name: acl.initiator,
          key: initiatorKeys.next(cleanName(acl.initiator), acl.initiator),
          mappedLuns: acl.mappedLuns,
          counters: cursor ? acl.mappedLuns.reduce((total, m) => addTo(total, tpg, `acls/${acl.initiator}/${m}/statistics/scsi_auth_intr`, 'num_cmds'), zero()) : NO_COUNTERS,
        }));
      targets.push({ tpg, key, label, luns, initiators });
    }
  } finally {
    try {
      cursor?.restore();
    } catch {
      // Removed meanwhile: the values are read, and nothing after this uses relative paths.
    }
  }
  return { targets, rates: withValues ? deviceRates(env, statPaths) : new Map() };
}

interface KeptReadings {
  /** Milliseconds since the epoch. */
  time: number;
  devices: Record<string, BlockStat>;
}

/** The kept readings, or null when there are none or the file is damaged. */
function loadKept(state: PluginState): KeptReadings | null {
  const kept = state.load() as Partial<KeptReadings> | null;
  if (!kept || typeof kept.time !== 'number' || typeof kept.devices !== 'object' || kept.devices === null) return null;
  return kept as KeptReadings;
}

const STAT_KEYS = ['readIos', 'readTicks', 'writeIos', 'writeTicks', 'ioTicks'] as const;

/** Reads every device's stat now and compares it with the kept reading, which it replaces. */
function deviceRates(env: NodeJS.ProcessEnv, statPaths: Map<string, string>): Map<string, DeviceRates> {
  // Rewritten every run, and not synced: the two syncs cost milliseconds a run on a busy disk, and
  // after a crash the readings are worthless anyway (the counters restart with the kernel).
  const state = new PluginState(env, STATE_FILE, { durable: false });
  const previous = loadKept(state);
  const now: KeptReadings = { time: Date.now(), devices: {} };
  const rates = new Map<string, DeviceRates>();
  for (const [device, path] of statPaths) {
    const stat = readBlockStat(path);
    if ('problem' in stat) {
      warn(stat.problem);
      continue;
    }
    now.devices[device] = stat;
    const before = previous?.devices[device];
    const elapsed = previous ? now.time - previous.time : 0;
    if (!before || elapsed <= 0 || !STAT_KEYS.every((k) => typeof before[k] === 'number' && stat[k] >= before[k])) continue;
    // A counter that went back (a reboot, a device re-created, a 32-bit tick counter wrapping)
    // gives one unknown sample, as DERIVE fields do.
    const readIos = stat.readIos - before.readIos;
    const readTicks = stat.readTicks - before.readTicks;
    const writeIos = stat.writeIos - before.writeIos;
    const writeTicks = stat.writeTicks - before.writeTicks;
    rates.set(device, {
      readWait: readIos > 0 ? readTicks / readIos / 1000 : 0,
      writeWait: writeIos > 0 ? writeTicks / writeIos / 1000 : 0,
      busy: ((stat.ioTicks - before.ioTicks) / elapsed) * 100,
      readIos,
      readTicks,
      writeIos,
      writeTicks,
    });
  }
  const problem = state.save(now, 'the block device readings');
  if (problem) warn(problem);
  return rates;
}

/** A number as a value: at most 6 decimals, no exponent; null stays unknown. */
function decimal(n: number | null | undefined): string | null {
  if (n === null || n === undefined || !Number.isFinite(n)) return null;
  return String(Math.round(n * 1e6) / 1e6);
}

/** A read/write pair of fields: reads below the axis (not drawn by themselves), writes above. */
function pair(key: string, label: string, info: string, kind: 'bytes' | 'seconds', read: string | null, write: string | null, withConfig: boolean): Field[] {
  const readName = `${key}_read`;
  const writeName = `${key}_write`;
  const counter = kind === 'bytes';
  const type = counter ? 'DERIVE' : 'GAUGE';
  return [
    { name: readName, label, info: withConfig ? `${info} (read, below the axis)` : undefined, type, min: 0, hidden: withConfig, cdef: counter && withConfig ? `${readName},1048576,*` : undefined, value: read },
    { name: writeName, label, info: withConfig ? `${info} (written, above the axis)` : undefined, type, min: 0, negative: withConfig ? readName : undefined, cdef: counter && withConfig ? `${writeName},1048576,*` : undefined, value: write },
  ];
}

const str = (n: number | null) => (n === null ? null : String(n));

/** graph_* attributes of one graph. */
function attributes(title: string, vlabel: string, info: string, args: string, extra: Array<[string, string]> = []): Array<[string, string]> {
  return [['graph_title', title], ['graph_category', 'san'], ['graph_info', info], ['graph_vlabel', vlabel], ['graph_args', args], ...extra];
}

const BYTES = { vlabel: 'bytes per ${graph_period} read (-) / written (+)', args: '--base 1024', extra: [['graph_period', 'second'], ['graph_printf', '%7.2lf']] as Array<[string, string]> };
const IOPS = { vlabel: 'commands per ${graph_period}', args: '--base 1000 --lower-limit 0', extra: [['graph_period', 'second']] as Array<[string, string]> };
const LATENCY = { vlabel: 'seconds per read (-) / write (+)', args: '--base 1000' };
const BUSY = { vlabel: '% busy', args: '--base 1000 --lower-limit 0 --upper-limit 100' };

export function lioDiskPlugin(env: NodeJS.ProcessEnv): Plugin<Graph[]> {
  const root = env.target_root || DEFAULT_TARGET_ROOT;
  return {
    autoconf() {
      if (env.MUNIN_CAP_MULTIGRAPH !== '1') return 'no (munin-node does not announce multigraph support (MUNIN_CAP_MULTIGRAPH): lio_disk needs Munin 1.4 or later)';
      if (!existsSync(root)) return `no (${root} not found: target_core_mod not loaded or configfs not mounted)`;
      if (!readLioTree(root).tpgs.some((tpg) => tpg.luns.length > 0)) return `no (no LIO target exports a LUN under ${root})`;
      return 'yes';
    },
    graph(withValues, withConfig = true) {
      // The alert ranges are config only: a fetch does not look at the settings.
      const ranges = withConfig ? new AlertRanges({ ...env }, [{ kind: 'latency', warning: '0:3' }], /^\w+$/) : null;
      return graphs(buildModel(env, withValues), ranges, withConfig);
    },
  };
}

/** A graph, and whether it has any field (without making them). */
interface LaterGraph extends Graph {
  hasFields: boolean;
}

/**
 * A graph whose fields are made when it is printed, anew each time (see Graph.fields): a config
 * then holds one graph's fields at a time instead of every graph's until the end, which each
 * scavenge copied again (bench/README.md). The device graphs of a target have fields: they are
 * made only for targets with a device.
 */
function later(name: string, attributes: Array<[string, string]>, hasFields: boolean, make: () => Field[]): LaterGraph {
  // Without fields, an empty array: a fetch leaves such a graph out (runMode).
  return { name, attributes, hasFields, fields: hasFields ? { [Symbol.iterator]: () => make()[Symbol.iterator]() } : [] };
}

function graphs(model: Model, ranges: AlertRanges | null, withConfig: boolean): Graph[] {
  const result: LaterGraph[] = [];
  const c = withConfig;
  const { targets, rates } = model;

  // Throughput and IOPS per target (its LUNs), then what its initiators moved.
  result.push(later('lio_disk_bytes', attributes('LIO throughput per target', BYTES.vlabel, 'Bytes read from (below the axis) and written to (above) each target, all its LUNs together, from the scsi_tgt_port counters. Click a target for its LUNs.', BYTES.args, BYTES.extra), targets.length > 0, () =>
    targets.flatMap((t) => {
      const total = sum(t.luns.map((l) => l.counters));
      return pair(t.key, t.label, `Bytes moved on ${t.tpg.target} ${t.tpg.tpgt}`, 'bytes', str(total.read), str(total.write), c);
    })));
  for (const t of targets) {
    result.push(later(`lio_disk_bytes.${t.key}`, attributes(`LIO throughput of ${t.label} per LUN`, BYTES.vlabel, `Bytes read from (below the axis) and written to (above) each LUN of ${t.tpg.fabric}/${t.tpg.target}/${t.tpg.tpgt}, all initiators together.`, BYTES.args, BYTES.extra), t.luns.length > 0, () =>
      t.luns.flatMap((l) => pair(l.key, `${l.lun} (${l.backstore})`, `Bytes moved on ${l.lun}`, 'bytes', str(l.counters.read), str(l.counters.write), c))));
  }
  result.push(later('lio_disk_iops', attributes('LIO commands per target', IOPS.vlabel, 'SCSI commands (reads, writes and others) each target received, all its LUNs together, from scsi_tgt_port/in_cmds. Click a target for its LUNs.', IOPS.args, IOPS.extra), targets.length > 0, () =>
    targets.map((t) => ({ name: t.key, label: t.label, info: c ? `Commands on ${t.tpg.target} ${t.tpg.tpgt}` : undefined, type: 'DERIVE', min: 0, value: str(sum(t.luns.map((l) => l.counters)).cmds) }))));
  for (const t of targets) {
    result.push(later(`lio_disk_iops.${t.key}`, attributes(`LIO commands on ${t.label} per LUN`, IOPS.vlabel, `SCSI commands each LUN of ${t.tpg.fabric}/${t.tpg.target}/${t.tpg.tpgt} received, all initiators together.`, IOPS.args, IOPS.extra), t.luns.length > 0, () =>
      t.luns.map((l) => ({ name: l.key, label: `${l.lun} (${l.backstore})`, info: c ? `Commands on ${l.lun}` : undefined, type: 'DERIVE', min: 0, value: str(l.counters.cmds) }))));
  }
  const withInitiators = targets.filter((t) => t.initiators.length > 0);
  result.push(later('lio_disk_initiator_bytes', attributes('LIO throughput of the initiators per target', BYTES.vlabel, "Bytes the initiators with an ACL on each target read (below the axis) and wrote (above), from the ACLs' scsi_auth_intr counters; sessions without an ACL (demo mode) are not in it. Click a target for each initiator.", BYTES.args, BYTES.extra), withInitiators.length > 0, () =>
    withInitiators.flatMap((t) => {
      const total = sum(t.initiators.map((i) => i.counters));
      return pair(t.key, t.label, `Bytes moved by the initiators of ${t.tpg.target} ${t.tpg.tpgt}`, 'bytes', str(total.read), str(total.write), c);
    })));
  for (const t of withInitiators) {
    result.push(later(`lio_disk_initiator_bytes.${t.key}`, attributes(`LIO throughput of each initiator on ${t.label}`, BYTES.vlabel, `Bytes each initiator read (below the axis) and wrote (above) on ${t.tpg.fabric}/${t.tpg.target}/${t.tpg.tpgt}, all its mapped LUNs together.`, BYTES.args, BYTES.extra), t.initiators.length > 0, () =>
      t.initiators.flatMap((i) => pair(i.key, shortTarget(i.name), `Bytes moved by ${i.name} on ${i.mappedLuns.join(', ')}`, 'bytes', str(i.counters.read), str(i.counters.write), c))));
  }
  result.push(later('lio_disk_initiator_iops', attributes('LIO commands of the initiators per target', IOPS.vlabel, "SCSI commands the initiators with an ACL on each target sent, from the ACLs' scsi_auth_intr/num_cmds. Click a target for each initiator.", IOPS.args, IOPS.extra), withInitiators.length > 0, () =>
    withInitiators.map((t) => ({ name: t.key, label: t.label, info: c ? `Commands of the initiators of ${t.tpg.target} ${t.tpg.tpgt}` : undefined, type: 'DERIVE', min: 0, value: str(sum(t.initiators.map((i) => i.counters)).cmds) }))));
  for (const t of withInitiators) {
    result.push(later(`lio_disk_initiator_iops.${t.key}`, attributes(`LIO commands of each initiator on ${t.label}`, IOPS.vlabel, `SCSI commands each initiator sent to ${t.tpg.fabric}/${t.tpg.target}/${t.tpg.tpgt}, all its mapped LUNs together.`, IOPS.args, IOPS.extra), t.initiators.length > 0, () =>
      t.initiators.map((i) => ({ name: i.key, label: shortTarget(i.name), info: c ? `Commands sent by ${i.name} to ${i.mappedLuns.join(', ')}` : undefined, type: 'DERIVE', min: 0, value: str(i.counters.cmds) }))));
  }

  // Latency and utilization of the block devices behind the LUNs.
  const withDevices = targets.filter((t) => t.luns.some((l) => l.device));
  const distinctDevices = (t: DiskTarget) => [...new Set(t.luns.flatMap((l) => (l.device ? [l.device] : [])))];
  result.push(later('lio_disk_latency', attributes('LIO latency per target', LATENCY.vlabel, 'Average time a read (below the axis) or a write (above) took on the block devices behind each target, queue included, as diskstats computes it from /sys/block/<dev>/stat. Click a target for its LUNs.', LATENCY.args), withDevices.length > 0, () =>
    withDevices.flatMap((t) => {
      const all = distinctDevices(t).map((d) => rates.get(d));
      const known = all.every((r) => r !== undefined) ? (all as DeviceRates[]) : null;
      const wait = (ios: 'readIos' | 'writeIos', ticks: 'readTicks' | 'writeTicks') => {
        if (!known) return null;
        const n = known.reduce((s, r) => s + r[ios], 0);
        return n > 0 ? known.reduce((s, r) => s + r[ticks], 0) / n / 1000 : 0;
      };
      return withLatencyRanges(pair(t.key, t.label, `Seconds per I/O on the devices of ${t.tpg.target} ${t.tpg.tpgt}`, 'seconds', decimal(wait('readIos', 'readTicks')), decimal(wait('writeIos', 'writeTicks')), c), ranges);
    })));
  for (const t of withDevices) {
    result.push(later(`lio_disk_latency.${t.key}`, attributes(`LIO latency of ${t.label} per LUN`, LATENCY.vlabel, `Average time a read (below the axis) or a write (above) took on the block device behind each LUN of ${t.tpg.fabric}/${t.tpg.target}/${t.tpg.tpgt}, queue included. LUNs without a block device (ramdisk, user, fileio on a file) have no line.`, LATENCY.args), true, () =>
      t.luns
        .filter((l) => l.device)
        .flatMap((l) => {
          const r = rates.get(l.device!);
          return withLatencyRanges(pair(l.key, `${l.lun} (${l.device})`, `Seconds per I/O on ${l.device}, behind ${l.backstore}`, 'seconds', decimal(r?.readWait), decimal(r?.writeWait), c), ranges);
        })));
  }
  result.push(later('lio_disk_util', attributes('LIO device utilization per target', BUSY.vlabel, 'The busiest block device behind each target: the percent of the time it had I/O in flight (100 = saturated), from io_ticks in /sys/block/<dev>/stat. Click a target for its LUNs.', BUSY.args), withDevices.length > 0, () =>
    withDevices.map((t) => {
      const all = distinctDevices(t).map((d) => rates.get(d)?.busy);
      return { name: t.key, label: t.label, info: c ? `Percent busy of the busiest device of ${t.tpg.target} ${t.tpg.tpgt}` : undefined, type: 'GAUGE', min: 0, value: all.every((b) => b !== undefined) ? decimal(Math.max(...(all as number[]))) : null };
    })));
  for (const t of withDevices) {
    result.push(later(`lio_disk_util.${t.key}`, attributes(`LIO device utilization of ${t.label} per LUN`, BUSY.vlabel, `The percent of the time the block device behind each LUN of ${t.tpg.fabric}/${t.tpg.target}/${t.tpg.tpgt} had I/O in flight (100 = saturated).`, BUSY.args), true, () =>
      t.luns.filter((l) => l.device).map((l) => ({ name: l.key, label: `${l.lun} (${l.device})`, info: c ? `Percent busy of ${l.device}, behind ${l.backstore}` : undefined, type: 'GAUGE', min: 0, value: decimal(rates.get(l.device!)?.busy) }))));
  }
  // A graph without fields is left out (a fetch would skip it, a config print a title only), but
  // the first: without any target, config still says what the plugin is.
  const printed = result.filter((g, i) => i === 0 || g.hasFields);
  if (!withConfig) for (const g of printed) g.attributes = [];
  return printed;
}

/** The latency fields with their alert ranges set (ranges are null in a fetch, which prints none). */
function withLatencyRanges(fields: Field[], ranges: AlertRanges | null): Field[] {
  if (ranges) for (const f of fields) Object.assign(f, ranges.of('latency', f.name));
  return fields;
}
