// lio_disk end to end with the real Munin: a configfs tree, a /dev and /sys/block tree whose stat
// files advance between runs -> the installed plugin -> munin-node -> munin-update (an hour of
// five-minute runs) -> RRD files with the exact rates -> munin-html and munin-graph drawing the
// overviews and the drill-down graphs (PNGs in test-artifacts/e2e-lio-disk/).
//
// munin-node runs plugins with the real clock, but latency and utilization are rates over the time
// between two runs: the plugin gets libfaketime through plugin-conf.d (env.LD_PRELOAD), reading
// the time of each cycle from a file, so that it sees the master's frozen clock.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBlockTree, setBlockStat, type BlockDeviceSpec } from '../support/block-tree.js';
import { muninMaster, type MuninNode, readDatafile, requireE2eSetup, rrdFetch, runMunin, setUpMaster, startTestNode } from '../support/e2e-munin.js';
import { buildLioTree, setTraffic, type LioSpec, type TargetSpec } from '../support/lio-tree.js';
import { LIBFAKETIME } from '../support/faketime.js';
import { tempDir } from '../support/tmp.js';
import { builtCheckout, lioMunin, REPO, snapshot, type Snapshot } from '../installer/setup.js';

const HOST = 'storage1';
const GROUP = 'e2e';
/** 2026-01-01 00:00:00 UTC, on a 300 s step boundary. */
const T0 = 1_767_225_600;
const STEP = 300;
const CYCLES = 13;
const ARTIFACTS = join(REPO, 'test-artifacts/e2e-lio-disk');
const GUARDED = ['/etc/munin', '/usr/share/munin/plugins'];

const work = tempDir('lio-munin-e2e-disk-');
const tree = join(work, 'target');
const devRoot = join(work, 'dev');
const blockRoot = join(work, 'block');
const clockFile = join(work, 'clock');
const master = muninMaster(join(work, 'master'));
const { dbdir, htmldir } = master;

const HOSTS = ['iqn.1994-05.com.redhat:esx01', 'iqn.1994-05.com.redhat:esx02', 'iqn.1994-05.com.redhat:esx03'];
const target = (name: string, luns: number, devices: string[]): TargetSpec => ({
  fabric: 'iscsi',
  wwn: `iqn.2003-01.org.linux-iscsi.storage1:${name}`,
  tpgt: 1,
  luns: Array.from({ length: luns }, (_, l) => l),
  acls: HOSTS.map((initiator) => ({ initiator, mappedLuns: Array.from({ length: luns }, (_, l) => l) })),
  backstores: Object.fromEntries(devices.map((udevPath, l) => [l, { kind: 'iblock' as const, udevPath }])),
});
const SPEC: LioSpec = {
  targets: [
    target('vmstore', 4, ['/dev/vg1/vmstore0', '/dev/vg1/vmstore1', '/dev/mapper/vg1-vmstore2', '/dev/vg1/vmstore3']),
    target('db', 2, ['/dev/drbd0', '/dev/drbd1']),
  ],
};
const DEVICES: BlockDeviceSpec[] = [
  { name: 'dm-0', links: ['vg1/vmstore0', 'mapper/vg1-vmstore0'] },
  { name: 'dm-1', links: ['vg1/vmstore1', 'mapper/vg1-vmstore1'] },
  { name: 'dm-2', links: ['vg1/vmstore2', 'mapper/vg1-vmstore2'] },
  { name: 'dm-3', links: ['vg1/vmstore3', 'mapper/vg1-vmstore3'] },
  { name: 'drbd0', links: ['drbd/by-res/db/0'] },
  { name: 'drbd1', links: ['drbd/by-res/db/1'] },
];
/** Per device: ms per read and per write, % busy (the drbd devices wait for the peer on writes). */
const DEVICE_LOAD: Record<string, { read: number; write: number; busy: number }> = {
  'dm-0': { read: 2, write: 4, busy: 20 },
  'dm-1': { read: 3, write: 6, busy: 35 },
  'dm-2': { read: 8, write: 12, busy: 70 },
  'dm-3': { read: 1, write: 2, busy: 5 },
  drbd0: { read: 4, write: 25, busy: 60 },
  drbd1: { read: 5, write: 40, busy: 85 },
};

/** MiB an initiator moved on a LUN up to cycle k: its own rate (MiB per cycle) times a load that rises and falls. */
const load = (k: number) => [0, 2, 5, 9, 14, 18, 21, 23, 26, 30, 35, 39, 42][k]!;
const mib = (t: TargetSpec, initiator: string, lun: number, k: number) => {
  const i = HOSTS.indexOf(initiator) + 1;
  const base = (t.wwn.endsWith(':db') ? 40 : 10) * i + lun * 15;
  return { read: base * 3 * load(k), write: base * load(k) };
};

/** The files and the clock of cycle k. */
function stateAt(k: number): void {
  setTraffic(tree, SPEC, (t, initiator, lun) => mib(t, initiator, lun, k));
  for (const device of DEVICES) {
    const { read, write, busy } = DEVICE_LOAD[device.name]!;
    const ios = 1000 * load(k);
    setBlockStat(blockRoot, device, { readIos: 3 * ios, readTicks: 3 * ios * read, writeIos: ios, writeTicks: ios * write, ioTicks: k * STEP * 10 * busy });
  }
  writeFileSync(clockFile, new Date((T0 + k * STEP) * 1000).toISOString().slice(0, 19).replace('T', ' ') + '\n');
}

let node: MuninNode | undefined;
let hostBefore: Record<string, Snapshot> = {};

// This test fails on errors in stderr, not on warnings (the alert tests fail on both).
const munin = (epoch: number, program: string, ...args: string[]) => runMunin(master, epoch, program, args, { allowWarnings: true });

/** The RRD file of a field of a graph (a drill-down graph's name has a dot: GRAPH-CHILD in the file name). */
function rrdOf(graph: string, field: string): string {
  const data = readDatafile(join(dbdir, 'datafile'), `${GROUP};${HOST}`);
  const [root, child] = graph.split('.');
  const key = child ? `${root}.${child}.${field}` : `${root}.${field}`;
  expect(data.has(`${key}.label`), key).toBe(true);
  const type = data.get(`${key}.type`) ?? 'GAUGE';
  return join(dbdir, GROUP, `${HOST}-${root}-${child ? `${child}-` : ''}${field}-${type === 'DERIVE' ? 'd' : 'g'}.rrd`);
}

const VM = 'iqn2003_01orglinux_iscsistorage1vmstore';
const DB = 'iqn2003_01orglinux_iscsistorage1db';

beforeAll(async () => {
  requireE2eSetup([]);
  hostBefore = Object.fromEntries(GUARDED.map((dir) => [dir, snapshot(dir)]));
  buildLioTree(tree, SPEC);
  buildBlockTree(devRoot, blockRoot, DEVICES);
  stateAt(0);

  // The installer enables lio_disk (autoconf yes, with multigraph); munin-node serves it alone.
  const stage = join(work, 'stage');
  mkdirSync(stage);
  const install = lioMunin(['install', '--destdir', stage, '--from', builtCheckout(work), '--target-root', tree, '--drbd-proc', join(work, 'no-drbd')]);
  expect(install.stderr).toBe('');
  expect(install.status).toBe(0);
  expect(install.lines).toContain(`enable    ${stage}/etc/munin/plugins/lio_disk -> /usr/share/munin/plugins/lio_disk (autoconf: yes)`);
  for (const name of readdirSync(join(stage, 'etc/munin/plugins'))) if (name !== 'lio_disk') unlinkSync(join(stage, 'etc/munin/plugins', name));
  writeFileSync(
    join(stage, 'etc/munin/plugin-conf.d/zz-lio-munin-local'),
    `[lio_disk]\nenv.dev_root ${devRoot}\nenv.block_root ${blockRoot}\nenv.LD_PRELOAD ${LIBFAKETIME}\nenv.FAKETIME_TIMESTAMP_FILE ${clockFile}\nenv.FAKETIME_NO_CACHE 1\nenv.TZ UTC\n`,
  );
  let port: number;
  ({ node, port } = await startTestNode(join(work, 'node'), HOST, join(stage, 'etc/munin'), join(stage, 'usr/share/munin/plugins')));

  setUpMaster(master, [{ group: GROUP, host: HOST, port }], { contact: false });
}, 180_000);

afterAll(async () => {
  await node?.stop();
});

describe('lio_disk with the real Munin', () => {
  it('an hour of munin-update runs stores exact throughput, commands, latency and utilization', () => {
    for (let k = 0; k < CYCLES; k++) {
      stateAt(k);
      munin(T0 + k * STEP, 'munin-update', '--nofork');
    }
    const k = 4;
    const at = T0 + k * STEP;
    const value = (graph: string, field: string) => rrdFetch(rrdOf(graph, field), T0, at).get(at)!;
    const growth = load(k) - load(k - 1);
    // esx02 on lun_1 of vmstore: 2 * 10 + 15 = 35 MiB per unit of load, reads three times that.
    expect(value(`lio_disk_bytes.${VM}`, 'lun_1_write')).toBeCloseTo((35 + 25 + 45) * growth / STEP, 9);
    expect(value('lio_disk_initiator_bytes.' + DB, 'iqn1994_05comredhatesx02_read')).toBeCloseTo((80 + 95) * 3 * growth / STEP, 9);
    // Commands: 16 per MiB (setTraffic), all of the target's LUNs.
    const vmMiB = [0, 1, 2, 3].reduce((s, l) => s + HOSTS.reduce((t, _, i) => t + (10 * (i + 1) + l * 15) * 4, 0), 0);
    expect(value('lio_disk_iops', VM)).toBeCloseTo((vmMiB * 16 * growth) / STEP, 6);
    // Latency: seconds per I/O on the device; the target weighs its devices by their I/Os (all equal here).
    expect(value(`lio_disk_latency.${DB}`, 'lun_1_write')).toBeCloseTo(0.04, 9);
    expect(value(`lio_disk_latency.${VM}`, 'lun_2_read')).toBeCloseTo(0.008, 9);
    expect(value('lio_disk_latency', `${DB}_write`)).toBeCloseTo((0.025 + 0.04) / 2, 9);
    // Utilization: % busy of each device; a target's line is its busiest device.
    expect(value(`lio_disk_util.${VM}`, 'lun_1')).toBeCloseTo(35, 9);
    expect(value('lio_disk_util', VM)).toBeCloseTo(70, 9);
    expect(value('lio_disk_util', DB)).toBeCloseTo(85, 9);
    const log = readFileSync(join(master.dir, 'log/munin-update.log'), 'utf8');
    expect(log.split('\n').filter((l) => /\[(ERROR|FATAL)\]/.test(l) && !/Tuning (type|min|max) of/.test(l))).toEqual([]);
  }, 600_000);

  it('munin-html and munin-graph draw the overviews and the drill-down graphs', () => {
    const now = T0 + (CYCLES - 1) * STEP + 60;
    munin(now, 'munin-limits'); // munin-html reads the state munin-limits leaves (as munin-cron runs them)
    munin(now, 'munin-html');
    munin(now, 'munin-graph', '--cron');
    const hostDir = join(htmldir, GROUP, HOST);
    mkdirSync(ARTIFACTS, { recursive: true });
    const overviews = ['bytes', 'iops', 'initiator_bytes', 'initiator_iops', 'latency', 'util'].map((g) => `lio_disk_${g}`);
    for (const graph of overviews) {
      const png = join(hostDir, `${graph}-day.png`);
      expect(readFileSync(png).subarray(1, 4).toString(), png).toBe('PNG');
      copyFileSync(png, join(ARTIFACTS, `${graph}-day.png`));
      // The drill-down: one page per overview, a graph per target.
      for (const t of [VM, DB]) {
        const child = join(hostDir, graph, `${t}-day.png`);
        expect(statSync(child).size, child).toBeGreaterThan(5_000);
        copyFileSync(child, join(ARTIFACTS, `${graph}.${t}-day.png`));
      }
    }
    expect(existsSync(join(hostDir, 'lio_disk_bytes', 'index.html'))).toBe(true);
  }, 600_000);

  it('leaves no trace on the host', async () => {
    const log = readFileSync(join(work, 'node/log/munin-node.log'), 'utf8');
    expect(log.split('\n').filter((l) => /error|timed out|bad exit|exited with status/i.test(l))).toEqual([]);
    await node!.stop();
    for (const dir of GUARDED) expect(snapshot(dir), dir).toEqual(hostBefore[dir]);
  });
});
