// A stdout that cannot be written (a full disk, a reader gone) ends a collector run (its --verbose
// lines, the metrics text) with one line on stderr and exit status 1, never a stack trace (issue
// 18, also-fix).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COLLECTOR } from '../support/collector-cli.js';
import { buildLioTree, seedSystem } from '../support/lio-tree.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-stdout-errors-');

describe('lio-collector with stdout on a full disk (/dev/full) or without a reader', () => {
  it('snapshot: the snapshot is written, one line on stderr, exit 1', () => {
    buildLioTree(`${dir}/target`, seedSystem());
    const run = spawnSync('sh', ['-c', '"$@" > /dev/full', 'sh', COLLECTOR, 'snapshot', 'stats', '--root', `${dir}/target`, '--archive', `${dir}/archive`, '--no-drbd', '--verbose'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('lio-collector: cannot write to standard output: no space left on device (ENOSPC)\n');
    expect(run.status).toBe(1);
  });

  it('metrics: its text not written, one line on stderr, exit 1', () => {
    const run = spawnSync('sh', ['-c', '"$@" > /dev/full', 'sh', COLLECTOR, 'metrics', '--root', `${dir}/target`, '--no-drbd'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('lio-collector: cannot write to standard output: no space left on device (ENOSPC)\n');
    expect(run.status).toBe(1);
  });

  it('metrics: a reader gone (EPIPE), one line on stderr, exit 1', () => {
    // stdout is a FIFO whose only reader was closed before the collector started.
    const fifo = `${dir}/closed-reader`;
    const script = 'mkfifo "$0" && exec 4<>"$0" 5>"$0" 4<&- && exec "$@" >&5';
    const run = spawnSync('sh', ['-c', script, fifo, COLLECTOR, 'metrics', '--root', `${dir}/target`, '--no-drbd'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('lio-collector: cannot write to standard output: its reader closed it (EPIPE)\n');
    expect(run.status).toBe(1);
  });

  it('prune: one line on stderr, exit 1', () => {
    const run = spawnSync('sh', ['-c', '"$@" > /dev/full', 'sh', COLLECTOR, 'prune', '--archive', `${dir}/archive`, '--verbose'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('lio-collector: cannot write to standard output: no space left on device (ENOSPC)\n');
    expect(run.status).toBe(1);
  });
});
