// The archive reader on an archive the collector wrote around a made-up incident
// (test/support/archive-incident.ts): counters advanced by known amounts, a gap, a failover that
// resets the counters, a 32-bit wrap, a truncated and an empty snapshot.
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatSize } from '../../../collector/archive/format.js';
import { archiveCommand } from '../../support/archive-run.js';
import { at, buildIncidentArchive, DRBD_FIXTURE, INITIATOR, R, W, type IncidentArchive } from '../../support/archive-incident.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir('lio-archive-incident-');
let incident: IncidentArchive;
beforeAll(async () => {
  incident = await buildIncidentArchive(dir);
});

/** `archive ARGS --archive <the incident archive>`, at 11:00 on the day of the incident. */
const run = (...args: string[]) => archiveCommand([...args, '--archive', incident.archive], at(11, 0));
const W_GLOB = '*initiator01/lun_0/statistics/scsi_auth_intr/write_mbytes';
const R_GLOB = '*initiator02/lun_1/statistics/scsi_auth_intr/read_mbytes';
const file = (hhmm: string) => incident.files[hhmm];
const skippedWarnings = () =>
  `lio-collector: warning: skipped ${file('1048')}: truncated gzip data\n` + `lio-collector: warning: skipped ${file('1049')}: empty file\n`;
const SKIPPED_SUMMARY = 'lio-collector: 8 snapshots read, 2 skipped (unreadable or corrupt; see the warnings above)\n';

describe('series', () => {
  it('gives exact values, deltas and rates, with the gap, the reset and the unreadable minutes shown', async () => {
    const result = await run('series', W_GLOB);
    expect(result.stdout).toBe(
      [
        W,
        'time              value  delta  MiB/s  note',
        '2026-11-20 10:40   1000      -      -',
        '2026-11-20 10:41   1060     60  1.000',
        '2026-11-20 10:42   1180    120  2.000',
        '-- 1 missing: 2026-11-20 10:43 --',
        '2026-11-20 10:44   1300    120  1.000  rate over 2 min',
        '2026-11-20 10:45     30      -      -  reset (was 1300)',
        '2026-11-20 10:46     90     60  1.000',
        '2026-11-20 10:47    150     60  1.000',
        '-- 2 missing: 2026-11-20 10:48 - 2026-11-20 10:49 (2 unreadable) --',
        '2026-11-20 10:50    330    180  1.000  rate over 3 min',
        '',
        '1 counter, 8 stats snapshots (expected every 1 min), 2 skipped',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe(skippedWarnings() + SKIPPED_SUMMARY);
    expect(result.code).toBe(0);
  });

  it('shows a 32-bit wrap as an increase, and CSV rows carry the real seconds between snapshots', async () => {
    const result = await run('series', R_GLOB, '--csv');
    expect(result.stdout).toBe(
      [
        'time,path,value,delta,seconds,rate,unit,event,missing',
        `2026-11-20 10:40,${R},4294967000,,,,MiB/s,,0`,
        `2026-11-20 10:41,${R},4294967200,200,60,3.333333,MiB/s,,0`,
        `2026-11-20 10:42,${R},4,100,60,1.666667,MiB/s,wrap,0`,
        `2026-11-20 10:44,${R},204,200,120,1.666667,MiB/s,,1`,
        `2026-11-20 10:45,${R},0,,60,,MiB/s,reset,0`,
        `2026-11-20 10:46,${R},10,10,60,0.166667,MiB/s,,0`,
        `2026-11-20 10:47,${R},20,10,60,0.166667,MiB/s,,0`,
        `2026-11-20 10:50,${R},50,30,180,0.166667,MiB/s,,2`,
        '',
      ].join('\n'),
    );
  });

  it('table notes the wrap with the value before it', async () => {
    const { stdout } = await run('series', R_GLOB, '--to', '2026-11-20 10:42');
    expect(stdout).toContain('2026-11-20 10:42           4    100  1.667  32-bit wrap (was 4294967200)\n');
  });

  it('--json is one document with every row and the skipped files', async () => {
    const result = await run('series', W_GLOB, '--json');
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ archive: incident.archive, kind: 'stats', pattern: W_GLOB, from: '2026-11-20 10:00', to: '2026-11-20 11:00', interval_seconds: 60 });
    expect(doc.counters).toEqual([W]);
    expect(doc.snapshots).toBe(8);
    expect(doc.skipped).toEqual([
      { time: '2026-11-20 10:48', path: file('1048'), reason: 'truncated gzip data' },
      { time: '2026-11-20 10:49', path: file('1049'), reason: 'empty file' },
    ]);
    expect(doc.rows.map((r: { time: string; value: number; delta: number | null; seconds: number | null; rate: number | null; event: string | null; missing: number }) => [r.time.slice(11), r.value, r.delta, r.seconds, r.rate, r.event, r.missing])).toEqual([
      ['10:40', 1000, null, null, null, null, 0],
      ['10:41', 1060, 60, 60, 1, null, 0],
      ['10:42', 1180, 120, 60, 2, null, 0],
      ['10:44', 1300, 120, 120, 1, null, 1],
      ['10:45', 30, null, 60, null, 'reset', 0],
      ['10:46', 90, 60, 60, 1, null, 0],
      ['10:47', 150, 60, 60, 1, null, 0],
      ['10:50', 330, 180, 180, 1, null, 2],
    ]);
    expect(doc.rows[0]).toMatchObject({ path: W, unit: 'MiB/s', timestamp: at(10, 40).getTime() / 1000 });
  });

  it('a glob gives one block per counter in path order; a counter that appears later starts without a delta', async () => {
    const { stdout } = await run('series', '*/lun_0/statistics/scsi_auth_intr/num_cmds', '--from', '2026-11-20 10:44', '--to', '2026-11-20 10:46');
    const headings = stdout.split('\n').filter((line) => line.startsWith('/sys/'));
    expect(headings).toEqual([1, 2, 3, 4, 5].map((n) => W.replace(INITIATOR(1), INITIATOR(n)).replace(/write_mbytes$/, 'num_cmds')));
    // initiator05 exists only after the failover; num_cmds counts commands: a rate per second.
    const block5 = stdout.slice(stdout.indexOf(headings[4]));
    // It reads 50 and writes 51 MiB a minute on LUN 0: setTraffic counts 16 commands per MiB.
    expect(block5.split('\n').slice(1, 4)).toEqual([
      'time              value  delta      /s  note',
      '2026-11-20 10:45   1616      -       -',
      '2026-11-20 10:46   3232   1616  26.933',
    ]);
    expect(stdout).toMatch(/\n5 counters, 3 stats snapshots \(expected every 1 min\)\n$/);
  });

  it('reads only the files inside the window: the unreadable ones outside it are never opened', async () => {
    const result = await run('series', W_GLOB, '--from', '2026-11-20 10:40', '--to', '2026-11-20 10:47');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('\n1 counter, 7 stats snapshots (expected every 1 min)\n');
  });

  it('says which pattern matched nothing, and why that usually is', async () => {
    const result = await run('series', 'initiator01/lun_0/statistics/scsi_auth_intr/write_mbytes', '--to', '2026-11-20 10:47');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'lio-collector: no entry matches "initiator01/lun_0/statistics/scsi_auth_intr/write_mbytes" in 7 stats snapshots from 2026-11-20 10:40 to 2026-11-20 10:47' +
        ' (patterns match whole path segments: "*initiator01/lun_0/..." for an ACL named iqn....:initiator01)\n',
    );
  });
});

describe('list', () => {
  const size = (...names: string[]) => formatSize(names.reduce((n, name) => n + statSync(file(name)).size, 0));
  const STATS = ['1040', '1041', '1042', '1044', '1045', '1046', '1047', '1048', '1049', '1050'];

  it('counts the snapshots per day and kind and lists every gap, from names and sizes only', async () => {
    const result = await run('list');
    const statsSize = size(...STATS).padStart(8);
    const fullSize = size('0959', '1059').padStart(8);
    expect(result.stdout).toBe(
      [
        `day         kind   snapshots  first  last   ${'size'.padStart(Math.max(8, size(...STATS).length))}  gaps`,
        `2026-11-20  stats          9  10:40  10:50  ${statsSize}  2 (2 missing)`,
        `2026-11-20  full           2  09:59  10:59  ${fullSize}  0`,
        '',
        'gaps in the stats snapshots (expected every 1 min):',
        '  2026-11-20 10:43  1 missing',
        '  2026-11-20 10:49  1 missing',
        '',
        'skipped stats snapshots (unreadable, counted as missing above):',
        `  2026-11-20 10:49  ${file('1049')}: empty file`,
        '',
        `11 snapshots, ${size(...STATS, '0959', '1059')}; 2 gaps (2 missing); 1 skipped as unreadable`,
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe(`lio-collector: warning: skipped ${file('1049')}: empty file\n`);
  });

  it('--verify decompresses every file: the truncated one is found too, and its minute becomes a gap', async () => {
    const result = await run('list', '--verify', '--stats');
    expect(result.stdout).toContain('2026-11-20  stats          8  10:40  10:50');
    expect(result.stdout).toContain(
      ['gaps in the stats snapshots (expected every 1 min):', '  2026-11-20 10:43                     1 missing', '  2026-11-20 10:48 - 2026-11-20 10:49  2 missing', ''].join('\n'),
    );
    expect(result.stdout).toContain(
      [
        'skipped stats snapshots (unreadable, counted as missing above):',
        `  2026-11-20 10:48  ${file('1048')}: truncated gzip data`,
        `  2026-11-20 10:49  ${file('1049')}: empty file`,
      ].join('\n'),
    );
    expect(result.stdout).not.toContain('full');
    expect(result.stdout).toMatch(/\n8 snapshots, .*; 2 gaps \(3 missing\); 2 skipped as unreadable\n$/);
    expect(result.stderr).toBe(`lio-collector: warning: skipped ${file('1049')}: empty file\nlio-collector: warning: skipped ${file('1048')}: truncated gzip data\n`);
  });

  it('a window limits the listing', async () => {
    const result = await run('list', '--from', '2026-11-20 10:44', '--to', '2026-11-20 10:46');
    expect(result.stdout).toContain('2026-11-20  stats          3  10:44  10:46');
    expect(result.stdout).toMatch(/\n3 snapshots, .*; 0 gaps \(0 missing\)\n$/);
    expect(result.stderr).toBe('');
  });
});

describe('grep', () => {
  it('prefixes every match with the snapshot time and the path', async () => {
    const result = await run('grep', W_GLOB, '--from', '2026-11-20 10:40', '--to', '2026-11-20 10:42');
    expect(result.stdout).toBe([`2026-11-20 10:40  ${W}  1000`, `2026-11-20 10:41  ${W}  1060`, `2026-11-20 10:42  ${W}  1180`, ''].join('\n'));
    expect(result.code).toBe(0);
  });

  it('--value matches value lines, also inside the multi-line /proc/drbd entry', async () => {
    const result = await run('grep', '/proc/drbd', '--value', 'ro:Primary', '--from', '2026-11-20 10:40', '--to', '2026-11-20 10:41');
    const line = readFileSync(DRBD_FIXTURE, 'utf8').split('\n').find((l) => l.includes('ro:Primary'));
    expect(line).toBe(' 1: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r---');
    expect(result.stdout).toBe(`2026-11-20 10:40  /proc/drbd  ${line}\n2026-11-20 10:41  /proc/drbd  ${line}\n`);
  });

  it('--value alone searches every entry: the ACL added at the failover', async () => {
    const result = await run('grep', '--value', `^${INITIATOR(5)}$`, '--from', '2026-11-20 10:45', '--to', '2026-11-20 10:45');
    const intr = (lun: number) =>
      `2026-11-20 10:45  /sys/kernel/config/target/iscsi/iqn.2016-09.com.example:iscsitgt01/tpgt_1/acls/${INITIATOR(5)}/lun_${lun}/statistics/scsi_auth_intr/intr_name  ${INITIATOR(5)}`;
    expect(result.stdout).toBe([intr(0), intr(1), intr(2), ''].join('\n'));
  });

  it('exits 1 with a note when nothing matches, and needs a pattern or --value', async () => {
    const none = await run('grep', 'no_such_file', '--to', '2026-11-20 10:47');
    expect(none).toMatchObject({ code: 1, stdout: '' });
    expect(none.stderr).toMatch(/^lio-collector: no match in 7 stats snapshots \(patterns match whole path segments/);
    const neither = await run('grep');
    expect(neither).toMatchObject({ code: 1, stdout: '', stderr: 'lio-collector: grep needs a path PATTERN, --value REGEX, or both\n' });
  });

  it('skips the unreadable snapshots with a warning each and says how many', async () => {
    const result = await run('grep', W_GLOB);
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(8);
    expect(result.stderr).toBe(skippedWarnings() + SKIPPED_SUMMARY);
  });
});

describe('show', () => {
  const text = (hhmm: string) => gunzipSync(readFileSync(file(hhmm))).toString('utf8');

  it('prints the snapshot exactly as archived', async () => {
    const result = await run('show', '2026-11-20 10:41');
    expect(result.stdout).toBe(text('1041'));
    expect(result.stdout).toContain(`[${W}]\n1060\n\n`);
    expect(result.stderr).toBe('');
  });

  it('takes the nearest snapshot, the earlier on a tie, and says so', async () => {
    const result = await run('show', '2026-11-20', '10:43');
    expect(result.stdout).toBe(text('1042'));
    expect(result.stderr).toBe(`lio-collector: nearest readable stats snapshot to 2026-11-20 10:43: 2026-11-20 10:42 (1 min earlier), ${file('1042')}\n`);
  });

  it('passes over an unreadable snapshot to the next nearest', async () => {
    const result = await run('show', '2026-11-20 10:48');
    expect(result.stdout).toBe(text('1047'));
    expect(result.stderr).toBe(
      `lio-collector: warning: skipped ${file('1048')}: truncated gzip data\n` +
        `lio-collector: nearest readable stats snapshot to 2026-11-20 10:48: 2026-11-20 10:47 (1 min earlier), ${file('1047')}\n`,
    );
  });

  it('--full shows the nearest full snapshot, secrets already replaced by the collector', async () => {
    const result = await run('show', '--full', '2026-11-20 10:20');
    expect(result.stdout).toBe(text('0959'));
    expect(result.stdout).not.toContain('password-user01');
    expect(result.stderr).toContain('2026-11-20 09:59 (21 min earlier)');
  });
});
