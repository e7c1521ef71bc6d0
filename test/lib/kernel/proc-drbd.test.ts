// Every real /proc/drbd sample (test/fixtures/proc-drbd, provenance in test/fixtures/PROVENANCE.md)
// parses to the devices and counters printed in it. Expected values were read off the files.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProcDrbd } from '../../../lib/kernel/proc-drbd.js';

/** file: [version, isDrbd9, [minor, connection state, counters as printed]...] */
const EXPECTED: Record<string, [string | null, boolean, Array<[number, string, string]>]> = {
  'blog-8.0.11-standalone.txt': ['8.0.11', false, [[0, 'StandAlone', 'ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0'], [1, 'Connected', 'ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0']]],
  'blog-8.0.12-syncsource.txt': ['8.0.12', false, [[0, 'SyncSource', 'ns:28488 nr:0 dw:0 dr:28880 al:0 bm:1 lo:82 pe:233 ua:180 ap:0']]],
  'blog-8.0.12-synctarget.txt': ['8.0.12', false, [[0, 'SyncTarget', 'ns:0 nr:300964 dw:300324 dr:0 al:0 bm:18 lo:160 pe:224 ua:160 ap:0']]],
  'blog-8.3.11-syncsource-Mfinish.txt': ['8.3.11', false, [[0, 'SyncSource', 'ns:20736 nr:0 dw:0 dr:21400 al:0 bm:1 lo:0 pe:0 ua:0 ap:0 ep:1 oos:104832604']]],
  'blog-cn-8.4.11-1.txt': ['8.4.11', false, [[1, 'Connected', 'ns:38940 nr:0 dw:0 dr:38940 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0']]],
  'blog-drbd9-1.txt': ['9.0.14-1', true, []],
  'centreon-8.3.7-1.txt': ['8.3.7', false, [[0, 'Connected', 'ns:17 nr:4207 dw:4224 dr:24 al:1 bm:1 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0'], [1, 'Connected', 'ns:100808 nr:1272593360 dw:1272711944 dr:19001 al:13 bm:23 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0']]],
  'centreon-drbd07-ld-1.txt': [null, false, [[0, 'Connected', 'ns:0 nr:0 dw:0 dr:0 al:0 bm:17408 lo:0 pe:0 ua:0 ap:0'], [1, 'Unconfigured', '']]],
  'checkmk-1.txt': ['8.3.8', false, [[0, 'SyncSource', 'ns:12031428 nr:0 dw:12031364 dr:1175992347 al:2179 bm:71877 lo:37 pe:0 ua:37 ap:0 ep:1 oos:301729988']]],
  'checkmk-2-drbd9-with-debugfs.txt': ['9.1.22', false, [[0, 'Established', 'ns:0 nr:916733122 dw:916733122 dr:128 al:0 bm:381 lo:0 pe:4 ua:0 ap:7 ep:1 oos:0'], [1, 'Established', 'ns:0 nr:1523239212 dw:1523239212 dr:128 al:0 bm:97 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0']]],
  'citrix-sm-8.0-1.txt': ['8.0.14', false, [[1, 'Unconfigured', ''], [2, 'Connected', 'ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0']]],
  'citrix-sm-8.0-2.txt': ['8.0.14', false, [[1, 'Connected', 'ns:8257410 nr:0 dw:0 dr:8257410 al:0 bm:504 lo:0 pe:0 ua:0 ap:0']]],
  'citrix-sm-8.0-3.txt': ['8.0.14', false, [[1, 'SyncSource', 'ns:5592 nr:0 dw:0 dr:5592 al:0 bm:0 lo:0 pe:0 ua:0 ap:0']]],
  'hwameistor-drbd9-1.txt': ['9.0.32-1', true, []],
  'linbit-ug84-1.txt': ['8.4.0', false, [[0, 'Connected', 'ns:0 nr:0 dw:0 dr:656 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0'], [1, 'Connected', 'ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0'], [2, 'Connected', 'ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0']]],
  'linbit-ug84-2.txt': ['8.4.1', false, [[0, 'Connected', 'ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 oos:524236']]],
  'linbit-ug84-3.txt': ['8.3.12', false, [[0, 'Connected', 'ns:0 nr:33300 dw:33300 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0']]],
  'linbit-ug84-4.txt': ['8.4.1', false, [[0, 'Connected', 'ns:0 nr:12 dw:12 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0']]],
  'linbit-ug9-1.txt': ['9.x.y', true, []],
  'ncollectd-1.txt': ['8.4.10', false, [[0, 'SyncSource', 'ns:10944 nr:0 dw:0 dr:10992 al:8 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 oos:3898301536']]],
  'ncollectd-2.txt': ['8.4.11-1', false, [[1, 'SyncSource', 'ns:972 nr:0 dw:982608540 dr:25295424 al:786 bm:0 lo:0 pe:1 ua:0 ap:0 ep:1 oos:10688'], [10, 'Connected', 'ns:988916026 nr:0 dw:982616276 dr:31608196 al:799 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0']]],
  'ncollectd-3.txt': ['8.3.11', false, [[0, 'SyncTarget', 'ns:0 nr:748024 dw:716024 dr:0 al:0 bm:42 lo:252 pe:4168 ua:250 ap:0 ep:1 oos:72684800'], [2, 'Connected', 'ns:0 nr:27316 dw:27316 dr:0 al:0 bm:3 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0'], [3, 'Connected', 'ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0'], [4, 'Connected', 'ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0']]],
  'ncollectd-4.txt': ['8.3.11', false, [[0, 'Connected', 'ns:64363752 nr:0 dw:357799284 dr:846902273 al:34987022 bm:18062 lo:0 pe:0 ua:0 ap:0 ep:1 oos:0']]],
  'node_exporter-1.txt': ['8.4.3', false, [[1, 'Connected', 'ns:17324442 nr:10961011 dw:28263521 dr:118696670 al:1100 bm:221 lo:12345 pe:12346 ua:12347 ap:12348 ep:1 oos:12349']]],
  'node_exporter-issue1814-drbd9.txt': ['9.0.22-2', true, []],
};

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/proc-drbd/${name}`, import.meta.url), 'latin1');

describe('parseProcDrbd on real samples', () => {
  for (const [file, [version, isDrbd9, devices]] of Object.entries(EXPECTED)) {
    it(file, () => {
      const parsed = parseProcDrbd(fixture(file));
      expect(parsed.version).toBe(version);
      expect(parsed.isDrbd9).toBe(isDrbd9);
      expect(
        parsed.devices.map((d) => [d.minor, d.connectionState, Object.entries(d.counters).map(([k, v]) => `${k}:${v}`).join(' ')]),
      ).toEqual(devices);
    });
  }
});

describe('parseProcDrbd edge cases', () => {
  it('keeps minors 10 and above apart from minor 1 (the original matched ^\\s+(\\d):)', () => {
    const text = ' 1: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:1 nr:0 dw:1 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n' +
      '10: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:10 nr:0 dw:10 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n' +
      '123: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:123 nr:0 dw:123 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n';
    expect(parseProcDrbd(text).devices.map((d) => [d.minor, d.counters.ns])).toEqual([[1, '1'], [10, '10'], [123, '123']]);
  });

  it('reads counters beyond 2^53 exactly, as the digits printed', () => {
    const text = ' 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:18446744073709551615 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n';
    expect(parseProcDrbd(text).devices[0]!.counters.ns).toBe('18446744073709551615');
  });

  it('gives no devices for an empty file or one without device lines', () => {
    expect(parseProcDrbd('')).toEqual({ version: null, isDrbd9: false, devices: [] });
    expect(parseProcDrbd('version: 8.4.5 (api:1/proto:86-101)\n').devices).toEqual([]);
  });
});
