// The archive reader's building blocks, on exact inputs: times, path patterns, counter steps,
// snapshot text scanning, spacing and gaps, the SVG helpers and the progress bar.
import { describe, expect, it } from 'vitest';
import type { SnapshotFile } from '../../../collector/archive/catalog.js';
import { joinTimeArguments } from '../../../collector/archive/cli.js';
import { parseCounter, rateUnit, step, WRAP, WRAP_MARGIN } from '../../../collector/archive/counters.js';
import { displayValue } from '../../../collector/archive/diff.js';
import { findGaps, missingBetween, typicalInterval } from '../../../collector/archive/gaps.js';
import { compileGlob } from '../../../collector/archive/glob.js';
import { legendLabels, commonPattern } from '../../../collector/archive/plot.js';
import { Reporter } from '../../../collector/archive/report.js';
import { allEntries, matchingEntries, matchingValueLines } from '../../../lib/archive/entry-reader.js';
import { escapeXml, niceStep, timeTicks } from '../../../collector/archive/svg.js';
import { formatMinute, parseTime, parseWindow } from '../../../collector/archive/time.js';
import { parseXml } from '../../support/archive-xml.js';

const NOW = new Date(2026, 10, 20, 10, 42, 37);

describe('times', () => {
  it.each([
    ['2026-11-20 10:42', '2026-11-20 10:42'],
    ['2026-11-20T08:05', '2026-11-20 08:05'],
    ['2026-11-19', '2026-11-19 00:00'],
    ['202611192359', '2026-11-19 23:59'],
    ['9:30', '2026-11-20 09:30'],
    ['now', '2026-11-20 10:42'],
    ['-2h', '2026-11-20 08:42'],
    ['-30m', '2026-11-20 10:12'],
    ['-1d', '2026-11-19 10:42'],
    ['-1d2h30m', '2026-11-19 08:12'],
  ])('%s is %s', (text, expected) => {
    expect(formatMinute(parseTime(text, NOW, '--from'))).toBe(expected);
  });

  it.each(['yesterday', '2026-11-20 10', '20-11-2026 10:00', '-2x', '+2h', '2026-11-20 10:42:00', ''])('rejects %j', (text) => {
    expect(() => parseTime(text, NOW, '--from')).toThrow(`invalid --from "${text}": expected`);
  });

  it.each(['2026-02-29 10:00', '2026-13-01 00:00', '2026-11-20 24:00', '2026-11-31', '25:00'])('rejects the impossible %j', (text) => {
    expect(() => parseTime(text, NOW, '--to')).toThrow('no such local time');
  });

  it('a window must not end before it starts', () => {
    expect(() => parseWindow('-1h', '-2h', NOW)).toThrow('--from 2026-11-20 09:42 is after --to 2026-11-20 08:42');
    expect(parseWindow(undefined, undefined, NOW)).toEqual({ from: null, to: null });
  });

  it('joins a date and a clock time given as two words', () => {
    expect(joinTimeArguments(['2026-11-20', '10:42'])).toEqual(['2026-11-20 10:42']);
    expect(joinTimeArguments(['2026-11-20', '9:05', '2026-11-20 11:00'])).toEqual(['2026-11-20 09:05', '2026-11-20 11:00']);
    expect(joinTimeArguments(['-2h', '2026-11-20'])).toEqual(['-2h', '2026-11-20']);
  });
});

describe('path patterns', () => {
  const TPG = '/sys/kernel/config/target/iscsi/iqn.2016-09.com.example:tgt/tpgt_1';
  const auth = (initiator: string, lun: number) => `${TPG}/acls/${initiator}/lun_${lun}/statistics/scsi_auth_intr/write_mbytes`;

  it('matches whole segments at the end of the path, or the whole path when it starts with /', () => {
    const tail = compileGlob('lun_0/statistics/scsi_auth_intr/write_mbytes');
    expect(tail.test(auth('iqn.x:a', 0))).toBe(true);
    expect(tail.test(auth('iqn.x:a', 10))).toBe(false); // lun_10 is not lun_0
    expect(compileGlob('write_mbytes').test(auth('a', 0))).toBe(true);
    expect(compileGlob('mbytes').test(auth('a', 0))).toBe(false);
    expect(compileGlob(`${TPG}/acls/*/lun_0/statistics/*/write_mbytes`).test(auth('iqn.x:a', 0))).toBe(true);
    expect(compileGlob('/acls/*/lun_0/statistics/*/write_mbytes').test(auth('iqn.x:a', 0))).toBe(false);
    expect(compileGlob('drbd').test('/proc/drbd')).toBe(true);
  });

  it('knows *, **, ?, classes and alternatives', () => {
    expect(compileGlob('*:a/lun_?/**/write_mbytes').test(auth('iqn.x:a', 3))).toBe(true);
    expect(compileGlob('*:a/lun_?/**/write_mbytes').test(auth('iqn.x:a', 12))).toBe(false);
    expect(compileGlob('acls/*/write_mbytes').test(auth('a', 0))).toBe(false); // * stays in one segment
    expect(compileGlob('acls/**/write_mbytes').test(auth('a', 0))).toBe(true);
    expect(compileGlob('lun_[0-2]/**/{read,write}_mbytes').test(auth('a', 2))).toBe(true);
    expect(compileGlob('lun_[!0-2]/**/write_mbytes').test(auth('a', 2))).toBe(false);
    expect(compileGlob('lun_[!0-2]/**/write_mbytes').test(auth('a', 3))).toBe(true);
    expect(compileGlob('iqn.x:a/**').test(auth('iqn.x:a', 0))).toBe(true);
    expect(compileGlob('iqn.x:a/**').test(auth('iqnAx:a', 0))).toBe(false); // . is literal
  });

  it('searches for the longest literal part of a header line', () => {
    expect(compileGlob('*:a/lun_0/statistics/scsi_auth_intr/write_mbytes').needle).toBe(':a/lun_0/statistics/scsi_auth_intr/write_mbytes]\n');
    expect(compileGlob('/sys/kernel/config/target/core/*/x').needle).toBe('[/sys/kernel/config/target/core/');
    expect(compileGlob('lun_0/statistics/*/num_cmds').needle).toBe('lun_0/statistics/');
    expect(compileGlob('**').needle).toBe('');
  });

  it('takes {a,b} alternatives, also across segments', () => {
    const both = compileGlob('lun_{0,1}/statistics/scsi_auth_intr/{read,write}_mbytes');
    expect(both.test(auth('a', 0))).toBe(true);
    expect(both.test(auth('a', 1))).toBe(true);
    expect(both.test(auth('a', 2))).toBe(false);
    expect(both.test(auth('a', 0).replace('write_mbytes', 'read_mbytes'))).toBe(true);
    expect(both.test(auth('a', 0).replace('write_mbytes', 'num_cmds'))).toBe(false);
    expect(compileGlob('{lun/lun_0,acls/*/lun_0}/statistics/*/write_mbytes').test(auth('iqn.x:a', 0))).toBe(true);
    expect(compileGlob('{lun/lun_0,acls/*/lun_0}/statistics/*/write_mbytes').test(`${TPG}/lun/lun_0/statistics/scsi_tgt_port/write_mbytes`)).toBe(true);
  });

  it('negates a class with [!...], never matching /', () => {
    expect(compileGlob('lun_[!1]/**/write_mbytes').test(auth('a', 0))).toBe(true);
    expect(compileGlob('lun_[!1]/**/write_mbytes').test(auth('a', 1))).toBe(false);
    expect(compileGlob('iqn.x:[!b]/lun_0/**').test(auth('iqn.x:a', 0))).toBe(true);
    expect(compileGlob('iqn.x:[!b]/lun_0/**').test(auth('iqn.x:b', 0))).toBe(false);
    expect(compileGlob('acls[!x]iqn.x:a/**').test(auth('iqn.x:a', 0))).toBe(false); // not even [!x] matches /
  });

  it('matches names that start with a dot, with *, ? and ** too', () => {
    const hidden = '/sys/kernel/config/target/core/iblock_0/.disk1/attrib/.block_size';
    expect(compileGlob('.block_size').test(hidden)).toBe(true);
    expect(compileGlob('attrib/*').test(hidden)).toBe(true);
    expect(compileGlob('?disk1/attrib/?block_size').test(hidden)).toBe(true);
    expect(compileGlob('iblock_0/**/.block_size').test(hidden)).toBe(true);
    expect(compileGlob('/sys/kernel/config/target/core/*/*/attrib/*').test(hidden)).toBe(true);
    expect(compileGlob('block_size').test(hidden)).toBe(false);
  });

  it('matches a pattern starting with / against the whole path only', () => {
    expect(compileGlob('/proc/drbd').test('/proc/drbd')).toBe(true);
    expect(compileGlob('/proc/drbd').test('/x/proc/drbd')).toBe(false);
    expect(compileGlob('/drbd').test('/proc/drbd')).toBe(false);
    expect(compileGlob('/proc/*').test('/proc/drbd')).toBe(true);
    expect(compileGlob('/sys/**/write_mbytes').test(auth('iqn.x:a', 0))).toBe(true);
    expect(compileGlob('/sys/**/write_mbytes').test('/proc/sys/x/write_mbytes')).toBe(false);
    expect(compileGlob(`${TPG}/acls/iqn.x:a/lun_0/**`).test(auth('iqn.x:a', 0))).toBe(true);
    expect(compileGlob(`${TPG}/acls/iqn.x:a/lun_0/**`).test(auth('iqn.x:a', 10))).toBe(false);
  });

  it('never searches for a needle that a matching path lacks', () => {
    const core = '/sys/kernel/config/target/core/iblock_0/disk1';
    const cases: [string, string[]][] = [
      ['lun_0/statistics/*/num_cmds', [`${TPG}/lun/lun_0/statistics/scsi_tgt_port/num_cmds`]],
      ['*:a/lun_?/**/write_mbytes', [auth('iqn.x:a', 3)]],
      ['acls/**/write_mbytes', [auth('a', 0)]],
      // ** matches no segment too: the / before it is not in every matching path.
      ['iqn.x:a/**', [auth('iqn.x:a', 0), `${TPG}/acls/iqn.x:a`]],
      [`${TPG}/acls/**`, [auth('a', 0), `${TPG}/acls`]],
      ['lun_0/**/write_mbytes', [auth('a', 0), `${TPG}/lun/lun_0/write_mbytes`]],
      ['lun_[0-2]/**/{read,write}_mbytes', [auth('a', 2)]],
      ['{read,write}_mbytes', [auth('a', 0)]],
      ['lun_[!1]/statistics/scsi_auth_intr/write_mbytes', [auth('a', 0)]],
      ['drbd', ['/proc/drbd']],
      ['/proc/drbd', ['/proc/drbd']],
      ['/sys/kernel/config/target/core/*/disk1/info', [`${core}/info`]],
      ['.block_size', [`${core}/attrib/.block_size`]],
      ['core/**', [`${core}/info`]],
      ['**', ['/proc/drbd', auth('a', 0)]],
    ];
    for (const [pattern, paths] of cases) {
      const matcher = compileGlob(pattern);
      for (const path of paths) {
        expect(matcher.test(path), `${pattern} matches ${path}`).toBe(true);
        expect(`[${path}]\n`, `needle of ${pattern}`).toContain(matcher.needle);
      }
    }
    expect(compileGlob('iqn.x:a/**').needle).toBe('iqn.x:a');
    expect(compileGlob('lun_0/**/write_mbytes').needle).toBe('/write_mbytes]\n');
    expect(compileGlob('.block_size').needle).toBe('.block_size]\n');
    // A whole path without a /, as the [crm_mon] entry's.
    expect(compileGlob('crm_mon').needle).toBe('crm_mon]\n');
    expect(compileGlob('crm_mon').test('crm_mon')).toBe(true);
  });
});

describe('counter steps', () => {
  const s = (time: number, value: bigint | number) => ({ time: time * 1000, value: BigInt(value) });
  const MAX64 = 2n ** 64n - 1n;

  it('divides the increase by the real seconds between snapshots', () => {
    expect(step(s(0, 100), s(60, 160))).toEqual({ delta: 60n, seconds: 60, rate: 1, event: null });
    expect(step(s(0, 100), s(180, 160))).toEqual({ delta: 60n, seconds: 180, rate: 1 / 3, event: null });
    expect(step(null, s(60, 160))).toEqual({ delta: null, seconds: null, rate: null, event: null });
  });

  it('keeps 64-bit counters exact above 2^53', () => {
    expect(step(s(0, MAX64 - 60n), s(60, MAX64))).toEqual({ delta: 60n, seconds: 60, rate: 1, event: null });
    expect(step(s(0, 2n ** 53n), s(60, 2n ** 53n + 1n))).toEqual({ delta: 1n, seconds: 60, rate: 1 / 60, event: null });
  });

  it('takes a drop near 2^32 or 2^64 for a wrap and any other drop for a reset', () => {
    expect(step(s(0, WRAP - 10n), s(60, 50))).toEqual({ delta: 60n, seconds: 60, rate: 1, event: 'wrap' });
    expect(step(s(0, WRAP - WRAP_MARGIN), s(60, 0))).toMatchObject({ delta: WRAP_MARGIN, event: 'wrap' });
    expect(step(s(0, WRAP - WRAP_MARGIN), s(60, 1))).toEqual({ delta: null, seconds: 60, rate: null, event: 'reset' });
    expect(step(s(0, 51414), s(60, 10))).toEqual({ delta: null, seconds: 60, rate: null, event: 'reset' });
    // A 64-bit counter beyond 2^32 that drops is reset, not wrapped; near 2^64 it wraps there.
    expect(step(s(0, WRAP + 5n), s(60, 3))).toMatchObject({ event: 'reset' });
    expect(step(s(0, MAX64), s(60, 59))).toEqual({ delta: 60n, seconds: 60, rate: 1, event: 'wrap' });
    expect(step(s(0, MAX64 - WRAP_MARGIN), s(60, 5))).toMatchObject({ delta: null, event: 'reset' });
  });

  it('reads counters and units', () => {
    expect(parseCounter('51234')).toBe(51234n);
    expect(parseCounter(' 7 ')).toBe(7n);
    expect(parseCounter('18446744073709551615')).toBe(MAX64);
    expect(parseCounter('9'.repeat(39))).toBe(10n ** 39n - 1n);
    expect(parseCounter('9'.repeat(40))).toBeNull();
    expect(parseCounter('')).toBeNull();
    expect(parseCounter('activated')).toBeNull();
    expect(parseCounter('-1')).toBeNull();
    expect(rateUnit('/x/scsi_tgt_port/read_mbytes')).toBe('MiB/s');
    expect(rateUnit('/x/scsi_tgt_port/in_cmds')).toBe('/s');
  });
});

describe('snapshot text', () => {
  const text = Buffer.from(
    [
      '[/sys/kernel/config/target/a/one]',
      '1',
      '',
      '[/sys/kernel/config/target/a/empty]',
      '',
      '[/sys/kernel/config/target/a/info]',
      'Status: ACTIVATED',
      'iBlock device: dm-1  UDEV PATH: /sys/kernel/config/target/a/one]',
      '',
      '[/sys/kernel/config/target/a/no-newline]',
      'x',
      '[/proc/drbd]',
      'version: 8.4.0',
      ' 0: cs:Connected',
      '',
    ].join('\n'),
  );

  it('splits into entries: empty, multi-line and unterminated values', () => {
    expect([...allEntries(text)]).toEqual([
      { path: '/sys/kernel/config/target/a/one', value: '1' },
      { path: '/sys/kernel/config/target/a/empty', value: '' },
      { path: '/sys/kernel/config/target/a/info', value: 'Status: ACTIVATED\niBlock device: dm-1  UDEV PATH: /sys/kernel/config/target/a/one]' },
      { path: '/sys/kernel/config/target/a/no-newline', value: 'x' },
      { path: '/proc/drbd', value: 'version: 8.4.0\n 0: cs:Connected' },
    ]);
  });

  it('finds entries by their header only, not by a value that mentions the path', () => {
    const cache = new Map<string, boolean>();
    expect(matchingEntries(text, compileGlob('a/one'), cache)).toEqual([{ path: '/sys/kernel/config/target/a/one', value: '1' }]);
    expect(matchingEntries(text, compileGlob('/proc/drbd'), cache)).toEqual([{ path: '/proc/drbd', value: 'version: 8.4.0\n 0: cs:Connected' }]);
    expect(matchingEntries(text, compileGlob('**'), new Map())).toHaveLength(5);
    expect(matchingEntries(Buffer.from('garbage\nmore'), compileGlob('**'), new Map())).toEqual([]);
  });

  it('finds value lines by regular expression exactly as testing every entry line by line does', () => {
    const byEntries = (snapshot: Buffer, regex: RegExp) =>
      [...allEntries(snapshot)].flatMap((e) => e.value.split('\n').filter((line) => regex.test(line)).map((line) => ({ path: e.path, line })));
    // As written (ending in a blank line), and cut after the last value.
    for (const snapshot of [Buffer.concat([text, Buffer.from('\n')]), text, Buffer.concat([text, Buffer.from('[/x/empty-last]\n')])]) {
      for (const regex of [/^$/, /./, /Connected/, /^1$/, /one\]$/, /x/, /^\s/, /[^q]*/, /ACTIVATED\s+iBlock/]) {
        expect(matchingValueLines(snapshot, regex, compileGlob('**'), new Map()), String(regex)).toEqual(byEntries(snapshot, regex));
      }
    }
    expect(matchingValueLines(text, /^$/, compileGlob('**'), new Map())).toEqual([{ path: '/sys/kernel/config/target/a/empty', line: '' }]);
    expect(matchingValueLines(text, /./, compileGlob('drbd'), new Map()).map((v) => v.line)).toEqual(['version: 8.4.0', ' 0: cs:Connected']);
  });

  it('shows values on one line without ambiguity', () => {
    expect(displayValue('64')).toBe('64');
    expect(displayValue('')).toBe('""');
    expect(displayValue('a\nb')).toBe('"a\\nb"');
    expect(displayValue(' padded')).toBe('" padded"');
  });
});

describe('spacing and gaps', () => {
  const files = (...minutes: number[]): SnapshotFile[] =>
    minutes.map((m) => ({ path: `/a/${m}`, kind: 'stats', time: new Date(2026, 10, 20, 10, m), repeat: 1 }));

  it('expects the most common spacing, the smaller on a tie, 1 min when unknown', () => {
    expect(typicalInterval(files(0, 1, 2, 5, 6))).toBe(60_000);
    expect(typicalInterval(files(0, 5, 10, 15, 25))).toBe(300_000);
    expect(typicalInterval(files(0, 2, 3))).toBe(60_000);
    expect(typicalInterval(files(7))).toBe(60_000);
  });

  it('counts the missing snapshots of each gap', () => {
    expect(missingBetween(0, 60_000, 60_000)).toBe(0);
    expect(missingBetween(0, 240_000, 60_000)).toBe(3);
    const gaps = findGaps(files(0, 1, 3, 7), 60_000);
    expect(gaps.map((g) => [formatMinute(g.first), formatMinute(g.last), g.missing])).toEqual([
      ['2026-11-20 10:02', '2026-11-20 10:02', 1],
      ['2026-11-20 10:04', '2026-11-20 10:06', 3],
    ]);
  });
});

describe('plot helpers', () => {
  it('labels lines by what differs between their paths', () => {
    const paths = ['/t/acls/iqn.a:i1/lun_0/x', '/t/acls/iqn.a:i2/lun_0/x', '/t/acls/iqn.a:i2/lun_1/x'];
    expect(legendLabels(paths)).toEqual(['iqn.a:i1 / lun_0', 'iqn.a:i2 / lun_0', 'iqn.a:i2 / lun_1']);
    expect(commonPattern(paths)).toBe('/t/acls/*/*/x');
    expect(legendLabels(['/sys/kernel/config/target/iscsi/x'])).toEqual(['iscsi/x']);
  });

  it('steps axes at round values and round local times', () => {
    expect(niceStep(2, 6)).toBe(0.5);
    expect(niceStep(1234, 6)).toBe(500);
    const ticks = timeTicks(new Date(2026, 10, 20, 10, 40).getTime(), new Date(2026, 10, 20, 13, 7).getTime());
    expect(ticks.map((t) => formatMinute(new Date(t)).slice(11))).toEqual(['10:45', '11:00', '11:15', '11:30', '11:45', '12:00', '12:15', '12:30', '12:45', '13:00']);
  });

  it('escapes text for XML, and the test parser rejects what is not well-formed', () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
    expect(parseXml('<a x="1&amp;2"><b/>t&lt;</a>')).toEqual({ name: 'a', attributes: { x: '1&2' }, children: [{ name: 'b', attributes: {}, children: [], text: '' }], text: 't<' });
    for (const bad of ['<a><b></a></b>', '<a x=1/>', '<a>&nbsp;</a>', '<a>x < y</a>', '<a/><b/>', '<a x="1" x="2"/>', '<a>']) {
      expect(() => parseXml(bad), bad).toThrow(/^XML: /);
    }
  });
});

describe('progress bar', () => {
  it('draws on a terminal only, at most every 100 ms, and clears itself', () => {
    let clock = 0;
    let written = '';
    const tty = new Reporter({ write: (s: string) => (written += s), isTTY: true, columns: 80 }, () => clock);
    tty.startProgress(4, 'snapshots');
    clock = 150;
    tty.tick();
    clock = 200;
    tty.tick(); // too soon: not drawn
    clock = 1000;
    tty.warn('skipped x: empty file');
    tty.tick();
    tty.tick();
    tty.endProgress();
    // The bar takes what the 80 columns leave: 37 characters here.
    const bar = (done: number) => `[${'#'.repeat(Math.round((done / 4) * 37))}${'-'.repeat(37 - Math.round((done / 4) * 37))}]`;
    expect(written.split('\r\x1b[K')).toEqual([
      '',
      `1/4 snapshots ${bar(1)}  25%  7 files/s  eta 0:00`,
      'lio-collector: warning: skipped x: empty file\n',
      `2/4 snapshots ${bar(2)}  50%  2 files/s  eta 0:01`,
      `3/4 snapshots ${bar(3)}  75%  3 files/s  eta 0:00`,
      `4/4 snapshots ${bar(4)} 100%  4 files/s  eta 0:00`,
      '',
    ]);
    expect(Math.max(...written.split(/\r\x1b\[K|\n/).map((line) => line.length))).toBeLessThan(80);
    let quiet = '';
    const pipe = new Reporter({ write: (s: string) => (quiet += s), isTTY: false });
    pipe.startProgress(4, 'snapshots');
    pipe.tick();
    pipe.endProgress();
    expect(quiet).toBe('');
  });
});
