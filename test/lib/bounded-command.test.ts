// runBounded: a command run in a process group of its own, the whole group killed on a timeout
// (a wrapper script's children too), and its failures told apart.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBounded } from '../../lib/bounded-command.js';
import { script } from '../support/fake-drbdsetup.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-munin-bounded-');
const command = (path: string, timeoutS = 5) => ({ path, args: ['--x'], timeoutS, notFound: 'install it', refusedText: /Permission denied/ });

/** The process has ended: gone, or a zombie waiting for init to reap it. */
const ended = (pid: number) => {
  try {
    return /State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
};

// Run through Node's spawn_sync binding, and through child_process.spawnSync where
// process.binding would print a deprecation warning (NODE_PENDING_DEPRECATION=1).
describe.each(['spawn_sync binding', 'child_process'])('runBounded, %s', (way) => {
  beforeAll(() => {
    if (way === 'child_process') process.env.NODE_PENDING_DEPRECATION = '1';
  });
  afterAll(() => {
    delete process.env.NODE_PENDING_DEPRECATION;
  });

  it('a wrapper that hangs: killed after the timeout with its child, not only itself', () => {
    const pidFile = `${dir}/${way.replace(/\W/g, '_')}.pid`;
    const wrapper = script(dir, 'wrapper', `sleep 120 &\necho $! > '${pidFile}'\nwait`);
    expect(runBounded(command(wrapper, 1))).toEqual({ ok: false, refused: false, reason: `${wrapper} --x did not finish within 1 s and was killed` });
    expect(existsSync(pidFile)).toBe(true);
    const child = Number(readFileSync(pidFile, 'utf8'));
    // SIGKILL is delivered at once; a moment for the kernel to finish it.
    for (let i = 0; i < 100 && !ended(child); i++) pause();
    expect(ended(child)).toBe(true);
  });

  it('its output, its exit status with the first line said, a missing or forbidden command', () => {
    expect(runBounded(command(script(dir, 'ok', 'echo "args: $*"')))).toEqual({ ok: true, output: 'args: --x\n' });
    const fails = script(dir, 'fails', "echo out\necho 'bad thing' >&2\nexit 3");
    expect(runBounded(command(fails))).toEqual({ ok: false, refused: false, reason: `${fails} --x exited with 3: bad thing`, output: 'out\n', exitStatus: 3 });
    const refused = script(dir, 'refused', "echo 'Permission denied' >&2\nexit 1");
    expect(runBounded(command(refused))).toMatchObject({ ok: false, refused: true });
    expect(runBounded(command(`${dir}/missing`))).toEqual({ ok: false, refused: false, reason: `${dir}/missing not found: install it` });
    const notExecutable = script(dir, 'not-executable', 'exit 0', 0o644);
    // Not executable by anyone: root would not help, so not a refusal (issue 18).
    expect(runBounded(command(notExecutable))).toEqual({ ok: false, refused: false, reason: `${notExecutable}: not executable (mode 0644)` });
  });
});

/** A short pause without timers (the test is synchronous). */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
}
