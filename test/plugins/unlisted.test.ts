// Directories and counter files that user nobody cannot read, through the built plugin run as
// munin-node runs it (Debian's munin-run, as nobody): every other field is printed with its value,
// the exit code is 0, and stderr says what is missing, one line per unlisted directory
// ("cannot list <path>: EACCES; ...", plugins/graphs/lio.ts) and per unreadable counter
// ("cannot read <path>: EACCES", as test/plugins/protocol.test.ts expects it).
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLioTree, patternTraffic, seedSystem, setTraffic } from '../support/lio-tree.js';
import { muninRun } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';

const T = 'iqn2016_09comexampleiscsitgt01';
/** The TPG, below the root, as the infos name it. */
const TPG = 'iscsi/iqn.2016-09.com.example:iscsitgt01/tpgt_1';
const INITIATOR = (i: number) => `iqn.2016-09.com.example:initiator0${i}`;

/** One field as the plugin must print it: name, label, info, value. */
type Row = [name: string, label: string, info: string, value: string];

const lunRow = (lun: number, value: string, moved = 'read by'): Row => [
  `${T}lun_${lun}`,
  `iscsitgt01 (lun_${lun})`,
  `Bytes ${moved} all initiators on lun_${lun} of ${TPG}`,
  value,
];
const aclRow = (i: number, lun: number, value: string, moved = 'read by'): Row => [
  `${T}iqn2016_09comexampleinitiator0${i}lun_${lun}`,
  `iscsitgt01 - initiator0${i} (lun_${lun})`,
  `Bytes ${moved} iqn.2016-09.com.example:initiator0${i} on its mapped lun_${lun} of ${TPG}`,
  value,
];

/** The field lines of `config` (after the graph_* lines), in the Munin format. */
const configLines = (rows: Row[]) =>
  rows.map(([name, label, info]) => `${name}.label ${label}\n${name}.info ${info}\n${name}.type DERIVE\n${name}.min 0\n${name}.cdef ${name},1048576,*\n`).join('');
/** The output of a fetch. */
const valueLines = (rows: Row[]) => rows.map(([name, , , value]) => `${name}.value ${value}\n`).join('');
/** What config printed from its first field line on. */
const fieldPart = (stdout: string) => stdout.slice(stdout.indexOf(`\n${T}`) + 1);

// The seed system with patternTraffic(1): initiator i has read (i*100 + lun*10 + 1) MiB and
// written (i*100 + lun*10 + 2) MiB on each LUN; a LUN's counters are the sums over the four.
describe('one ACL directory, acls/<initiator02>, mode 000', () => {
  const dir = tempDir();
  const root = `${dir}/target`;
  const tpg = `${root}/${TPG}`;
  beforeAll(() => {
    const spec = seedSystem();
    buildLioTree(root, spec);
    setTraffic(root, spec, patternTraffic(1));
    chmodSync(`${tpg}/acls/${INITIATOR(2)}`, 0o000);
  });
  const env = () => ({ target_root: root });
  const problem = () => `lio_read: cannot list ${tpg}/acls/${INITIATOR(2)}: EACCES; the fields below it are left out\n`;
  const rows: Row[] = [
    lunRow(0, '1004'),
    lunRow(1, '1044'),
    lunRow(2, '1084'),
    lunRow(3, '1124'),
    aclRow(1, 0, '101'),
    aclRow(1, 1, '111'),
    aclRow(1, 2, '121'),
    aclRow(1, 3, '131'),
    aclRow(3, 0, '301'),
    aclRow(3, 1, '311'),
    aclRow(3, 2, '321'),
    aclRow(3, 3, '331'),
    aclRow(4, 0, '401'),
    aclRow(4, 1, '411'),
    aclRow(4, 2, '421'),
    aclRow(4, 3, '431'),
  ];

  it('fetch: every other field with its value, exit 0, one stderr line for the directory', () => {
    expect(muninRun(dir, 'lio_read', undefined, env())).toEqual({ stdout: valueLines(rows), stderr: problem(), status: 0 });
  });

  it('config: every other field, exit 0, the same one stderr line', () => {
    const run = muninRun(dir, 'lio_read', 'config', env());
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(problem());
    expect(run.stdout).toMatch(/^graph_title LIO read throughput\n/);
    expect(fieldPart(run.stdout)).toBe(configLines(rows));
  });

  it('config with MUNIN_CAP_DIRTYCONFIG=1: every other field with its value', () => {
    const run = muninRun(dir, 'lio_read', 'config', env(), { MUNIN_CAP_DIRTYCONFIG: '1' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(problem());
    expect(fieldPart(run.stdout)).toBe(configLines(rows) + valueLines(rows));
  });

  it('lio_write says the same, in its own name', () => {
    const write: Row[] = [
      lunRow(0, '1008', 'written by'),
      lunRow(1, '1048', 'written by'),
      lunRow(2, '1088', 'written by'),
      lunRow(3, '1128', 'written by'),
      aclRow(1, 0, '102', 'written by'),
      aclRow(1, 1, '112', 'written by'),
      aclRow(1, 2, '122', 'written by'),
      aclRow(1, 3, '132', 'written by'),
      aclRow(3, 0, '302', 'written by'),
      aclRow(3, 1, '312', 'written by'),
      aclRow(3, 2, '322', 'written by'),
      aclRow(3, 3, '332', 'written by'),
      aclRow(4, 0, '402', 'written by'),
      aclRow(4, 1, '412', 'written by'),
      aclRow(4, 2, '422', 'written by'),
      aclRow(4, 3, '432', 'written by'),
    ];
    expect(muninRun(dir, 'lio_write', undefined, env())).toEqual({
      stdout: valueLines(write),
      stderr: `lio_write: cannot list ${tpg}/acls/${INITIATOR(2)}: EACCES; the fields below it are left out\n`,
      status: 0,
    });
  });
});

describe('one counter file mode 000 (lun_2 read_mbytes)', () => {
  const dir = tempDir();
  const root = `${dir}/target`;
  const tpg = `${root}/${TPG}`;
  const counter = () => `${tpg}/lun/lun_2/statistics/scsi_tgt_port/read_mbytes`;
  beforeAll(() => {
    const spec = seedSystem();
    buildLioTree(root, spec);
    setTraffic(root, spec, patternTraffic(1));
    chmodSync(counter(), 0o000);
  });
  const env = () => ({ target_root: root });
  const rows: Row[] = [
    lunRow(0, '1004'),
    lunRow(1, '1044'),
    lunRow(2, 'U'),
    lunRow(3, '1124'),
    aclRow(1, 0, '101'),
    aclRow(1, 1, '111'),
    aclRow(1, 2, '121'),
    aclRow(1, 3, '131'),
    aclRow(2, 0, '201'),
    aclRow(2, 1, '211'),
    aclRow(2, 2, '221'),
    aclRow(2, 3, '231'),
    aclRow(3, 0, '301'),
    aclRow(3, 1, '311'),
    aclRow(3, 2, '321'),
    aclRow(3, 3, '331'),
    aclRow(4, 0, '401'),
    aclRow(4, 1, '411'),
    aclRow(4, 2, '421'),
    aclRow(4, 3, '431'),
  ];

  it('fetch: U for that field, every other value, and the cannot-read line', () => {
    expect(rows).toHaveLength(20);
    expect(muninRun(dir, 'lio_read', undefined, env())).toEqual({
      stdout: valueLines(rows),
      stderr: `lio_read: cannot read ${counter()}: EACCES\n`,
      status: 0,
    });
  });

  it('config reads no value: all 20 fields, nothing on stderr', () => {
    const run = muninRun(dir, 'lio_read', 'config', env());
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(fieldPart(run.stdout)).toBe(configLines(rows));
  });

  it('dirty config: the U and the same line', () => {
    const run = muninRun(dir, 'lio_read', 'config', env(), { MUNIN_CAP_DIRTYCONFIG: '1' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`lio_read: cannot read ${counter()}: EACCES\n`);
    expect(fieldPart(run.stdout)).toBe(configLines(rows) + valueLines(rows));
  });
});

describe('lun/ and acls/<initiator04> mode 000, and a counter of initiator01 mode 000', () => {
  const dir = tempDir();
  const root = `${dir}/target`;
  const tpg = `${root}/${TPG}`;
  const counter = () => `${tpg}/acls/${INITIATOR(1)}/lun_3/statistics/scsi_auth_intr/read_mbytes`;
  beforeAll(() => {
    const spec = seedSystem();
    buildLioTree(root, spec);
    setTraffic(root, spec, patternTraffic(1));
    chmodSync(`${tpg}/lun`, 0o000);
    chmodSync(`${tpg}/acls/${INITIATOR(4)}`, 0o000);
    chmodSync(counter(), 0o000);
  });

  it('fetch: the twelve readable fields, the directories first on stderr in path order, then the counter', () => {
    const rows: Row[] = [
      aclRow(1, 0, '101'),
      aclRow(1, 1, '111'),
      aclRow(1, 2, '121'),
      aclRow(1, 3, 'U'),
      aclRow(2, 0, '201'),
      aclRow(2, 1, '211'),
      aclRow(2, 2, '221'),
      aclRow(2, 3, '231'),
      aclRow(3, 0, '301'),
      aclRow(3, 1, '311'),
      aclRow(3, 2, '321'),
      aclRow(3, 3, '331'),
    ];
    expect(muninRun(dir, 'lio_read', undefined, { target_root: root })).toEqual({
      stdout: valueLines(rows),
      stderr:
        `lio_read: cannot list ${tpg}/lun: EACCES; the fields below it are left out\n` +
        `lio_read: cannot list ${tpg}/acls/${INITIATOR(4)}: EACCES; the fields below it are left out\n` +
        `lio_read: cannot read ${counter()}: EACCES\n`,
      status: 0,
    });
  });
});

describe('lun/ and acls/<initiator02> mode 000 after a run that listed them', () => {
  const dir = tempDir();
  const root = `${dir}/target`;
  const tpg = `${root}/${TPG}`;
  beforeAll(() => {
    const spec = seedSystem();
    buildLioTree(root, spec);
    setTraffic(root, spec, patternTraffic(1));
  });
  const env = () => ({ target_root: root });
  const problems = (plugin: string) =>
    `${plugin}: cannot list ${tpg}/lun: EACCES; the fields below it are U, as last listed\n` +
    `${plugin}: cannot list ${tpg}/acls/${INITIATOR(2)}: EACCES; the fields below it are U, as last listed\n`;
  const rows = (lunValue: (lun: number) => string, initiator2: (lun: number) => string): Row[] => [
    ...[0, 1, 2, 3].map((lun) => lunRow(lun, lunValue(lun))),
    ...[1, 2, 3, 4].flatMap((i) => [0, 1, 2, 3].map((lun) => aclRow(i, lun, i === 2 ? initiator2(lun) : String(i * 100 + lun * 10 + 1)))),
  ];
  const readable = rows((lun) => String(1004 + lun * 40), (lun) => String(201 + lun * 10));
  const hidden = rows(() => 'U', () => 'U');

  it('a first run lists everything and keeps the listings in the state directory', () => {
    expect(muninRun(dir, 'lio_read', undefined, env())).toEqual({ stdout: valueLines(readable), stderr: '', status: 0 });
    chmodSync(`${tpg}/lun`, 0o000);
    chmodSync(`${tpg}/acls/${INITIATOR(2)}`, 0o000);
  });

  it('fetch: all 20 fields, U for the 8 below the two directories, one line for each directory', () => {
    expect(muninRun(dir, 'lio_read', undefined, env())).toEqual({ stdout: valueLines(hidden), stderr: problems('lio_read'), status: 0 });
  });

  it('config: all 20 fields, with the names and labels they had', () => {
    const run = muninRun(dir, 'lio_read', 'config', env(), { MUNIN_CAP_DIRTYCONFIG: '1' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(problems('lio_read'));
    expect(fieldPart(run.stdout)).toBe(configLines(hidden) + valueLines(hidden));
  });

  it('lio_write reads the same kept listings', () => {
    // Written: one more MiB than read on every counter of an initiator (patternTraffic).
    const written = hidden.map(([name, label, info, value]): Row => [name, label, info.replace('read by', 'written by'), value === 'U' ? 'U' : String(Number(value) + 1)]);
    expect(muninRun(dir, 'lio_write', undefined, env())).toEqual({ stdout: valueLines(written), stderr: problems('lio_write'), status: 0 });
  });

  it('readable again: every value back, nothing on stderr', () => {
    chmodSync(`${tpg}/lun`, 0o755);
    chmodSync(`${tpg}/acls/${INITIATOR(2)}`, 0o755);
    expect(muninRun(dir, 'lio_read', undefined, env())).toEqual({ stdout: valueLines(readable), stderr: '', status: 0 });
  });
});

describe('lio_disk: lun/ mode 000 after a run that listed it', () => {
  const dir = tempDir();
  const root = `${dir}/target`;
  const tpg = `${root}/${TPG}`;
  beforeAll(() => {
    const spec = seedSystem();
    buildLioTree(root, spec);
    setTraffic(root, spec, patternTraffic(1));
  });
  const env = () => ({ target_root: root, dev_root: `${dir}/dev`, block_root: `${dir}/block` });
  /** name -> value of every field of a fetch, under its multigraph. */
  const values = (stdout: string) => {
    let graph = '';
    const all = new Map<string, string>();
    for (const line of stdout.split('\n').filter(Boolean)) {
      if (line.startsWith('multigraph ')) graph = line.slice(11);
      else all.set(`${graph} ${line.slice(0, line.indexOf('.value '))}`, line.slice(line.indexOf('.value ') + 7));
    }
    return all;
  };

  it('keeps every field; those of the LUNs (and their sums) are U, the initiators keep their values', () => {
    const before = muninRun(dir, 'lio_disk', undefined, env());
    expect(before.stderr).toBe('');
    chmodSync(`${tpg}/lun`, 0o000);
    const after = muninRun(dir, 'lio_disk', undefined, env());
    chmodSync(`${tpg}/lun`, 0o755);
    expect(after.status).toBe(0);
    expect(after.stderr).toBe(`lio_disk: cannot list ${tpg}/lun: EACCES; the fields below it are U, as last listed\n`);
    const was = values(before.stdout);
    const is = values(after.stdout);
    expect([...is.keys()]).toEqual([...was.keys()]);
    const changed = [...is].filter(([key, value]) => value !== was.get(key));
    const T_ = 'iqn2016_09comexampleiscsitgt01';
    const luns = [0, 1, 2, 3];
    // The target's throughput and IOPS overview sums its LUNs; the drill-downs have one line per LUN.
    expect(changed).toEqual([
      [`lio_disk_bytes ${T_}_read`, 'U'],
      [`lio_disk_bytes ${T_}_write`, 'U'],
      ...luns.flatMap((l) => [[`lio_disk_bytes.${T_} lun_${l}_read`, 'U'], [`lio_disk_bytes.${T_} lun_${l}_write`, 'U']]),
      [`lio_disk_iops ${T_}`, 'U'],
      ...luns.map((l) => [`lio_disk_iops.${T_} lun_${l}`, 'U']),
    ]);
  });
});

describe('acls/ mode 000 after a run that listed it', () => {
  const dir = tempDir();
  const root = `${dir}/target`;
  const tpg = `${root}/${TPG}`;
  beforeAll(() => {
    const spec = seedSystem();
    buildLioTree(root, spec);
    setTraffic(root, spec, patternTraffic(1));
  });

  it('every initiator keeps its fields, U, from one line for acls/ (nothing is tried below it)', () => {
    expect(muninRun(dir, 'lio_read', undefined, { target_root: root }).stderr).toBe('');
    chmodSync(`${tpg}/acls`, 0o000);
    const rows: Row[] = [...[0, 1, 2, 3].map((lun) => lunRow(lun, String(1004 + lun * 40))), ...[1, 2, 3, 4].flatMap((i) => [0, 1, 2, 3].map((lun) => aclRow(i, lun, 'U')))];
    expect(muninRun(dir, 'lio_read', undefined, { target_root: root })).toEqual({
      stdout: valueLines(rows),
      stderr: `lio_read: cannot list ${tpg}/acls: EACCES; the fields below it are U, as last listed\n`,
      status: 0,
    });
  });
});

describe('lio_sessions and lio_iscsi_errors: acls/ mode 000 after a run that listed it', () => {
  const dir = tempDir();
  const root = `${dir}/target`;
  const tpg = `${root}/${TPG}`;
  beforeAll(() => {
    const spec = seedSystem();
    buildLioTree(root, spec);
    setTraffic(root, spec, patternTraffic(1));
  });
  /** graph and field -> value of every field of a fetch. */
  const values = (stdout: string) => {
    let graph = '';
    const all = new Map<string, string>();
    for (const line of stdout.split('\n').filter(Boolean)) {
      if (line.startsWith('multigraph ')) graph = line.slice(11);
      else all.set(`${graph} ${line.slice(0, line.indexOf('.value '))}`, line.slice(line.indexOf('.value ') + 7));
    }
    return all;
  };
  const initiatorField = (i: number) => `iqn2016_09comexampleinitiator0${i}`;

  it('every initiator keeps its fields, U, from one line for acls/; the target totals keep their values', () => {
    const env = { target_root: root };
    const before = { sessions: muninRun(dir, 'lio_sessions', undefined, env), errors: muninRun(dir, 'lio_iscsi_errors', undefined, env) };
    expect(before.sessions.stderr + before.errors.stderr).toBe('');
    chmodSync(`${tpg}/acls`, 0o000);
    const after = { sessions: muninRun(dir, 'lio_sessions', undefined, env), errors: muninRun(dir, 'lio_iscsi_errors', undefined, env) };
    chmodSync(`${tpg}/acls`, 0o755);
    for (const plugin of ['sessions', 'errors'] as const) {
      const name = plugin === 'sessions' ? 'lio_sessions' : 'lio_iscsi_errors';
      expect(after[plugin].status).toBe(0);
      expect(after[plugin].stderr).toBe(`${name}: cannot list ${tpg}/acls: EACCES; the initiators below it are U, as last listed\n`);
      const was = values(before[plugin].stdout);
      const is = values(after[plugin].stdout);
      expect([...is.keys()]).toEqual([...was.keys()]);
      const changed = [...is].filter(([key, value]) => value !== was.get(key));
      // Exactly the fields of the four initiators (of every kind), each now U.
      expect(changed.map(([key]) => key)).toEqual([...is.keys()].filter((key) => [1, 2, 3, 4].some((i) => key.includes(initiatorField(i)))));
      expect(changed.length).toBeGreaterThanOrEqual(4);
      for (const [key, value] of changed) expect(value, key).toBe('U');
    }
  });
});

describe('the kept listings', () => {
  it('autoconf keeps none (munin-node-configure and the installer run it); fetch keeps them', () => {
    const dir = tempDir('lio-munin-listings-');
    buildLioTree(`${dir}/target`, seedSystem());
    const env = { target_root: `${dir}/target`, MUNIN_PLUGSTATE: `${dir}/state` };
    mkdirSync(env.MUNIN_PLUGSTATE);
    chmodSync(env.MUNIN_PLUGSTATE, 0o777);
    for (const plugin of ['lio_sessions', 'lio_iscsi_errors']) {
      expect(muninRun(dir, plugin, 'autoconf', env, { MUNIN_CAP_MULTIGRAPH: '1' })).toEqual({ stdout: 'yes\n', stderr: '', status: 0 });
    }
    expect(readdirSync(env.MUNIN_PLUGSTATE)).toEqual([]);
    expect(muninRun(dir, 'lio_sessions', undefined, env, { MUNIN_CAP_MULTIGRAPH: '1' }).status).toBe(0);
    expect(muninRun(dir, 'lio_read', undefined, env).status).toBe(0);
    expect(readdirSync(env.MUNIN_PLUGSTATE).sort()).toEqual(['lio-munin-iscsi-listings.json', 'lio-munin-lio-listings.json']);
  });
});
