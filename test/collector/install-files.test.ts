// The install files: the systemd unit passes systemd-analyze verify and keeps what the daemon
// needs; the cron.d file has the original schedule, and its lines work as cron runs them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_SECONDS } from '../../collector/options.js';
import { COLLECTOR, gunzipText, listFiles, referenceText, requireBuiltCollector } from '../support/collector-cli.js';
import { buildLioTree, seedSystem } from '../support/lio-tree.js';
import { tempDir } from '../support/tmp.js';

const unitPath = new URL('../../systemd/lio-collector.service', import.meta.url).pathname;
const cronPath = new URL('../../cron/lio-collector', import.meta.url).pathname;
const INSTALLED = '/usr/local/bin/lio-collector';

beforeAll(() => requireBuiltCollector());

describe('systemd/lio-collector.service', () => {
  const unit = readFileSync(unitPath, 'utf8');
  const settings = unit.split('\n').filter((line) => /^\w+=/.test(line));

  it('runs the daemon with the settings the issue asks for', () => {
    for (const line of [
      `ExecStart=${INSTALLED} run`,
      'Restart=on-failure',
      'Nice=19',
      'IOSchedulingClass=idle',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/log/lio',
      'NoNewPrivileges=yes',
      'PrivateTmp=yes',
      'ProtectHome=yes',
      // SIGTERM to the daemon only, so that the snapshot in progress can finish.
      'KillMode=mixed',
    ]) {
      expect(settings).toContain(line);
    }
    const stopSeconds = Number(/^TimeoutStopSec=(\d+)s$/m.exec(unit)?.[1]);
    expect(stopSeconds).toBeGreaterThan(Number(DEFAULT_TIMEOUT_SECONDS) + 5);
    // /proc/drbd and configfs must stay readable.
    expect(unit).not.toMatch(/^ProcSubset=pid/m);
    expect(unit).not.toMatch(/^(InaccessiblePaths|TemporaryFileSystem)=.*\/(sys|proc)/m);
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  it.skipIf(!analyze)('passes systemd-analyze verify', () => {
    const dir = tempDir('lio-collector-');
    // verify checks that ExecStart exists: point it at the built file.
    writeFileSync(`${dir}/lio-collector.service`, unit.replace(INSTALLED, COLLECTOR));
    const verify = spawnSync('systemd-analyze', ['verify', `${dir}/lio-collector.service`], { encoding: 'utf8' });
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
  });
});

describe('cron/lio-collector', () => {
  const text = readFileSync(cronPath, 'utf8');
  // Installed disabled: the entries are the lines that are a schedule once their "#" is removed.
  const lines = text
    .split('\n')
    .filter((line) => /^#[\d*]/.test(line))
    .map((line) => line.slice(1));
  const entries = lines.map((line) => {
    const fields = line.split(/\s+/);
    return { schedule: fields.slice(0, 5).join(' '), user: fields[5], command: fields.slice(6).join(' ') };
  });

  it('installed disabled: no active entry, only the environment lines', () => {
    expect(text.split('\n').filter((line) => line.trim() && !line.startsWith('#'))).toEqual([
      'SHELL=/bin/sh',
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ]);
  });

  it('the original schedule, as root, with nice and ionice', () => {
    expect(entries.map((e) => [e.schedule, e.user, /lio-collector (snapshot \w+|prune)/.exec(e.command)?.[1]])).toEqual([
      ['* * * * *', 'root', 'snapshot stats'],
      ['59 * * * *', 'root', 'snapshot full'],
      ['58 23 * * *', 'root', 'prune'],
    ]);
    for (const e of entries) expect(e.command).toContain(`nice -n 19 ionice -c 3 ${INSTALLED} `);
  });

  describe('its lines, run by sh as cron does', () => {
    const dir = tempDir('lio-collector-');
    const root = `${dir}/target`;
    const archive = `${dir}/archive`;
    beforeAll(() => buildLioTree(root, seedSystem()));
    /** The line's command with the built collector reading our tree, and our lock files. */
    const command = (index: number) =>
      entries[index].command
        .replace(/\/run\/lock\//g, `${dir}/`)
        .replace(/\/usr\/local\/bin\/lio-collector (snapshot \w+|prune)/, `${COLLECTOR} $1 --archive ${archive}`)
        .replace(/(snapshot \w+) /, `$1 --root ${root} --no-drbd `);

    it('the stats and full lines write their snapshots, silently', () => {
      for (const index of [0, 1]) {
        const run = spawnSync('sh', ['-c', command(index)], { encoding: 'utf8' });
        expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
      }
      const files = listFiles(archive);
      expect(files).toHaveLength(2);
      expect(gunzipText(`${archive}/${files.find((f) => f.includes('statistics'))}`)).toBe(referenceText(root, 'stats'));
    });

    it('a run while the previous one holds the lock is skipped, with one line on stderr', async () => {
      const lock = command(0).match(/flock -n -E 75 (\S+)/)![1];
      const holder = spawn('flock', [lock, 'sh', '-c', 'echo locked; exec sleep 30']);
      try {
        await new Promise((resolve) => holder.stdout.once('data', resolve));
        const run = spawnSync('sh', ['-c', command(0)], { encoding: 'utf8' });
        expect(run.stderr).toBe('lio-collector: snapshot stats: skipped, the previous one is still running\n');
      } finally {
        holder.kill();
      }
    });

    it('the prune line prunes', () => {
      mkdirSync(`${archive}/20000101`);
      writeFileSync(`${archive}/20000101/lio-statistics-200001010000.gz`, '');
      const run = spawnSync('sh', ['-c', command(2)], { encoding: 'utf8' });
      expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
      expect(existsSync(`${archive}/20000101`)).toBe(false);
      expect(listFiles(archive)).toHaveLength(2);
    });
  });
});
