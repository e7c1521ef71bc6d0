// Hostile input through the real munin-run (issue 18): whatever one configfs file or name is,
// a plugin ends at once, the other fields keep their values and nothing it prints is taken for
// a Munin protocol line it did not mean.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, DRBD9_PROC, THREE_PEERS_EVENTS2, writableDir } from '../support/fake-drbdsetup.js';
import { buildLioTree, setTraffic, tpgPath, type LioSpec } from '../support/lio-tree.js';
import { muninRun, muninSetup } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();

const SPEC: LioSpec = {
  targets: [
    { fabric: 'iscsi', wwn: 'iqn.2016-09.com.example:tgt', tpgt: 1, luns: [0, 1], acls: [{ initiator: 'iqn.2016-09.com.example:host', mappedLuns: [0, 1] }] },
  ],
};

function tree(name: string): string {
  const root = `${dir}/${name}`;
  buildLioTree(root, SPEC);
  let n = 0;
  setTraffic(root, SPEC, () => ({ read: (n += 10), write: 0 }));
  return root;
}

describe('a counter file that is not a regular file (item 1)', () => {
  const writers: ChildProcess[] = [];
  afterAll(() => {
    for (const w of writers) w.kill();
  });

  const kinds: Array<[string, (path: string) => void]> = [
    ['a FIFO without a writer', (path) => expect(spawnSync('mkfifo', ['-m', '666', path]).status).toBe(0)],
    [
      'a FIFO whose writer never writes',
      (path) => {
        expect(spawnSync('mkfifo', ['-m', '666', path]).status).toBe(0);
        // Holds the FIFO open for writing, writing nothing, for as long as the tests run.
        writers.push(spawn('sh', ['-c', `exec 3>"${path}"; exec sleep 600`], { stdio: 'ignore' }));
      },
    ],
    ['/dev/zero', (path) => symlinkSync('/dev/zero', path)],
    ['/dev/urandom', (path) => symlinkSync('/dev/urandom', path)],
  ];

  kinds.forEach(([what, make], i) => {
    const root = tree(`kinds-${i}`);
    const lun1 = `${tpgPath(root, SPEC.targets[0]!)}/lun/lun_1/statistics/scsi_tgt_port/read_mbytes`;
    beforeAll(() => {
      rmSync(lun1);
      make(lun1);
    });

    it(`lio_read, ${what} as lun_1's read_mbytes: that field is U with one warning, the others keep their values`, () => {
      const run = muninRun(`${dir}/munin-${i}`, 'lio_read', undefined, { target_root: root });
      expect(run).toEqual({
        stdout:
          'iqn2016_09comexampletgtlun_0.value 10\n' +
          'iqn2016_09comexampletgtlun_1.value U\n' +
          'iqn2016_09comexampletgtiqn2016_09comexamplehostlun_0.value 10\n' +
          'iqn2016_09comexampletgtiqn2016_09comexamplehostlun_1.value 20\n',
        stderr: `lio_read: cannot read ${lun1}: not a regular file\n`,
        status: 0,
      });
    }, 20_000);
  });
});

describe('names with control characters (item 4)', () => {
  const EVIL_INITIATOR = 'iqn.2016-09.com.example:host\ngraph_title pwned\nfoo.value 999\nmultigraph evil\r\x1b[31m';
  const EVIL_TARGET = 'iqn.2016-09.com.example:tgt\nbar.value 1';
  const spec: LioSpec = { targets: [{ fabric: 'iscsi', wwn: EVIL_TARGET, tpgt: 1, luns: [0], acls: [{ initiator: EVIL_INITIATOR, mappedLuns: [0] }] }] };
  const root = `${dir}/evil`;
  beforeAll(() => {
    buildLioTree(root, spec);
    setTraffic(root, spec, () => ({ read: 5, write: 7 }));
  });
  const lun = 'iqn2016_09comexampletgtbarvalue1lun_0';
  const acl = 'iqn2016_09comexampletgtbarvalue1iqn2016_09comexamplehostgraph_titlepwnedfoovalue999multigraphevil31mlun_0';

  it('lio_read config through munin-run: every name prints on its own line, control characters as ?', () => {
    const run = muninRun(`${dir}/munin-evil`, 'lio_read', 'config', { target_root: root });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n').filter((l) => !l.startsWith('graph_'));
    expect(lines).toEqual([
      `${lun}.label tgt?bar.value 1 (lun_0)`,
      `${lun}.info Bytes read by all initiators on lun_0 of iscsi/iqn.2016-09.com.example:tgt?bar.value 1/tpgt_1`,
      `${lun}.type DERIVE`,
      `${lun}.min 0`,
      `${lun}.cdef ${lun},1048576,*`,
      `${acl}.label tgt?bar.value 1 - host?graph_title pwned?foo.value 999?multigraph evil??[31m (lun_0)`,
      `${acl}.info Bytes read by iqn.2016-09.com.example:host?graph_title pwned?foo.value 999?multigraph evil??[31m on its mapped lun_0 of iscsi/iqn.2016-09.com.example:tgt?bar.value 1/tpgt_1`,
      `${acl}.type DERIVE`,
      `${acl}.min 0`,
      `${acl}.cdef ${acl},1048576,*`,
      '',
    ]);
    expect(run.stdout.match(/^graph_title /gm)).toEqual(['graph_title ']);
  }, 20_000);

  it('lio_write fetch and dirtyconfig through munin-run: only the two fields, with their values', () => {
    expect(muninRun(`${dir}/munin-evil`, 'lio_write', undefined, { target_root: root })).toEqual({
      stdout: `${lun}.value 7\n${acl}.value 7\n`,
      stderr: '',
      status: 0,
    });
    const dirty = muninRun(`${dir}/munin-evil`, 'lio_write', 'config', { target_root: root }, { MUNIN_CAP_DIRTYCONFIG: '1' });
    expect(dirty.stdout.split('\n').filter((l) => /^\S+\.value /.test(l))).toEqual([`${lun}.value 7`, `${acl}.value 7`]);
    expect(dirty.stdout).not.toMatch(/^(foo|bar)\.|^multigraph/m);
  }, 20_000);
});

describe('a stdout that cannot be written (also-fix: ENOSPC)', () => {
  const root = tree('stdout');
  /** munin-run PLUGIN [MODE] with its stdout sent where redirect says (sh syntax). */
  function runTo(plugin: string, mode: string | undefined, redirect: string): { stderr: string; status: number | null } {
    const { servicedir, sconfdir } = muninSetup(`${dir}/munin-stdout`, { target_root: root });
    const args = ['--config', '/dev/null', '--ignore-systemd-properties', '--servicedir', servicedir, '--sconfdir', sconfdir, plugin, ...(mode ? [mode] : [])];
    const run = spawnSync('sh', ['-c', `munin-run "$@" ${redirect}; echo "status $?" >&2`, 'sh', ...args], { encoding: 'utf8', timeout: 30_000 });
    return { stderr: run.stderr, status: run.status };
  }

  it('lio_read config into a full disk (/dev/full): one line on stderr, exit 1, no stack trace', () => {
    expect(runTo('lio_read', 'config', '> /dev/full').stderr).toBe('lio_read: cannot write to stdout: no space left on device (ENOSPC)\nstatus 1\n');
  }, 20_000);

});

describe('a relative env.target_root', () => {
  it('reads the same values as the absolute one (each counter is opened relative to its TPG)', () => {
    const root = tree('relative');
    const plugin = new URL('../../dist/plugins/lio_read', import.meta.url).pathname;
    const relative = spawnSync(plugin, [], { cwd: dir, encoding: 'utf8', env: { ...process.env, target_root: 'relative' } });
    expect(relative.stderr).toBe('');
    expect(relative.stdout).toBe(spawnSync(plugin, [], { encoding: 'utf8', env: { ...process.env, target_root: root } }).stdout);
    expect(relative.stdout).toContain('iqn2016_09comexampletgtlun_1.value 20\n');
  });
});

describe('DRBD 9 peer names in UTF-8 (also-fix)', () => {
  it('drbd config through munin-run: the label keeps the name as written, not its bytes read as Latin-1', () => {
    const events2 = `${dir}/events2-utf8`;
    writeFileSync(events2, THREE_PEERS_EVENTS2.replaceAll('conn-name:nina', 'conn-name:nœud-b'), { mode: 0o644 });
    const env = { drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd9`), drbd_events2: events2, MUNIN_PLUGSTATE: writableDir(`${dir}/state-utf8`) };
    const run = muninRun(`${dir}/munin-utf8`, 'drbd', 'config', env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('.label drbd0 network send (peer nœud-b)\n');
    expect(run.stdout).not.toContain('Å');
  }, 20_000);
});
