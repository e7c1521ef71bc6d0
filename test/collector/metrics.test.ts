// `lio-collector metrics`: exact output for known trees, clean for the real `promtool check
// metrics`, unreadable counters left out and counted, and the textfile written atomically.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { copyFixture, DRBD9_FIXTURES, DRBD9_PROC, workingDrbdsetup } from '../support/fake-drbdsetup.js';
import { requireBuiltCollector, runCollector } from '../support/collector-cli.js';
import { buildSmallTree, checkMetrics, HOST1, TARGET } from '../support/prometheus.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-metrics-');
const root = `${dir}/target`;
const T = `target="${TARGET}"`;
const LUN = (lun: number) => `fabric="iscsi",${T},tpgt="1",lun="${lun}"`;
const INIT = (host: number, lun: number) => `fabric="iscsi",${T},tpgt="1",initiator="iqn.1993-08.org.debian:01:host${host}",lun="${lun}"`;

// patternTraffic(1): host i on LUN l read (i*100 + l*10 + 1) MiB, wrote one more; commands 16 per MiB.
const LIO_TEXT = `# HELP lio_lun_read_bytes_total Bytes read from a LUN of a target portal group, all initiators (scsi_tgt_port/read_mbytes, counted in MiB).
# TYPE lio_lun_read_bytes_total counter
lio_lun_read_bytes_total{${LUN(0)}} ${101 * 1048576}
lio_lun_read_bytes_total{${LUN(1)}} ${(111 + 211) * 1048576}
# HELP lio_lun_written_bytes_total Bytes written to a LUN of a target portal group, all initiators (scsi_tgt_port/write_mbytes, counted in MiB).
# TYPE lio_lun_written_bytes_total counter
lio_lun_written_bytes_total{${LUN(0)}} ${102 * 1048576}
lio_lun_written_bytes_total{${LUN(1)}} ${(112 + 212) * 1048576}
# HELP lio_lun_commands_total SCSI commands received for a LUN of a target portal group (scsi_tgt_port/in_cmds).
# TYPE lio_lun_commands_total counter
lio_lun_commands_total{${LUN(0)}} ${(101 + 102) * 16}
lio_lun_commands_total{${LUN(1)}} ${(111 + 211 + 112 + 212) * 16}
# HELP lio_initiator_lun_read_bytes_total Bytes read by an initiator from one of its mapped LUNs (scsi_auth_intr/read_mbytes, counted in MiB).
# TYPE lio_initiator_lun_read_bytes_total counter
lio_initiator_lun_read_bytes_total{${INIT(1, 0)}} ${101 * 1048576}
lio_initiator_lun_read_bytes_total{${INIT(1, 1)}} ${111 * 1048576}
lio_initiator_lun_read_bytes_total{${INIT(2, 1)}} ${211 * 1048576}
# HELP lio_initiator_lun_written_bytes_total Bytes written by an initiator to one of its mapped LUNs (scsi_auth_intr/write_mbytes, counted in MiB).
# TYPE lio_initiator_lun_written_bytes_total counter
lio_initiator_lun_written_bytes_total{${INIT(1, 0)}} ${102 * 1048576}
lio_initiator_lun_written_bytes_total{${INIT(1, 1)}} ${112 * 1048576}
lio_initiator_lun_written_bytes_total{${INIT(2, 1)}} ${212 * 1048576}
# HELP lio_initiator_lun_commands_total SCSI commands of an initiator to one of its mapped LUNs (scsi_auth_intr/num_cmds).
# TYPE lio_initiator_lun_commands_total counter
lio_initiator_lun_commands_total{${INIT(1, 0)}} ${(101 + 102) * 16}
lio_initiator_lun_commands_total{${INIT(1, 1)}} ${(111 + 112) * 16}
lio_initiator_lun_commands_total{${INIT(2, 1)}} ${(211 + 212) * 16}
# HELP lio_iscsi_target_sessions iSCSI sessions of a target (iscsi_instance/sessions).
# TYPE lio_iscsi_target_sessions gauge
lio_iscsi_target_sessions{${T}} 1
# HELP lio_iscsi_target_logins_total iSCSI login attempts of a target by result (iscsi_login_stats).
# TYPE lio_iscsi_target_logins_total counter
lio_iscsi_target_logins_total{${T},result="success"} 1
lio_iscsi_target_logins_total{${T},result="authorization_failure"} 0
lio_iscsi_target_logins_total{${T},result="authentication_failure"} 3
lio_iscsi_target_logins_total{${T},result="negotiation_failure"} 0
lio_iscsi_target_logins_total{${T},result="other_failure"} 0
lio_iscsi_target_logins_total{${T},result="redirect"} 0
# HELP lio_iscsi_target_logouts_total iSCSI logouts of a target by kind (iscsi_logout_stats).
# TYPE lio_iscsi_target_logouts_total counter
lio_iscsi_target_logouts_total{${T},kind="normal"} 2
lio_iscsi_target_logouts_total{${T},kind="abnormal"} 0
# HELP lio_iscsi_target_session_errors_total iSCSI session errors of a target by kind (iscsi_sess_err).
# TYPE lio_iscsi_target_session_errors_total counter
lio_iscsi_target_session_errors_total{${T},kind="digest"} 0
lio_iscsi_target_session_errors_total{${T},kind="connection"} 1
lio_iscsi_target_session_errors_total{${T},kind="format"} 0
# HELP lio_iscsi_initiator_logged_in 1 when the initiator has an iSCSI session with the target portal group, 0 when its ACL has none.
# TYPE lio_iscsi_initiator_logged_in gauge
lio_iscsi_initiator_logged_in{${T},tpgt="1",initiator="iqn.1993-08.org.debian:01:host1"} 1
lio_iscsi_initiator_logged_in{${T},tpgt="1",initiator="iqn.1993-08.org.debian:01:host2"} 0
# HELP lio_iscsi_initiator_connection_errors_total Connection errors of the session of an ACL initiator by kind (iscsi_sess_stats).
# TYPE lio_iscsi_initiator_connection_errors_total counter
lio_iscsi_initiator_connection_errors_total{${T},tpgt="1",initiator="iqn.1993-08.org.debian:01:host1",kind="digest"} 0
lio_iscsi_initiator_connection_errors_total{${T},tpgt="1",initiator="iqn.1993-08.org.debian:01:host1",kind="timeout"} 0
`;
const ERRORS = (n: number) => `# HELP lio_collector_unreadable_values Values that could not be read in this collection and are missing from it (never written as 0).
# TYPE lio_collector_unreadable_values gauge
lio_collector_unreadable_values ${n}
`;

// drbd-reactor's enumerations (src/drbd.rs: Role, ConnectionState, DiskState) and DRBD's
// replication states (drbd_strings.c) with DRBD 8's SkippedSync states.
const ROLES = ['Unknown', 'Primary', 'Secondary'];
const CONNECTION_STATES = ['StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError', 'TearDown', 'Connecting', 'Connected'];
const DISK_STATES = ['Diskless', 'Attaching', 'Detaching', 'Failed', 'Negotiating', 'Inconsistent', 'Outdated', 'DUnknown', 'Consistent', 'UpToDate'];
const REPLICATION_STATES = [
  'Off', 'Established', 'StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID', 'SyncSource', 'SyncTarget',
  'VerifyS', 'VerifyT', 'PausedSyncS', 'PausedSyncT', 'Ahead', 'Behind', 'SkippedSyncS', 'SkippedSyncT',
];

/** drbd-reactor's enums form: one sample per state, 1 for the current one, the state in a label named as the metric. */
const enumLines = (metric: string, labels: string, states: string[], current: string) =>
  states.map((state) => `${metric}{${labels},${metric}="${state}"} ${state === current ? 1 : 0}\n`).join('');

/** The lines that are not comments and do not end in " 0": what a fixture says, in order. */
const nonZero = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !l.endsWith(' 0'));

beforeAll(() => {
  requireBuiltCollector();
  buildSmallTree(root);
});

describe('lio-collector metrics', () => {
  test('LIO and iSCSI: the exact text for a known tree, clean for promtool check metrics', () => {
    const run = runCollector(['metrics', '--root', root, '--no-drbd']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(LIO_TEXT + ERRORS(0));
    expect(checkMetrics(run.stdout)).toEqual({ status: 0, output: '' });
  });

  test('DRBD 8 during a resync: drbd-reactor names, bytes from KiB, the resync done ratio and time left', () => {
    const run = runCollector(['metrics', '--root', root, '--drbd-proc', 'test/fixtures/proc-drbd/blog-8.0.12-syncsource.txt']);
    expect(run.status).toBe(0);
    const drbd = run.stdout.slice(LIO_TEXT.length);
    const dev = 'name="drbd0",volume="0",minor="0"';
    expect(nonZero(drbd)).toEqual([
      'drbdreactor_up 1',
      'drbd_version{kmod="8.0.12"} 1',
      'drbd_resource_resources 1',
      'drbd_resource_role{name="drbd0",drbd_resource_role="Primary"} 1',
      'drbd_connection_state{name="drbd0",drbd_connection_state="Connected"} 1',
      `drbd_device_state{${dev},drbd_device_state="UpToDate"} 1`,
      `drbd_device_read_bytes_total{${dev}} ${28880 * 1024}`,
      `drbd_device_bmwrites_total{${dev}} 1`,
      `drbd_device_lowerpending{${dev}} 82`,
      `drbd_peerdevice_sent_bytes_total{name="drbd0",volume="0"} ${28488 * 1024}`,
      'drbd_peerdevice_pending{name="drbd0",volume="0"} 233',
      'drbd_peerdevice_unacked{name="drbd0",volume="0"} 180',
      'drbd_peerdevice_replication_state{name="drbd0",volume="0",drbd_peerdevice_replication_state="SyncSource"} 1',
      'drbd_peerdevice_resync_done_ratio{name="drbd0",volume="0"} 0.012',
      'drbd_peerdevice_resync_remaining_seconds{name="drbd0",volume="0"} 918',
    ]);
    // 8.0 prints no oos: left out, not 0; nor the activity log flag (8.3.10), nor a size.
    expect(drbd).not.toContain('drbd_peerdevice_outofsync_bytes{');
    expect(drbd).not.toContain('drbd_device_alsuspended');
    expect(drbd).not.toContain('drbd_device_size_bytes');
    expect(drbd).toContain('drbd_resource_suspended{name="drbd0"} 0\n');
    expect(drbd).toContain('drbd_device_written_bytes_total{name="drbd0",volume="0",minor="0"} 0\n');
    expect(drbd.endsWith(ERRORS(0))).toBe(true);
    expect(checkMetrics(run.stdout)).toEqual({ status: 0, output: '' });
  });

  test('DRBD 8 StandAlone: connection StandAlone, replication Off', () => {
    const run = runCollector(['metrics', '--root', root, '--drbd-proc', 'test/fixtures/proc-drbd/blog-8.0.11-standalone.txt']);
    expect(run.stdout).toMatch(/^drbd_connection_state\{name="drbd0",drbd_connection_state="StandAlone"\} 1$/m);
    expect(run.stdout).toMatch(/^drbd_connection_state\{name="drbd0",drbd_connection_state="Connected"\} 0$/m);
    expect(run.stdout).toMatch(/^drbd_peerdevice_replication_state\{name="drbd0",volume="0",drbd_peerdevice_replication_state="Off"\} 1$/m);
  });

  test('DRBD 9 through drbdsetup events2: resource, volume, minor, conn_name and peer_node_id labels', () => {
    const events2 = copyFixture(new URL('linbit-ug9-events2-statistics-now.txt', DRBD9_FIXTURES), `${dir}/events2.txt`);
    const drbdsetup = workingDrbdsetup(`${dir}/bin`, 'drbdsetup', events2);
    const run = runCollector(['metrics', '--root', root, '--drbd-proc', new URL(DRBD9_PROC).pathname, '--drbdsetup', drbdsetup]);
    expect(run.stderr).toBe('');
    const drbd = run.stdout.slice(LIO_TEXT.length);
    const conn = 'name="r0",conn_name="remote-host",peer_node_id="1"';
    const dev = (volume: number, minor: number) => `name="r0",volume="${volume}",minor="${minor}"`;
    expect(nonZero(drbd)).toEqual([
      'drbdreactor_up 1',
      'drbd_version{kmod="9.0.32"} 1',
      'drbd_resource_resources 1',
      'drbd_resource_role{name="r0",drbd_resource_role="Secondary"} 1',
      `drbd_connection_state{${conn},drbd_connection_state="Connected"} 1`,
      `drbd_device_state{${dev(0, 7)},drbd_device_state="UpToDate"} 1`,
      `drbd_device_state{${dev(1, 8)},drbd_device_state="UpToDate"} 1`,
      `drbd_device_size_bytes{${dev(0, 7)}} ${6291228 * 1024}`,
      `drbd_device_size_bytes{${dev(1, 8)}} ${104854364 * 1024}`,
      `drbd_device_read_bytes_total{${dev(0, 7)}} ${6397188 * 1024}`,
      `drbd_device_read_bytes_total{${dev(1, 8)}} ${5910680 * 1024}`,
      `drbd_device_written_bytes_total{${dev(0, 7)}} ${131844 * 1024}`,
      `drbd_device_written_bytes_total{${dev(1, 8)}} ${6634548 * 1024}`,
      `drbd_device_alwrites_total{${dev(0, 7)}} 34`,
      `drbd_device_alwrites_total{${dev(1, 8)}} 417`,
      `drbd_peerdevice_sent_bytes_total{${conn},volume="0"} ${131844 * 1024}`,
      `drbd_peerdevice_sent_bytes_total{${conn},volume="1"} ${6634548 * 1024}`,
      `drbd_peerdevice_replication_state{${conn},volume="0",drbd_peerdevice_replication_state="Established"} 1`,
      `drbd_peerdevice_replication_state{${conn},volume="1",drbd_peerdevice_replication_state="Established"} 1`,
    ]);
    expect(drbd).toContain('drbd_resource_suspended{name="r0"} 0\n');
    expect(drbd).toContain(`drbd_device_client{${dev(1, 8)}} 0\n`);
    expect(drbd).toContain(`drbd_device_alsuspended{${dev(1, 8)}} 0\n`);
    expect(drbd).toContain(`drbd_connection_congested{${conn}} 0\n`);
    // This drbdsetup (the user's guide's) prints no may_promote, promotion_score,
    // force-io-failures, open, ap-in-flight or rs-in-flight: left out, and not counted as unreadable.
    for (const family of ['maypromote', 'promotionscore', 'forceiofailures']) expect(drbd).not.toContain(`drbd_resource_${family}`);
    expect(drbd).not.toContain('drbd_device_open');
    expect(drbd).not.toContain('inflight_bytes');
    expect(drbd.endsWith(ERRORS(0))).toBe(true);
    expect(checkMetrics(run.stdout)).toEqual({ status: 0, output: '' });
  });

  test('DRBD 9, every drbd-reactor metric events2 has: the whole DRBD text of drbd-utils\' --full sample', () => {
    // test/fixtures/drbd9/drbd-utils-test-events2-all-create-change-full.txt ends with: resource
    // Primary, not suspended, may_promote:no promotion_score:10102; device minor 1000 UpToDate,
    // open:no size:5 read:10 written:15 al-writes:40 bm-writes:50 upper-pending:60
    // lower-pending:70 al-suspended:no; connection Connected congested:no ap-in-flight:10
    // rs-in-flight:20 (sectors); peer device Established, received:5 sent:10 out-of-sync:0
    // pending:30 unacked:40.
    const events2 = copyFixture(new URL('drbd-utils-test-events2-all-create-change-full.txt', DRBD9_FIXTURES), `${dir}/events2-full.txt`);
    const drbdsetup = workingDrbdsetup(`${dir}/bin-full`, 'drbdsetup', events2);
    const run = runCollector(['metrics', '--root', root, '--drbd-proc', new URL(DRBD9_PROC).pathname, '--drbdsetup', drbdsetup]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const res = 'name="some-resource"';
    const conn = `${res},conn_name="some-peer",peer_node_id="1"`;
    const dev = `${res},volume="0",minor="1000"`;
    const peer = `${conn},volume="0"`;
    expect(run.stdout).toBe(
      LIO_TEXT +
        `# HELP drbdreactor_up Always 1, as drbd-reactor has it: DRBD metrics in drbd-reactor's names are served here (written by lio-collector, not by drbd-reactor), so that dashboards that list instances by it, like drbd-reactor's, list this host.
# TYPE drbdreactor_up gauge
drbdreactor_up 1
# HELP drbd_version Version of the loaded DRBD kernel module (kmod, from /proc/drbd), always 1.
# TYPE drbd_version gauge
drbd_version{kmod="9.0.32"} 1
# HELP drbd_resource_resources Number of resources (DRBD 8: configured devices).
# TYPE drbd_resource_resources gauge
drbd_resource_resources 1
# HELP drbd_resource_role DRBD role of the resource (1 for the current one).
# TYPE drbd_resource_role gauge
${enumLines('drbd_resource_role', res, ROLES, 'Primary')}# HELP drbd_resource_suspended Boolean whether the resource is suspended (DRBD 8: the s of the I/O flags).
# TYPE drbd_resource_suspended gauge
drbd_resource_suspended{${res}} 0
# HELP drbd_resource_maypromote Boolean whether the resource may be promoted to Primary (DRBD 9, as drbdsetup computes it).
# TYPE drbd_resource_maypromote gauge
drbd_resource_maypromote{${res}} 0
# HELP drbd_resource_promotionscore The promotion score (higher is better) for the resource (DRBD 9).
# TYPE drbd_resource_promotionscore gauge
drbd_resource_promotionscore{${res}} 10102
# HELP drbd_resource_forceiofailures Boolean whether the resource is configured (could be temporarily) to force I/O failures, e.g. during secondary --force (DRBD 9).
# TYPE drbd_resource_forceiofailures gauge
drbd_resource_forceiofailures{${res}} 0
# HELP drbd_connection_state DRBD connection state (1 for the current one).
# TYPE drbd_connection_state gauge
${enumLines('drbd_connection_state', conn, CONNECTION_STATES, 'Connected')}# HELP drbd_connection_congested Boolean whether the TCP send buffer of the data connection is more than 80% filled (DRBD 9).
# TYPE drbd_connection_congested gauge
drbd_connection_congested{${conn}} 0
# HELP drbd_connection_apinflight_bytes Application requests in flight (not completed) on this connection, bytes (DRBD 9).
# TYPE drbd_connection_apinflight_bytes gauge
drbd_connection_apinflight_bytes{${conn}} ${10 * 512}
# HELP drbd_connection_rsinflight_bytes Resync requests in flight on this connection, bytes (DRBD 9).
# TYPE drbd_connection_rsinflight_bytes gauge
drbd_connection_rsinflight_bytes{${conn}} ${20 * 512}
# HELP drbd_device_state DRBD device (local disk) state (1 for the current one).
# TYPE drbd_device_state gauge
${enumLines('drbd_device_state', dev, DISK_STATES, 'UpToDate')}# HELP drbd_device_client Boolean whether this device is a client (intentional diskless, DRBD 9).
# TYPE drbd_device_client gauge
drbd_device_client{${dev}} 0
# HELP drbd_device_unintentionaldiskless Boolean whether the device is diskless without being a client.
# TYPE drbd_device_unintentionaldiskless gauge
drbd_device_unintentionaldiskless{${dev}} 0
# HELP drbd_device_quorum Boolean whether this device has DRBD quorum (DRBD 9).
# TYPE drbd_device_quorum gauge
drbd_device_quorum{${dev}} 1
# HELP drbd_device_open Boolean whether this device is opened (DRBD 9).
# TYPE drbd_device_open gauge
drbd_device_open{${dev}} 0
# HELP drbd_device_size_bytes Device size in bytes (DRBD 9).
# TYPE drbd_device_size_bytes gauge
drbd_device_size_bytes{${dev}} ${5 * 1024}
# HELP drbd_device_read_bytes_total Net data read from the local disk.
# TYPE drbd_device_read_bytes_total counter
drbd_device_read_bytes_total{${dev}} ${10 * 1024}
# HELP drbd_device_written_bytes_total Net data written to the local disk.
# TYPE drbd_device_written_bytes_total counter
drbd_device_written_bytes_total{${dev}} ${15 * 1024}
# HELP drbd_device_alwrites_total Updates of the activity log area of the meta data.
# TYPE drbd_device_alwrites_total counter
drbd_device_alwrites_total{${dev}} 40
# HELP drbd_device_bmwrites_total Updates of the bitmap area of the meta data.
# TYPE drbd_device_bmwrites_total counter
drbd_device_bmwrites_total{${dev}} 50
# HELP drbd_device_upperpending Block I/O requests forwarded to DRBD, not yet answered by DRBD.
# TYPE drbd_device_upperpending gauge
drbd_device_upperpending{${dev}} 60
# HELP drbd_device_lowerpending Open requests to the local I/O subsystem issued by DRBD.
# TYPE drbd_device_lowerpending gauge
drbd_device_lowerpending{${dev}} 70
# HELP drbd_device_alsuspended Boolean whether the activity log is suspended (DRBD 9; DRBD 8.3.10 and later: the last I/O flag).
# TYPE drbd_device_alsuspended gauge
drbd_device_alsuspended{${dev}} 0
# HELP drbd_peerdevice_outofsync_bytes Bytes currently out of sync with this peer, according to the bitmap DRBD has for it.
# TYPE drbd_peerdevice_outofsync_bytes gauge
drbd_peerdevice_outofsync_bytes{${peer}} 0
# HELP drbd_peerdevice_sent_bytes_total Bytes sent to this peer (drbd-reactor: drbd_peerdevice_sent_bytes).
# TYPE drbd_peerdevice_sent_bytes_total counter
drbd_peerdevice_sent_bytes_total{${peer}} ${10 * 1024}
# HELP drbd_peerdevice_received_bytes_total Bytes received from this peer (drbd-reactor: drbd_peerdevice_received_bytes).
# TYPE drbd_peerdevice_received_bytes_total counter
drbd_peerdevice_received_bytes_total{${peer}} ${5 * 1024}
# HELP drbd_peerdevice_pending Requests sent to this peer, not yet answered.
# TYPE drbd_peerdevice_pending gauge
drbd_peerdevice_pending{${peer}} 30
# HELP drbd_peerdevice_unacked Requests received from this peer, not yet acknowledged.
# TYPE drbd_peerdevice_unacked gauge
drbd_peerdevice_unacked{${peer}} 40
# HELP drbd_peerdevice_replication_state DRBD replication state with this peer (1 for the current one; DRBD 8: cs: while connected, Off otherwise).
# TYPE drbd_peerdevice_replication_state gauge
${enumLines('drbd_peerdevice_replication_state', peer, REPLICATION_STATES, 'Established')}` +
        ERRORS(0),
    );
    expect(checkMetrics(run.stdout)).toEqual({ status: 0, output: '' });
  });

  test('DRBD 8.4: I/O suspended and activity log suspended from the I/O flags; no size, open or connection details', () => {
    // drbd_proc.c's format (as test/fixtures/proc-drbd/blog-cn-8.4.11-1.txt): minor 0 replicating,
    // minor 1 cut off with I/O suspended (s, first flag) and its activity log suspended (s, sixth).
    const proc = `${dir}/proc-drbd-suspended`;
    writeFileSync(
      proc,
      'version: 8.4.11-1 (api:1/proto:86-101)\n' +
        'GIT-hash: 66145a308421e9c124ec391a7848ac20203bb03c build by mockbuild@, 2018-11-03 01:26:55\n' +
        ' 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n' +
        '    ns:1024 nr:0 dw:1024 dr:2048 al:3 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n' +
        ' 1: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C s----s\n' +
        '    ns:0 nr:0 dw:4096 dr:0 al:7 bm:2 lo:1 pe:0 ua:0 ap:5 ep:1 wo:f oos:4096\n',
    );
    const run = runCollector(['metrics', '--root', root, '--drbd-proc', proc]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const res = (m: number) => `name="drbd${m}"`;
    const dev = (m: number) => `name="drbd${m}",volume="0",minor="${m}"`;
    const peer = (m: number) => `name="drbd${m}",volume="0"`;
    expect(run.stdout).toBe(
      LIO_TEXT +
        `# HELP drbdreactor_up Always 1, as drbd-reactor has it: DRBD metrics in drbd-reactor's names are served here (written by lio-collector, not by drbd-reactor), so that dashboards that list instances by it, like drbd-reactor's, list this host.
# TYPE drbdreactor_up gauge
drbdreactor_up 1
# HELP drbd_version Version of the loaded DRBD kernel module (kmod, from /proc/drbd), always 1.
# TYPE drbd_version gauge
drbd_version{kmod="8.4.11"} 1
# HELP drbd_resource_resources Number of resources (DRBD 8: configured devices).
# TYPE drbd_resource_resources gauge
drbd_resource_resources 2
# HELP drbd_resource_role DRBD role of the resource (1 for the current one).
# TYPE drbd_resource_role gauge
${enumLines('drbd_resource_role', res(0), ROLES, 'Primary')}${enumLines('drbd_resource_role', res(1), ROLES, 'Primary')}# HELP drbd_resource_suspended Boolean whether the resource is suspended (DRBD 8: the s of the I/O flags).
# TYPE drbd_resource_suspended gauge
drbd_resource_suspended{${res(0)}} 0
drbd_resource_suspended{${res(1)}} 1
# HELP drbd_connection_state DRBD connection state (1 for the current one).
# TYPE drbd_connection_state gauge
${enumLines('drbd_connection_state', res(0), CONNECTION_STATES, 'Connected')}${enumLines('drbd_connection_state', res(1), CONNECTION_STATES, 'Connecting')}# HELP drbd_device_state DRBD device (local disk) state (1 for the current one).
# TYPE drbd_device_state gauge
${enumLines('drbd_device_state', dev(0), DISK_STATES, 'UpToDate')}${enumLines('drbd_device_state', dev(1), DISK_STATES, 'UpToDate')}# HELP drbd_device_unintentionaldiskless Boolean whether the device is diskless without being a client.
# TYPE drbd_device_unintentionaldiskless gauge
drbd_device_unintentionaldiskless{${dev(0)}} 0
drbd_device_unintentionaldiskless{${dev(1)}} 0
# HELP drbd_device_read_bytes_total Net data read from the local disk.
# TYPE drbd_device_read_bytes_total counter
drbd_device_read_bytes_total{${dev(0)}} ${2048 * 1024}
drbd_device_read_bytes_total{${dev(1)}} 0
# HELP drbd_device_written_bytes_total Net data written to the local disk.
# TYPE drbd_device_written_bytes_total counter
drbd_device_written_bytes_total{${dev(0)}} ${1024 * 1024}
drbd_device_written_bytes_total{${dev(1)}} ${4096 * 1024}
# HELP drbd_device_alwrites_total Updates of the activity log area of the meta data.
# TYPE drbd_device_alwrites_total counter
drbd_device_alwrites_total{${dev(0)}} 3
drbd_device_alwrites_total{${dev(1)}} 7
# HELP drbd_device_bmwrites_total Updates of the bitmap area of the meta data.
# TYPE drbd_device_bmwrites_total counter
drbd_device_bmwrites_total{${dev(0)}} 0
drbd_device_bmwrites_total{${dev(1)}} 2
# HELP drbd_device_upperpending Block I/O requests forwarded to DRBD, not yet answered by DRBD.
# TYPE drbd_device_upperpending gauge
drbd_device_upperpending{${dev(0)}} 0
drbd_device_upperpending{${dev(1)}} 5
# HELP drbd_device_lowerpending Open requests to the local I/O subsystem issued by DRBD.
# TYPE drbd_device_lowerpending gauge
drbd_device_lowerpending{${dev(0)}} 0
drbd_device_lowerpending{${dev(1)}} 1
# HELP drbd_device_alsuspended Boolean whether the activity log is suspended (DRBD 9; DRBD 8.3.10 and later: the last I/O flag).
# TYPE drbd_device_alsuspended gauge
drbd_device_alsuspended{${dev(0)}} 0
drbd_device_alsuspended{${dev(1)}} 1
# HELP drbd_peerdevice_outofsync_bytes Bytes currently out of sync with this peer, according to the bitmap DRBD has for it.
# TYPE drbd_peerdevice_outofsync_bytes gauge
drbd_peerdevice_outofsync_bytes{${peer(0)}} 0
drbd_peerdevice_outofsync_bytes{${peer(1)}} ${4096 * 1024}
# HELP drbd_peerdevice_sent_bytes_total Bytes sent to this peer (drbd-reactor: drbd_peerdevice_sent_bytes).
# TYPE drbd_peerdevice_sent_bytes_total counter
drbd_peerdevice_sent_bytes_total{${peer(0)}} ${1024 * 1024}
drbd_peerdevice_sent_bytes_total{${peer(1)}} 0
# HELP drbd_peerdevice_received_bytes_total Bytes received from this peer (drbd-reactor: drbd_peerdevice_received_bytes).
# TYPE drbd_peerdevice_received_bytes_total counter
drbd_peerdevice_received_bytes_total{${peer(0)}} 0
drbd_peerdevice_received_bytes_total{${peer(1)}} 0
# HELP drbd_peerdevice_pending Requests sent to this peer, not yet answered.
# TYPE drbd_peerdevice_pending gauge
drbd_peerdevice_pending{${peer(0)}} 0
drbd_peerdevice_pending{${peer(1)}} 0
# HELP drbd_peerdevice_unacked Requests received from this peer, not yet acknowledged.
# TYPE drbd_peerdevice_unacked gauge
drbd_peerdevice_unacked{${peer(0)}} 0
drbd_peerdevice_unacked{${peer(1)}} 0
# HELP drbd_peerdevice_replication_state DRBD replication state with this peer (1 for the current one; DRBD 8: cs: while connected, Off otherwise).
# TYPE drbd_peerdevice_replication_state gauge
${enumLines('drbd_peerdevice_replication_state', peer(0), REPLICATION_STATES, 'Established')}${enumLines('drbd_peerdevice_replication_state', peer(1), REPLICATION_STATES, 'Off')}` +
        ERRORS(0),
    );
    expect(checkMetrics(run.stdout)).toEqual({ status: 0, output: '' });
  });

  test('DRBD 9: a value that is not a number is left out and counted; open:unknown is left out, not counted', () => {
    const events2 = `${dir}/events2-odd.txt`;
    writeFileSync(
      events2,
      [
        'exists resource name:r0 role:Secondary suspended:no force-io-failures:no may_promote:yes promotion_score:oops',
        'exists connection name:r0 peer-node-id:1 conn-name:peer connection:Connected role:Primary congested:yes ap-in-flight:-- rs-in-flight:8',
        'exists device name:r0 volume:0 minor:0 disk:UpToDate client:no open:unknown quorum:yes size:1024x read:0 written:0 al-writes:0 bm-writes:0 upper-pending:0 lower-pending:0 al-suspended:yes blocked:no',
        'exists peer-device name:r0 peer-node-id:1 conn-name:peer volume:0 replication:Established peer-disk:UpToDate peer-client:no resync-suspended:no received:0 sent:0 out-of-sync:0 pending:0 unacked:0',
        'exists -',
        '',
      ].join('\n'),
    );
    const drbdsetup = workingDrbdsetup(`${dir}/bin-odd`, 'drbdsetup', events2);
    const run = runCollector(['metrics', '--root', root, '--drbd-proc', new URL(DRBD9_PROC).pathname, '--drbdsetup', drbdsetup, '--verbose']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      'lio-collector: not read: DRBD name=r0: promotion_score:oops is not a number\n' +
        'lio-collector: not read: DRBD name=r0 volume=0 minor=0: size:1024x is not a number\n' +
        'lio-collector: not read: DRBD name=r0 conn_name=peer peer_node_id=1: ap-in-flight:-- is not a number\n',
    );
    const drbd = run.stdout.slice(LIO_TEXT.length);
    expect(nonZero(drbd)).toEqual([
      'drbdreactor_up 1',
      'drbd_version{kmod="9.0.32"} 1',
      'drbd_resource_resources 1',
      'drbd_resource_role{name="r0",drbd_resource_role="Secondary"} 1',
      'drbd_resource_maypromote{name="r0"} 1',
      'drbd_connection_state{name="r0",conn_name="peer",peer_node_id="1",drbd_connection_state="Connected"} 1',
      'drbd_connection_congested{name="r0",conn_name="peer",peer_node_id="1"} 1',
      `drbd_connection_rsinflight_bytes{name="r0",conn_name="peer",peer_node_id="1"} ${8 * 512}`,
      'drbd_device_state{name="r0",volume="0",minor="0",drbd_device_state="UpToDate"} 1',
      'drbd_device_quorum{name="r0",volume="0",minor="0"} 1',
      'drbd_device_alsuspended{name="r0",volume="0",minor="0"} 1',
      'drbd_peerdevice_replication_state{name="r0",conn_name="peer",peer_node_id="1",volume="0",drbd_peerdevice_replication_state="Established"} 1',
      'lio_collector_unreadable_values 3',
    ]);
    for (const left of ['drbd_resource_promotionscore', 'drbd_connection_apinflight_bytes', 'drbd_device_size_bytes', 'drbd_device_open']) expect(drbd).not.toContain(left);
    expect(checkMetrics(run.stdout)).toEqual({ status: 0, output: '' });
  });

  test('a counter that cannot be read is left out and counted, never written as 0', () => {
    const bad = `${dir}/bad`;
    buildSmallTree(bad);
    const tgtPort = `${bad}/iscsi/${TARGET}/tpgt_1/lun/lun_0/statistics/scsi_tgt_port`;
    writeFileSync(`${tgtPort}/read_mbytes`, ''); // configfs gives an empty read at times
    writeFileSync(`${bad}/iscsi/${TARGET}/tpgt_1/acls/${HOST1}/lun_1/statistics/scsi_auth_intr/num_cmds`, 'garbage\n');
    const run = runCollector(['metrics', '--root', bad, '--no-drbd', '--verbose']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      `lio-collector: not read: ${tgtPort}/read_mbytes is empty\n` +
        `lio-collector: not read: ${bad}/iscsi/${TARGET}/tpgt_1/acls/${HOST1}/lun_1/statistics/scsi_auth_intr/num_cmds does not hold a number\n`,
    );
    const expected = LIO_TEXT.replace(`lio_lun_read_bytes_total{${LUN(0)}} ${101 * 1048576}\n`, '').replace(`lio_initiator_lun_commands_total{${INIT(1, 1)}} ${(111 + 112) * 16}\n`, '');
    expect(run.stdout).toBe(expected + ERRORS(2));
    expect(checkMetrics(run.stdout).status).toBe(0);
  });

  test('--textfile DIR: DIR/lio-munin.prom holds the same text, written under a hidden temporary name', () => {
    const textfiles = `${dir}/textfiles`;
    mkdirSync(textfiles);
    const run = runCollector(['metrics', '--root', root, '--no-drbd', '--textfile', textfiles]);
    expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(readFileSync(`${textfiles}/lio-munin.prom`, 'utf8')).toBe(LIO_TEXT + ERRORS(0));
    expect(readdirSync(textfiles)).toEqual(['lio-munin.prom']);
    // A temporary file left by a killed run is hidden and not *.prom: node_exporter skips it.
    const stale = runCollector(['metrics', '--root', root, '--no-drbd', '--textfile', `${dir}/missing`]);
    expect(stale).toMatchObject({ status: 1, stdout: '', stderr: `lio-collector: --textfile ${dir}/missing: no such directory\n` });
    expect(existsSync(`${dir}/missing`)).toBe(false);
    rmSync(`${textfiles}/lio-munin.prom`);
  });
});
