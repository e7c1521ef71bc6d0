// The events2 parser on every public `drbdsetup events2` sample (test/fixtures/drbd9, see its
// PROVENANCE.md) and on streams where objects appear, change and disappear. Expected values are
// read off the samples: read/written/received/sent/out-of-sync are KiB as drbdsetup prints them,
// the DRBD 8 names they map to are dr dw nr ns oos; al-writes bm-writes lower-pending
// upper-pending pending unacked map to al bm lo ap pe ua.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { events2Volumes, type DrbdVolume } from '../../../lib/kernel/drbd.js';
import { parseEvents2 } from '../../../lib/kernel/events2.js';

const FIXTURES = new URL('../../fixtures/drbd9/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, FIXTURES), 'latin1');
const volumesOf = (text: string) => events2Volumes(parseEvents2(text));

type Row = [dr: string, dw: string, al: string, bm: string, lo: string, ap: string];
type PeerRow = [name: string, ns: string, nr: string, oos: string, pe: string, ua: string];
function volume(minor: number, [dr, dw, al, bm, lo, ap]: Row, ...peers: PeerRow[]): DrbdVolume {
  return {
    minor,
    device: { dr, dw, al, bm, lo, ap },
    peers: peers.map(([name, ns, nr, oos, pe, ua]) => ({ name, counters: { ns, nr, oos, pe, ua } })),
  };
}
const UNKNOWN_DEVICE = { dr: null, dw: null, al: null, bm: null, lo: null, ap: null };
const UNKNOWN_PEER = { ns: null, nr: null, oos: null, pe: null, ua: null };

/** Real `events2 --statistics` output: file -> devices with their peers. */
const WITH_STATISTICS: Record<string, DrbdVolume[]> = {
  'linbit-ug9-events2-statistics-now.txt': [
    volume(7, ['6397188', '131844', '34', '0', '0', '0'], ['remote-host', '131844', '0', '0', '0', '0']),
    volume(8, ['5910680', '6634548', '417', '0', '0', '0'], ['remote-host', '6634548', '0', '0', '0', '0']),
  ],
  'linbit-ug84-events2-statistics-now.txt': [
    volume(7, ['6397188', '131844', '34', '0', '0', '0'], ['remote-host', '131844', '0', '0', '0', '0']),
    volume(8, ['5910680', '6634548', '417', '0', '0', '0'], ['remote-host', '6634548', '0', '0', '0', '0']),
  ],
  'blog-cn-drbd84kmod-events2-statistics-now.txt': [volume(1, ['2088', '0', '0', '0', '0', '0'], ['peer', '0', '0', '0', '0', '0'])],
  'centreon-events2-statistics-now.txt': [
    volume(1, ['0', '765868', '0', '0', '0', '0'], ['central-2004', '0', '765868', '0', '0', '0'], ['poller-2004-1', '0', '0', '0', '0', '0']),
  ],
  // create with statistics, then change lines without them: the created values stay.
  'drbd-utils-test-events2-all-create-change-statistics.txt': [
    volume(1000, ['10', '15', '40', '50', '70', '60'], ['some-peer', '10', '5', '0', '30', '40']),
  ],
  'drbd-utils-test-events2-all-create-change-full.txt': [
    volume(1000, ['10', '15', '40', '50', '70', '60'], ['some-peer', '10', '5', '0', '30', '40']),
  ],
  // the last change (SyncSource) brings out-of-sync:2500.
  'drbd-utils-test-events2-sync-statistics.txt': [
    volume(1000, ['10', '15', '40', '50', '70', '60'], ['some-peer', '10', '5', '2500', '30', '40']),
  ],
  // --timestamps, lines of several resources in mixed order; r0's peer-device has no device
  // line in the sample and so no minor: it cannot be graphed and is left out.
  'drbdtop-test-events2-timestamps-statistics.txt': [
    volume(0, ['1340', '16', '1', '0', '0', '0'], ['peer', '2050743348', '0', '205655500', '0', '0']),
    volume(150, ['912', '0', '0', '0', '0', '0'], ['tom', '100', '10', '1000', '10000', '100000']),
    volume(1016, ['2104', '0', '0', '0', '0', '0'], ['kubelet-b', '0', '0', '0', '0', '0']),
  ],
  'drbd-reactor-test-events2-lines.txt': [volume(1, ['1', '1', '1', '1', '1', '1'], ['bar', '1', '1', '1', '1', '1'])],
};

describe('events2 --statistics samples', () => {
  for (const [file, expected] of Object.entries(WITH_STATISTICS)) {
    it(`${file}: per-device and per-peer values`, () => {
      const state = parseEvents2(sample(file));
      expect(state.unparsed).toEqual([]);
      expect(events2Volumes(state)).toEqual(expected);
    });
  }

  it('the wrapped documentation output reads the same as its one-line-per-object form', () => {
    expect(volumesOf(sample('linbit-ug9-events2-statistics-now.txt'))).toEqual(
      volumesOf(sample('linbit-ug9-events2-statistics-now.joined.txt')),
    );
  });

  it('sees the "exists -" line that ends the initial state, and counts the events', () => {
    const state = parseEvents2(sample('linbit-ug9-events2-statistics-now.txt'));
    expect(state.initialStateDone).toBe(true);
    expect(state.events).toBe(7);
    expect(parseEvents2(sample('drbd-reactor-test-events2-lines.txt')).initialStateDone).toBe(false);
  });
});

describe('events2 output without statistics', () => {
  for (const file of [
    'linbit-ug9-events2-now.txt',
    'drbd-utils-test-events2-sync-plain.txt',
    'drbd-utils-test-events2-all-create-change-timestamps.txt',
    'drbd-utils-test-events2-all-create-change-diff.txt',
  ]) {
    it(`${file}: the devices and peers are known, every counter is unknown (null), none is invented`, () => {
      const state = parseEvents2(sample(file));
      expect(state.unparsed).toEqual([]);
      const volumes = events2Volumes(state);
      expect(volumes.length).toBeGreaterThan(0);
      for (const v of volumes) {
        expect(v.device).toEqual(UNKNOWN_DEVICE);
        for (const p of v.peers) expect(p.counters).toEqual(UNKNOWN_PEER);
      }
    });
  }

  it('linbit-ug9-events2-now.txt: minors 7 and 8, each with peer remote-host', () => {
    expect(volumesOf(sample('linbit-ug9-events2-now.txt')).map((v) => [v.minor, v.peers.map((p) => p.name)])).toEqual([
      [7, ['remote-host']],
      [8, ['remote-host']],
    ]);
  });
});

describe('what is not events2 output', () => {
  it('drbdsetup status output gives no events, only unparsed lines', () => {
    const state = parseEvents2(sample('linbit-ug9-status-verbose-statistics.txt'));
    expect(state.events).toBe(0);
    expect(state.unparsed[0]).toMatch(/^home node-id:1 role:Secondary/);
    expect(events2Volumes(state)).toEqual([]);
  });

  it('garbage lines among events are counted and skipped, the events still count', () => {
    const text = 'drbdsetup: garbage\n' + sample('blog-cn-drbd84kmod-events2-statistics-now.txt') + '%%%\n';
    const state = parseEvents2(text);
    expect(state.unparsed).toEqual(['drbdsetup: garbage', '%%%']);
    expect(events2Volumes(state)).toEqual(WITH_STATISTICS['blog-cn-drbd84kmod-events2-statistics-now.txt']);
  });

  it('a counter that is not a number is unknown, not copied', () => {
    const text =
      'exists device name:r0 volume:0 minor:3 disk:UpToDate read:12x written:-1 al-writes:4 bm-writes:0 upper-pending:0 lower-pending:0\n';
    expect(volumesOf(text)).toEqual([{ minor: 3, device: { dr: null, dw: null, al: '4', bm: '0', lo: '0', ap: '0' }, peers: [] }]);
  });

  it('empty output and a lone "exists -" give no devices', () => {
    expect(parseEvents2('').events).toBe(0);
    const state = parseEvents2('exists -\n');
    expect(state.events).toBe(1);
    expect(events2Volumes(state)).toEqual([]);
  });
});

// A 3-node resource r0 (this node and peers alpha, beta) plus r1, recorded as drbdsetup
// `events2 --timestamps --statistics` prints a stream: initial state, then changes.
const T = '2024-05-02T10:00:00.000000+02:00';
const INITIAL = [
  `${T} exists resource name:r0 role:Primary suspended:no write-ordering:flush`,
  `${T} exists connection name:r0 peer-node-id:1 conn-name:alpha connection:Connected role:Secondary congested:no ap-in-flight:0 rs-in-flight:0`,
  `${T} exists connection name:r0 peer-node-id:2 conn-name:beta connection:Connected role:Secondary congested:no ap-in-flight:8 rs-in-flight:0`,
  // peer devices before their device: order must not matter.
  `${T} exists peer-device name:r0 peer-node-id:2 conn-name:beta volume:0 replication:Established peer-disk:UpToDate peer-client:no resync-suspended:no received:0 sent:300 out-of-sync:0 pending:1 unacked:0`,
  `${T} exists peer-device name:r0 peer-node-id:1 conn-name:alpha volume:0 replication:Established peer-disk:UpToDate peer-client:no resync-suspended:no received:7 sent:200 out-of-sync:0 pending:0 unacked:2`,
  `${T} exists device name:r0 volume:0 minor:10 disk:UpToDate client:no quorum:yes size:1048576 read:100 written:200 al-writes:3 bm-writes:1 upper-pending:0 lower-pending:1 al-suspended:no blocked:no`,
  `${T} exists resource name:r1 role:Secondary suspended:no write-ordering:flush`,
  `${T} exists device name:r1 volume:0 minor:11 disk:UpToDate client:no quorum:yes size:4096 read:5 written:6 al-writes:0 bm-writes:0 upper-pending:0 lower-pending:0 al-suspended:no blocked:no`,
  `${T} exists -`,
];

describe('a stream where objects change, appear and disappear', () => {
  it('the initial state: r0 with two peers sorted by name, r1 without peers', () => {
    expect(volumesOf(INITIAL.join('\n'))).toEqual([
      volume(10, ['100', '200', '3', '1', '1', '0'], ['alpha', '200', '7', '0', '0', '2'], ['beta', '300', '0', '0', '1', '0']),
      { minor: 11, device: { dr: '5', dw: '6', al: '0', bm: '0', lo: '0', ap: '0' }, peers: [] },
    ]);
  });

  it('change lines update only the values they carry', () => {
    const text = [
      ...INITIAL,
      `${T} change device name:r0 volume:0 minor:10 read:150 written:260 al-writes:4 bm-writes:1 upper-pending:2 lower-pending:0`,
      `${T} change peer-device name:r0 peer-node-id:2 conn-name:beta volume:0 replication:SyncSource peer-disk:Inconsistent done:12.50 received:0 sent:360 out-of-sync:4096 pending:3 unacked:0 dbdt1:1.20 eta:30`,
    ].join('\n');
    expect(volumesOf(text)[0]).toEqual(
      volume(10, ['150', '260', '4', '1', '0', '2'], ['alpha', '200', '7', '0', '0', '2'], ['beta', '360', '0', '4096', '3', '0']),
    );
  });

  it('a new peer (create) joins, a destroyed connection takes its peer device with it', () => {
    const text = [
      ...INITIAL,
      `${T} create connection name:r0 peer-node-id:3 conn-name:gamma connection:StandAlone role:Unknown congested:no ap-in-flight:0 rs-in-flight:0`,
      `${T} create peer-device name:r0 peer-node-id:3 conn-name:gamma volume:0 replication:Off peer-disk:DUnknown peer-client:no resync-suspended:no received:0 sent:0 out-of-sync:1048576 pending:0 unacked:0`,
      `${T} destroy peer-device name:r0 peer-node-id:2 conn-name:beta volume:0`,
      `${T} destroy connection name:r0 peer-node-id:2 conn-name:beta`,
    ].join('\n');
    expect(volumesOf(text)[0]!.peers.map((p) => [p.name, p.counters.oos])).toEqual([
      ['alpha', '0'],
      ['gamma', '1048576'],
    ]);
  });

  it('a destroyed connection alone also removes its peer devices', () => {
    const text = [...INITIAL, `${T} destroy connection name:r0 peer-node-id:1 conn-name:alpha`].join('\n');
    expect(volumesOf(text)[0]!.peers.map((p) => p.name)).toEqual(['beta']);
  });

  it('a destroyed resource takes its devices, connections and peers with it; a new one appears', () => {
    const text = [
      ...INITIAL,
      `${T} destroy device name:r1 volume:0 minor:11`,
      `${T} destroy resource name:r1`,
      `${T} create resource name:r2 role:Secondary suspended:no`,
      `${T} create device name:r2 volume:0 minor:12 disk:Diskless client:no quorum:yes size:0 read:0 written:0 al-writes:0 bm-writes:0 upper-pending:0 lower-pending:0 al-suspended:no blocked:no`,
    ].join('\n');
    expect(volumesOf(text).map((v) => v.minor)).toEqual([10, 12]);
    expect(volumesOf([...INITIAL, `${T} destroy resource name:r0`].join('\n')).map((v) => v.minor)).toEqual([11]);
  });

  it('a destroyed device takes its peer devices with it', () => {
    const state = parseEvents2([...INITIAL, `${T} destroy device name:r0 volume:0 minor:10`].join('\n'));
    expect(events2Volumes(state).map((v) => v.minor)).toEqual([11]);
    expect(state.peerDevices.size).toBe(0);
  });

  it('a renamed resource keeps its devices and peers', () => {
    const state = parseEvents2([...INITIAL, `${T} rename resource name:r0 new_name:data`].join('\n'));
    expect([...state.resources.keys()].sort()).toEqual(['data', 'r1']);
    expect(events2Volumes(state)[0]).toEqual(volumesOf(INITIAL.join('\n'))[0]);
  });

  it('helper calls and responses are events but no objects', () => {
    const state = parseEvents2(
      [...INITIAL, `${T} call helper name:r0 volume:0 helper:before-resync-target`, `${T} response helper name:r0 volume:0 helper:before-resync-target status:0`].join('\n'),
    );
    expect(state.unparsed).toEqual([]);
    expect(state.events).toBe(INITIAL.length + 2);
  });

  it('CRLF line ends and --diff values (old->new) are read', () => {
    const text = 'exists device name:r0 volume:0 minor:4 read:1->9 written:2 al-writes:0 bm-writes:0 upper-pending:0 lower-pending:0\r\nexists -\r\n';
    expect(volumesOf(text)).toEqual([{ minor: 4, device: { dr: '9', dw: '2', al: '0', bm: '0', lo: '0', ap: '0' }, peers: [] }]);
  });
});
