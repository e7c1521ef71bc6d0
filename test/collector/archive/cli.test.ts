// The built `lio-collector archive ...` end to end: help, one-line errors with exit status 1,
// the progress bar only on a terminal, a reader that closes the pipe, files decided by name,
// legacy files in the archive root, and a daylight-saving change that is not a gap.
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TIME_FORMATS } from '../../../collector/archive/time.js';
import { takeSnapshot } from '../../../collector/snapshot.js';
import { at, buildIncidentArchive, W, type IncidentArchive } from '../../support/archive-incident.js';
import { archiveCommand, BUILT_CLI, builtCli } from '../../support/archive-run.js';
import { buildLioTree, seedSystem, setTraffic } from '../../support/lio-tree.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir('lio-archive-cli-');
const W_GLOB = '*initiator01/lun_0/statistics/scsi_auth_intr/write_mbytes';
let incident: IncidentArchive;
let archive: string;

beforeAll(async () => {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run "node build.mjs" (npm test does) before these tests`);
  incident = await buildIncidentArchive(dir);
  archive = incident.archive;
  // Unreadable files on the days around: a reader that opened them would warn.
  for (const day of ['20261119', '20261121']) {
    mkdirSync(join(archive, day));
    writeFileSync(join(archive, day, `lio-statistics-${day}0000.gz`), 'garbage');
  }
});

const cli = (...args: string[]) => builtCli(['archive', ...args]);
const inWindow = ['--from', '2026-11-20 10:40', '--to', '2026-11-20 10:47'];

describe('lio-collector archive (built)', () => {
  it('documents every command and the time formats', () => {
    const help = cli('--help');
    expect(help.code).toBe(0);
    for (const command of ['list', 'show', 'grep', 'series', 'diff', 'plot']) expect(help.stdout).toMatch(new RegExp(`\\n  ${command} `));
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(TIME_FORMATS);
    const series = cli('series', '--help');
    expect(series.stdout).toContain('--archive <dir>');
    expect(series.stdout).toContain('(default: "/var/log/lio")');
    expect(series.stdout).toContain('--csv');
    expect(series.stdout).toContain('--json');
    expect(series.stdout.replace(/\s+/g, ' ')).toContain('(default: 1 hour before --to)');
  });

  it('reads the same as in-process, with nothing on stderr when all is well', async () => {
    const built = cli('series', W_GLOB, '--archive', archive, ...inWindow);
    expect(built).toEqual(await archiveCommand(['series', W_GLOB, '--archive', archive, ...inWindow]));
    expect(built.stdout).toContain('2026-11-20 10:42   1180    120  2.000\n');
    expect(built).toMatchObject({ code: 0, stderr: '' });
  });

  it.each([
    [['list', '--archive', '/nonexistent/lio'], 'archive directory /nonexistent/lio does not exist (see --archive)'],
    [['list', '--archive', 'package.json'], 'archive package.json is not a directory'],
    [['series', W_GLOB, '--from', 'yesterday'], `invalid --from "yesterday": expected ${TIME_FORMATS}`],
    [['series', W_GLOB, '--to', '2026-02-30 10:00'], 'invalid --to "2026-02-30 10:00": no such local time'],
    [['series', W_GLOB, '--from', '2026-11-20 11:00', '--to', '2026-11-20 10:00'], '--from 2026-11-20 11:00 is after --to 2026-11-20 10:00'],
    [['show', '2026-11-20 25:00'], 'invalid TIME "2026-11-20 25:00": no such local time'],
    // Absurd relative times (issue 18, also-fix): one gave a date of year -271821, one NaN.
    [['series', W_GLOB, '--from', '-99999999d'], 'invalid --from "-99999999d": more than 100 years before now'],
    [['grep', 'x', '--to', '-1000000000000m'], 'invalid --to "-1000000000000m": more than 100 years before now'],
    [['series', W_GLOB, '--from', '-36600d1m'], 'invalid --from "-36600d1m": more than 100 years before now'],
    [['show', '2026-11-20 10:00', '2026-11-20 11:00'], 'show takes one TIME, got 2: 2026-11-20 10:00, 2026-11-20 11:00'],
    // A relative TIME is taken as one without `--`, after options or before them; other dash words
    // are still unknown options.
    [['show', '-36600d1m'], 'invalid TIME "-36600d1m": more than 100 years before now'],
    [['show', '--full', '-36600d1m'], 'invalid TIME "-36600d1m": more than 100 years before now'],
    [['diff', '-36600d1m', '--stats', 'now'], 'invalid TIME1 "-36600d1m": more than 100 years before now'],
    [['show', '--fulll', '2026-11-20 10:00'], "unknown option '--fulll'"],
    [['diff', '-2x', 'now'], "unknown option '-2x'"],
    [['series', '[abc', ...inWindow], 'invalid path pattern "[abc": [ without ]'],
    [['series', 'lun_{0,1', ...inWindow], 'invalid path pattern "lun_{0,1": { without }'],
    [['grep', '--value', '(', ...inWindow], 'invalid --value "(": Unterminated group'],
  ])('archive %j fails with one line', (args, message) => {
    const result = cli(...args, ...(args.includes('--archive') ? [] : ['--archive', incident.archive]));
    expect(result).toEqual({ code: 1, stdout: '', stderr: `lio-collector: ${message}\n` });
  });

  it('says what the archive has when the window is empty', () => {
    const result = cli('series', W_GLOB, '--archive', archive, '--from', '2026-11-22 00:00', '--to', '2026-11-22 06:00');
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `lio-collector: no stats snapshots in ${archive} between 2026-11-22 00:00 and 2026-11-22 06:00 (it has stats snapshots from 2026-11-19 00:00 to 2026-11-21 00:00)\n`,
    });
  });

  it('rejects --csv with --json as commander does', () => {
    const result = cli('series', W_GLOB, '--csv', '--json', '--archive', archive);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe("error: option '--csv' cannot be used with option '--json'");
  });

  it('opens only the files in the window: the garbage on the days around is never read', () => {
    const result = cli('grep', W_GLOB, '--archive', archive, '--from', '2026-11-20 00:00', '--to', '2026-11-20 10:47');
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(7);
    const wider = cli('grep', W_GLOB, '--archive', archive, '--from', '2026-11-19 00:00', '--to', '2026-11-20 10:47');
    expect(wider.stderr).toBe(
      `lio-collector: warning: skipped ${join(archive, '20261119', 'lio-statistics-202611190000.gz')}: not gzip data\n` +
        'lio-collector: 7 snapshots read, 1 skipped (unreadable or corrupt; see the warnings above)\n',
    );
  });

  it('draws a progress bar on a terminal only', () => {
    const command = [process.execPath, BUILT_CLI, 'archive', 'series', `'${W_GLOB}'`, '--archive', archive, '--from', "'2026-11-20 10:40'", '--to', "'2026-11-20 10:47'"].join(' ');
    const tty = spawnSync('script', ['-qec', `${command} >/dev/null`, '/dev/null'], { encoding: 'utf8' });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/\r\x1b\[K7\/7 snapshots \[#+\] 100% +\d+ files\/s +eta 0:00/);
    expect(tty.stdout.endsWith('\r\x1b[K')).toBe(true); // cleared when done
    const pipe = cli('series', W_GLOB, '--archive', archive, ...inWindow);
    expect(pipe.stderr).toBe('');
  });

  it('stops quietly when the reader of its output goes away', () => {
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" ${BUILT_CLI} archive grep '**' --archive '${archive}' ${inWindow.map((a) => `'${a}'`).join(' ')} | head -1`], {
      encoding: 'utf8',
    });
    expect(result.stdout).toMatch(/^2026-11-20 10:40  \/sys\/kernel\/config\/target\/\S+  \S*\n$/);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('says so when its output cannot be written (a full disk)', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const result = builtCli(['archive', 'series', W_GLOB, '--archive', archive, ...inWindow], { stdio: ['ignore', full, 'pipe'] });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('lio-collector: cannot write the output: ENOSPC\n');
    } finally {
      closeSync(full);
    }
  });

  it('reads full snapshots left in the archive root by the original /etc/lio/save', () => {
    copyFileSync(incident.files['0959'], join(archive, 'lio-202611190859.gz'));
    const list = cli('list', '--full', '--archive', archive);
    expect(list.stdout).toMatch(/\n2026-11-19  full +1  08:59  08:59 /);
    expect(list.stdout).toContain('gaps in the full snapshots (expected every 1 hour):\n  2026-11-19 09:59 - 2026-11-20 08:59  24 missing\n');
    const show = cli('show', '--full', '2026-11-19 09:00', '--archive', archive);
    expect(show.stderr).toBe(`lio-collector: nearest readable full snapshot to 2026-11-19 09:00: 2026-11-19 08:59 (1 min earlier), ${join(archive, 'lio-202611190859.gz')}\n`);
    expect(show.stdout).toContain(`[${W}]\n0\n\n`);
  });
});

describe('daylight saving time', () => {
  it('in Europe/Berlin, 01:59 to 03:00 on 2026-03-29 is one minute, not a gap', async () => {
    // Snapshots written by the collector, renamed to the minutes around the change (the test
    // process may run in any time zone; the reader runs in Berlin's).
    const root = join(dir, 'dst-tree');
    const staging = join(dir, 'dst-staging');
    const dst = join(dir, 'dst-archive', '20260329');
    mkdirSync(dst, { recursive: true });
    buildLioTree(root, seedSystem());
    const names = ['202603290158', '202603290159', '202603290300', '202603290301'];
    for (const [i, name] of names.entries()) {
      setTraffic(root, seedSystem(), () => ({ read: 0, write: 60 * i }));
      const written = await takeSnapshot({ root, archive: staging, kind: 'stats', now: at(12, i), drbdProc: null });
      copyFileSync(written.path, join(dst, `lio-statistics-${name}.gz`));
    }
    const result = spawnSync(process.execPath, [BUILT_CLI, 'archive', 'series', W_GLOB, '--csv', '--archive', join(dir, 'dst-archive'), '--from', '2026-03-29 01:00', '--to', '2026-03-29 04:00'], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'Europe/Berlin' },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').slice(1, 5).map((line) => line.replace(`,${W},`, ',W,'))).toEqual([
      '2026-03-29 01:58,W,0,,,,MiB/s,,0',
      '2026-03-29 01:59,W,60,60,60,1,MiB/s,,0',
      '2026-03-29 03:00,W,120,60,60,1,MiB/s,,0',
      '2026-03-29 03:01,W,180,60,60,1,MiB/s,,0',
    ]);
  });
});
