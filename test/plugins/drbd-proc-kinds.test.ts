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

describe('a /proc/drbd with numbers that cannot be trusted (issue 18, also-fix)', () => {
  const HEAD = 'version: 8.4.11 (api:1/proto:86-101)\n 1: cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate C r-----\n';

  it('cut short mid-number: that value is U, not the cut number; the values before it stay', () => {
    const path = `${dir}/proc-drbd-cut`;
    writeFileSync(path, `${HEAD}    ns:38940 nr:0 dw:0 dr:389`, { mode: 0o644 });
    expect(muninRun(dir, 'drbd', undefined, { drbd_proc: path })).toEqual({
      stdout: 'drbd1dr.value U\ndrbd1dw.value 0\ndrbd1ns.value 38940\ndrbd1nr.value 0\n',
      stderr: '',
      status: 0,
    });
  }, 15_000);

  it('beyond any 64-bit counter, alone or as a DRBD 9 [a;b] sum: U, never a rounded float; 2^64-1 itself is exact', () => {
    const path = `${dir}/proc-drbd-absurd`;
    writeFileSync(path, `${HEAD}    ns:99999999999999999999999 nr:18446744073709551615 dw:0 dr:38940 al:0 bm:0 lo:0 pe:[18446744073709551615;1] ua:[9007199254740993;0] ap:0 ep:1 wo:f oos:0\n`, { mode: 0o644 });
    expect(muninRun(dir, 'drbd', undefined, { drbd_proc: path }).stdout).toBe(
      'drbd1dr.value 38940\ndrbd1dw.value 0\ndrbd1ns.value U\ndrbd1nr.value 18446744073709551615\ndrbd1os.value 0\n',
    );
    expect(muninRun(dir, 'drbd_ext', undefined, { drbd_proc: path }).stdout).toBe(
      'drbd1bm.value 0\ndrbd1lo.value 0\ndrbd1pe.value U\ndrbd1ua.value 9007199254740993\ndrbd1ap.value 0\ndrbd1ep.value 1\n',
    );
  }, 15_000);
});
