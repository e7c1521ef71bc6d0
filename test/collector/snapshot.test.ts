// What a snapshot holds: entries, order, canonical paths, placeholder secrets, the statistics
// subtrees of every fabric and TPG and nothing else, symlinks and FIFOs listed but never read,
// the DRBD entry. Trees are built on disk; the collector reads them through --root.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dayStamp, parseSnapshotName } from '../../lib/archive/layout.js';
import { takeSnapshot } from '../../collector/snapshot.js';
import { gunzipText, referenceText, requireBuiltCollector, runCollector } from '../support/collector-cli.js';
import { buildLioTree, patternTraffic, scaledSystem, seedSystem, setTraffic, type LioSpec } from '../support/lio-tree.js';
import { procDrbd84 } from '../support/proc-drbd.js';
import { tempDir } from '../support/tmp.js';

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

/** The only file under dir/YYYYMMDD/, for a snapshot taken by the CLI now. */
function onlyArchive(archive: string): string {
  const days = readdirSync(archive);
  expect(days).toHaveLength(1);
  const files = readdirSync(`${archive}/${days[0]}`);
  expect(files).toHaveLength(1);
  return `${archive}/${days[0]}/${files[0]}`;
}

describe('a small tree written by hand: the exact archive text', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  const T = `${root}/iscsi/iqn.2003-01.org.linux-iscsi.san1:disk/tpgt_1`;
  const I = `${T}/acls/iqn.1994-05.com.redhat:host1`;
  beforeAll(() => {
    const files: Record<string, string> = {
      'core/iblock_0/disk1/statistics/scsi_lu/read_mbytes': '42\n',
      'core/iblock_0/disk1/statistics/scsi_lu/lu_name': 'disk1\n',
      'core/iblock_0/disk1/udev_path': '/dev/vg1/disk1\n',
      'iscsi/discovery_auth/password': 'discovery-s3cret\n',
      'iscsi/discovery_auth/userid': 'discovery\n',
    };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(`${root}/${path}`), { recursive: true });
      writeFileSync(`${root}/${path}`, content);
    }
    mkdirSync(`${I}/auth`, { recursive: true });
    writeFileSync(`${I}/auth/password_mutual`, 'mutual-s3cret\n');
    mkdirSync(`${I}/lun_0/statistics/scsi_auth_intr`, { recursive: true });
    writeFileSync(`${I}/lun_0/statistics/scsi_auth_intr/read_mbytes`, '7\n');
    mkdirSync(`${T}/lun/lun_0/statistics/scsi_tgt_port`, { recursive: true });
    mkdirSync(`${T}/lun/lun_0/statistics/scsi_port`, { recursive: true });
    writeFileSync(`${T}/lun/lun_0/statistics/scsi_tgt_port/in_cmds`, ''); // reads empty
    writeFileSync(`${T}/lun/lun_0/statistics/scsi_port/busy_count`, '0'); // no final newline
    symlinkSync('../../../lun/lun_0', `${I}/lun_0/a1b2c3d4e5`);
    symlinkSync('../../../../../core/iblock_0/disk1', `${T}/lun/lun_0/ffee0011`);
    mkfifo(`${T}/lun/lun_0/statistics/scsi_port/fifo`); // opening it would block forever
  });

  const C = '/sys/kernel/config/target';
  const CT = `${C}/iscsi/iqn.2003-01.org.linux-iscsi.san1:disk/tpgt_1`;
  const CI = `${CT}/acls/iqn.1994-05.com.redhat:host1`;
  const now = new Date(2026, 2, 14, 9, 25, 41);

  it('stats: the statistics subtrees, canonical paths, content as read plus a blank line', async () => {
    const archive = `${dir}/archive-stats`;
    const result = await takeSnapshot({ root, archive, kind: 'stats', now, drbdProc: null });
    expect(result.path).toBe(`${archive}/20260314/lio-statistics-202603140925.gz`);
    expect(result.entries).toBe(6);
    expect(gunzipText(result.path)).toBe(
      `[${C}/core/iblock_0/disk1/statistics/scsi_lu/lu_name]\ndisk1\n\n` +
        `[${C}/core/iblock_0/disk1/statistics/scsi_lu/read_mbytes]\n42\n\n` +
        `[${CI}/lun_0/statistics/scsi_auth_intr/read_mbytes]\n7\n\n` +
        `[${CT}/lun/lun_0/statistics/scsi_port/busy_count]\n0\n` +
        `[${CT}/lun/lun_0/statistics/scsi_port/fifo]\n\n` +
        `[${CT}/lun/lun_0/statistics/scsi_tgt_port/in_cmds]\n\n`,
    );
  });

  it('full: every non-directory, secrets replaced, symlinks and the FIFO listed empty', async () => {
    const archive = `${dir}/archive-full`;
    // A trailing slash on the root changes nothing.
    const result = await takeSnapshot({ root: `${root}/`, archive, kind: 'full', now, drbdProc: null });
    expect(result.path).toBe(`${archive}/20260314/lio-202603140925.gz`);
    expect(gunzipText(result.path)).toBe(
      `[${C}/core/iblock_0/disk1/statistics/scsi_lu/lu_name]\ndisk1\n\n` +
        `[${C}/core/iblock_0/disk1/statistics/scsi_lu/read_mbytes]\n42\n\n` +
        `[${C}/core/iblock_0/disk1/udev_path]\n/dev/vg1/disk1\n\n` +
        `[${C}/iscsi/discovery_auth/password]\n<secret not archived>\n\n` +
        `[${C}/iscsi/discovery_auth/userid]\ndiscovery\n\n` +
        `[${CI}/auth/password_mutual]\n<secret not archived>\n\n` +
        `[${CI}/lun_0/a1b2c3d4e5]\n\n` +
        `[${CI}/lun_0/statistics/scsi_auth_intr/read_mbytes]\n7\n\n` +
        `[${CT}/lun/lun_0/ffee0011]\n\n` +
        `[${CT}/lun/lun_0/statistics/scsi_port/busy_count]\n0\n` +
        `[${CT}/lun/lun_0/statistics/scsi_port/fifo]\n\n` +
        `[${CT}/lun/lun_0/statistics/scsi_tgt_port/in_cmds]\n\n`,
    );
    expect(result.entries).toBe(12);
  });

  it('a root relative to the working directory gives the same text, and the working directory is left as it was', async () => {
    const home = process.cwd();
    process.chdir(dir);
    try {
      const result = await takeSnapshot({ root: 'target', archive: 'archive-relative', kind: 'full', now, drbdProc: null });
      expect(process.cwd()).toBe(dir);
      expect(result.path).toBe(`${dir}/archive-relative/20260314/lio-202603140925.gz`);
      expect(gunzipText(result.path)).toBe(gunzipText(`${dir}/archive-full/20260314/lio-202603140925.gz`));
    } finally {
      process.chdir(home);
    }
  });

  it('the one-shot command gives the same text, named after the current local minute', () => {
    const archive = `${dir}/archive-cli`;
    requireBuiltCollector();
    const before = new Date();
    const run = runCollector(['snapshot', 'full', '--root', root, '--archive', archive], { timeoutMs: 30_000 });
    const after = new Date();
    expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
    const path = onlyArchive(archive);
    const name = parseSnapshotName(path.split('/').pop()!)!;
    expect(name.kind).toBe('full');
    expect(path.split('/').slice(-2)[0]).toBe(dayStamp(name.time));
    expect(name.time.getTime()).toBeGreaterThanOrEqual(before.getTime() - before.getSeconds() * 1000 - before.getMilliseconds());
    expect(name.time.getTime()).toBeLessThanOrEqual(after.getTime());
    expect(gunzipText(path)).toBe(gunzipText(`${dir}/archive-full/20260314/lio-202603140925.gz`));
  });
});

describe('the seed system: the same text as the original scripts gave, secrets aside', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  const spec = seedSystem();
  beforeAll(() => {
    buildLioTree(root, spec);
    setTraffic(root, spec, patternTraffic(5));
  });

  for (const kind of ['stats', 'full'] as const) {
    it(`${kind}: byte for byte the reference (find | LC_ALL=C sort, cat each file)`, async () => {
      const result = await takeSnapshot({ root, archive: `${dir}/archive`, kind, drbdProc: null, now: new Date(2026, 0, 1, 0, 0) });
      const text = gunzipText(result.path);
      expect(text).toBe(referenceText(root, kind));
      expect(result.entries).toBe(text.split('\n[').length);
    });
  }

  it('no secret value anywhere in the full snapshot; every password* entry holds the placeholder', async () => {
    const result = await takeSnapshot({ root, archive: `${dir}/archive-secrets`, kind: 'full', drbdProc: null });
    const text = gunzipText(result.path);
    const secrets = [spec.discoveryPassword!, ...spec.targets.flatMap((t) => t.acls.map((a) => a.chap!.password))];
    for (const secret of secrets) expect(text).not.toContain(secret);
    const passwordEntries = text.split('\n\n').filter((entry) => /\/password[^/\]]*\]/.test(entry));
    // discovery_auth (2) + the TPG's auth (2) + 4 ACLs x 2
    expect(passwordEntries).toHaveLength(12);
    for (const entry of passwordEntries) expect(entry).toMatch(/^\[[^\]]+\]\n<secret not archived>$/);
  });

  it('archives read back with gzip -dc and zgrep, as an administrator searches them', async () => {
    const archive = `${dir}/archive-zgrep`;
    const result = await takeSnapshot({ root, archive, kind: 'stats', drbdProc: null, now: new Date(2026, 0, 1, 3, 4) });
    execFileSync('gzip', ['-t', result.path]);
    expect(execFileSync('gzip', ['-dc', result.path], { encoding: 'utf8' })).toBe(referenceText(root, 'stats'));
    // What initiator01 had read from LUN 1 at 03:04: (1*100 + 1*10 + 1) * 5 MiB.
    const zgrep = spawnSync('sh', ['-c', `zgrep -h -A1 'initiator01/lun_1/statistics/scsi_auth_intr/read_mbytes' ${archive}/2026010*/lio-statistics-*.gz`], {
      encoding: 'utf8',
    });
    expect(zgrep.stdout).toBe(
      '[/sys/kernel/config/target/iscsi/iqn.2016-09.com.example:iscsitgt01/tpgt_1/acls/iqn.2016-09.com.example:initiator01/lun_1/statistics/scsi_auth_intr/read_mbytes]\n555\n',
    );
  });
});

describe('stats subtrees: every fabric and TPG, nothing outside', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  const spec: LioSpec = {
    targets: [
      { fabric: 'iscsi', wwn: 'iqn.2003-01.org.linux-iscsi.a:t1', tpgt: 1, luns: [0], acls: [{ initiator: 'iqn.1994-05.com.redhat:h1', mappedLuns: [0] }] },
      { fabric: 'iscsi', wwn: 'iqn.2003-01.org.linux-iscsi.a:t2', tpgt: 2, luns: [3], acls: [{ initiator: 'iqn.1994-05.com.redhat:h2', mappedLuns: [3] }] },
      { fabric: 'loopback', wwn: 'naa.5001405abcdef012', tpgt: 1, luns: [0, 1], acls: [] },
      { fabric: 'qla2xxx', wwn: '21:00:00:24:ff:01:02:03', tpgt: 1, luns: [0], acls: [{ initiator: '21:00:00:24:ff:aa:bb:cc', mappedLuns: [0] }] },
    ],
  };
  const t1 = 'iscsi/iqn.2003-01.org.linux-iscsi.a:t1';
  const outside = [
    `${t1}/statistics/scsi_x/count`, // statistics directly under a target
    `${t1}/tpgt_1/attrib/statistics/count`, // under a TPG, but not in acls/ or lun/
    `${t1}/tpgt_1/acls/iqn.1994-05.com.redhat:h1/lun_0/deeper/statistics/count`,
    `${t1}/tpgt_1/lun/lun_0/alua/statistics/count`,
    'core/iblock_0/statistics/count', // one level too shallow for core/*/*/statistics
    'core/iblock_0/disk/attrib/statistics/count', // one level too deep
    '.hidden/iqn.x/fabric_statistics/count', // `*` does not match dot names
    'iscsi/.hidden/fabric_statistics/count',
  ];
  beforeAll(() => {
    buildLioTree(root, spec);
    for (const path of outside) {
      mkdirSync(dirname(`${root}/${path}`), { recursive: true });
      writeFileSync(`${root}/${path}`, '1\n');
    }
    // A second TPG of the first target, with its own LUN and session.
    const tpg2 = `${root}/${t1}/tpgt_7`;
    mkdirSync(`${tpg2}/lun/lun_9/statistics/scsi_port`, { recursive: true });
    writeFileSync(`${tpg2}/lun/lun_9/statistics/scsi_port/busy_count`, '0\n');
    mkdirSync(`${tpg2}/acls/iqn.1994-05.com.redhat:h9/fabric_statistics/iscsi_sess_stats`, { recursive: true });
    writeFileSync(`${tpg2}/acls/iqn.1994-05.com.redhat:h9/fabric_statistics/iscsi_sess_stats/cmd_pdus`, '3\n');
  });

  it('matches the reference globs exactly', async () => {
    const result = await takeSnapshot({ root, archive: `${dir}/archive`, kind: 'stats', drbdProc: null });
    expect(gunzipText(result.path)).toBe(referenceText(root, 'stats'));
  });

  it('holds each fabric, target, TPG, LUN and session, and none of the decoys', async () => {
    const result = await takeSnapshot({ root, archive: `${dir}/archive2`, kind: 'stats', drbdProc: null });
    const paths = gunzipText(result.path)
      .split('\n')
      .filter((line) => line.startsWith('['))
      .map((line) => line.slice('[/sys/kernel/config/target/'.length, -1));
    const subtrees = [...new Set(paths.map((p) => p.replace(/\/(statistics|fabric_statistics)\/.*$/, '/$1')))].sort();
    expect(subtrees).toEqual([
      // backstores, named by lio-tree.ts after the last 20 characters of the target
      'core/iblock_0/00_00_24_ff_01_02_03_lun0/statistics',
      'core/iblock_0/naa_5001405abcdef012_lun0/statistics',
      'core/iblock_0/naa_5001405abcdef012_lun1/statistics',
      'core/iblock_0/org_linux_iscsi_a_t1_lun0/statistics',
      'core/iblock_0/org_linux_iscsi_a_t2_lun3/statistics',
      'iscsi/iqn.2003-01.org.linux-iscsi.a:t1/fabric_statistics',
      'iscsi/iqn.2003-01.org.linux-iscsi.a:t1/tpgt_1/acls/iqn.1994-05.com.redhat:h1/fabric_statistics',
      'iscsi/iqn.2003-01.org.linux-iscsi.a:t1/tpgt_1/acls/iqn.1994-05.com.redhat:h1/lun_0/statistics',
      'iscsi/iqn.2003-01.org.linux-iscsi.a:t1/tpgt_1/lun/lun_0/statistics',
      'iscsi/iqn.2003-01.org.linux-iscsi.a:t1/tpgt_7/acls/iqn.1994-05.com.redhat:h9/fabric_statistics',
      'iscsi/iqn.2003-01.org.linux-iscsi.a:t1/tpgt_7/lun/lun_9/statistics',
      'iscsi/iqn.2003-01.org.linux-iscsi.a:t2/fabric_statistics',
      'iscsi/iqn.2003-01.org.linux-iscsi.a:t2/tpgt_2/acls/iqn.1994-05.com.redhat:h2/fabric_statistics',
      'iscsi/iqn.2003-01.org.linux-iscsi.a:t2/tpgt_2/acls/iqn.1994-05.com.redhat:h2/lun_3/statistics',
      'iscsi/iqn.2003-01.org.linux-iscsi.a:t2/tpgt_2/lun/lun_3/statistics',
      'loopback/naa.5001405abcdef012/tpgt_1/lun/lun_0/statistics',
      'loopback/naa.5001405abcdef012/tpgt_1/lun/lun_1/statistics',
      // An FC ACL has no iSCSI session statistics (iscsi_sess_stats is iSCSI's own).
      'qla2xxx/21:00:00:24:ff:01:02:03/tpgt_1/acls/21:00:00:24:ff:aa:bb:cc/lun_0/statistics',
      'qla2xxx/21:00:00:24:ff:01:02:03/tpgt_1/lun/lun_0/statistics',
    ]);
    for (const decoy of outside) expect(paths).not.toContain(decoy);
  });
});

describe('order: byte order of full paths, as LC_ALL=C sort', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  beforeAll(() => {
    // "lun" sorts before "lun-0/x" (a prefix), "lun-0/x" before "lun.x" ("-" < "."), "lun.x"
    // before "lun/x" ("." < "/"), "lun/x" before "lun_0" ("/" < "_"), and upper case first.
    for (const path of ['a/lun', 'a/lun-0/x', 'a/lun.x', 'b/lun/x', 'b/lun.x', 'b/lun-0', 'b/lun_0/y', 'b/Lun', 'b/lun0', 'c d/e']) {
      mkdirSync(dirname(`${root}/${path}`), { recursive: true });
      writeFileSync(`${root}/${path}`, `${path}\n`);
    }
  });

  it('full walk', async () => {
    const result = await takeSnapshot({ root, archive: `${dir}/archive`, kind: 'full', drbdProc: null });
    const text = gunzipText(result.path);
    expect(text).toBe(referenceText(root, 'full'));
    expect(text.split('\n').filter((l) => l.startsWith('[')).map((l) => l.slice(27, -1))).toEqual([
      'a/lun',
      'a/lun-0/x',
      'a/lun.x',
      'b/Lun',
      'b/lun-0',
      'b/lun.x',
      'b/lun/x',
      'b/lun0',
      'b/lun_0/y',
      'c d/e',
    ]);
  });
});

describe('the DRBD entry of stats snapshots', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  const drbdText = procDrbd84([{ minor: 0, ns: 1024, nr: 0, dw: 2048, dr: 4096, al: 3, bm: 0 }]);
  beforeAll(() => {
    buildLioTree(root, scaledSystem(1, 1, 1));
    writeFileSync(`${dir}/drbd`, drbdText);
    mkfifo(`${dir}/drbd-fifo`);
    requireBuiltCollector();
  });

  it('comes last, as [/proc/drbd], whatever path was read', () => {
    const archive = `${dir}/a1`;
    const run = runCollector(['snapshot', 'stats', '--no-crm-mon', '--root', root, '--archive', archive, '--drbd-proc', `${dir}/drbd`]);
    expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(gunzipText(onlyArchive(archive))).toBe(`${referenceText(root, 'stats')}[/proc/drbd]\n${drbdText}\n`);
  });

  it('is left out with --no-drbd, on a node without DRBD, and in full snapshots', () => {
    const cases = [
      [['--no-drbd'], 'stats'],
      [['--drbd-proc', `${dir}/no-such-file`], 'stats'],
      [['--drbd-proc', `${dir}/drbd`], 'full'],
    ] as const;
    for (const [n, [args, kind]] of cases.entries()) {
      const archive = `${dir}/a-without-${n}`;
      const run = runCollector(['snapshot', kind, '--no-crm-mon', '--root', root, '--archive', archive, ...args]);
      expect(run).toMatchObject({ status: 0, stderr: '' });
      expect(gunzipText(onlyArchive(archive))).toBe(referenceText(root, kind));
    }
  });

  it('on DRBD 9 (version lines only in /proc/drbd) an entry for drbdsetup events2 follows', (context) => {
    if (existsSync('/usr/sbin/drbdsetup')) context.skip('drbdsetup is installed here: its output would vary');
    const drbd9 = 'version: 9.2.8 (api:2/proto:86-122)\nTransports (api:20): tcp (9.2.8)\n';
    writeFileSync(`${dir}/drbd9`, drbd9);
    const archive = `${dir}/a-drbd9`;
    const run = runCollector(['snapshot', 'stats', '--no-crm-mon', '--root', root, '--archive', archive, '--drbd-proc', `${dir}/drbd9`]);
    expect(run.status).toBe(0);
    // Without drbdsetup the entry is empty, and one line says why.
    expect(run.stderr).toMatch(/^lio-collector: snapshot stats: DRBD entry empty: .*drbdsetup.*\n$/);
    expect(gunzipText(onlyArchive(archive))).toBe(
      `${referenceText(root, 'stats')}[/proc/drbd]\n${drbd9}\n[drbdsetup events2 --now --statistics]\n\n`,
    );
  });

  it('a FIFO given as --drbd-proc is not read (it would block): empty entry, one line on stderr', () => {
    const archive = `${dir}/a-fifo`;
    const run = runCollector(['snapshot', 'stats', '--no-crm-mon', '--root', root, '--archive', archive, '--drbd-proc', `${dir}/drbd-fifo`], { timeoutMs: 20_000 });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`lio-collector: snapshot stats: DRBD entry empty: ${dir}/drbd-fifo: not a regular file, not read\n`);
    expect(gunzipText(onlyArchive(archive))).toBe(`${referenceText(root, 'stats')}[/proc/drbd]\n\n`);
  });
});
