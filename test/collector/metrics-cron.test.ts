// cron/lio-collector-metrics: installed disabled; its line, run by sh as cron does, writes the
// textfile silently, and a run while the previous one holds the lock is skipped with one line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR, requireBuiltCollector, runCollector } from '../support/collector-cli.js';
import { buildSmallTree } from '../support/prometheus.js';
import { tempDir } from '../support/tmp.js';

const text = readFileSync(new URL('../../cron/lio-collector-metrics', import.meta.url), 'utf8');
const entries = text.split('\n').filter((line) => /^#[\d*]/.test(line)).map((line) => line.slice(1));

describe('cron/lio-collector-metrics', () => {
  const dir = tempDir('lio-metrics-cron-');
  const root = `${dir}/target`;
  const textfiles = `${dir}/textfiles`;
  beforeAll(() => {
    requireBuiltCollector();
    buildSmallTree(root);
    mkdirSync(textfiles);
  });
  /** The line's command with the built collector reading our tree, our lock and textfile directory. */
  const command = () =>
    entries[0]!
      .split(/\s+/)
      .slice(6)
      .join(' ')
      .replace(/\/run\/lock\//g, `${dir}/`)
      .replace('/usr/local/bin/lio-collector metrics', `${COLLECTOR} metrics --root ${root} --no-drbd`)
      .replace('/var/lib/prometheus/node-exporter', textfiles);

  it('installed disabled: one entry, every minute, as root, into node_exporter\'s directory', () => {
    expect(text.split('\n').filter((line) => line.trim() && !line.startsWith('#'))).toEqual(['SHELL=/bin/sh', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^\* \* \* \* \* root flock .* \/usr\/local\/bin\/lio-collector metrics --textfile \/var\/lib\/prometheus\/node-exporter;/);
  });

  it('writes lio-munin.prom silently, the same text as `lio-collector metrics`', () => {
    const run = spawnSync('sh', ['-c', command()], { encoding: 'utf8' });
    expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(readdirSync(textfiles)).toEqual(['lio-munin.prom']);
    expect(readFileSync(`${textfiles}/lio-munin.prom`, 'utf8')).toBe(runCollector(['metrics', '--root', root, '--no-drbd']).stdout);
  });

  it('a run while the previous one holds the lock is skipped, with one line on stderr', async () => {
    const lock = command().match(/flock -n -E 75 (\S+)/)![1]!;
    const holder = spawn('flock', [lock, 'sh', '-c', 'echo locked; exec sleep 30']);
    try {
      await new Promise((resolve) => holder.stdout.once('data', resolve));
      const run = spawnSync('sh', ['-c', command()], { encoding: 'utf8' });
      expect(run.stderr).toBe('lio-collector: metrics: skipped, the previous one is still running\n');
    } finally {
      holder.kill();
    }
  });
});
