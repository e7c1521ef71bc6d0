// lio_disk through Debian's real munin-run on known trees: a configfs tree with iblock (an LV and a
// DRBD device), pscsi (a partition), ramdisk and fileio backstores, next to a /dev tree and a
// /sys/block tree with stat files; two runs under a frozen clock give exact latency and
// utilization. And the line limit at 16 x 16 x 16.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildBlockTree, setBlockStat, type BlockDeviceSpec, type StatSpec } from '../support/block-tree.js';
import { backstoreName, buildLioTree, patternTraffic, scaledSystem, setTraffic, type LioSpec } from '../support/lio-tree.js';
import { DIST_PLUGINS, muninSetup } from '../support/munin-run.js';
import { frozenClockEnv } from '../support/faketime.js';
import { tempDir } from '../support/tmp.js';

const T0 = '2026-11-30 10:00:00';
const T1 = '2026-11-30 10:05:00';

/**
 * munin-run lio_disk [mode] with the clock frozen at clock, as munin-node would run it. libfaketime
 * goes in through plugin-conf.d, so that the plugin's own user (nobody) makes its shared state:
 * preloaded into munin-run, it would be root's and unreadable to the plugin.
 */
function run(dir: string, env: Record<string, string>, mode: 'config' | 'autoconf' | undefined, clock = T0) {
  const { servicedir, sconfdir } = muninSetup(dir, { ...env, ...frozenClockEnv(clock) });
  const args = ['--config', '/dev/null', '--ignore-systemd-properties', '--servicedir', servicedir, '--sconfdir', sconfdir, 'lio_disk'];
  if (mode) args.push(mode);
  const result = spawnSync('munin-run', args, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 30_000 });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

const TGT_A = 'iqn.2016-09.com.example:tgt-a';
const TGT_B = 'iqn.2016-09.com.example:tgt-b';
const HOST1 = 'iqn.2016-09.com.example:host1';
const HOST2 = 'iqn.2016-09.com.example:host2';

const SPEC: LioSpec = {
  targets: [
    {
      fabric: 'iscsi',
      wwn: TGT_A,
      tpgt: 1,
      luns: [0, 1, 2, 3],
      acls: [
        { initiator: HOST1, mappedLuns: [0, 1, 2, 3] },
        { initiator: HOST2, mappedLuns: [0, 1] },
      ],
      backstores: {
        0: { kind: 'iblock', udevPath: '/dev/vg1/lv0' },
        1: { kind: 'iblock', udevPath: '/dev/drbd1' },
        2: { kind: 'rd_mcp', udevPath: null },
        3: { kind: 'fileio', udevPath: '/var/lib/target/disk3.img' },
      },
    },
    { fabric: 'iscsi', wwn: TGT_B, tpgt: 1, luns: [0], acls: [{ initiator: HOST1, mappedLuns: [0] }], backstores: { 0: { kind: 'pscsi', udevPath: '/dev/disk/by-id/scsi-35000c500a1b2c3d4-part1' } } },
  ],
};

const DM0: BlockDeviceSpec = { name: 'dm-0', links: ['vg1/lv0', 'mapper/vg1-lv0'] };
const DRBD1: BlockDeviceSpec = { name: 'drbd1', links: ['drbd/by-res/r1/0'] };
const SDB1: BlockDeviceSpec = { name: 'sdb1', disk: 'sdb', links: ['disk/by-id/scsi-35000c500a1b2c3d4-part1'] };
const SDB: BlockDeviceSpec = { name: 'sdb', links: ['disk/by-id/scsi-35000c500a1b2c3d4'] };

const STATS_T0: Array<[BlockDeviceSpec, StatSpec]> = [
  [DM0, { readIos: 1000, readTicks: 2000, writeIos: 500, writeTicks: 3000, ioTicks: 10000 }],
  [DRBD1, { readIos: 0, readTicks: 0, writeIos: 0, writeTicks: 0, ioTicks: 0 }],
  [SDB1, { readIos: 7, readTicks: 9, writeIos: 0, writeTicks: 0, ioTicks: 20 }],
];
// 300 s later: dm-0 300 reads of 2 ms, 200 writes of 5 ms, busy 150 of 300 s; drbd1 100 writes of
// 300 ms, busy 30 s; sdb1 10 reads of 4 ms, no write, busy 3 s.
const STATS_T1: Array<[BlockDeviceSpec, StatSpec]> = [
  [DM0, { readIos: 1300, readTicks: 2600, writeIos: 700, writeTicks: 4000, ioTicks: 160000 }],
  [DRBD1, { readIos: 0, readTicks: 0, writeIos: 100, writeTicks: 30000, ioTicks: 30000 }],
  [SDB1, { readIos: 17, readTicks: 49, writeIos: 0, writeTicks: 0, ioTicks: 3020 }],
];

const A = 'iqn2016_09comexampletgt_a';
const B = 'iqn2016_09comexampletgt_b';
const H1 = 'iqn2016_09comexamplehost1';
const H2 = 'iqn2016_09comexamplehost2';

/** The expected fetch at T1 (patternTraffic(1): initiator i on LUN l read i*100+l*10+1 MiB, wrote one more; commands 16 per MiB). */
const FETCH_T1 = [
  'multigraph lio_disk_bytes',
  `${A}_read.value 876`, `${A}_write.value 882`, `${B}_read.value 101`, `${B}_write.value 102`,
  `multigraph lio_disk_bytes.${A}`,
  'lun_0_read.value 302', 'lun_0_write.value 304', 'lun_1_read.value 322', 'lun_1_write.value 324',
  'lun_2_read.value 121', 'lun_2_write.value 122', 'lun_3_read.value 131', 'lun_3_write.value 132',
  `multigraph lio_disk_bytes.${B}`,
  'lun_0_read.value 101', 'lun_0_write.value 102',
  'multigraph lio_disk_iops',
  `${A}.value 28128`, `${B}.value 3248`,
  `multigraph lio_disk_iops.${A}`,
  'lun_0.value 9696', 'lun_1.value 10336', 'lun_2.value 3888', 'lun_3.value 4208',
  `multigraph lio_disk_iops.${B}`,
  'lun_0.value 3248',
  'multigraph lio_disk_initiator_bytes',
  `${A}_read.value 876`, `${A}_write.value 882`, `${B}_read.value 101`, `${B}_write.value 102`,
  `multigraph lio_disk_initiator_bytes.${A}`,
  `${H1}_read.value 464`, `${H1}_write.value 468`, `${H2}_read.value 412`, `${H2}_write.value 414`,
  `multigraph lio_disk_initiator_bytes.${B}`,
  `${H1}_read.value 101`, `${H1}_write.value 102`,
  'multigraph lio_disk_initiator_iops',
  `${A}.value 28128`, `${B}.value 3248`,
  `multigraph lio_disk_initiator_iops.${A}`,
  `${H1}.value 14912`, `${H2}.value 13216`,
  `multigraph lio_disk_initiator_iops.${B}`,
  `${H1}.value 3248`,
  'multigraph lio_disk_latency',
  // tgt-a: dm-0 and drbd1 weighed by their I/Os: reads 600 ms / 300, writes (1000 + 30000) ms / 300.
  `${A}_read.value 0.002`, `${A}_write.value 0.103333`, `${B}_read.value 0.004`, `${B}_write.value 0`,
  `multigraph lio_disk_latency.${A}`,
  'lun_0_read.value 0.002', 'lun_0_write.value 0.005', 'lun_1_read.value 0', 'lun_1_write.value 0.3',
  `multigraph lio_disk_latency.${B}`,
  'lun_0_read.value 0.004', 'lun_0_write.value 0',
  'multigraph lio_disk_util',
  `${A}.value 50`, `${B}.value 1`,
  `multigraph lio_disk_util.${A}`,
  'lun_0.value 50', 'lun_1.value 10',
  `multigraph lio_disk_util.${B}`,
  'lun_0.value 1',
  '',
].join('\n');

/** FETCH_T1 with latency and utilization unknown (no earlier reading to compare with). */
const FETCH_FIRST = FETCH_T1.replace(/^(\w+\.value) [\d.]+$/gm, (line, field: string, offset: number) =>
  offset > FETCH_T1.indexOf('multigraph lio_disk_latency') ? `${field} U` : line,
);

describe('lio_disk on a known tree with block devices', () => {
  const dir = tempDir();
  const env = { target_root: `${dir}/target`, dev_root: `${dir}/dev`, block_root: `${dir}/block` };
  const stateFile = `${dir}/plugin-state/lio-munin-lio-disk.json`;
  const setStats = (stats: Array<[BlockDeviceSpec, StatSpec]>) => {
    for (const [device, stat] of stats) setBlockStat(env.block_root, device, stat);
  };

  beforeAll(() => {
    buildLioTree(env.target_root, SPEC);
    setTraffic(env.target_root, SPEC, patternTraffic(1));
    buildBlockTree(env.dev_root, env.block_root, [DM0, DRBD1, SDB, SDB1]);
  });
  beforeEach(() => {
    muninSetup(dir, env);
    writeFileSync(stateFile, '');
  });

  it('two runs 300 s apart: exact throughput, commands, latency and utilization', () => {
    setStats(STATS_T0);
    const first = run(dir, env, undefined, T0);
    expect(first).toEqual({ stdout: FETCH_FIRST, stderr: '', status: 0 });
    setStats(STATS_T1);
    const second = run(dir, env, undefined, T1);
    expect(second).toEqual({ stdout: FETCH_T1, stderr: '', status: 0 });
    // The state keeps the newest reading, for the next run.
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({
      time: Date.UTC(2026, 10, 30, 10, 5),
      devices: Object.fromEntries(STATS_T1.map(([d, s]) => [d.name, s])),
    });
  });

  it('a damaged state file, a state from the future, a counter that went back: U for one run, then values', () => {
    setStats(STATS_T0);
    writeFileSync(stateFile, '{"time": 17960');
    expect(run(dir, env, undefined, T0).stdout).toBe(FETCH_FIRST);
    setStats(STATS_T1);
    expect(run(dir, env, undefined, T1).stdout).toBe(FETCH_T1);
    // The clock went back (the state is newer than now): nothing to divide by.
    expect(run(dir, env, undefined, T0).stdout).toBe(FETCH_FIRST);
    // A reboot: the counters start again from lower values.
    setStats(STATS_T0);
    expect(run(dir, env, undefined, T1).stdout).toBe(FETCH_FIRST);
  });

  it('two runs at once: whole values (or U), and the state file is whole', async () => {
    setStats(STATS_T0);
    run(dir, env, undefined, T0);
    setStats(STATS_T1);
    const { servicedir, sconfdir } = muninSetup(dir, { ...env, ...frozenClockEnv(T1) });
    const once = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn('munin-run', ['--config', '/dev/null', '--ignore-systemd-properties', '--servicedir', servicedir, '--sconfdir', sconfdir, 'lio_disk'], { env: { ...process.env, TZ: 'UTC' } });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('error', reject);
        child.on('close', (status) => (status === 0 ? resolve(out) : reject(new Error(`exit ${status}`))));
      });
    // The first to read the state compares with T0; the other too, or, when the first has already
    // kept its reading, with that one of the same instant: U, never a wrong value or a broken file.
    const outputs = await Promise.all([once(), once()]);
    expect(outputs).toContain(FETCH_T1);
    for (const out of outputs) expect([FETCH_T1, FETCH_FIRST]).toContain(out);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({ time: Date.UTC(2026, 10, 30, 10, 5), devices: Object.fromEntries(STATS_T1.map(([d, s]) => [d.name, s])) });
  });

  it('config: the multigraph names, pairs drawn as diskstats (read below the axis), latency warnings, labels naming the backstore', () => {
    const config = run(dir, env, 'config');
    expect(config.status, config.stderr).toBe(0);
    expect(config.stderr).toBe('');
    const graphs = [...config.stdout.matchAll(/^multigraph (\S+)$/gm)].map((m) => m[1]);
    expect(graphs).toEqual(
      ['bytes', 'iops', 'initiator_bytes', 'initiator_iops', 'latency', 'util'].flatMap((g) => [`lio_disk_${g}`, `lio_disk_${g}.${A}`, `lio_disk_${g}.${B}`]),
    );
    const block = (name: string) => config.stdout.split(/(?=^multigraph )/m).find((b) => b.startsWith(`multigraph ${name}\n`))!;
    expect(block(`lio_disk_latency.${A}`)).toBe(
      [
        `multigraph lio_disk_latency.${A}`,
        'graph_title LIO latency of tgt-a per LUN',
        'graph_category san',
        `graph_info Average time a read (below the axis) or a write (above) took on the block device behind each LUN of iscsi/${TGT_A}/tpgt_1, queue included. LUNs without a block device (ramdisk, user, fileio on a file) have no line.`,
        'graph_vlabel seconds per read (-) / write (+)',
        'graph_args --base 1000',
        ...[
          ['lun_0', 'dm-0', 'iblock_0/09_com_example_tgt_a_lun0 on /dev/vg1/lv0'],
          ['lun_1', 'drbd1', 'iblock_0/09_com_example_tgt_a_lun1 on /dev/drbd1'],
        ].flatMap(([lun, dev, backstore]) => [
          `${lun}_read.label ${lun} (${dev})`,
          `${lun}_read.info Seconds per I/O on ${dev}, behind ${backstore} (read, below the axis)`,
          `${lun}_read.type GAUGE`,
          `${lun}_read.min 0`,
          `${lun}_read.graph no`,
          `${lun}_read.warning 0:3`,
          `${lun}_write.label ${lun} (${dev})`,
          `${lun}_write.info Seconds per I/O on ${dev}, behind ${backstore} (written, above the axis)`,
          `${lun}_write.type GAUGE`,
          `${lun}_write.min 0`,
          `${lun}_write.negative ${lun}_read`,
          `${lun}_write.warning 0:3`,
        ]),
        '',
      ].join('\n'),
    );
  });
});

describe('lio_disk settings and protocol', () => {
  const dir = tempDir();
  const env = { target_root: `${dir}/target`, dev_root: `${dir}/dev`, block_root: `${dir}/block` };
  beforeAll(() => {
    buildLioTree(env.target_root, SPEC);
    setTraffic(env.target_root, SPEC, patternTraffic(1));
    buildBlockTree(env.dev_root, env.block_root, [DM0, DRBD1, SDB, SDB1]);
  });

  it('throughput pairs: reads hidden and mirrored below the axis, MiB turned into bytes', () => {
    const config = run(dir, env, 'config').stdout;
    const block = config.split(/(?=^multigraph )/m).find((b) => b.startsWith(`multigraph lio_disk_bytes.${B}\n`));
    expect(block).toBe(
      [
        `multigraph lio_disk_bytes.${B}`,
        'graph_title LIO throughput of tgt-b per LUN',
        'graph_category san',
        `graph_info Bytes read from (below the axis) and written to (above) each LUN of iscsi/${TGT_B}/tpgt_1, all initiators together.`,
        'graph_vlabel bytes per ${graph_period} read (-) / written (+)',
        'graph_args --base 1024',
        'graph_period second',
        'graph_printf %7.2lf',
        'lun_0_read.label lun_0 (pscsi_0/09_com_example_tgt_b_lun0 on /dev/disk/by-id/scsi-35000c500a1b2c3d4-part1)',
        'lun_0_read.info Bytes moved on lun_0 (read, below the axis)',
        'lun_0_read.type DERIVE',
        'lun_0_read.min 0',
        'lun_0_read.cdef lun_0_read,1048576,*',
        'lun_0_read.graph no',
        'lun_0_write.label lun_0 (pscsi_0/09_com_example_tgt_b_lun0 on /dev/disk/by-id/scsi-35000c500a1b2c3d4-part1)',
        'lun_0_write.info Bytes moved on lun_0 (written, above the axis)',
        'lun_0_write.type DERIVE',
        'lun_0_write.min 0',
        'lun_0_write.cdef lun_0_write,1048576,*',
        'lun_0_write.negative lun_0_read',
        '',
      ].join('\n'),
    );
  });

  it('env.latency_warning for every latency field, env.FIELD_warning for one name, off for none', () => {
    const config = run(dir, { ...env, latency_warning: '0:0.5', latency_critical: '0:2', lun_1_write_warning: 'off' }, 'config').stdout;
    const lines = config.split('\n').filter((l) => /\.(warning|critical) /.test(l));
    expect(lines).toEqual([
      `${A}_read.warning 0:0.5`, `${A}_read.critical 0:2`, `${A}_write.warning 0:0.5`, `${A}_write.critical 0:2`,
      `${B}_read.warning 0:0.5`, `${B}_read.critical 0:2`, `${B}_write.warning 0:0.5`, `${B}_write.critical 0:2`,
      'lun_0_read.warning 0:0.5', 'lun_0_read.critical 0:2', 'lun_0_write.warning 0:0.5', 'lun_0_write.critical 0:2',
      'lun_1_read.warning 0:0.5', 'lun_1_read.critical 0:2', 'lun_1_write.critical 0:2',
      'lun_0_read.warning 0:0.5', 'lun_0_read.critical 0:2', 'lun_0_write.warning 0:0.5', 'lun_0_write.critical 0:2',
    ]);
  });

  it('env.include / env.exclude: patterns on target and initiator names', () => {
    const graphsOf = (settings: Record<string, string>) => {
      const out = run(dir, { ...env, ...settings }, 'config').stdout;
      return { graphs: [...out.matchAll(/^multigraph (lio_disk_initiator_bytes\S*)$/gm)].map((m) => m[1]), fields: out.split(/(?=^multigraph )/m).filter((b) => b.startsWith(`multigraph lio_disk_initiator_bytes.`)).map((b) => [...b.matchAll(/^(\w+)_write\.label/gm)].map((m) => m[1])) };
    };
    // A target excluded by name.
    expect(graphsOf({ exclude: '*:tgt-b' })).toEqual({ graphs: ['lio_disk_initiator_bytes', `lio_disk_initiator_bytes.${A}`], fields: [[H1, H2]] });
    // An initiator included by name brings its targets, without the other initiators.
    expect(graphsOf({ include: '*:host1' })).toEqual({ graphs: ['lio_disk_initiator_bytes', `lio_disk_initiator_bytes.${A}`, `lio_disk_initiator_bytes.${B}`], fields: [[H1], [H1]] });
    // A target included brings all its initiators, less those excluded; several patterns, comma or space.
    expect(graphsOf({ include: 'iqn.2016-09.com.example:tgt-a, nothing-else', exclude: '*:host1' })).toEqual({ graphs: ['lio_disk_initiator_bytes', `lio_disk_initiator_bytes.${A}`], fields: [[H2]] });
  });

  it('without multigraph support: autoconf says no and why; a run prints the first graph alone', () => {
    const plain = (mode: string[]) =>
      spawnSync(`${DIST_PLUGINS}/lio_disk`, mode, { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
    expect(plain(['autoconf']).stdout).toBe('no (munin-node does not announce multigraph support (MUNIN_CAP_MULTIGRAPH): lio_disk needs Munin 1.4 or later)\n');
    const fetch = plain([]);
    expect(fetch.stderr).toBe('');
    expect(fetch.stdout).toBe(`${A}_read.value 876\n${A}_write.value 882\n${B}_read.value 101\n${B}_write.value 102\n`);
    expect(run(dir, env, 'autoconf').stdout).toBe('yes\n');
  });
});

describe('lio_disk at 16 targets x 16 initiators x 16 LUNs (the layout only: config reads no counter)', () => {
  const dir = tempDir();
  const env = { target_root: `${dir}/target`, dev_root: `${dir}/dev`, block_root: `${dir}/block` };
  const spec = scaledSystem(16, 16, 16);
  beforeAll(() => {
    buildLioTree(env.target_root, spec, { layoutOnly: true });
    // Every LUN on its own LV, as the default backstores say (/dev/vg1/<name>).
    buildBlockTree(
      env.dev_root,
      env.block_root,
      spec.targets.flatMap((t, ti) => t.luns.map((l) => ({ name: `dm-${ti * 16 + l}`, links: [`vg1/${backstoreName(t, l)}`] }))),
    );
  }, 120_000);

  it('no graph draws more than 32 lines, and every LUN and every initiator has its own line', () => {
    const config = run(dir, env, 'config');
    expect(config.status, config.stderr).toBe(0);
    expect(config.stderr).toBe('');
    const blocks = config.stdout.split(/(?=^multigraph )/m);
    const lines = new Map(blocks.map((b) => [b.split('\n', 1)[0]!.slice('multigraph '.length), [...b.matchAll(/^\w+\.label /gm)].length]));
    expect(lines.size).toBe(6 * 17);
    expect(Math.max(...lines.values())).toBe(32);
    for (const g of ['bytes', 'initiator_bytes', 'latency']) expect(lines.get(`lio_disk_${g}`)).toBe(32);
    for (const g of ['iops', 'initiator_iops', 'util']) expect(lines.get(`lio_disk_${g}`)).toBe(16);
    // Each target's drill-downs: its 16 LUNs, its 16 initiators.
    const drill = [...lines].filter(([name]) => name.includes('.'));
    expect(drill.every(([name, n]) => n === (/_(bytes|latency)\./.test(name) ? 32 : 16))).toBe(true);
    const initiatorLabels = blocks.filter((b) => b.startsWith('multigraph lio_disk_initiator_iops.')).flatMap((b) => [...b.matchAll(/^\w+\.label (.*)$/gm)].map((m) => m[1]));
    expect(new Set(initiatorLabels).size).toBe(256);
  });
});
