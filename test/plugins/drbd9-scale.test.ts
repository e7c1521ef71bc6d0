// DRBD 9 at the size of a large node: 20,000 volumes (drbdsetup events2 through a fake drbdsetup),
// through Debian's munin-run. Every minor is there, in order, with its own counters and those of
// its own two peers. (How long it takes, and how much memory, is measured in bench/README.md.)
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { muninRun } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';
import { copyFixture, DRBD9_PROC, scaledEvents2, workingDrbdsetup } from '../support/fake-drbdsetup.js';

const VOLUMES = 20_000;
const minors = Array.from({ length: VOLUMES }, (_, m) => m);

function setup(resources: number, volumes: number) {
  const dir = tempDir();
  const events2 = `${dir}/events2.txt`;
  writeFileSync(events2, scaledEvents2(resources, volumes));
  return { dir, env: { drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd`), drbdsetup: workingDrbdsetup(dir, 'drbdsetup', events2) } };
}

describe('20,000 DRBD 9 volumes', () => {
  it('drbd, one volume per resource: every minor with its own counters and its two peers', () => {
    const { dir, env } = setup(VOLUMES, 1);
    const run = muninRun(dir, 'drbd', undefined, env);
    const expected = minors
      .map((m) =>
        [
          `drbd${m}dr.value ${7 * m + 1}`,
          `drbd${m}dw.value ${11 * m + 2}`,
          `drbd${m}peer_ans.value ${13 * m + 1}`,
          `drbd${m}peer_bns.value ${13 * m + 2}`,
          `drbd${m}peer_anr.value ${5 * m + 1}`,
          `drbd${m}peer_bnr.value ${5 * m + 2}`,
          `drbd${m}peer_aos.value 0`,
          `drbd${m}peer_bos.value 0`,
        ].join('\n'),
      )
      .join('\n');
    expect(run).toEqual({ stdout: `${expected}\n`, stderr: '', status: 0 });
  }, 180_000);

  it('drbd_al, 200 resources of 100 volumes: every minor with its own activity-log writes', () => {
    const { dir, env } = setup(200, 100);
    const run = muninRun(dir, 'drbd_al', undefined, env);
    expect(run).toEqual({ stdout: minors.map((m) => `drbd${m}al.value ${3 * m + 3}\n`).join(''), stderr: '', status: 0 });
  }, 180_000);
});
