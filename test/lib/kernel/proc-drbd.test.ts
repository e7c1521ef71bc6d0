// Every real /proc/drbd sample (test/fixtures/proc-drbd, provenance in test/fixtures/PROVENANCE.md)
// parses to the devices and counters printed in it. Expected values were read off the files.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { procDrbdStates, type DrbdDeviceState } from '../../../lib/kernel/drbd.js';
import { deviceWords, ioFlags, parseProcDrbd, type DrbdIoFlags } from '../../../lib/kernel/proc-drbd.js';

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

// ---------------------------------------------------------------------------------------------
// The replication state of every real sample (procDrbdStates, the drbd_state plugin's source),
// written by reading each file: roles from ro: (st: on 8.0 and 0.7), disk states from ds: (0.7:
// ld:, local only), a resync's percent and its finish: time in seconds, oos as printed (KiB),
// and the state words as the kernel printed them (cs: ro:/st: ds:/ld:, then sync'ed:/verified:
// and finish:). cs:Unconfigured minors are not devices.
// ---------------------------------------------------------------------------------------------

interface Dev8 {
  minor: number;
  cs: string;
  roles: [string | null, string | null];
  disks: [string | null, string | null];
  oos: string | null;
  said: string;
  resync?: { percent: number | null; secondsLeft: number | null };
}

/** The whole DrbdDeviceState of a DRBD 8 device: one unnamed peer, no DRBD 9 fields. */
function dev8({ minor, cs, roles, disks, oos, said, resync }: Dev8): DrbdDeviceState {
  return {
    minor,
    resource: null,
    role: roles[0],
    disk: disks[0],
    client: false,
    quorum: null,
    suspended: null,
    said,
    peers: [{ name: null, connection: cs, replication: null, role: roles[1], disk: disks[1], client: false, resync: resync ?? null, outOfSyncKiB: oos, said }],
  };
}

const UP2: [string, string] = ['UpToDate', 'UpToDate'];

const STATES: Record<string, DrbdDeviceState[]> = {
  'blog-8.0.11-standalone.txt': [
    dev8({ minor: 0, cs: 'StandAlone', roles: ['Primary', 'Unknown'], disks: ['UpToDate', 'DUnknown'], oos: null, said: 'cs:StandAlone st:Primary/Unknown ds:UpToDate/DUnknown' }),
    dev8({ minor: 1, cs: 'Connected', roles: ['Secondary', 'Secondary'], disks: ['Diskless', 'Inconsistent'], oos: null, said: 'cs:Connected st:Secondary/Secondary ds:Diskless/Inconsistent' }),
  ],
  'blog-8.0.12-syncsource.txt': [
    dev8({
      minor: 0, cs: 'SyncSource', roles: ['Primary', 'Secondary'], disks: ['UpToDate', 'Inconsistent'], oos: null,
      resync: { percent: 1.2, secondsLeft: 918 }, // finish: 0:15:18
      said: "cs:SyncSource st:Primary/Secondary ds:UpToDate/Inconsistent sync'ed:1.2% finish:0:15:18",
    }),
  ],
  'blog-8.0.12-synctarget.txt': [
    dev8({
      minor: 0, cs: 'SyncTarget', roles: ['Secondary', 'Primary'], disks: ['Inconsistent', 'UpToDate'], oos: null,
      resync: { percent: 10.8, secondsLeft: 762 }, // finish: 0:12:42
      said: "cs:SyncTarget st:Secondary/Primary ds:Inconsistent/UpToDate sync'ed:10.8% finish:0:12:42",
    }),
  ],
  // 8.3's "(102372/102392)Mfinish: 22:24:00": the finish time glued to the amount.
  'blog-8.3.11-syncsource-Mfinish.txt': [
    dev8({
      minor: 0, cs: 'SyncSource', roles: ['Primary', 'Secondary'], disks: ['UpToDate', 'Inconsistent'], oos: '104832604',
      resync: { percent: 0.1, secondsLeft: 80640 },
      said: "cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent sync'ed:0.1% finish:22:24:00",
    }),
  ],
  'blog-cn-8.4.11-1.txt': [dev8({ minor: 1, cs: 'Connected', roles: ['Secondary', 'Secondary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate' })],
  'blog-drbd9-1.txt': [],
  'centreon-8.3.7-1.txt': [
    dev8({ minor: 0, cs: 'Connected', roles: ['Secondary', 'Primary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate' }),
    dev8({ minor: 1, cs: 'Connected', roles: ['Secondary', 'Primary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate' }),
  ],
  // 0.7: ld: is the local disk only; minor 1 is cs:Unconfigured.
  'centreon-drbd07-ld-1.txt': [
    dev8({ minor: 0, cs: 'Connected', roles: ['Secondary', 'Secondary'], disks: ['Inconsistent', null], oos: null, said: 'cs:Connected st:Secondary/Secondary ld:Inconsistent' }),
  ],
  // M amounts, "delay_probe:" after them, finish: on the next line.
  'checkmk-1.txt': [
    dev8({
      minor: 0, cs: 'SyncSource', roles: ['Primary', 'Secondary'], disks: ['UpToDate', 'Inconsistent'], oos: '301729988',
      resync: { percent: 42.4, secondsLeft: 5008 }, // finish: 1:23:28
      said: "cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent sync'ed:42.4% finish:1:23:28",
    }),
  ],
  // DRBD 9's debugfs blocks print the replication state as cs:.
  'checkmk-2-drbd9-with-debugfs.txt': [
    dev8({ minor: 0, cs: 'Established', roles: ['Secondary', 'Primary'], disks: UP2, oos: '0', said: 'cs:Established ro:Secondary/Primary ds:UpToDate/UpToDate' }),
    dev8({ minor: 1, cs: 'Established', roles: ['Secondary', 'Primary'], disks: UP2, oos: '0', said: 'cs:Established ro:Secondary/Primary ds:UpToDate/UpToDate' }),
  ],
  'citrix-sm-8.0-1.txt': [dev8({ minor: 2, cs: 'Connected', roles: ['Secondary', 'Secondary'], disks: UP2, oos: null, said: 'cs:Connected st:Secondary/Secondary ds:UpToDate/UpToDate' })],
  'citrix-sm-8.0-2.txt': [dev8({ minor: 1, cs: 'Connected', roles: ['Primary', 'Secondary'], disks: UP2, oos: null, said: 'cs:Connected st:Primary/Secondary ds:UpToDate/UpToDate' })],
  'citrix-sm-8.0-3.txt': [
    dev8({
      minor: 1, cs: 'SyncSource', roles: ['Primary', 'Secondary'], disks: ['UpToDate', 'Inconsistent'], oos: null,
      resync: { percent: 0.1, secondsLeft: 30944 }, // finish: 8:35:44
      said: "cs:SyncSource st:Primary/Secondary ds:UpToDate/Inconsistent sync'ed:0.1% finish:8:35:44",
    }),
  ],
  'hwameistor-drbd9-1.txt': [],
  'linbit-ug84-1.txt': [
    dev8({ minor: 0, cs: 'Connected', roles: ['Secondary', 'Secondary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate' }),
    dev8({ minor: 1, cs: 'Connected', roles: ['Primary', 'Secondary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate' }),
    dev8({ minor: 2, cs: 'Connected', roles: ['Secondary', 'Primary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate' }),
  ],
  'linbit-ug84-2.txt': [
    dev8({ minor: 0, cs: 'Connected', roles: ['Secondary', 'Secondary'], disks: ['Inconsistent', 'Inconsistent'], oos: '524236', said: 'cs:Connected ro:Secondary/Secondary ds:Inconsistent/Inconsistent' }),
  ],
  'linbit-ug84-3.txt': [dev8({ minor: 0, cs: 'Connected', roles: ['Secondary', 'Primary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate' })],
  'linbit-ug84-4.txt': [dev8({ minor: 0, cs: 'Connected', roles: ['Secondary', 'Primary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate' })],
  'linbit-ug9-1.txt': [],
  'ncollectd-1.txt': [
    dev8({
      minor: 0, cs: 'SyncSource', roles: ['Primary', 'Secondary'], disks: ['UpToDate', 'Inconsistent'], oos: '3898301536',
      resync: { percent: 0.1, secondsLeft: 1740313 }, // finish: 483:25:13
      said: "cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent sync'ed:0.1% finish:483:25:13",
    }),
  ],
  // K amounts; minor 10 after a blank line.
  'ncollectd-2.txt': [
    dev8({
      minor: 1, cs: 'SyncSource', roles: ['Primary', 'Secondary'], disks: ['UpToDate', 'Inconsistent'], oos: '10688',
      resync: { percent: 33.4, secondsLeft: 13 },
      said: "cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent sync'ed:33.4% finish:0:00:13",
    }),
    dev8({ minor: 10, cs: 'Connected', roles: ['Primary', 'Secondary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate' }),
  ],
  // "(70980/71680)Mfinish: 1:15:55 speed: ... want: ..." glued, as in 8.3.11.
  'ncollectd-3.txt': [
    dev8({
      minor: 0, cs: 'SyncTarget', roles: ['Secondary', 'Primary'], disks: ['Inconsistent', 'UpToDate'], oos: '72684800',
      resync: { percent: 1, secondsLeft: 4555 },
      said: "cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate sync'ed:1.0% finish:1:15:55",
    }),
    dev8({ minor: 2, cs: 'Connected', roles: ['Secondary', 'Primary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate' }),
    dev8({ minor: 3, cs: 'Connected', roles: ['Secondary', 'Primary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate' }),
    dev8({ minor: 4, cs: 'Connected', roles: ['Secondary', 'Primary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate' }),
  ],
  'ncollectd-4.txt': [dev8({ minor: 0, cs: 'Connected', roles: ['Primary', 'Secondary'], disks: UP2, oos: '0', said: 'cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate' })],
  'node_exporter-1.txt': [dev8({ minor: 1, cs: 'Connected', roles: ['Primary', 'Primary'], disks: UP2, oos: '12349', said: 'cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate' })],
  'node_exporter-issue1814-drbd9.txt': [],
};

describe('procDrbdStates on every real sample', () => {
  it('covers every sample in test/fixtures/proc-drbd', () => {
    expect(Object.keys(STATES).sort()).toEqual(readdirSync(new URL('../../fixtures/proc-drbd/', import.meta.url)).sort());
  });
  for (const [file, expected] of Object.entries(STATES)) {
    it(file, () => {
      expect(procDrbdStates(parseProcDrbd(fixture(file)))).toEqual(expected);
    });
  }
});

describe('parseProcDrbd: progress of a resync or an online verify', () => {
  it('K amounts, finish: on the next line (8.0.12)', () => {
    expect(parseProcDrbd(fixture('blog-8.0.12-synctarget.txt')).devices[0]!.progress).toEqual({ kind: 'resync', percent: 10.8, leftKiB: 2543056, secondsLeft: 762 });
  });

  it('M amounts are MiB: left 294656M is 294656 * 1024 KiB (checkmk 8.3.8, delay_probe: after them)', () => {
    expect(parseProcDrbd(fixture('checkmk-1.txt')).devices[0]!.progress).toEqual({ kind: 'resync', percent: 42.4, leftKiB: 301727744, secondsLeft: 5008 });
  });

  it("8.3's glued ...Mfinish: 22:24:00 gives both the amount and the time", () => {
    expect(parseProcDrbd(fixture('blog-8.3.11-syncsource-Mfinish.txt')).devices[0]!.progress).toEqual({ kind: 'resync', percent: 0.1, leftKiB: 104828928, secondsLeft: 80640 });
    expect(parseProcDrbd(fixture('ncollectd-3.txt')).devices.map((d) => d.progress)).toEqual([{ kind: 'resync', percent: 1, leftKiB: 72683520, secondsLeft: 4555 }, null, null, null]);
  });

  it('a device without progress lines has none, even after a device that has them', () => {
    expect(parseProcDrbd(fixture('ncollectd-2.txt')).devices.map((d) => d.progress)).toEqual([{ kind: 'resync', percent: 33.4, leftKiB: 10688, secondsLeft: 13 }, null]);
  });

  it('resync: and act_log: detail lines are not progress', () => {
    expect(parseProcDrbd(fixture('citrix-sm-8.0-2.txt')).devices[0]!.progress).toBeNull();
    expect(parseProcDrbd(fixture('checkmk-2-drbd9-with-debugfs.txt')).devices.map((d) => d.progress)).toEqual([null, null]);
  });
});

describe('deviceWords', () => {
  it('8.4: ro: and ds:, the protocol letter and I/O flags left out of the text', () => {
    const [device] = parseProcDrbd(fixture('linbit-ug84-2.txt')).devices;
    expect(deviceWords(device!)).toEqual({ roles: ['Secondary', 'Secondary'], disks: ['Inconsistent', 'Inconsistent'], text: 'cs:Connected ro:Secondary/Secondary ds:Inconsistent/Inconsistent' });
  });

  it('8.0 StandAlone: st: for ro:, an empty protocol column', () => {
    const [device] = parseProcDrbd(fixture('blog-8.0.11-standalone.txt')).devices;
    expect(deviceWords(device!)).toEqual({ roles: ['Primary', 'Unknown'], disks: ['UpToDate', 'DUnknown'], text: 'cs:StandAlone st:Primary/Unknown ds:UpToDate/DUnknown' });
  });

  it('0.7 ld: (no peer disk), and cs:Unconfigured with no words at all', () => {
    const [configured, unconfigured] = parseProcDrbd(fixture('centreon-drbd07-ld-1.txt')).devices;
    expect(deviceWords(configured!)).toEqual({ roles: ['Secondary', 'Secondary'], disks: ['Inconsistent', null], text: 'cs:Connected st:Secondary/Secondary ld:Inconsistent' });
    expect(deviceWords(unconfigured!)).toEqual({ roles: null, disks: null, text: 'cs:Unconfigured' });
  });
});

// ---------------------------------------------------------------------------------------------
// States no sample shows, written as DRBD 8.4's drbd_proc.c prints them ("%2d: cs:%s ro:%s/%s
// ds:%s/%s %c %c%c%c%c%c%c", progress only for SyncSource, SyncTarget, VerifyS and VerifyT; a
// K amount ends its line and finish: follows on the next, after a tab).
// ---------------------------------------------------------------------------------------------

const HEADER_84 = 'version: 8.4.11-1 (api:1/proto:86-101)\nGIT-hash: 66145a308421e9c124ec391a7848ac20203bb03c build by mockbuild@, 2018-04-26 10:38:05\n';
const stats84 = (oos: number) => `    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:${oos}\n`;

describe('procDrbdStates on states no sample shows', () => {
  it('online verify (cs:VerifyS, verified:): progress of kind verify, and not a resync', () => {
    const text =
      HEADER_84 +
      ' 0: cs:VerifyS ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n' +
      '    ns:4096 nr:0 dw:0 dr:20480 al:0 bm:0 lo:0 pe:2 ua:0 ap:0 ep:1 wo:f oos:0\n' +
      '\t[=====>..............] verified: 28.6% (7312/10240)K\n' +
      '\tfinish: 0:00:07 speed: 1,024 (1,024) want: 4,096 K/sec\n';
    const proc = parseProcDrbd(text);
    expect(proc.devices[0]!.progress).toEqual({ kind: 'verify', percent: 28.6, leftKiB: 7312, secondsLeft: 7 });
    expect(procDrbdStates(proc)).toEqual([
      dev8({ minor: 0, cs: 'VerifyS', roles: ['Primary', 'Secondary'], disks: UP2, oos: '0', said: 'cs:VerifyS ro:Primary/Secondary ds:UpToDate/UpToDate verified:28.6% finish:0:00:07' }),
    ]);
  });

  it('PausedSyncT (no progress lines while paused): a resync whose percent and time are not known', () => {
    const text = HEADER_84 + ' 1: cs:PausedSyncT ro:Secondary/Primary ds:Inconsistent/UpToDate C r--u--\n' + stats84(524288);
    expect(procDrbdStates(parseProcDrbd(text))).toEqual([
      dev8({
        minor: 1, cs: 'PausedSyncT', roles: ['Secondary', 'Primary'], disks: ['Inconsistent', 'UpToDate'], oos: '524288',
        resync: { percent: null, secondsLeft: null },
        said: 'cs:PausedSyncT ro:Secondary/Primary ds:Inconsistent/UpToDate',
      }),
    ]);
  });

  it('WFConnection, Outdated, Failed: the words as printed, no resync', () => {
    const text =
      HEADER_84 +
      ' 2: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n' + stats84(1024) +
      ' 3: cs:StandAlone ro:Secondary/Unknown ds:Outdated/DUnknown   r-----\n' + stats84(0) +
      ' 4: cs:Connected ro:Primary/Secondary ds:Failed/UpToDate C r-----\n' + stats84(0);
    expect(procDrbdStates(parseProcDrbd(text))).toEqual([
      dev8({ minor: 2, cs: 'WFConnection', roles: ['Primary', 'Unknown'], disks: ['UpToDate', 'DUnknown'], oos: '1024', said: 'cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown' }),
      dev8({ minor: 3, cs: 'StandAlone', roles: ['Secondary', 'Unknown'], disks: ['Outdated', 'DUnknown'], oos: '0', said: 'cs:StandAlone ro:Secondary/Unknown ds:Outdated/DUnknown' }),
      dev8({ minor: 4, cs: 'Connected', roles: ['Primary', 'Secondary'], disks: ['Failed', 'UpToDate'], oos: '0', said: 'cs:Connected ro:Primary/Secondary ds:Failed/UpToDate' }),
    ]);
  });

  it('a device line cut short: what was printed, nothing more (no invented disk states)', () => {
    const text = HEADER_84 + ' 5: cs:Connected ro:Primary/Secondary ds:UpTo';
    expect(procDrbdStates(parseProcDrbd(text))).toEqual([
      dev8({ minor: 5, cs: 'Connected', roles: ['Primary', 'Secondary'], disks: [null, null], oos: null, said: 'cs:Connected ro:Primary/Secondary ds:UpTo' }),
    ]);
  });
});

describe('ioFlags: the I/O flags after the protocol letter (drbd_proc.c)', () => {
  // 8.0 prints s/r then a p u; 8.3 adds the congestion reason; 8.3.10 and 8.4 the AL suspended s.
  const R4 = { suspended: false, alSuspended: null };
  const R5 = R4;
  const R6 = { suspended: false, alSuspended: false };
  /** file: [minor, flags] of every device, as the file prints them. */
  const FLAGS: Record<string, Array<[number, DrbdIoFlags | null]>> = {
    'blog-8.0.11-standalone.txt': [[0, R4], [1, R4]],
    'blog-8.0.12-syncsource.txt': [[0, R4]],
    'blog-8.0.12-synctarget.txt': [[0, R4]],
    'blog-8.3.11-syncsource-Mfinish.txt': [[0, R6]],
    'blog-cn-8.4.11-1.txt': [[1, R6]],
    'blog-drbd9-1.txt': [],
    'centreon-8.3.7-1.txt': [[0, R5], [1, R5]],
    'centreon-drbd07-ld-1.txt': [[0, null], [1, null]],
    'checkmk-1.txt': [[0, R5]],
    'checkmk-2-drbd9-with-debugfs.txt': [[0, R6], [1, R6]],
    'citrix-sm-8.0-1.txt': [[1, null], [2, R4]],
    'citrix-sm-8.0-2.txt': [[1, R4]],
    'citrix-sm-8.0-3.txt': [[1, R4]],
    'hwameistor-drbd9-1.txt': [],
    'linbit-ug84-1.txt': [[0, R6], [1, R4], [2, R4]],
    'linbit-ug84-2.txt': [[0, R6]],
    'linbit-ug84-3.txt': [[0, R6]],
    'linbit-ug84-4.txt': [[0, R6]],
    'linbit-ug9-1.txt': [],
    'ncollectd-1.txt': [[0, R6]],
    'ncollectd-2.txt': [[1, R6], [10, R6]],
    'ncollectd-3.txt': [[0, R6], [2, R6], [3, R6], [4, R6]],
    'ncollectd-4.txt': [[0, R6]],
    'node_exporter-1.txt': [[1, R6]],
    'node_exporter-issue1814-drbd9.txt': [],
  };

  it('covers every sample in test/fixtures/proc-drbd', () => {
    expect(Object.keys(FLAGS).sort()).toEqual(readdirSync(new URL('../../fixtures/proc-drbd/', import.meta.url)).sort());
  });
  for (const [file, expected] of Object.entries(FLAGS)) {
    it(file, () => expect(parseProcDrbd(fixture(file)).devices.map((d) => [d.minor, ioFlags(d)])).toEqual(expected));
  }

  const flagsOf = (flags: string) => ioFlags(parseProcDrbd(`version: 8.4.11 (api:1/proto:86-101)\n 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C ${flags}\n`).devices[0]!);
  it('s first: I/O suspended; s sixth: the activity log suspended', () => {
    expect(flagsOf('s----s')).toEqual({ suspended: true, alSuspended: true });
    expect(flagsOf('s-----')).toEqual({ suspended: true, alSuspended: false });
    expect(flagsOf('r----s')).toEqual({ suspended: false, alSuspended: true });
    expect(flagsOf('s---')).toEqual({ suspended: true, alSuspended: null });
  });
  it('resync paused (a p u) and a congestion reason (8.3: fifth of five) do not count', () => {
    expect(flagsOf('rapu')).toEqual({ suspended: false, alSuspended: null });
    expect(flagsOf('r---n')).toEqual({ suspended: false, alSuspended: null });
    expect(flagsOf('rapubs')).toEqual({ suspended: false, alSuspended: true });
  });
  it('a word that is not the flags is none', () => {
    expect(flagsOf('')).toBeNull();
    expect(flagsOf('x-----')).toBeNull();
    expect(flagsOf('r------')).toBeNull();
  });
});
