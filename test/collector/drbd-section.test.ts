// The collector's DRBD entries on DRBD 9: /proc/drbd (version lines only) and the output of
// `drbdsetup events2 --now --statistics` under that command line; on DRBD 8 /proc/drbd alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { drbdSections } from '../../collector/drbd-section.js';
import { EVENTS2_HEADER } from '../../lib/archive/layout.js';
import { tempDir } from '../support/tmp.js';
import { gunzipText, listFiles, runCollector, startCollector, waitFor } from '../support/collector-cli.js';
import { DEFAULT_DRBDSETUP } from '../../lib/kernel/drbdsetup.js';
import { DRBD9_PROC, failingDrbdsetup, hangingDrbdsetup, THREE_PEERS_EVENTS2, workingDrbdsetup } from '../support/fake-drbdsetup.js';

describe('drbdSections', () => {
  const dir = tempDir();
  const drbd9Proc = readFileSync(DRBD9_PROC, 'utf8');

  it('on DRBD 9: /proc/drbd, then the events2 output under [drbdsetup events2 --now --statistics]', () => {
    writeFileSync(`${dir}/events2`, THREE_PEERS_EVENTS2);
    const drbdsetup = workingDrbdsetup(dir, 'drbdsetup-ok', `${dir}/events2`);
    expect(EVENTS2_HEADER).toBe('drbdsetup events2 --now --statistics');
    expect(drbdSections(DRBD9_PROC.pathname, drbdsetup)).toEqual([
      { header: '/proc/drbd', content: drbd9Proc },
      { header: 'drbdsetup events2 --now --statistics', content: THREE_PEERS_EVENTS2 },
    ]);
  });

  it('on DRBD 9 with drbdsetup failing: an empty events2 entry and the reason', () => {
    const drbdsetup = failingDrbdsetup(dir, 'drbdsetup-fails');
    expect(drbdSections(DRBD9_PROC.pathname, drbdsetup)).toEqual([
      { header: '/proc/drbd', content: drbd9Proc },
      {
        header: EVENTS2_HEADER,
        content: '',
        problem: `${drbdsetup} events2 --now --statistics exited with 20: Could not connect to 'drbd' generic netlink family`,
      },
    ]);
  });

  it('on DRBD 8: /proc/drbd alone, drbdsetup is not run', () => {
    const proc8 = new URL('../fixtures/proc-drbd/blog-cn-8.4.11-1.txt', import.meta.url).pathname;
    const pidFile = `${dir}/ran.pid`;
    const sections = drbdSections(proc8, hangingDrbdsetup(dir, 'drbdsetup-never', pidFile));
    expect(sections).toEqual([{ header: '/proc/drbd', content: readFileSync(proc8, 'utf8') }]);
    expect(() => readFileSync(pidFile)).toThrow(/ENOENT/);
  });

  it('without DRBD: no entry', () => {
    expect(drbdSections(`${dir}/no-such-proc-drbd`, `${dir}/no-such-drbdsetup`)).toEqual([]);
  });
});

describe('the built collector on DRBD 9 without drbdsetup (issue 18, also-fix: messages)', () => {
  const dir = tempDir();
  it('names what is missing without pointing at env.drbdsetup, which the collector does not read', () => {
    const run = runCollector(['snapshot', 'stats', '--root', new URL('../fixtures/configfs/procfs-target', import.meta.url).pathname, '--archive', `${dir}/archive`, '--drbd-proc', DRBD9_PROC.pathname]);
    expect(existsSync(DEFAULT_DRBDSETUP)).toBe(false);
    expect(run).toMatchObject({ status: 0, stderr: `lio-collector: snapshot stats: DRBD entry empty: ${DEFAULT_DRBDSETUP} not found: install drbd-utils\n` });
  });
});

describe('--drbdsetup reaches the stats snapshot, from the command line and from the daemon', () => {
  const dir = tempDir('lio-collector-drbdsetup-');
  const root = new URL('../fixtures/configfs/procfs-target', import.meta.url).pathname;
  const entry = `[${EVENTS2_HEADER}]\n${THREE_PEERS_EVENTS2}`;
  writeFileSync(`${dir}/events2`, THREE_PEERS_EVENTS2);
  const drbdsetup = workingDrbdsetup(dir, 'drbdsetup-elsewhere', `${dir}/events2`);
  const snapshotText = (archive: string) => gunzipText(`${archive}/${listFiles(archive).find((f) => f.endsWith('.gz'))!}`);

  it('snapshot stats --drbdsetup PATH: the events2 entry is what PATH printed', () => {
    const run = runCollector(['snapshot', 'stats', '--root', root, '--archive', `${dir}/a-snapshot`, '--drbd-proc', DRBD9_PROC.pathname, '--drbdsetup', drbdsetup, '--no-crm-mon']);
    expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(snapshotText(`${dir}/a-snapshot`)).toContain(entry);
  });

  it('run --drbdsetup PATH: its stats snapshots run PATH too', async () => {
    const daemon = startCollector([
      'run',
      ...['--root', root, '--archive', `${dir}/a-daemon`, '--drbd-proc', DRBD9_PROC.pathname, '--drbdsetup', drbdsetup, '--no-crm-mon'],
      ...['--stats-cron', '* * * * * *', '--full-cron', '0 0 1 1 *', '--prune-cron', '0 0 1 1 *'],
    ]);
    try {
      await waitFor('a stats snapshot', () => existsSync(`${dir}/a-daemon`) && listFiles(`${dir}/a-daemon`).some((f) => f.endsWith('.gz')), 30_000, 50);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
    expect(daemon.output.stderr).toBe('');
    expect(snapshotText(`${dir}/a-daemon`)).toContain(entry);
  });

  it('an empty --drbdsetup is refused, nothing written', () => {
    const run = runCollector(['snapshot', 'stats', '--root', root, '--archive', `${dir}/a-empty`, '--drbdsetup', '']);
    expect(run).toMatchObject({ status: 1, stdout: '', stderr: 'lio-collector: snapshot stats: --drbdsetup is empty: give a path (write . for the current directory)\n' });
    expect(existsSync(`${dir}/a-empty`)).toBe(false);
  });
});
