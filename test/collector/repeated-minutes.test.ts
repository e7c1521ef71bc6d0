// A local minute that comes twice (the hour repeated when daylight saving time ends, a clock set
// back): the second snapshot goes beside the first as NAME-2.gz, never over it, and the archive
// reader reads both, in the order they were taken.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSnapshotName } from '../../lib/archive/layout.js';
import { archiveCommand } from '../support/archive-run.js';
import { buildLioTree, seedSystem } from '../support/lio-tree.js';
import { listFiles, requireBuiltCollector, runCollector } from '../support/collector-cli.js';
import { LIBFAKETIME } from '../support/faketime.js';
import { tempDir } from '../support/tmp.js';

const savedTz = process.env.TZ;
process.env.TZ = 'Europe/Berlin';
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

beforeAll(() => requireBuiltCollector());

function plant(path: string, text: string): Buffer {
  const content = gzipSync(text);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return content;
}

describe('snapshot stats', () => {
  const dir = tempDir('lio-collector-repeat-');
  const root = `${dir}/target`;
  beforeAll(() => buildLioTree(root, seedSystem()));

  /** `snapshot stats` with the clock at time (ms since the epoch; it runs on from there), in Berlin. */
  const snapshotAt = (archive: string, time: number, extra: string[] = []) => {
    const offset = ((time - Date.now()) / 1000).toFixed(3);
    const env = `export LD_PRELOAD='${LIBFAKETIME}' FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME='${Number(offset) < 0 ? '' : '+'}${offset}' TZ=Europe/Berlin`;
    const run = runCollector(['snapshot', 'stats', '--root', root, '--archive', archive, '--no-drbd', '--no-crm-mon', ...extra], { shellPrefix: env });
    expect(run).toEqual({ status: 0, signal: null, stdout: '', stderr: '' });
  };

  it('replaces a snapshot of the same minute, but with --keep-existing writes beside it: -2, then -3', () => {
    const archive = `${dir}/keep`;
    const noon = Date.UTC(2026, 10, 30, 11, 0, 10); // 12:00:10 in Berlin
    const earlier = plant(`${archive}/20261130/lio-statistics-202611301200.gz`, 'earlier\n');
    snapshotAt(archive, noon, ['--keep-existing']);
    snapshotAt(archive, noon, ['--keep-existing']);
    expect(listFiles(archive)).toEqual([
      '20261130/lio-statistics-202611301200-2.gz',
      '20261130/lio-statistics-202611301200-3.gz',
      '20261130/lio-statistics-202611301200.gz',
    ]);
    expect(readFileSync(`${archive}/20261130/lio-statistics-202611301200.gz`)).toEqual(earlier);
    snapshotAt(archive, noon);
    expect(readFileSync(`${archive}/20261130/lio-statistics-202611301200.gz`)).not.toEqual(earlier);
    expect(listFiles(archive)).toHaveLength(3);
  });

  it('in the hour repeated when daylight saving time ends, never over the first pass, without being asked', () => {
    const archive = `${dir}/dst`;
    const firstPass = plant(`${archive}/20261025/lio-statistics-202610250230.gz`, 'first pass\n');
    const secondPass = Date.UTC(2026, 9, 25, 1, 30, 10); // 02:30:10 CET
    snapshotAt(archive, secondPass);
    snapshotAt(archive, secondPass);
    // 02:31 CET had no first pass here: still a -2, so that the reader puts it in the second.
    snapshotAt(archive, secondPass + 60_000);
    expect(listFiles(archive)).toEqual([
      '20261025/lio-statistics-202610250230-2.gz',
      '20261025/lio-statistics-202610250230-3.gz',
      '20261025/lio-statistics-202610250230.gz',
      '20261025/lio-statistics-202610250231-2.gz',
    ]);
    expect(readFileSync(`${archive}/20261025/lio-statistics-202610250230.gz`)).toEqual(firstPass);
  });
});

describe('the archive reader', () => {
  it('takes -2 of a minute in the repeated hour for the second pass, and of any other minute for a repeat of it', () => {
    expect(parseSnapshotName('lio-statistics-202610250230-2.gz')).toEqual({ kind: 'stats', time: new Date(Date.UTC(2026, 9, 25, 1, 30)), repeat: 2 });
    expect(parseSnapshotName('lio-statistics-202610250230.gz')).toEqual({ kind: 'stats', time: new Date(Date.UTC(2026, 9, 25, 0, 30)), repeat: 1 });
    expect(parseSnapshotName('lio-202611301200-3.gz')).toEqual({ kind: 'full', time: new Date(Date.UTC(2026, 10, 30, 11, 0)), repeat: 3 });
    for (const name of ['lio-statistics-202611301200-1.gz', 'lio-statistics-202611301200-0.gz', 'lio-statistics-202611301200-02.gz', 'lio-statistics-202611301200-.gz']) {
      expect(parseSnapshotName(name), name).toBeNull();
    }
  });

  it('archive series: the repeated hour in the order it was lived, with real rates', async () => {
    const archive = `${tempDir('lio-collector-repeat-')}/archive`;
    const path = '/sys/kernel/config/target/iscsi/iqn.x/tpgt_1/lun/lun_0/statistics/scsi_tgt_port/in_cmds';
    const snapshot = (name: string, value: number) => plant(`${archive}/20261025/${name}`, `[${path}]\n${value}\n\n`);
    snapshot('lio-statistics-202610250259.gz', 1000); // 02:59 CEST
    snapshot('lio-statistics-202610250200-2.gz', 1060); // 02:00 CET
    snapshot('lio-statistics-202610250201-2.gz', 1180); // 02:01 CET
    snapshot('lio-statistics-202610250258.gz', 940); // 02:58 CEST
    const run = await archiveCommand(['series', '*/in_cmds', '--archive', archive, '--csv', '--from', '2026-10-25 02:50'], new Date(Date.UTC(2026, 9, 25, 2, 0)));
    expect(run).toEqual({
      code: 0,
      stdout: [
        'time,path,value,delta,seconds,rate,unit,event,missing',
        `2026-10-25 02:58,${path},940,,,,/s,,0`,
        `2026-10-25 02:59,${path},1000,60,60,1,/s,,0`,
        `2026-10-25 02:00,${path},1060,60,60,1,/s,,0`,
        `2026-10-25 02:01,${path},1180,120,60,2,/s,,0`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });
});
