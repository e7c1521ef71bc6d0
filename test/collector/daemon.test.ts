// The daemon (`lio-collector run`) with second-level schedules: several snapshots, a hung read
// given up after the timeout while the other schedules go on, a clean stop on SIGTERM.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLioTree, scaledSystem, seedSystem, tpgPath } from '../support/lio-tree.js';
import { listFiles, requireBuiltCollector, startCollector, waitFor, type RunningCollector } from '../support/collector-cli.js';
import { tempDir } from '../support/tmp.js';

const count = (text: string, pattern: RegExp) => text.split('\n').filter((line) => pattern.test(line)).length;

/** Pids of the processes whose parent is pid, or null if there are none. */
function childPids(pid: number): number[] | null {
  const ps = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  const pids = ps.stdout.split('\n').filter(Boolean).map(Number);
  return pids.length > 0 ? pids : null;
}

/** Every line the daemon may print on stderr in a healthy run on a busy machine. */
const SKIPPED = /^lio-collector: (snapshot stats|snapshot full|prune): skipped at \d\d:\d\d:\d\d, the previous one \(pid \d+, started \d\d:\d\d:\d\d\) is still running$/;

beforeAll(() => requireBuiltCollector());

describe('second-level schedules', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  const archive = `${dir}/archive`;
  let daemon: RunningCollector;
  beforeAll(() => buildLioTree(root, seedSystem()));
  afterAll(() => {
    daemon?.child.kill('SIGKILL');
  });

  it('several stats and full snapshots and prunes, then SIGTERM: exit 0, nothing half-written', async () => {
    daemon = startCollector([
      'run',
      ...['--root', root, '--archive', archive, '--no-drbd', '--verbose', '--timeout', '20'],
      ...['--stats-cron', '* * * * * *', '--full-cron', '*/2 * * * * *', '--prune-cron', '*/3 * * * * *'],
    ]);
    await waitFor(
      'three stats snapshots, two full ones and a prune',
      () =>
        count(daemon.output.stdout, /^lio-collector: snapshot stats: wrote /) >= 3 &&
        count(daemon.output.stdout, /^lio-collector: snapshot full: wrote /) >= 2 &&
        count(daemon.output.stdout, /^lio-collector: prune: older than 365 days/) >= 1,
      60_000,
    );
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const lines = daemon.output.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'lio-collector: running: snapshot stats "* * * * * *", snapshot full "*/2 * * * * *", prune "*/3 * * * * *"; timeout 20 s',
    );
    expect(lines.at(-1)).toBe('lio-collector: SIGTERM: stopped');
    for (const line of daemon.output.stderr.split('\n').filter(Boolean)) expect(line).toMatch(SKIPPED);
    // One file per kind and minute (a later snapshot in the same minute replaces the earlier one).
    const files = listFiles(archive);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      expect(file).toMatch(/^\d{8}\/lio-(statistics-)?\d{12}\.gz$/);
      execFileSync('gzip', ['-t', `${archive}/${file}`]);
    }
    expect(readdirSync(archive).flatMap((day) => readdirSync(`${archive}/${day}`)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('SIGTERM while a snapshot runs', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  const archive = `${dir}/archive`;
  let daemon: RunningCollector;
  beforeAll(() => buildLioTree(root, scaledSystem(4, 16, 16)), 120_000);
  afterAll(() => {
    daemon?.child.kill('SIGKILL');
  });

  it('waits for it to finish, starts nothing more, exits 0', async () => {
    daemon = startCollector([
      'run',
      ...['--root', root, '--archive', archive, '--verbose', '--timeout', '50'],
      ...['--stats-cron', '0 0 1 1 *', '--full-cron', '* * * * * *', '--prune-cron', '0 0 1 1 *'],
    ]);
    const [snapshotPid] = await waitFor('a full snapshot started', () => childPids(daemon.child.pid!), 30_000, 2);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const lines = daemon.output.stdout.trimEnd().split('\n');
    expect(lines.slice(1)).toEqual([
      'lio-collector: SIGTERM: waiting for snapshot full',
      expect.stringMatching(/^lio-collector: snapshot full: wrote .*\/lio-\d{12}\.gz \(28259 entries, \d+ bytes\) in [\d.]+ s$/),
      expect.stringMatching(/^lio-collector: snapshot full: done in [\d.]+ s$/),
      'lio-collector: SIGTERM: stopped',
    ]);
    expect(daemon.output.stderr).toBe('');
    expect(existsSync(`/proc/${snapshotPid}`)).toBe(false);
    const files = listFiles(archive);
    expect(files).toHaveLength(1);
    execFileSync('gzip', ['-t', `${archive}/${files[0]}`]);
  });
});

describe('a hung read', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  const archive = `${dir}/archive`;
  const spec = seedSystem();
  const hungFile = () => `${tpgPath(root, spec.targets[0])}/lun/lun_0/statistics/scsi_port/busy_count`;
  let mounted = false;
  let daemon: RunningCollector;
  beforeAll(() => {
    buildLioTree(root, spec);
    // A FIFO mounted over a statistics file: the directory still lists a regular file, and
    // opening it blocks like a configfs read stuck in the kernel. (The collector never opens a
    // FIFO it sees as such.)
    execFileSync('mkfifo', [`${dir}/fifo`]);
    mounted = spawnSync('mount', ['--bind', `${dir}/fifo`, hungFile()]).status === 0;
  });
  afterAll(() => {
    daemon?.child.kill('SIGKILL');
    if (mounted) spawnSync('umount', [hungFile()]);
  });

  it('is given up after --timeout, logged, and the daemon keeps pruning meanwhile', async () => {
    daemon = startCollector([
      'run',
      ...['--root', root, '--archive', archive, '--no-drbd', '--timeout', '2'],
      ...['--stats-cron', '* * * * * *', '--full-cron', '0 0 1 1 *', '--prune-cron', '* * * * * *'],
    ]);
    if (!mounted) {
      // No bind mounts allowed here: stop the first stats snapshot instead, a hang all the same.
      const [pid] = await waitFor('a stats snapshot started', () => childPids(daemon.child.pid!), 30_000, 1);
      process.kill(pid, 'SIGSTOP');
    }
    const killed = /^lio-collector: snapshot stats: no result after 2 s \(a hung configfs read\?\), killing pid (\d+)$/m;
    const firstKill = await waitFor('the first hung snapshot killed', () => killed.exec(daemon.output.stderr), 30_000);
    const hungPid = firstKill[1];
    expect(daemon.output.stderr).toMatch(
      new RegExp(`^lio-collector: snapshot stats: skipped at \\d\\d:\\d\\d:\\d\\d, the previous one \\(pid ${hungPid}, started \\d\\d:\\d\\d:\\d\\d\\) is still running$`, 'm'),
    );

    // Prune still runs every second: an expired snapshot planted now disappears.
    const expired = `${archive}/20000101/lio-statistics-200001010000.gz`;
    mkdirSync(`${archive}/20000101`, { recursive: true });
    writeFileSync(expired, 'x');
    await waitFor('prune to remove the expired snapshot', () => !existsSync(expired), 30_000, 50);

    if (mounted) {
      // The next stats snapshot hangs again and is killed again.
      await waitFor('a second hung snapshot killed', () => count(daemon.output.stderr, killed) >= 2, 30_000);
    }
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(daemon.output.stdout).toBe('');
    for (const line of daemon.output.stderr.split('\n').filter(Boolean)) {
      expect(line).toMatch(new RegExp(`^(?:${killed.source.slice(1, -1)}|${SKIPPED.source.slice(1, -1)})$`));
    }
    // No stats archive was ever completed; prune left the archive root alone.
    expect(listFiles(archive).filter((f) => !f.includes('/.lio-'))).toEqual([]);
    rmSync(expired, { force: true });
  });
});
