// Pruning removes this collector's snapshots older than the retention, judged by the date in
// their names, and the day directories left empty; nothing else under the archive.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempName } from '../../lib/atomic-file.js';
import { dayStamp, minuteStamp } from '../../lib/archive/layout.js';
import { daysBefore, pruneArchive } from '../../collector/prune.js';
import { requireBuiltCollector, runCollector } from '../support/collector-cli.js';
import { tempDir } from '../support/tmp.js';

// Local dates with daylight saving time, as on most storage servers.
const savedTz = process.env.TZ;
process.env.TZ = 'Europe/Berlin';
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

/** Lists every path under dir, directories with a trailing slash, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((d) => `${d.parentPath.slice(dir.length + 1)}${d.parentPath === dir ? '' : '/'}${d.name}${d.isDirectory() ? '/' : ''}`)
    .sort();
}

function touch(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, 'x');
}

describe('daysBefore', () => {
  it('counts calendar days, across daylight saving changes', () => {
    expect(daysBefore(new Date(2026, 2, 28, 23, 59), new Date(2026, 2, 30, 0, 1))).toBe(2); // 29 March: 23 hours
    expect(daysBefore(new Date(2026, 9, 24, 0, 0), new Date(2026, 9, 26, 23, 59))).toBe(2); // 25 October: 25 hours
    expect(daysBefore(new Date(2025, 2, 14), new Date(2026, 2, 14, 10))).toBe(365);
    expect(daysBefore(new Date(2024, 2, 14), new Date(2025, 2, 14))).toBe(365); // 2024-02-29 lies before
    expect(daysBefore(new Date(2024, 1, 28), new Date(2025, 1, 28))).toBe(366);
  });
});

describe('pruneArchive', () => {
  const dir = tempDir('lio-collector-');
  const archive = `${dir}/archive`;
  const now = new Date(2026, 2, 14, 10, 0);
  const deadPid = spawnSync('true').pid!;
  const kept = [
    '20250314/lio-statistics-202503140000.gz', // 365 days before today: kept
    '20250314/lio-202503142359.gz',
    '20250312/notes.txt', // someone else's file in an expired day: it stays, and so does the day
    '20250310/investigation/capture.pcap', // someone else's directory in an expired day
    '20250309/lio-statistics-202401010000.gz.bak', // not a snapshot name
    '20250309/lio-statistics-202401010000.gz/keep', // a directory, not a snapshot file
    '20250308/lio-statistics-202603140000.gz', // judged by its own name, not its directory's
    '20260314/lio-statistics-202603140959.gz', // today
    '20260315/lio-statistics-202603150000.gz', // tomorrow (clock set back)
    '20241301/lio-statistics-202412010000.gz', // not a day: month 13
    '2024-01-01/lio-statistics-202401010000.gz', // not a day directory name
    'backup-2020/lio-202001010000.gz', // not a day directory name
    'README',
    'lio-202503140000.gz', // the original's hourly file at the top, 365 days old
  ];
  const removed = [
    '20250313/lio-statistics-202503132359.gz', // 366 days before today
    '20250313/lio-202503131259.gz',
    '20250312/lio-statistics-202503120000.gz',
    '20240101/lio-202401010000.gz',
    'lio-202401010000.gz', // the original's hourly file at the top
  ];
  const removedTemp = `20250101/${tempName('lio-statistics-202501010000.gz', deadPid)}`;
  const youngTemp = `20260314/${tempName('lio-statistics-202603141000.gz', deadPid)}`;

  beforeAll(() => {
    for (const path of [...kept, ...removed, removedTemp, youngTemp]) touch(`${archive}/${path}`);
    mkdirSync(`${archive}/20250311`); // an empty expired day
    mkdirSync(`${archive}/20260313`); // an empty day within the retention
    symlinkSync('/etc/hostname', `${archive}/20250309/lio-statistics-202401010001.gz`); // not a regular file
    // mtimes say nothing: a copied or restored archive has new ones, a touched old file old ones.
    const old = new Date(2000, 0, 1);
    utimesSync(`${archive}/20260314/lio-statistics-202603140959.gz`, old, old);
  });

  it('removes exactly the expired snapshots, the empty expired days and dead temporary files', () => {
    const problems: string[] = [];
    const before = tree(archive);
    const result = pruneArchive({ archive, retentionDays: 365, now }, (p) => problems.push(p));
    expect(problems).toEqual([]);
    expect(result.files.map((p) => p.slice(archive.length + 1)).sort()).toEqual([...removed].sort());
    expect(result.directories.map((p) => p.slice(archive.length + 1)).sort()).toEqual(['20240101', '20250101', '20250311', '20250313']);
    expect(result.tempFiles.map((p) => p.slice(archive.length + 1)).sort()).toEqual([removedTemp, youngTemp].sort());
    const gone = new Set([...removed, removedTemp, youngTemp, '20240101/', '20250101/', '20250311/', '20250313/']);
    expect(tree(archive)).toEqual(before.filter((p) => !gone.has(p)));
    for (const path of kept) expect(existsSync(`${archive}/${path}`)).toBe(true);
    expect(existsSync(`${archive}/20260313`)).toBe(true);
  });

  it('a second run finds nothing more to remove', () => {
    expect(pruneArchive({ archive, retentionDays: 365, now })).toEqual({ files: [], directories: [], tempFiles: [] });
  });

  it('a missing archive is nothing to prune', () => {
    expect(pruneArchive({ archive: `${dir}/none`, retentionDays: 1, now })).toEqual({ files: [], directories: [], tempFiles: [] });
  });
});

describe('lio-collector prune', () => {
  const dir = tempDir('lio-collector-');
  const archive = `${dir}/archive`;
  const daysAgo = (n: number) => {
    const d = new Date();
    return new Date(d.getFullYear(), d.getMonth(), d.getDate() - n, 12, 0);
  };
  const snapshot = (n: number) => `${dayStamp(daysAgo(n))}/lio-statistics-${minuteStamp(daysAgo(n))}.gz`;
  beforeAll(() => {
    requireBuiltCollector();
    for (const n of [0, 1, 2, 3, 4]) touch(`${archive}/${snapshot(n)}`);
    touch(`${archive}/${dayStamp(daysAgo(4))}/keep.txt`);
  });

  it('keeps the days within --retention-days and says what it removed with --verbose', () => {
    // The test assumes it does not run across midnight.
    const run = runCollector(['prune', '--archive', archive, '--retention-days', '2', '--verbose']);
    expect(run).toEqual({
      status: 0,
      signal: null,
      stdout: 'lio-collector: prune: older than 2 days, removed snapshots: 2, day directories: 1; leftover temporary files: 0\n',
      stderr: '',
    });
    expect(tree(archive)).toEqual(
      [...[0, 1, 2].flatMap((n) => [`${dayStamp(daysAgo(n))}/`, snapshot(n)]), `${dayStamp(daysAgo(4))}/`, `${dayStamp(daysAgo(4))}/keep.txt`].sort(),
    );
  });

  const chattr = spawnSync('sh', ['-c', `touch ${dir}/probe && chattr +i ${dir}/probe && chattr -i ${dir}/probe`]).status === 0;
  it.skipIf(!chattr)('a file it cannot remove: one line on stderr, the rest is pruned, exit status 1', () => {
    const locked = `${archive}/${snapshot(10)}`;
    touch(locked);
    touch(`${archive}/${snapshot(11)}`);
    execFileSync('chattr', ['+i', locked]);
    try {
      const run = runCollector(['prune', '--archive', archive, '--retention-days', '2']);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`lio-collector: prune: cannot remove ${locked}: operation not permitted (EPERM)\n`);
      expect(existsSync(`${archive}/${snapshot(11)}`)).toBe(false);
      expect(existsSync(locked)).toBe(true);
    } finally {
      execFileSync('chattr', ['-i', locked]);
    }
  });
});
