// Archive files made to hurt the reader (issue 18, item 8): a small gzip that inflates to
// gigabytes, and a file too large to be a snapshot; and a good one with junk appended. The built `lio-collector archive` skips each
// with one warning, reads the good snapshots around it, and its peak memory stays under 256 MiB
// (measured by the kernel: the process's own getrusage maximum RSS, written at exit).
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { takeSnapshot } from '../../../collector/snapshot.js';
import { BUILT_CLI } from '../../support/archive-run.js';
import { buildLioTree, seedSystem, setTraffic } from '../../support/lio-tree.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir('lio-archive-hostile-');
const archive = `${dir}/archive`;
const day = `${archive}/20261120`;
const bomb = `${day}/lio-statistics-202611201001.gz`;
const huge = `${day}/lio-statistics-202611201002.gz`;
const LIMIT_KIB = 256 * 1024;
const junk = `${day}/lio-statistics-202611201004.gz`;
const WINDOW = ['--from', '2026-11-20 10:00', '--to', '2026-11-20 10:04'];

/** Runs the built CLI; also returns its peak RSS in KiB, which it writes to a file as it exits. */
function run(args: string[]): { status: number | null; stdout: string; stderr: string; peakKiB: number } {
  const rssFile = `${dir}/peak-rss`;
  const preload = `${dir}/peak-rss.cjs`;
  writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
  const result = spawnSync(BUILT_CLI, args, { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${preload}` }, timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, peakKiB: Number(readFileSync(rssFile, 'utf8')) };
}

beforeAll(async () => {
  const root = `${dir}/target`;
  const spec = seedSystem();
  buildLioTree(root, spec);
  for (const minute of [0, 3, 4]) {
    setTraffic(root, spec, () => ({ read: 100 + minute, write: 0 }));
    await takeSnapshot({ root, archive, kind: 'stats', now: new Date(2026, 10, 20, 10, minute), drbdProc: null });
  }
  mkdirSync(day, { recursive: true });
  // A gzip member of 16 MiB of zeros, 100 times over: a valid gzip of 1.6 GiB in about 1.6 MB.
  const member = gzipSync(Buffer.alloc(16 << 20), { level: 9 });
  const fd = openSync(bomb, 'w');
  for (let i = 0; i < 100; i++) writeSync(fd, member);
  closeSync(fd);
  // A good snapshot with bytes appended that start no gzip member: read, as zcat reads it.
  appendFileSync(junk, 'not gzip');
  // Sparse: 2 GiB on paper, nothing on disk.
  writeFileSync(huge, member);
  truncateSync(huge, 2 ** 31);
});

describe('a gzip bomb and an oversized file among good snapshots', () => {
  const warnings = [
    `lio-collector: warning: skipped ${bomb}: decompresses to more than 64 MiB, not a snapshot`,
    `lio-collector: warning: skipped ${huge}: larger than 64 MiB, not a snapshot`,
  ];

  it('archive grep: each skipped with one warning, the good snapshots read, peak memory under 256 MiB', () => {
    const result = run(['archive', 'grep', '*initiator01/lun_0/statistics/scsi_auth_intr/read_mbytes', '--archive', archive, ...WINDOW]);
    expect(result.stdout.split('\n').filter(Boolean).map((l) => l.split('  ').pop())).toEqual(['100', '103', '104']);
    for (const warning of warnings) expect(result.stderr).toContain(`${warning}\n`);
    expect(result.stderr).toContain(`lio-collector: warning: ${junk}: 8 bytes after the gzip data ignored\n`);
    expect(result.status).toBe(0);
    expect(result.peakKiB).toBeGreaterThan(0);
    expect(result.peakKiB).toBeLessThan(LIMIT_KIB);
  }, 120_000);

  it('archive show at the bomb\'s minute: the nearest readable snapshot instead, peak memory under 256 MiB', () => {
    const result = run(['archive', 'show', '2026-11-20 10:01', '--archive', archive]);
    expect(result.stderr).toContain(`${warnings[0]}\n`);
    expect(result.stdout).toContain('[/sys/kernel/config/target/iscsi/');
    expect(result.status).toBe(0);
    expect(result.peakKiB).toBeLessThan(LIMIT_KIB);
  }, 120_000);
});
