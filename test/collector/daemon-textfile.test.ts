// The daemon's --textfile DIR: the metrics job rewrites DIR/lio-munin.prom on its schedule,
// beside the snapshots, with what `lio-collector metrics` prints at that moment.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCollector, runCollector, startCollector, waitFor, type RunningCollector } from '../support/collector-cli.js';
import { buildSmallTree } from '../support/prometheus.js';
import { tempDir } from '../support/tmp.js';

describe('lio-collector run --textfile', () => {
  const dir = tempDir('lio-daemon-textfile-');
  const root = `${dir}/target`;
  const textfiles = `${dir}/textfiles`;
  let daemon: RunningCollector;
  beforeAll(() => {
    requireBuiltCollector();
    buildSmallTree(root, 1);
    mkdirSync(textfiles);
  });
  afterAll(() => {
    daemon?.child.kill('SIGKILL');
  });

  it('rewrites DIR/lio-munin.prom every second with --metrics-cron "* * * * * *"', async () => {
    daemon = startCollector([
      'run',
      ...['--root', root, '--archive', `${dir}/archive`, '--no-drbd', '--verbose'],
      ...['--stats-cron', '0 0 1 1 *', '--full-cron', '0 0 1 1 *', '--prune-cron', '0 0 1 1 *'],
      ...['--textfile', textfiles, '--metrics-cron', '* * * * * *'],
    ]);
    const path = `${textfiles}/lio-munin.prom`;
    const expected = () => runCollector(['metrics', '--root', root, '--no-drbd']).stdout;
    const first = expected();
    await waitFor('the first textfile', () => existsSync(path) && readFileSync(path, 'utf8') === first, 30_000, 20);
    // The counters move: the next run writes the new values.
    buildSmallTree(root, 7);
    const second = expected();
    expect(second).not.toBe(first);
    await waitFor('the textfile with the new counters', () => readFileSync(path, 'utf8') === second, 30_000, 20);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const lines = daemon.output.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'lio-collector: running: snapshot stats "0 0 1 1 *", snapshot full "0 0 1 1 *", prune "0 0 1 1 *", metrics "* * * * * *"; timeout 50 s',
    );
    expect(lines.filter((l) => /^lio-collector: metrics: done in \d+\.\d\d s$/.test(l)).length).toBeGreaterThanOrEqual(2);
    // A run that takes longer than the second between runs on a busy machine skips the next one.
    for (const line of daemon.output.stderr.split('\n').filter(Boolean)) {
      expect(line).toMatch(/^lio-collector: metrics: skipped at \d\d:\d\d:\d\d, the previous one \(pid \d+, started \d\d:\d\d:\d\d\) is still running$/);
    }
    expect(readdirSync(textfiles)).toEqual(['lio-munin.prom']);
  });
});

describe('lio-collector run --textfile: a directory that is not there', () => {
  it('ends at once with one line on stderr, exit 1', () => {
    const dir = tempDir('lio-daemon-textfile-missing-');
    buildSmallTree(`${dir}/target`);
    const run = runCollector(['run', '--root', `${dir}/target`, '--archive', `${dir}/archive`, '--no-drbd', '--textfile', `${dir}/missing`]);
    expect(run).toMatchObject({ status: 1, stdout: '', stderr: `lio-collector: --textfile ${dir}/missing: no such directory\n` });
  });
});
