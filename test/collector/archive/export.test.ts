// archive export reads only the entries that give samples, searching each snapshot for how their
// header lines end (export.ts), and falls back to reading every entry of a snapshot with a quoted
// header: both must give what reading every entry gives. Two snapshots of the same entries, the
// second with a quoted header added, and values at the edges: leading zeros, a counter beyond
// 2^53 once in bytes, a value cut by a line that only looks like a header, a value with a line
// feed too many, empty values (a problem, or none for a session's statistics), the last entry at
// the very end of the file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_ROOT, snapshotRelativePath } from '../../../lib/archive/layout.js';
import { archiveCommand } from '../../support/archive-run.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir('lio-archive-export-');
const archive = join(dir, 'archive');
const TARGET = 'iqn.2003-01.org.linux-iscsi.host:sn.1';
const TPG = `${CANONICAL_ROOT}/iscsi/${TARGET}/tpgt_1`;
const INITIATOR = 'iqn.1993-08.org.debian:01:a"b\\c';
const ODD = 'iqn.1993-08.org.debian:01:tab\there';
const at = (minute: number) => new Date(2026, 10, 20, 10, minute);

/** A stats snapshot as the collector writes it: `[PATH]`, the value, a blank line. */
function entry(path: string, value: string): string {
  const header = /[\x00-\x1f]/.test(path) ? JSON.stringify(path) : path;
  return `[${header}]\n${value}\n\n`;
}

const ENTRIES =
  entry(`${TPG}/lun/lun_0/statistics/scsi_tgt_port/read_mbytes`, '007') +
  entry(`${TPG}/lun/lun_0/statistics/scsi_tgt_port/write_mbytes`, '9007199254740993') +
  entry(`${TPG}/lun/lun_0/statistics/scsi_tgt_port/in_cmds`, '0042') +
  entry(`${TPG}/lun/lun_0/statistics/scsi_tgt_port/hs_in_cmds`, '1') +
  entry(`${TPG}/acls/${INITIATOR}/lun_0/statistics/scsi_auth_intr/read_mbytes`, '12\n[fake]') +
  entry(`${TPG}/acls/${INITIATOR}/lun_0/statistics/scsi_auth_intr/write_mbytes`, '5\n') +
  entry(`${TPG}/acls/${INITIATOR}/lun_0/statistics/scsi_auth_intr/num_cmds`, '') +
  entry(`${CANONICAL_ROOT}/iscsi/${TARGET}/tpgt_1/acls/${INITIATOR}/fabric_statistics/iscsi_sess_stats/conn_digest_errors`, '') +
  entry(`${CANONICAL_ROOT}/iscsi/${TARGET}/tpgt_1/acls/${INITIATOR}/fabric_statistics/iscsi_sess_stats/conn_timeout_errors`, '2');
const LAST = `[${CANONICAL_ROOT}/iscsi/${TARGET}/fabric_statistics/iscsi_instance/sessions]\n3`;

function writeSnapshot(time: Date, text: string): void {
  const path = join(archive, snapshotRelativePath('stats', time));
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, gzipSync(text));
}

beforeAll(() => {
  writeSnapshot(at(0), ENTRIES + LAST);
  writeSnapshot(at(1), ENTRIES + entry(`${TPG}/acls/${ODD}/lun_0/statistics/scsi_auth_intr/read_mbytes`, '4') + LAST);
});

describe('archive export', () => {
  it('gives the same lines for a snapshot read by its header endings and for one read entry by entry', async () => {
    const result = await archiveCommand(['export', '--archive', archive, '--from', '2026-11-20 10:00', '--to', '2026-11-20 10:01']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [t0, t1] = [at(0).getTime() / 1000, at(1).getTime() / 1000];
    const both = (line: string) => `${line} ${t0}\n${line} ${t1}\n`;
    const lun = `fabric="iscsi",target="${TARGET}",tpgt="1",lun="0"`;
    const session = `target="${TARGET}",tpgt="1",initiator="iqn.1993-08.org.debian:01:a\\"b\\\\c"`;
    expect(result.stdout).toBe(
      '# TYPE lio_lun_read_bytes counter\n' +
        '# HELP lio_lun_read_bytes Bytes read from a LUN of a target portal group, all initiators (scsi_tgt_port/read_mbytes, counted in MiB).\n' +
        both(`lio_lun_read_bytes_total{${lun}} 7340032`) +
        '# TYPE lio_lun_written_bytes counter\n' +
        '# HELP lio_lun_written_bytes Bytes written to a LUN of a target portal group, all initiators (scsi_tgt_port/write_mbytes, counted in MiB).\n' +
        both(`lio_lun_written_bytes_total{${lun}} 9444732965739291475968`) +
        '# TYPE lio_lun_commands counter\n' +
        '# HELP lio_lun_commands SCSI commands received for a LUN of a target portal group (scsi_tgt_port/in_cmds).\n' +
        both(`lio_lun_commands_total{${lun}} 0042`) +
        '# TYPE lio_initiator_lun_read_bytes counter\n' +
        '# HELP lio_initiator_lun_read_bytes Bytes read by an initiator from one of its mapped LUNs (scsi_auth_intr/read_mbytes, counted in MiB).\n' +
        `lio_initiator_lun_read_bytes_total{fabric="iscsi",target="${TARGET}",tpgt="1",initiator="${ODD}",lun="0"} 4194304 ${t1}\n` +
        '# TYPE lio_iscsi_target_sessions gauge\n' +
        '# HELP lio_iscsi_target_sessions iSCSI sessions of a target (iscsi_instance/sessions).\n' +
        both(`lio_iscsi_target_sessions{target="${TARGET}"} 3`) +
        '# TYPE lio_iscsi_initiator_connection_errors counter\n' +
        '# HELP lio_iscsi_initiator_connection_errors Connection errors of the session of an ACL initiator by kind (iscsi_sess_stats).\n' +
        both(`lio_iscsi_initiator_connection_errors_total{${session},kind="timeout"} 2`) +
        '# TYPE lio_collector_unreadable_values gauge\n' +
        '# HELP lio_collector_unreadable_values Values that could not be read in this collection and are missing from it (never written as 0).\n' +
        // The initiator's read_mbytes, write_mbytes and num_cmds; not its empty conn_digest_errors.
        both('lio_collector_unreadable_values 3') +
        '# EOF\n',
    );
  });
});
