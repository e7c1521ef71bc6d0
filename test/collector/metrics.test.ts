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
    // 8.0 prints no oos: left out, not 0.
    expect(drbd).not.toContain('drbd_peerdevice_outofsync_bytes{');
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
      'drbd_resource_role{name="r0",drbd_resource_role="Secondary"} 1',
      `drbd_connection_state{${conn},drbd_connection_state="Connected"} 1`,
      `drbd_device_state{${dev(0, 7)},drbd_device_state="UpToDate"} 1`,
      `drbd_device_state{${dev(1, 8)},drbd_device_state="UpToDate"} 1`,
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
