// The LIO configfs walker, in the style of prometheus/procfs: for each tree (the public samples in
// test/fixtures/configfs, provenance in test/fixtures/PROVENANCE.md; the seed system; hand-built
// trees with the odd corners) the whole typed result is compared with an expected object written
// out here, read off the directory listings. And readCounter on each kind of statistics file.
//
// Unreadable directories: the tests run as root, who lists a mode-000 directory anyway. The walker
// is therefore bundled (esbuild, from the same source) into a small script and run as user nobody
// (setpriv), which readdir refuses with EACCES, as munin-run's plugins are refused.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCounter, readLioTree, readPlainCounter, type LioTree } from '../../../lib/kernel/configfs.js';
import { buildLioTree, seedSystem, type LioSpec } from '../../support/lio-tree.js';
import { tempDir } from '../../support/tmp.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/configfs', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** Directories (each with its parents) under root. */
function dirs(root: string, ...paths: string[]): void {
  for (const path of paths) mkdirSync(`${root}/${path}`, { recursive: true });
}

/** Files holding "1\n" (with their parent directories) under root. */
function files(root: string, ...paths: string[]): void {
  for (const path of paths) {
    mkdirSync(dirname(`${root}/${path}`), { recursive: true });
    writeFileSync(`${root}/${path}`, '1\n');
  }
}

/** The lines sorted as `LC_ALL=C sort` sorts them: an oracle independent of the walker. */
function cSort(lines: string[]): string[] {
  const run = spawnSync('sort', [], { input: lines.join('\n') + '\n', encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  expect(run.status).toBe(0);
  return run.stdout.trimEnd().split('\n');
}

describe('readLioTree on the public samples', () => {
  it('ncollectd-target: two iSCSI targets, one LUN each, no ACLs', () => {
    const root = `${FIXTURES}/ncollectd-target`;
    expect(readLioTree(root)).toEqual({
      tpgs: [
        {
          fabric: 'iscsi',
          target: 'iqn.2025-02.org.linux-iscsi.igw.x86:dev.rbd0',
          tpgt: 'tpgt_1',
          path: `${root}/iscsi/iqn.2025-02.org.linux-iscsi.igw.x86:dev.rbd0/tpgt_1`,
          luns: ['lun_0'],
          acls: [],
        },
        {
          fabric: 'iscsi',
          target: 'iqn.2025-02.org.linux-iscsi.osd1.x8664:sn.89321afeecfd',
          tpgt: 'tpgt_1',
          path: `${root}/iscsi/iqn.2025-02.org.linux-iscsi.osd1.x8664:sn.89321afeecfd/tpgt_1`,
          luns: ['lun_0'],
          acls: [],
        },
      ],
      unlisted: [],
    } satisfies LioTree);
  });

  it('procfs-target: four iSCSI targets, one LUN each, core/ with four backstores left out', () => {
    const root = `${FIXTURES}/procfs-target`;
    expect(readLioTree(root)).toEqual({
      tpgs: [
        {
          fabric: 'iscsi',
          target: 'iqn.2003-01.org.linux-iscsi.osd1.x8664:sn.8888bbbbddd0',
          tpgt: 'tpgt_1',
          path: `${root}/iscsi/iqn.2003-01.org.linux-iscsi.osd1.x8664:sn.8888bbbbddd0/tpgt_1`,
          luns: ['lun_0'],
          acls: [],
        },
        {
          fabric: 'iscsi',
          target: 'iqn.2003-01.org.linux-iscsi.osd1.x8664:sn.abcd1abcd2ab',
          tpgt: 'tpgt_1',
          path: `${root}/iscsi/iqn.2003-01.org.linux-iscsi.osd1.x8664:sn.abcd1abcd2ab/tpgt_1`,
          luns: ['lun_0'],
          acls: [],
        },
        {
          fabric: 'iscsi',
          target: 'iqn.2016-11.org.linux-iscsi.igw.x86:dev.rbd0',
          tpgt: 'tpgt_1',
          path: `${root}/iscsi/iqn.2016-11.org.linux-iscsi.igw.x86:dev.rbd0/tpgt_1`,
          luns: ['lun_0'],
          acls: [],
        },
        {
          fabric: 'iscsi',
          target: 'iqn.2016-11.org.linux-iscsi.igw.x86:sn.ramdemo',
          tpgt: 'tpgt_1',
          path: `${root}/iscsi/iqn.2016-11.org.linux-iscsi.igw.x86:sn.ramdemo/tpgt_1`,
          luns: ['lun_0'],
          acls: [],
        },
      ],
      unlisted: [],
    } satisfies LioTree);
  });
});

/** The seed system as the walker must see it, under root. */
function seedExpected(root: string): LioTree {
  const initiator = (n: number) => ({ initiator: `iqn.2016-09.com.example:initiator0${n}`, mappedLuns: ['lun_0', 'lun_1', 'lun_2', 'lun_3'] });
  return {
    tpgs: [
      {
        fabric: 'iscsi',
        target: 'iqn.2016-09.com.example:iscsitgt01',
        tpgt: 'tpgt_1',
        path: `${root}/iscsi/iqn.2016-09.com.example:iscsitgt01/tpgt_1`,
        luns: ['lun_0', 'lun_1', 'lun_2', 'lun_3'],
        acls: [initiator(1), initiator(2), initiator(3), initiator(4)],
      },
    ],
    unlisted: [],
  };
}

describe('readLioTree on built trees', () => {
  const dir = tempDir();

  it('the seed system: one target, four initiators each mapped to all four LUNs', () => {
    const root = `${dir}/seed`;
    buildLioTree(root, seedSystem());
    expect(readLioTree(root)).toEqual(seedExpected(root));
  });

  it('a missing root is an empty tree, not an unlisted directory', () => {
    expect(readLioTree(`${dir}/no-such-root`)).toEqual({ tpgs: [], unlisted: [] });
  });

  // Two fabrics, several TPGs, core/ (walked, it would give a TPG), a target's
  // fabric_statistics/ and a tpgt_x/ (not TPGs), files and symlinks where directories are
  // expected, and names whose path order differs from a plain sort.
  const hand = `${dir}/hand`;
  const T1 = 'iqn.2003-01.org.example:t1';
  const H = 'iqn.1994-05.com.redhat:host';
  beforeAll(() => {
    files(hand, 'version', 'iscsi/lio_version', 'iscsi/discovery_auth/userid', 'core/fileio_0/disk0/enable');
    dirs(hand, 'core/fileio_0/tpgt_1/lun/lun_0', 'core/alua/lu_gps/default_lu_gp');
    const t1 = `iscsi/${T1}`;
    dirs(hand, `${t1}/fabric_statistics/iscsi_instance`, `${t1}/fabric_statistics/lun/lun_0`, `${t1}/tpgt_x/lun/lun_0`, `${t1}/tpgt_/lun/lun_0`);
    files(hand, `${t1}/tpgt_3`, `${t1}/tpgt_1/enable`, `${t1}/fabric_statistics/iscsi_instance/inst`);
    dirs(hand, ...['lun_0', 'lun_1', 'lun_10', 'lun_2', 'lun_1-x', 'LUN_4', 'lun_', 'xlun_5'].map((l) => `${t1}/tpgt_1/lun/${l}/statistics`));
    files(hand, `${t1}/tpgt_1/lun/lun_3`);
    symlinkSync('lun_0', `${hand}/${t1}/tpgt_1/lun/lun_9`);
    const acls = `${t1}/tpgt_1/acls`;
    dirs(hand, `${acls}/${H}1/lun_0`, `${acls}/${H}1/lun_1`, `${acls}/${H}1/lun_10`, `${acls}/${H}1/lun_2`, `${acls}/${H}1/auth`, `${acls}/${H}1/attrib`);
    dirs(hand, `${acls}/${H}1-b/lun_1/statistics/scsi_auth_intr`, `${acls}/${H}1.a`, `${acls}/${H}10/lun_0`, `${acls}/${H}10/fabric_statistics`, `${acls}/${H}1_c/lun_3`);
    files(hand, `${acls}/${H}1.a/info`, `${acls}/${H}10/lun_5`, `${acls}/iqn.1994-05.com.redhat:stray`);
    symlinkSync('lun_0', `${hand}/${acls}/${H}10/lun_7`);
    symlinkSync(`${H}1`, `${hand}/${acls}/${H}2`);
    dirs(hand, `iscsi/${T1}/tpgt_2/lun/lun_0`);
    dirs(hand, 'iscsi/iqn.2003-01.org.example:t1-b/tpgt_1/lun/lun_7', 'iscsi/iqn.2003-01.org.example:t1.a/tpgt_1', 'iscsi/iqn.2003-01.org.example:t10/fabric_statistics');
    const naa = 'loopback/naa.5001405abcdef012';
    dirs(hand, `${naa}/tpgt_1/lun/lun_0`, `${naa}/tpgt_10/lun/lun_3`, `${naa}/tpgt_2/lun/lun_0`, `${naa}/tpgt_2/lun/lun_1`);
    files(hand, `${naa}/tpgt_1/nexus`);
  });

  it('a hand-built tree: two fabrics, three TPGs of one target, core/ and non-TPG directories skipped, in path order', () => {
    expect(readLioTree(hand)).toEqual({
      tpgs: [
        {
          fabric: 'iscsi',
          target: 'iqn.2003-01.org.example:t1-b',
          tpgt: 'tpgt_1',
          path: `${hand}/iscsi/iqn.2003-01.org.example:t1-b/tpgt_1`,
          luns: ['lun_7'],
          acls: [],
        },
        {
          fabric: 'iscsi',
          target: 'iqn.2003-01.org.example:t1.a',
          tpgt: 'tpgt_1',
          path: `${hand}/iscsi/iqn.2003-01.org.example:t1.a/tpgt_1`,
          luns: [],
          acls: [],
        },
        {
          fabric: 'iscsi',
          target: 'iqn.2003-01.org.example:t1',
          tpgt: 'tpgt_1',
          path: `${hand}/iscsi/iqn.2003-01.org.example:t1/tpgt_1`,
          luns: ['lun_0', 'lun_1', 'lun_10', 'lun_2'],
          acls: [
            { initiator: 'iqn.1994-05.com.redhat:host1-b', mappedLuns: ['lun_1'] },
            { initiator: 'iqn.1994-05.com.redhat:host1.a', mappedLuns: [] },
            { initiator: 'iqn.1994-05.com.redhat:host1', mappedLuns: ['lun_0', 'lun_1', 'lun_10', 'lun_2'] },
            { initiator: 'iqn.1994-05.com.redhat:host10', mappedLuns: ['lun_0'] },
            { initiator: 'iqn.1994-05.com.redhat:host1_c', mappedLuns: ['lun_3'] },
          ],
        },
        {
          fabric: 'iscsi',
          target: 'iqn.2003-01.org.example:t1',
          tpgt: 'tpgt_2',
          path: `${hand}/iscsi/iqn.2003-01.org.example:t1/tpgt_2`,
          luns: ['lun_0'],
          acls: [],
        },
        {
          fabric: 'loopback',
          target: 'naa.5001405abcdef012',
          tpgt: 'tpgt_1',
          path: `${hand}/loopback/naa.5001405abcdef012/tpgt_1`,
          luns: ['lun_0'],
          acls: [],
        },
        {
          fabric: 'loopback',
          target: 'naa.5001405abcdef012',
          tpgt: 'tpgt_10',
          path: `${hand}/loopback/naa.5001405abcdef012/tpgt_10`,
          luns: ['lun_3'],
          acls: [],
        },
        {
          fabric: 'loopback',
          target: 'naa.5001405abcdef012',
          tpgt: 'tpgt_2',
          path: `${hand}/loopback/naa.5001405abcdef012/tpgt_2`,
          luns: ['lun_0', 'lun_1'],
          acls: [],
        },
      ],
      unlisted: [],
    } satisfies LioTree);
  });

  it('the order above is that of `LC_ALL=C sort` on the paths, which a plain sort of the names is not', () => {
    // The literal orders asserted above, checked against sort(1) on paths below each name.
    const targets = ['iqn.2003-01.org.example:t1-b', 'iqn.2003-01.org.example:t1.a', 'iqn.2003-01.org.example:t1', 'iqn.2003-01.org.example:t10'];
    expect(cSort(['t1', 't10', 't1-b', 't1.a'].map((t) => `/iscsi/iqn.2003-01.org.example:${t}/tpgt_1/enable`))).toEqual(
      targets.map((t) => `/iscsi/${t}/tpgt_1/enable`),
    );
    const initiators = ['host1-b', 'host1.a', 'host1', 'host10', 'host1_c'];
    expect(cSort(['host1', 'host10', 'host1_c', 'host1.a', 'host1-b'].map((h) => `acls/iqn.1994-05.com.redhat:${h}/info`))).toEqual(
      initiators.map((h) => `acls/iqn.1994-05.com.redhat:${h}/info`),
    );
    const luns = ['lun_0', 'lun_1', 'lun_10', 'lun_2'];
    expect(cSort(['lun_2', 'lun_10', 'lun_0', 'lun_1'].map((l) => `lun/${l}/statistics`))).toEqual(luns.map((l) => `lun/${l}/statistics`));
    // A plain sort of the bare names puts host1 first: the tree tells the two orders apart.
    expect(['host1-b', 'host1.a', 'host1', 'host10', 'host1_c'].sort()).toEqual(['host1', 'host1-b', 'host1.a', 'host10', 'host1_c']);
  });

  it('a file named lun or acls where the TPG directory should be: empty, not reported (nothing can be below a file)', () => {
    const root = `${dir}/files-for-dirs`;
    const tpg = `${root}/iscsi/iqn.2003-01.org.example:t1/tpgt_1`;
    files(root, 'iscsi/iqn.2003-01.org.example:t1/tpgt_1/lun', 'iscsi/iqn.2003-01.org.example:t1/tpgt_1/acls');
    expect(readLioTree(root)).toEqual({
      tpgs: [{ fabric: 'iscsi', target: 'iqn.2003-01.org.example:t1', tpgt: 'tpgt_1', path: tpg, luns: [], acls: [] }],
      unlisted: [],
    } satisfies LioTree);
  });

  it('a root that is a file is an unlisted directory (ENOTDIR): a wrong env.target_root is said', () => {
    files(dir, 'root-file');
    expect(readLioTree(`${dir}/root-file`)).toEqual({ tpgs: [], unlisted: [{ path: `${dir}/root-file`, error: 'ENOTDIR' }] });
  });
});

describe('readLioTree as user nobody, on directories that cannot be listed', () => {
  const dir = tempDir();
  const walker = `${dir}/walker.cjs`;

  /** readLioTree(root) run as nobody, in a child process. */
  function walkAsNobody(root: string): LioTree {
    const run = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, walker, root], { encoding: 'utf8', timeout: 30_000 });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    return JSON.parse(run.stdout) as LioTree;
  }

  // tgt-a: acls/ mode 000; tgt-b: lun/ mode 000; tgt-c: no acls/ at all (ENOENT);
  // tgt-d: one initiator's directory acls/<initiator> mode 000, the other one readable.
  const spec: LioSpec = {
    targets: [
      { fabric: 'iscsi', wwn: 'iqn.2016-09.com.example:tgt-a', tpgt: 1, luns: [0, 1], acls: [{ initiator: 'iqn.2016-09.com.example:ini-a1', mappedLuns: [0, 1] }] },
      { fabric: 'iscsi', wwn: 'iqn.2016-09.com.example:tgt-b', tpgt: 1, luns: [0, 1, 2], acls: [{ initiator: 'iqn.2016-09.com.example:ini-b1', mappedLuns: [0, 2] }] },
      { fabric: 'iscsi', wwn: 'iqn.2016-09.com.example:tgt-c', tpgt: 2, luns: [0], acls: [] },
      {
        fabric: 'iscsi',
        wwn: 'iqn.2016-09.com.example:tgt-d',
        tpgt: 1,
        luns: [0, 1],
        acls: [
          { initiator: 'iqn.2016-09.com.example:ini-d1', mappedLuns: [0, 1] },
          { initiator: 'iqn.2016-09.com.example:ini-d2', mappedLuns: [1] },
        ],
      },
    ],
  };
  const root = `${dir}/target`;
  const tpgA = `${root}/iscsi/iqn.2016-09.com.example:tgt-a/tpgt_1`;
  const tpgB = `${root}/iscsi/iqn.2016-09.com.example:tgt-b/tpgt_1`;
  const tpgC = `${root}/iscsi/iqn.2016-09.com.example:tgt-c/tpgt_2`;
  const tpgD = `${root}/iscsi/iqn.2016-09.com.example:tgt-d/tpgt_1`;

  beforeAll(() => {
    buildSync({
      stdin: {
        contents: "import { readLioTree } from './lib/kernel/configfs.js';\nprocess.stdout.write(JSON.stringify(readLioTree(process.argv[2])));\n",
        resolveDir: REPO,
        sourcefile: 'walker.ts',
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile: walker,
      logLevel: 'silent',
    });
    buildLioTree(`${dir}/seed`, seedSystem());
    buildLioTree(root, spec);
    chmodSync(`${tpgA}/acls`, 0o000);
    chmodSync(`${tpgB}/lun`, 0o000);
    chmodSync(`${tpgD}/acls/iqn.2016-09.com.example:ini-d1`, 0o000);
    dirs(dir, 'closed-root/iscsi/iqn.2016-09.com.example:t/tpgt_1/lun/lun_0');
    chmodSync(`${dir}/closed-root`, 0o000);
  });

  it('the walker run as nobody sees the readable seed system whole', () => {
    expect(walkAsNobody(`${dir}/seed`)).toEqual(seedExpected(`${dir}/seed`));
  });

  it('unlisted holds exactly the mode-000 directories with EACCES; the rest is complete; a missing acls/ is not reported', () => {
    expect(walkAsNobody(root)).toEqual({
      tpgs: [
        { fabric: 'iscsi', target: 'iqn.2016-09.com.example:tgt-a', tpgt: 'tpgt_1', path: tpgA, luns: ['lun_0', 'lun_1'], acls: [] },
        {
          fabric: 'iscsi',
          target: 'iqn.2016-09.com.example:tgt-b',
          tpgt: 'tpgt_1',
          path: tpgB,
          luns: [],
          acls: [{ initiator: 'iqn.2016-09.com.example:ini-b1', mappedLuns: ['lun_0', 'lun_2'] }],
        },
        { fabric: 'iscsi', target: 'iqn.2016-09.com.example:tgt-c', tpgt: 'tpgt_2', path: tpgC, luns: ['lun_0'], acls: [] },
        {
          fabric: 'iscsi',
          target: 'iqn.2016-09.com.example:tgt-d',
          tpgt: 'tpgt_1',
          path: tpgD,
          luns: ['lun_0', 'lun_1'],
          acls: [
            { initiator: 'iqn.2016-09.com.example:ini-d1', mappedLuns: [] },
            { initiator: 'iqn.2016-09.com.example:ini-d2', mappedLuns: ['lun_1'] },
          ],
        },
      ],
      unlisted: [
        { path: `${tpgA}/acls`, error: 'EACCES' },
        { path: `${tpgB}/lun`, error: 'EACCES' },
        { path: `${tpgD}/acls/iqn.2016-09.com.example:ini-d1`, error: 'EACCES' },
      ],
    } satisfies LioTree);
  });

  it('a root that cannot be listed is the one unlisted directory', () => {
    expect(walkAsNobody(`${dir}/closed-root`)).toEqual({ tpgs: [], unlisted: [{ path: `${dir}/closed-root`, error: 'EACCES' }] });
  });
});

/** Writes name with content in dir; gives its path. */
const fileIn = (dir: string) => (name: string, content: string) => {
  writeFileSync(`${dir}/${name}`, content);
  return `${dir}/${name}`;
};

describe('readCounter', () => {
  const dir = tempDir();
  const file = fileIn(dir);

  it('a counter: its digits, without the newline or surrounding blanks', () => {
    expect(readCounter(file('read_mbytes', '123456\n'))).toEqual({ value: '123456' });
    expect(readCounter(file('zero', '0\n'))).toEqual({ value: '0' });
    expect(readCounter(file('max-u64', '18446744073709551615\n'))).toEqual({ value: '18446744073709551615' });
    expect(readCounter(file('blanks', ' \t42 \n'))).toEqual({ value: '42' });
  });

  it('digits as the kernel writes them are read as arithmetic; the same digits come out, whatever the edge', () => {
    expect(readCounter(file('15-digits', '999999999999999\n'))).toEqual({ value: '999999999999999' });
    // 2^53 + 1: no double holds it, so it is read as text.
    expect(readCounter(file('16-digits', '9007199254740993\n'))).toEqual({ value: '9007199254740993' });
    expect(readCounter(file('leading-zeros', '007\n'))).toEqual({ value: '007' });
    expect(readCounter(file('no-newline', '42'))).toEqual({ value: '42' });
    expect(readCounter(file('crlf', '42\r\n'))).toEqual({ value: '42' });
    // Next to the digits in ASCII: '/' and ':'.
    expect(readCounter(file('slash', '4/2\n'))).toEqual({ problem: `${dir}/slash does not hold a number` });
    expect(readCounter(file('colon', '4:2\n'))).toEqual({ problem: `${dir}/colon does not hold a number` });
  });

  it('a shorter counter after a longer one keeps nothing of the longer (one buffer for all)', () => {
    expect(readCounter(file('long', '987654321\n'))).toEqual({ value: '987654321' });
    expect(readCounter(file('short', '7\n'))).toEqual({ value: '7' });
  });

  it('an empty file, and one holding only a newline, are empty', () => {
    const empty = file('empty', '');
    expect(readCounter(empty)).toEqual({ problem: `${dir}/empty is empty` });
    expect(readCounter(file('newline', '\n'))).toEqual({ problem: `${dir}/newline is empty` });
  });

  it('a non-number does not hold a number', () => {
    expect(readCounter(file('word', 'abc\n'))).toEqual({ problem: `${dir}/word does not hold a number` });
    expect(readCounter(file('negative', '-1\n'))).toEqual({ problem: `${dir}/negative does not hold a number` });
    expect(readCounter(file('two', '12 34\n'))).toEqual({ problem: `${dir}/two does not hold a number` });
    expect(readCounter(file('lines', '12\n34\n'))).toEqual({ problem: `${dir}/lines does not hold a number` });
    expect(readCounter(file('hex', '0x1f\n'))).toEqual({ problem: `${dir}/hex does not hold a number` });
  });

  it('digits longer than any counter (300 of them) do not hold a number', () => {
    expect(readCounter(file('huge', `${'9'.repeat(300)}\n`))).toEqual({ problem: `${dir}/huge does not hold a number` });
  });

  it('a missing file, and a directory, cannot be read', () => {
    expect(readCounter(`${dir}/missing`)).toEqual({ problem: `cannot read ${dir}/missing: ENOENT` });
    mkdirSync(`${dir}/a-directory`);
    expect(readCounter(`${dir}/a-directory`)).toEqual({ problem: `cannot read ${dir}/a-directory: EISDIR` });
  });

  it('opens openAs, and names path in its problems', () => {
    const real = file('real', '55\n');
    expect(readCounter('/shown/name', real)).toEqual({ value: '55' });
    expect(readCounter('/shown/name', `${dir}/missing`)).toEqual({ problem: 'cannot read /shown/name: ENOENT' });
    expect(readCounter('/shown/name', file('blank', ''))).toEqual({ problem: '/shown/name is empty' });
  });
});

describe('readPlainCounter', () => {
  const dir = tempDir();
  const file = fileIn(dir);

  it('a counter as the kernel writes it (digits, no leading zero, a newline, up to 15 digits) is its number', () => {
    expect(readPlainCounter(file('read_mbytes', '123456\n'))).toBe(123456);
    expect(readPlainCounter(file('zero', '0\n'))).toBe(0);
    expect(readPlainCounter(file('15-digits', '999999999999999\n'))).toBe(999999999999999);
    expect(readPlainCounter(file('long', '987654321\n'))).toBe(987654321);
    expect(readPlainCounter(file('short', '7\n'))).toBe(7);
  });

  it('anything else is null, for readCounter to read and judge: what it accepts as well as what it refuses', () => {
    for (const [name, content] of [
      ['16-digits', '9007199254740993\n'],
      ['leading-zeros', '007\n'],
      ['no-newline', '42'],
      ['blanks', ' 42\n'],
      ['crlf', '42\r\n'],
      ['empty', ''],
      ['newline', '\n'],
      ['word', 'abc\n'],
      ['negative', '-1\n'],
      ['huge', `${'9'.repeat(300)}\n`],
    ]) {
      expect(readPlainCounter(file(name!, content!)), name).toBeNull();
    }
    expect(readPlainCounter(`${dir}/missing`)).toBeNull();
    mkdirSync(`${dir}/a-directory`);
    expect(readPlainCounter(`${dir}/a-directory`)).toBeNull();
  });

  it('a FIFO in the place of a counter is null at once (opened non-blocking, nothing to read)', () => {
    const fifo = `${dir}/fifo`;
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(readPlainCounter(fifo)).toBeNull();
  });
});
