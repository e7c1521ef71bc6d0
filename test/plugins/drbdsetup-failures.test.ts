// drbdsetup refused, hanging, failing or printing garbage: autoconf says why, config and fetch
// keep the fields of the last good reading with U values, one line goes to stderr, exit 0.
// Through munin-run (as nobody) with fake drbdsetup scripts, plus the runner on its own.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDrbd9Node } from '../../lib/kernel/drbd.js';
import { runEvents2 } from '../../lib/kernel/drbdsetup.js';
import { drbdsetupTimeout } from '../../plugins/graphs/drbd.js';
import { DIST_PLUGINS, muninRun, PLUGIN_NAMES } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';
import {
  copyFixture,
  DRBD9_PROC,
  failingDrbdsetup,
  garbageDrbdsetup,
  hangingDrbdsetup,
  netlinkRefusedDrbdsetup,
  rootOnlyDrbdsetup,
  script,
  THREE_PEERS_EVENTS2,
  workingDrbdsetup,
  wrapperHangingDrbdsetup,
  writableDir,
} from '../support/fake-drbdsetup.js';

const NEEDS_ROOT = 'drbdsetup needs root: add "user root" for drbd* in plugin-conf.d';
const DRBD_FIELDS = [
  'drbd0dr', 'drbd0dw', 'drbd0ninans', 'drbd0ninons', 'drbd0nonons', 'drbd0ninanr', 'drbd0ninonr', 'drbd0nononr',
  'drbd0ninaos', 'drbd0ninoos', 'drbd0nonoos',
];
const ALL_U = DRBD_FIELDS.map((f) => `${f}.value U\n`).join('');

describe('drbdsetup that fails after a good reading (three peers known)', () => {
  const dir = tempDir();
  const bin = `${dir}/bin`;
  let base: Record<string, string>;
  let good: string;
  beforeAll(() => {
    writeFileSync(`${dir}/events2`, THREE_PEERS_EVENTS2, { mode: 0o644 });
    base = { drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd`), MUNIN_PLUGSTATE: writableDir(`${dir}/state`) };
    good = workingDrbdsetup(bin, 'drbdsetup-ok', `${dir}/events2`);
  });

  it('a good reading first: every field has a number', () => {
    const run = muninRun(dir, 'drbd', undefined, { ...base, drbdsetup: good });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter(Boolean).map((l) => l.split('.value ')[0])).toEqual(DRBD_FIELDS);
    expect(run.stdout).not.toContain(' U');
  });

  it('refused (drbd-utils installs drbdsetup 4750 root:haclient; nobody gets EACCES): autoconf says add user root', () => {
    const drbdsetup = rootOnlyDrbdsetup(bin, 'drbdsetup-root-only', `${dir}/events2`);
    const env = { ...base, drbdsetup };
    expect(muninRun(dir, 'drbd', 'autoconf', env)).toEqual({ stdout: `no (${NEEDS_ROOT})\n`, stderr: '', status: 0 });
    expect(muninRun(dir, 'drbd', undefined, env)).toEqual({
      stdout: ALL_U,
      stderr: `drbd: ${NEEDS_ROOT} (${drbdsetup}: EACCES); values are U\n`,
      status: 0,
    });
  });

  it('not executable by anyone (mode 0644): says so, not "needs root" (issue 18, also-fix)', () => {
    const drbdsetup = script(bin, 'drbdsetup-noexec', 'exit 0', 0o644);
    const env = { ...base, drbdsetup };
    expect(muninRun(dir, 'drbd_al', 'autoconf', env)).toEqual({ stdout: `no (DRBD 9: ${drbdsetup}: not executable (mode 0644))\n`, stderr: '', status: 0 });
    expect(muninRun(dir, 'drbd_al', undefined, env)).toEqual({ stdout: 'drbd0al.value U\n', stderr: `drbd_al: ${drbdsetup}: not executable (mode 0644); values are U\n`, status: 0 });
  });

  it('refused by the kernel (netlink error reply, exit 20): the same autoconf answer', () => {
    const drbdsetup = netlinkRefusedDrbdsetup(bin, 'drbdsetup-netlink-eperm');
    const env = { ...base, drbdsetup };
    for (const plugin of PLUGIN_NAMES.filter((p) => p.startsWith('drbd') && p !== 'drbd_state')) {
      expect(muninRun(dir, plugin, 'autoconf', env)).toEqual({ stdout: `no (${NEEDS_ROOT})\n`, stderr: '', status: 0 });
    }
    expect(muninRun(dir, 'drbd', undefined, env)).toEqual({
      stdout: ALL_U,
      stderr: `drbd: ${NEEDS_ROOT} (${drbdsetup} events2 --now --statistics exited with 20: received netlink error reply: Operation not permitted); values are U\n`,
      status: 0,
    });
  });

  it('hanging: killed after env.drbdsetup_timeout, U for the known fields, one stderr line, exit 0', () => {
    const pidFile = `${writableDir(`${dir}/run`)}/hang.pid`;
    const drbdsetup = hangingDrbdsetup(bin, 'drbdsetup-hang', pidFile);
    const env = { ...base, drbdsetup, drbdsetup_timeout: '1' };
    expect(muninRun(dir, 'drbd', undefined, env)).toEqual({
      stdout: ALL_U,
      stderr: `drbd: ${drbdsetup} events2 --now --statistics did not finish within 1 s and was killed; values are U\n`,
      status: 0,
    });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(1);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(muninRun(dir, 'drbd_al', 'autoconf', env).stdout).toBe(
      `no (DRBD 9: ${drbdsetup} events2 --now --statistics did not finish within 1 s and was killed)\n`,
    );
  });

  it('a wrapper hanging with a child of its own: the timeout kills its whole process group (issue 18, item 3)', () => {
    const pidFile = `${writableDir(`${dir}/run`)}/wrapper-child.pid`;
    const drbdsetup = wrapperHangingDrbdsetup(bin, 'drbdsetup-wrapper', pidFile);
    const run = muninRun(dir, 'drbd_al', undefined, { ...base, drbdsetup, drbdsetup_timeout: '1' });
    expect(run).toEqual({
      stdout: 'drbd0al.value U\n',
      stderr: `drbd_al: ${drbdsetup} events2 --now --statistics did not finish within 1 s and was killed; values are U\n`,
      status: 0,
    });
    const child = Number(readFileSync(pidFile, 'utf8'));
    expect(child).toBeGreaterThan(1);
    // Gone, or killed and waiting to be reaped by init (a zombie, state Z): not running.
    const stat = existsSync(`/proc/${child}/stat`) ? readFileSync(`/proc/${child}/stat`, 'utf8') : '';
    expect(stat.replace(/^\d+ \(.*\) /, '').charAt(0)).toMatch(/^Z?$/);
  });

  it('a timeout too small to count in milliseconds still is one, not none (issue 18, item 3)', () => {
    const drbdsetup = hangingDrbdsetup(bin, 'drbdsetup-hang-tiny', `${dir}/run/hang-tiny.pid`);
    const run = muninRun(dir, 'drbd_al', undefined, { ...base, drbdsetup, drbdsetup_timeout: '0.0001' });
    expect(run).toEqual({
      stdout: 'drbd0al.value U\n',
      stderr: `drbd_al: ${drbdsetup} events2 --now --statistics did not finish within 0.0001 s and was killed; values are U\n`,
      status: 0,
    });
  });

  it('hanging without env.drbdsetup_timeout: the default is 5 s', () => {
    const drbdsetup = hangingDrbdsetup(bin, 'drbdsetup-hang-default', `${dir}/run/hang-default.pid`);
    const run = muninRun(dir, 'drbd_al', undefined, { ...base, drbdsetup });
    expect(run).toEqual({
      stdout: 'drbd0al.value U\n',
      stderr: `drbd_al: ${drbdsetup} events2 --now --statistics did not finish within 5 s and was killed; values are U\n`,
      status: 0,
    });
  });

  it('printing garbage (exit 0, no events2 line): U values, the first line quoted on stderr', () => {
    const drbdsetup = garbageDrbdsetup(bin, 'drbdsetup-garbage');
    const env = { ...base, drbdsetup };
    const reason = `${drbdsetup} events2 gave no events2 lines (first line: "<html><body>502 Bad Gateway</body></html>")`;
    expect(muninRun(dir, 'drbd', undefined, env)).toEqual({ stdout: ALL_U, stderr: `drbd: ${reason}; values are U\n`, status: 0 });
    expect(muninRun(dir, 'drbd', 'autoconf', env)).toEqual({ stdout: `no (DRBD 9: ${reason})\n`, stderr: '', status: 0 });
  });

  it('exit 0 with an "exists -" line among junk: a failed reading, the known fields stay, with U (issue 18, item 7)', () => {
    const drbdsetup = script(bin, 'drbdsetup-junk', "echo 'exists -'\necho 'Segmentation fault in helper'\necho '%%%'");
    const env = { ...base, drbdsetup };
    const reason = `${drbdsetup} events2 gave 2 lines that are not events2 output (first: "Segmentation fault in helper")`;
    expect(muninRun(dir, 'drbd', undefined, env)).toEqual({ stdout: ALL_U, stderr: `drbd: ${reason}; values are U\n`, status: 0 });
    // The kept device list was not wiped: a later failure still prints every known field as U.
    const failing = failingDrbdsetup(bin, 'drbdsetup-fails-after-junk');
    expect(muninRun(dir, 'drbd', undefined, { ...base, drbdsetup: failing }).stdout).toBe(ALL_U);
  });

  it('failing (exit 20 with a message): U values and the message on stderr', () => {
    const drbdsetup = failingDrbdsetup(bin, 'drbdsetup-fails');
    expect(muninRun(dir, 'drbd', undefined, { ...base, drbdsetup })).toEqual({
      stdout: ALL_U,
      stderr: `drbd: ${drbdsetup} events2 --now --statistics exited with 20: Could not connect to 'drbd' generic netlink family; values are U\n`,
      status: 0,
    });
  });

  it('not installed: U values, the reason names env.drbdsetup', () => {
    const env = { ...base, drbdsetup: `${dir}/no-such-drbdsetup` };
    expect(muninRun(dir, 'drbd_al', undefined, env)).toEqual({
      stdout: 'drbd0al.value U\n',
      stderr: `drbd_al: ${dir}/no-such-drbdsetup not found: install drbd-utils or set env.drbdsetup; values are U\n`,
      status: 0,
    });
  });

  it('config keeps the fields; with dirtyconfig it also prints the U values', () => {
    const env = { ...base, drbdsetup: failingDrbdsetup(bin, 'drbdsetup-fails-2') };
    const goodConfig = muninRun(dir, 'drbd', 'config', { ...base, drbdsetup: good });
    const config = muninRun(dir, 'drbd', 'config', env);
    expect(config.status).toBe(0);
    expect(config.stdout).toBe(goodConfig.stdout);
    expect(config.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const dirty = muninRun(dir, 'drbd', 'config', env, { MUNIN_CAP_DIRTYCONFIG: '1' });
    expect(dirty.stdout).toBe(goodConfig.stdout + ALL_U);
    expect(dirty.status).toBe(0);
  });

  it('an unreadable env.drbd_events2 file is a failure like drbdsetup failing', () => {
    const run = muninRun(dir, 'drbd_al', undefined, { ...base, drbd_events2: `${dir}/no-such-file` });
    expect(run).toEqual({
      stdout: 'drbd0al.value U\n',
      stderr: `drbd_al: cannot read ${dir}/no-such-file (env.drbd_events2): ENOENT; values are U\n`,
      status: 0,
    });
  });
});

describe('drbdsetup failing on a node never read before (no kept field set)', () => {
  const dir = tempDir();
  it('config prints the graph without fields, fetch prints nothing, one stderr line, exit 0', () => {
    const env = {
      drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd`),
      MUNIN_PLUGSTATE: writableDir(`${dir}/state`),
      drbdsetup: failingDrbdsetup(`${dir}/bin`, 'drbdsetup'),
    };
    const config = muninRun(dir, 'drbd_ext', 'config', env);
    expect(config.status).toBe(0);
    expect(config.stdout).toMatch(/^graph_title DRBD bitmap updates and requests in flight$/m);
    expect(config.stdout).not.toContain('.label');
    const fetch = muninRun(dir, 'drbd_ext', undefined, env);
    expect(fetch.stdout).toBe('');
    expect(fetch.status).toBe(0);
    expect(fetch.stderr).toMatch(/^drbd_ext: .* exited with 20: Could not connect to 'drbd' generic netlink family; no fields: no earlier good reading is kept\n$/);
  });

  it('a damaged state file counts as none', () => {
    writeFileSync(`${dir}/state/lio-munin-drbd9-devices.json`, '{"volumes": [{"minor": ');
    const env = { drbd_proc: `${dir}/proc-drbd`, MUNIN_PLUGSTATE: `${dir}/state`, drbdsetup: `${dir}/bin/drbdsetup` };
    expect(muninRun(dir, 'drbd', undefined, env).stdout).toBe('');
  });
});

describe('runEvents2 on its own', () => {
  const dir = tempDir();
  it('returns the output of a working drbdsetup', () => {
    writeFileSync(`${dir}/events2`, THREE_PEERS_EVENTS2);
    expect(runEvents2(workingDrbdsetup(dir, 'ok', `${dir}/events2`), 5)).toEqual({ ok: true, output: THREE_PEERS_EVENTS2 });
  });

  it('recognises the kernel refusal texts and tells other failures apart', () => {
    const eperm = script(dir, 'perm', "echo 'Permission denied. CAP_SYS_ADMIN necessary' >&2\nexit 10");
    expect(runEvents2(eperm, 5)).toMatchObject({ ok: false, refused: true });
    expect(runEvents2(failingDrbdsetup(dir, 'fails'), 5)).toMatchObject({ ok: false, refused: false });
  });

  it('a drbdsetup killed by a signal is reported as such', () => {
    const killed = script(dir, 'killed', 'echo partial\nkill -9 $$');
    expect(runEvents2(killed, 5)).toEqual({ ok: false, refused: false, reason: `${killed} events2 --now --statistics was killed by SIGKILL: partial`, output: 'partial\n' });
  });

  it('env.drbdsetup_timeout: positive seconds, anything else is the default 5', () => {
    expect(drbdsetupTimeout({})).toBe(5);
    expect(drbdsetupTimeout({ drbdsetup_timeout: '2.5' })).toBe(2.5);
    for (const bad of ['', '0', '-1', 'ten']) expect(drbdsetupTimeout({ drbdsetup_timeout: bad })).toBe(5);
  });
});

describe('isDrbd9Node, for the installer', () => {
  it('is true for a DRBD 9 /proc/drbd, false for 8.4, for a missing file and for no DRBD', () => {
    expect(isDrbd9Node(DRBD9_PROC.pathname)).toBe(true);
    expect(isDrbd9Node(new URL('../fixtures/proc-drbd/blog-cn-8.4.11-1.txt', import.meta.url).pathname)).toBe(false);
    expect(isDrbd9Node('/no/such/proc/drbd')).toBe(false);
  });
});

describe('child_process is loaded only when drbdsetup is run', () => {
  const dir = tempDir();
  const loadedChildProcess = (env: Record<string, string>, mode?: string) => {
    const preload = `${dir}/report.cjs`;
    writeFileSync(
      preload,
      "process.on('exit', () => process.stderr.write('child_process=' + process.moduleLoadList.includes('NativeModule child_process') + '\\n'));\n",
    );
    const run = spawnSync(process.execPath, ['-r', preload, `${DIST_PLUGINS}/drbd`, ...(mode ? [mode] : [])], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...env },
    });
    expect(run.status).toBe(0);
    return /child_process=(true|false)/.exec(run.stderr)?.[1];
  };

  it('not on a DRBD 8 node, nor on DRBD 9 with env.drbd_events2, nor when drbdsetup runs on Node 20 (the spawn_sync binding); yes where pending deprecations are shown', () => {
    const drbd8 = copyFixture(new URL('../fixtures/proc-drbd/blog-cn-8.4.11-1.txt', import.meta.url), `${dir}/proc-drbd8`);
    const drbd9 = copyFixture(DRBD9_PROC, `${dir}/proc-drbd9`);
    writeFileSync(`${dir}/events2`, THREE_PEERS_EVENTS2);
    expect(loadedChildProcess({ drbd_proc: drbd8 })).toBe('false');
    expect(loadedChildProcess({ drbd_proc: drbd8 }, 'config')).toBe('false');
    expect(loadedChildProcess({ drbd_proc: drbd9, drbd_events2: `${dir}/events2` })).toBe('false');
    const drbdsetup = workingDrbdsetup(dir, 'drbdsetup', `${dir}/events2`);
    expect(loadedChildProcess({ drbd_proc: drbd9, drbdsetup })).toBe(/^v(20|24)\./.test(process.version) ? 'false' : 'true');
    expect(loadedChildProcess({ drbd_proc: drbd9, drbdsetup, NODE_PENDING_DEPRECATION: '1' })).toBe('true');
  });
});
