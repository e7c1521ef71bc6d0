// Hostile input through the real munin-run (issue 18): whatever one configfs file or name is,
// a plugin ends at once, the other fields keep their values and nothing it prints is taken for
// a Munin protocol line it did not mean.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync, symlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLioTree, setTraffic, tpgPath, type LioSpec } from '../support/lio-tree.js';
import { muninRun } from '../support/munin-run.js';
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
