// What the DRBD plugins do when env.drbd_proc names something that is not /proc/drbd: a FIFO (an
// open would wait for a writer forever), a device that never ends (/dev/zero) or a huge file.
// Each is refused at once with its reason, never read (issue 18, item 2); the same for the
// events2 file env.drbd_events2 names on DRBD 9.
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { copyFixture, DRBD9_PROC } from '../support/fake-drbdsetup.js';
import { muninRun, PLUGIN_NAMES } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const DRBD_PLUGINS = PLUGIN_NAMES.filter((p) => p.startsWith('drbd'));

function fifo(path: string): string {
  expect(spawnSync('mkfifo', ['-m', '666', path]).status).toBe(0);
  return path;
}

function bigFile(path: string): string {
  writeFileSync(path, 'x'.repeat((4 << 20) + 1));
  chmodSync(path, 0o644);
  return path;
}

const CASES: Array<[string, () => string, string]> = [
  ['a FIFO', () => fifo(`${dir}/drbd-fifo`), 'not a regular file'],
  ['/dev/zero', () => '/dev/zero', 'not a regular file'],
  ['a file over 4 MiB', () => bigFile(`${dir}/drbd-big`), 'larger than 4194304 bytes'],
];

describe('env.drbd_proc that is not /proc/drbd', () => {
  for (const [what, make, reason] of CASES) {
    const path = make();
    for (const plugin of DRBD_PLUGINS) {
      it(`${plugin}, ${what}: autoconf says why, config has its title, fetch prints nothing, all exit 0`, () => {
        const env = { drbd_proc: path };
        expect(muninRun(dir, plugin, 'autoconf', env)).toEqual({ stdout: `no (cannot read ${path}: ${reason})\n`, stderr: '', status: 0 });
        const config = muninRun(dir, plugin, 'config', env);
        expect(config.status).toBe(0);
        expect(config.stdout).toMatch(/^graph_title \S/m);
        expect(config.stdout).not.toMatch(/\.label /);
        expect(muninRun(dir, plugin, undefined, env)).toEqual({ stdout: '', stderr: '', status: 0 });
      }, 15_000);
    }
  }
});

describe('env.drbd_events2 (DRBD 9) that is not a file of events2 output', () => {
  const proc9 = copyFixture(DRBD9_PROC, `${dir}/proc-drbd9`);
  for (const [what, make, reason] of [
    ['a FIFO', () => fifo(`${dir}/events2-fifo`), 'not a regular file'],
    ['/dev/zero', () => '/dev/zero', 'not a regular file'],
  ] as const) {
    const path = make();
    for (const plugin of DRBD_PLUGINS) {
      it(`${plugin}, ${what}: autoconf says why at once, exit 0`, () => {
        expect(muninRun(dir, plugin, 'autoconf', { drbd_proc: proc9, drbd_events2: path })).toEqual({
          stdout: `no (DRBD 9: cannot read ${path} (env.drbd_events2): ${reason})\n`,
          stderr: '',
          status: 0,
        });
      }, 15_000);
    }
  }
});
