// The systems the benchmark runs against: LIO configfs trees on disk at three sizes and a DRBD 8
// /proc/drbd with 100 minors. Trees take seconds to build (16x16x16 is about 108,000 files), so
// each is kept under the work directory and rebuilt only when its spec or the tree builder changes.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLioTree, patternTraffic, scaledSystem, seedSystem, setTraffic, type LioSpec } from '../test/support/lio-tree.js';
import { procDrbd84 } from '../test/support/proc-drbd.js';
import { BASE_CIB, ClusterStates } from '../test/support/pacemaker.js';

export interface Tree {
  /** e.g. `4x16x16`: targets x initiators x LUNs. */
  label: string;
  root: string;
  spec: LioSpec;
  /** Fields of lio_read (or lio_write): one per LUN and one per initiator and mapped LUN. */
  fields: number;
}

export const TREE_SIZES: Array<{ label: string; spec: () => LioSpec }> = [
  { label: '1x4x4', spec: seedSystem },
  { label: '4x16x16', spec: () => scaledSystem(4, 16, 16) },
  { label: '16x16x16', spec: () => scaledSystem(16, 16, 16) },
];

/** Counters as after some traffic, so that values have realistic widths. */
const TRAFFIC_STEP = 3;

/** Builds (or reuses) the tree of one size under workDir. */
export function ensureTree(workDir: string, repoRoot: string, label: string, spec: LioSpec): { tree: Tree; built: boolean } {
  const root = join(workDir, `tree-${label}`, 'target');
  const stampFile = join(workDir, `tree-${label}.stamp`);
  // The builder's source is part of the stamp: a layout change in the builder rebuilds the trees.
  const builder = readSourceOrEmpty(join(repoRoot, 'test/support/lio-tree.ts'));
  const stamp = createHash('sha1').update(JSON.stringify({ spec, TRAFFIC_STEP })).update(builder).digest('hex');
  const fields = spec.targets.reduce((sum, t) => sum + t.luns.length + t.acls.reduce((n, a) => n + a.mappedLuns.length, 0), 0);
  const tree = { label, root, spec, fields };
  if (existsSync(root) && readSourceOrEmpty(stampFile) === stamp) return { tree, built: false };
  rmSync(stampFile, { force: true });
  buildLioTree(root, spec);
  setTraffic(root, spec, patternTraffic(TRAFFIC_STEP));
  writeFileSync(stampFile, stamp);
  return { tree, built: true };
}

function readSourceOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** A DRBD 8.4 /proc/drbd with `minors` devices, all connected, with large counters. */
export function writeProcDrbd(workDir: string, minors: number): string {
  const path = join(workDir, `proc-drbd-${minors}`);
  mkdirSync(workDir, { recursive: true });
  const devices = Array.from({ length: minors }, (_, minor) => ({
    minor,
    ns: 988_916_026 + minor * 7_919,
    nr: minor * 13,
    dw: 982_616_276 + minor * 6_133,
    dr: 31_608_196 + minor * 4_421,
    al: 799 + minor,
    bm: minor % 7,
    oos: minor % 10 === 0 ? 10_688 : 0,
  }));
  writeFileSync(path, procDrbd84(devices));
  return path;
}

/**
 * A two-node cluster state with 20 resources, made by the real crm_simulate (test/support/pacemaker.ts):
 * the test clusters' g_tgt (2 primitives) and cl_ping, and 17 primitives more, half preferring
 * each node. Returns the CIB file for CIB_file, or null without crm_simulate
 * (pacemaker-cli-utils).
 */
export function writeCluster(workDir: string, resources = 20): string | null {
  if (!existsSync('/usr/sbin/crm_simulate')) return null;
  const dir = join(workDir, `cluster-${resources}`);
  mkdirSync(dir, { recursive: true });
  const extra = Array.from({ length: resources - 3 }, (_, i) => `p_res${String(i + 1).padStart(2, '0')}`);
  const primitives = extra.map((id) => `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="${id}-mon" name="monitor" interval="10s"/></operations></primitive>`);
  const locations = extra.map((id, i) => `<rsc_location id="loc-${id}" rsc="${id}" node="node${(i % 2) + 1}" score="100"/>`);
  const cib = BASE_CIB.replace('</resources>', `${primitives.join('\n')}\n    </resources>`).replace('</constraints>', `${locations.join('\n')}\n    </constraints>`);
  const states = new ClusterStates(dir);
  writeFileSync(states.path('base'), cib);
  return states.simulate('base', 'healthy', ['--quorum', 'true', '--node-up', 'node1', '--node-up', 'node2']);
}

// The directories the stats snapshot covers (issue 3), expanded on the tree as a shell would
// expand the patterns, without following symlinks:
//   core/*/*/statistics, <fabric>/*/fabric_statistics, <fabric>/*/tpgt_*/acls/*/fabric_statistics,
//   <fabric>/*/tpgt_*/acls/*/*/statistics, <fabric>/*/tpgt_*/lun/*/statistics
export function statsSubtrees(root: string): string[] {
  const fabrics = directories(root).filter((name) => name !== 'core');
  const patterns = [
    ['core', '*', '*', 'statistics'],
    ...fabrics.flatMap((fabric) => [
      [fabric, '*', 'fabric_statistics'],
      [fabric, '*', 'tpgt_*', 'acls', '*', 'fabric_statistics'],
      [fabric, '*', 'tpgt_*', 'acls', '*', '*', 'statistics'],
      [fabric, '*', 'tpgt_*', 'lun', '*', 'statistics'],
    ]),
  ];
  return patterns.flatMap((segments) => expand(root, segments)).sort();
}

function expand(dir: string, segments: string[]): string[] {
  if (segments.length === 0) return [dir];
  const [first, ...rest] = segments;
  const match = new RegExp(`^${first!.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return directories(dir)
    .filter((name) => match.test(name))
    .flatMap((name) => expand(join(dir, name), rest));
}

/** Names of real subdirectories (not symlinks to directories). */
function directories(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => lstatSync(join(dir, name)).isDirectory());
  } catch {
    return [];
  }
}
