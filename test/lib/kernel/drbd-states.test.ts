// What DRBD's state words mean (lib/kernel/drbd-states.ts), checked word by word against the
// kernel's own name tables, and the typed DRBD 9 state (events2States) of every public
// `drbdsetup events2` sample in test/fixtures/drbd9 (see its PROVENANCE.md), written by reading
// each file, plus streams built for what no sample shows (quorum lost, I/O suspended for quorum,
// diskless clients, unknown words).
//
// The name tables, from LINBIT's sources:
//   DRBD 0.7 drbd_strings.c  drbd_conn_s_names: Unconfigured StandAlone Unconnected Timeout
//     BrokenPipe NetworkFailure WFConnection WFReportParams Connected SkippedSyncS SkippedSyncT
//     WFBitMapS WFBitMapT SyncSource SyncTarget PausedSyncS PausedSyncT;
//     0.7's /proc/drbd ld: is Consistent or Inconsistent.
//   DRBD 8.0-8.4 drbd_strings.c  drbd_conn_s_names adds Disconnecting ProtocolError TearDown
//     StartingSyncS StartingSyncT WFSyncUUID VerifyS VerifyT Ahead Behind;
//     drbd_disk_s_names: Diskless Attaching Failed Negotiating Inconsistent Outdated DUnknown
//     Consistent UpToDate; drbd_role_s_names: Primary Secondary Unknown.
//   DRBD 9 drbd-headers drbd_strings.c  connection: StandAlone Disconnecting Unconnected Timeout
//     BrokenPipe NetworkFailure ProtocolError TearDown Connecting Connected; replication: Off
//     Established StartingSyncS StartingSyncT WFBitMapS WFBitMapT WFSyncUUID SyncSource
//     SyncTarget VerifyS VerifyT PausedSyncS PausedSyncT Ahead Behind; disk adds Detaching.
//     Its debugfs proc_drbd prints the replication state as cs: (drbd_debugfs.c).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diskHealth, isConnected8, isConnected9, isResyncing, ROLES } from '../../../lib/kernel/drbd-states.js';
import { events2States, type DrbdDeviceState, type DrbdPeerState } from '../../../lib/kernel/drbd.js';
import { parseEvents2 } from '../../../lib/kernel/events2.js';

describe('DRBD 8 connection states (cs:, also DRBD 9 debugfs cs:)', () => {
  const CONNECTED = [
    'Connected', 'SkippedSyncS', 'SkippedSyncT', 'StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID',
    'SyncSource', 'SyncTarget', 'PausedSyncS', 'PausedSyncT', 'VerifyS', 'VerifyT', 'Ahead', 'Behind',
    // DRBD 9 debugfs: the replication state
    'Established',
  ];
  const NOT_CONNECTED = [
    'Unconfigured', 'StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError',
    'WFConnection', 'WFReportParams', 'TearDown',
    // DRBD 9 debugfs: the replication state of a peer that is not connected
    'Off',
  ];
  for (const word of CONNECTED) it(`${word}: connected`, () => expect(isConnected8(word)).toBe(true));
  for (const word of NOT_CONNECTED) it(`${word}: not connected`, () => expect(isConnected8(word)).toBe(false));
});

describe('DRBD 9 connection states (connection:)', () => {
  it('Connected is the one connected state', () => expect(isConnected9('Connected')).toBe(true));
  for (const word of ['StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError', 'TearDown', 'Connecting']) {
    it(`${word}: not connected`, () => expect(isConnected9(word)).toBe(false));
  }
});

describe('resync or not (DRBD 8 cs:, DRBD 9 replication:)', () => {
  // Running, paused, or about to start (bitmap exchange, UUID handshake); SkippedSync: "we
  // should have synced, but user said no" (0.7's drbd.h): a resync is due, not done.
  const RESYNC = ['StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID', 'SyncSource', 'SyncTarget', 'PausedSyncS', 'PausedSyncT', 'SkippedSyncS', 'SkippedSyncT'];
  // An online verify compares, it does not copy; Ahead/Behind is congestion, not a resync.
  const NO_RESYNC = [
    'Connected', 'Established', 'VerifyS', 'VerifyT', 'Ahead', 'Behind', 'Off',
    'Unconfigured', 'StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError', 'WFConnection', 'WFReportParams', 'TearDown',
  ];
  for (const word of RESYNC) it(`${word}: resyncing`, () => expect(isResyncing(word)).toBe(true));
  for (const word of NO_RESYNC) it(`${word}: not resyncing`, () => expect(isResyncing(word)).toBe(false));
});

describe('disk health (ds:, ld:, disk:, peer-disk:)', () => {
  const EXPECTED: Array<[string, string]> = [
    ['UpToDate', 'up-to-date'],
    ['Consistent', 'degraded'],
    ['Inconsistent', 'degraded'],
    ['Outdated', 'degraded'],
    ['DUnknown', 'degraded'],
    ['Attaching', 'degraded'],
    ['Negotiating', 'degraded'],
    ['Detaching', 'degraded'],
    ['Failed', 'failed'],
    ['Diskless', 'failed'],
  ];
  for (const [word, health] of EXPECTED) it(`${word}: ${health}`, () => expect(diskHealth(word)).toBe(health));
});

describe('roles', () => {
  it('Primary, Secondary and Unknown, as drbd_role_s_names', () => expect([...ROLES].sort()).toEqual(['Primary', 'Secondary', 'Unknown']));
});

describe('a word not known (a newer DRBD, or garbage) means nothing: null, never a guess', () => {
  const UNKNOWN = ['Quantum', 'Fuzzy', 'connected', 'CONNECTED', 'uptodate', '', 'Connected ', 'constructor', 'toString', '__proto__', 'hasOwnProperty'];
  for (const word of UNKNOWN) {
    it(JSON.stringify(word), () => {
      expect(isConnected8(word)).toBeNull();
      expect(isConnected9(word)).toBeNull();
      expect(isResyncing(word)).toBeNull();
      expect(diskHealth(word)).toBeNull();
    });
  }

  it('a DRBD 9 replication state or a DRBD 8-only word is not a DRBD 9 connection state', () => {
    expect(isConnected9('Established')).toBeNull();
    expect(isConnected9('SyncSource')).toBeNull();
    expect(isConnected9('WFConnection')).toBeNull();
  });

  it('a state word is not a disk state and the other way round', () => {
    expect(diskHealth('Connected')).toBeNull();
    expect(isConnected8('UpToDate')).toBeNull();
    expect(isResyncing('Inconsistent')).toBeNull();
  });

  it('nothing said (null) means nothing', () => {
    expect(isConnected8(null)).toBeNull();
    expect(isConnected9(null)).toBeNull();
    expect(isResyncing(null)).toBeNull();
    expect(diskHealth(null)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// events2States on every events2 sample.
// ---------------------------------------------------------------------------------------------

const FIXTURES = new URL('../../fixtures/drbd9/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, FIXTURES), 'latin1');
const statesOf = (text: string) => events2States(parseEvents2(text));

interface Peer9 {
  name: string;
  connection: string | null;
  role: string | null;
  replication: string | null;
  disk: string | null;
  client?: boolean;
  resync?: { percent: number | null; secondsLeft: number | null };
  oos: string | null;
  said: string;
}

function peer9(p: Peer9): DrbdPeerState {
  return { name: p.name, connection: p.connection, replication: p.replication, role: p.role, disk: p.disk, client: p.client ?? false, resync: p.resync ?? null, outOfSyncKiB: p.oos, said: p.said };
}

interface Dev9 {
  minor: number;
  resource: string;
  role: string | null;
  disk: string | null;
  client?: boolean;
  quorum: boolean | null;
  suspended: string | null;
  said: string;
  peers: DrbdPeerState[];
}

function dev9(d: Dev9): DrbdDeviceState {
  return { minor: d.minor, resource: d.resource, role: d.role, disk: d.disk, client: d.client ?? false, quorum: d.quorum, suspended: d.suspended, said: d.said, peers: d.peers };
}

const REMOTE_HOST = (oos: string | null) =>
  peer9({ name: 'remote-host', connection: 'Connected', role: 'Secondary', replication: 'Established', disk: 'UpToDate', oos, said: 'connection:Connected role:Secondary replication:Established peer-disk:UpToDate' });

const UG9 = (oos: string | null) => [
  dev9({ minor: 7, resource: 'r0', role: 'Secondary', disk: 'UpToDate', quorum: null, suspended: 'no', said: 'role:Secondary suspended:no disk:UpToDate', peers: [REMOTE_HOST(oos)] }),
  dev9({ minor: 8, resource: 'r0', role: 'Secondary', disk: 'UpToDate', quorum: null, suspended: 'no', said: 'role:Secondary suspended:no disk:UpToDate', peers: [REMOTE_HOST(oos)] }),
];

// drbd-utils' own tests: some-resource, minor 1000, one peer some-peer; it ends Primary,
// Connected, Established and UpToDate on both sides.
const SOME_RESOURCE = (oos: string | null) => [
  dev9({
    minor: 1000, resource: 'some-resource', role: 'Primary', disk: 'UpToDate', quorum: true, suspended: 'no',
    said: 'role:Primary suspended:no disk:UpToDate client:no quorum:yes',
    peers: [peer9({ name: 'some-peer', connection: 'Connected', role: 'Secondary', replication: 'Established', disk: 'UpToDate', oos, said: 'connection:Connected role:Secondary replication:Established peer-disk:UpToDate' })],
  }),
];

const SYNC = (eta: number | null, oos: string | null) => [
  dev9({
    minor: 1000, resource: 'some-resource', role: 'Secondary', disk: 'UpToDate', quorum: true, suspended: 'no',
    said: 'role:Secondary suspended:no disk:UpToDate client:no quorum:yes',
    peers: [
      peer9({
        name: 'some-peer', connection: 'Connected', role: 'Secondary', replication: 'SyncSource', disk: 'Inconsistent', oos,
        resync: { percent: 37.5, secondsLeft: eta },
        said: `connection:Connected role:Secondary replication:SyncSource peer-disk:Inconsistent done:37.50${eta === null ? '' : ` eta:${eta}`}`,
      }),
    ],
  }),
];

const EVENTS2: Record<string, DrbdDeviceState[]> = {
  'blog-cn-drbd84kmod-events2-statistics-now.txt': [
    dev9({
      minor: 1, resource: 'r0', role: 'Primary', disk: 'UpToDate', quorum: null, suspended: 'no', said: 'role:Primary suspended:no disk:UpToDate',
      peers: [peer9({ name: 'peer', connection: 'Connected', role: 'Secondary', replication: 'Established', disk: 'UpToDate', oos: '0', said: 'connection:Connected role:Secondary replication:Established peer-disk:UpToDate' })],
    }),
  ],
  // Two peers, sorted by name; the peers' roles differ.
  'centreon-events2-statistics-now.txt': [
    dev9({
      minor: 1, resource: 'drbd1', role: 'Secondary', disk: 'UpToDate', quorum: true, suspended: 'no', said: 'role:Secondary suspended:no disk:UpToDate client:no quorum:yes',
      peers: [
        peer9({ name: 'central-2004', connection: 'Connected', role: 'Primary', replication: 'Established', disk: 'UpToDate', oos: '0', said: 'connection:Connected role:Primary replication:Established peer-disk:UpToDate' }),
        peer9({ name: 'poller-2004-1', connection: 'Connected', role: 'Secondary', replication: 'Established', disk: 'UpToDate', oos: '0', said: 'connection:Connected role:Secondary replication:Established peer-disk:UpToDate' }),
      ],
    }),
  ],
  // The second change line makes the device a diskless client (client:yes) while Attaching;
  // the peer is a client too (peer-client:yes); I/O suspended:yes.
  'drbd-reactor-test-events2-lines.txt': [
    dev9({
      minor: 1, resource: 'foo', role: 'Primary', disk: 'Attaching', client: true, quorum: true, suspended: 'yes', said: 'role:Primary suspended:yes disk:Attaching client:yes quorum:yes',
      peers: [peer9({ name: 'bar', connection: 'Connected', role: 'Primary', replication: 'Established', disk: 'UpToDate', client: true, oos: '1', said: 'connection:Connected role:Primary replication:Established peer-disk:UpToDate' })],
    }),
  ],
  'drbd-utils-test-events2-all-create-change-diff.txt': SOME_RESOURCE(null),
  'drbd-utils-test-events2-all-create-change-full.txt': SOME_RESOURCE('0'),
  'drbd-utils-test-events2-all-create-change-statistics.txt': SOME_RESOURCE('0'),
  'drbd-utils-test-events2-all-create-change-timestamps.txt': SOME_RESOURCE(null),
  // done:37.50, no eta: in the plain one; eta:10 and out-of-sync:2500 with --statistics.
  'drbd-utils-test-events2-sync-plain.txt': SYNC(null, null),
  'drbd-utils-test-events2-sync-statistics.txt': SYNC(10, '2500'),
  // Several resources; r0 has a peer-device but no device line: no minor, left out.
  'drbdtop-test-events2-timestamps-statistics.txt': [
    dev9({
      minor: 0, resource: 'test0', role: 'Primary', disk: 'UpToDate', quorum: null, suspended: 'no', said: 'role:Primary suspended:no disk:UpToDate client:no',
      peers: [
        peer9({
          name: 'peer', connection: 'Connected', role: 'Secondary', replication: 'SyncSource', disk: 'Inconsistent', oos: '205655500',
          resync: { percent: null, secondsLeft: null },
          said: 'connection:Connected role:Secondary replication:SyncSource peer-disk:Inconsistent',
        }),
      ],
    }),
    dev9({
      minor: 150, resource: 'test3', role: 'Secondary', disk: 'UpToDate', quorum: null, suspended: 'no', said: 'role:Secondary suspended:no disk:UpToDate',
      peers: [peer9({ name: 'tom', connection: 'Connected', role: 'Secondary', replication: 'Established', disk: 'UpToDate', oos: '1000', said: 'connection:Connected role:Secondary replication:Established peer-disk:UpToDate' })],
    }),
    dev9({
      minor: 1016, resource: 'pvc-0a2826c9-7108-11e9-8f74-0026b954ca4c', role: 'Secondary', disk: 'UpToDate', quorum: true, suspended: 'no',
      said: 'role:Secondary suspended:no disk:UpToDate client:no quorum:yes',
      peers: [peer9({ name: 'kubelet-b', connection: 'Connected', role: 'Secondary', replication: 'Established', disk: 'UpToDate', oos: '0', said: 'connection:Connected role:Secondary replication:Established peer-disk:UpToDate' })],
    }),
  ],
  'linbit-ug84-events2-statistics-now.txt': UG9('0'),
  'linbit-ug9-events2-now.txt': UG9(null),
  'linbit-ug9-events2-statistics-now.joined.txt': UG9('0'),
  'linbit-ug9-events2-statistics-now.txt': UG9('0'),
};

describe('events2States on every events2 sample', () => {
  it('covers every sample whose name says events2', () => {
    expect(Object.keys(EVENTS2).sort()).toEqual(readdirSync(FIXTURES).filter((f) => f.includes('events2')).sort());
  });
  for (const [file, expected] of Object.entries(EVENTS2)) {
    it(file, () => {
      expect(statesOf(sample(file))).toEqual(expected);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Streams built for what no sample shows, in `events2 --now --statistics` form.
// ---------------------------------------------------------------------------------------------

describe('events2States on states no sample shows', () => {
  it('quorum lost (quorum:no), I/O suspended for it (suspended:quorum), the peer gone (Connecting, Off)', () => {
    const text = [
      'exists resource name:data role:Primary suspended:quorum write-ordering:flush',
      'exists connection name:data peer-node-id:1 conn-name:beta connection:Connecting role:Unknown congested:no ap-in-flight:0 rs-in-flight:0',
      'exists device name:data volume:0 minor:3 disk:UpToDate client:no quorum:no size:1024 read:0 written:0 al-writes:0 bm-writes:0 upper-pending:2 lower-pending:0 al-suspended:no blocked:upper',
      'exists peer-device name:data peer-node-id:1 conn-name:beta volume:0 replication:Off peer-disk:DUnknown peer-client:no resync-suspended:no received:0 sent:0 out-of-sync:64 pending:0 unacked:0',
      'exists -',
    ].join('\n');
    expect(statesOf(text)).toEqual([
      dev9({
        minor: 3, resource: 'data', role: 'Primary', disk: 'UpToDate', quorum: false, suspended: 'quorum', said: 'role:Primary suspended:quorum disk:UpToDate client:no quorum:no',
        peers: [peer9({ name: 'beta', connection: 'Connecting', role: 'Unknown', replication: 'Off', disk: 'DUnknown', oos: '64', said: 'connection:Connecting role:Unknown replication:Off peer-disk:DUnknown' })],
      }),
    ]);
  });

  it('a diskless client (client:yes disk:Diskless) and a peer that is one (peer-client:yes peer-disk:Diskless)', () => {
    const text = [
      'exists resource name:vol role:Secondary suspended:no write-ordering:flush',
      'exists connection name:vol peer-node-id:0 conn-name:store connection:Connected role:Primary congested:no ap-in-flight:0 rs-in-flight:0',
      'exists connection name:vol peer-node-id:2 conn-name:tie connection:Connected role:Secondary congested:no ap-in-flight:0 rs-in-flight:0',
      'exists device name:vol volume:0 minor:12 disk:Diskless client:yes quorum:yes size:2048 read:0 written:0 al-writes:0 bm-writes:0 upper-pending:0 lower-pending:0 al-suspended:no blocked:no',
      'exists peer-device name:vol peer-node-id:0 conn-name:store volume:0 replication:Established peer-disk:UpToDate peer-client:no resync-suspended:no received:0 sent:0 out-of-sync:0 pending:0 unacked:0',
      'exists peer-device name:vol peer-node-id:2 conn-name:tie volume:0 replication:Established peer-disk:Diskless peer-client:yes resync-suspended:no received:0 sent:0 out-of-sync:0 pending:0 unacked:0',
      'exists -',
    ].join('\n');
    expect(statesOf(text)).toEqual([
      dev9({
        minor: 12, resource: 'vol', role: 'Secondary', disk: 'Diskless', client: true, quorum: true, suspended: 'no', said: 'role:Secondary suspended:no disk:Diskless client:yes quorum:yes',
        peers: [
          peer9({ name: 'store', connection: 'Connected', role: 'Primary', replication: 'Established', disk: 'UpToDate', oos: '0', said: 'connection:Connected role:Primary replication:Established peer-disk:UpToDate' }),
          peer9({ name: 'tie', connection: 'Connected', role: 'Secondary', replication: 'Established', disk: 'Diskless', client: true, oos: '0', said: 'connection:Connected role:Secondary replication:Established peer-disk:Diskless' }),
        ],
      }),
    ]);
  });

  it('SyncTarget, PausedSyncS: a resync each, percent and eta only where printed; VerifyS is not a resync', () => {
    const text = [
      'exists resource name:big role:Secondary suspended:no write-ordering:flush',
      'exists connection name:big peer-node-id:0 conn-name:a connection:Connected role:Primary congested:no',
      'exists connection name:big peer-node-id:2 conn-name:b connection:Connected role:Secondary congested:no',
      'exists connection name:big peer-node-id:3 conn-name:c connection:Connected role:Secondary congested:no',
      'exists device name:big volume:0 minor:20 disk:Inconsistent client:no quorum:yes size:1048576 read:0 written:0',
      'exists peer-device name:big peer-node-id:0 conn-name:a volume:0 replication:SyncTarget peer-disk:UpToDate peer-client:no resync-suspended:no received:524288 sent:0 out-of-sync:524288 pending:0 unacked:0 done:50.00 dbdt1:102400.00 eta:5',
      'exists peer-device name:big peer-node-id:2 conn-name:b volume:0 replication:PausedSyncS peer-disk:Inconsistent peer-client:no resync-suspended:dependency received:0 sent:0 out-of-sync:1048576 pending:0 unacked:0',
      'exists peer-device name:big peer-node-id:3 conn-name:c volume:0 replication:VerifyS peer-disk:UpToDate peer-client:no resync-suspended:no received:0 sent:0 out-of-sync:0 pending:0 unacked:0 done:12.34',
      'exists -',
    ].join('\n');
    const [device] = statesOf(text);
    expect(device!.peers).toEqual([
      peer9({ name: 'a', connection: 'Connected', role: 'Primary', replication: 'SyncTarget', disk: 'UpToDate', oos: '524288', resync: { percent: 50, secondsLeft: 5 }, said: 'connection:Connected role:Primary replication:SyncTarget peer-disk:UpToDate done:50.00 eta:5' }),
      peer9({ name: 'b', connection: 'Connected', role: 'Secondary', replication: 'PausedSyncS', disk: 'Inconsistent', oos: '1048576', resync: { percent: null, secondsLeft: null }, said: 'connection:Connected role:Secondary replication:PausedSyncS peer-disk:Inconsistent' }),
      peer9({ name: 'c', connection: 'Connected', role: 'Secondary', replication: 'VerifyS', disk: 'UpToDate', oos: '0', said: 'connection:Connected role:Secondary replication:VerifyS peer-disk:UpToDate done:12.34' }),
    ]);
  });

  it('words this code does not know are kept as said (the plugin turns them into U), never mapped', () => {
    const text = [
      'exists resource name:new role:Tertiary suspended:no',
      'exists connection name:new peer-node-id:1 conn-name:x connection:Entangled role:Secondary',
      'exists device name:new volume:0 minor:30 disk:Fuzzy client:no quorum:maybe',
      'exists peer-device name:new peer-node-id:1 conn-name:x volume:0 replication:Teleporting peer-disk:UpToDate peer-client:no done:abc eta:soon out-of-sync:-1',
      'exists -',
    ].join('\n');
    expect(statesOf(text)).toEqual([
      dev9({
        minor: 30, resource: 'new', role: 'Tertiary', disk: 'Fuzzy', quorum: null, suspended: 'no', said: 'role:Tertiary suspended:no disk:Fuzzy client:no quorum:maybe',
        peers: [peer9({ name: 'x', connection: 'Entangled', role: 'Secondary', replication: 'Teleporting', disk: 'UpToDate', oos: null, said: 'connection:Entangled role:Secondary replication:Teleporting peer-disk:UpToDate done:abc eta:soon' })],
      }),
    ]);
  });

  it('a device without a peer (a single-node resource) has no peers; a minor that is not a number is no device', () => {
    const text = [
      'exists resource name:solo role:Primary suspended:no',
      'exists device name:solo volume:0 minor:4 disk:UpToDate client:no quorum:yes',
      'exists device name:solo volume:1 minor:x disk:UpToDate client:no quorum:yes',
      'exists -',
    ].join('\n');
    expect(statesOf(text)).toEqual([
      dev9({ minor: 4, resource: 'solo', role: 'Primary', disk: 'UpToDate', quorum: true, suspended: 'no', said: 'role:Primary suspended:no disk:UpToDate client:no quorum:yes', peers: [] }),
    ]);
  });
});
