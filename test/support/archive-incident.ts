// An archive written by the collector around a made-up incident on 2026-11-20, with counters
// advanced by known amounts, for the archive reader's tests:
//
//   09:59         full snapshot of the tree before
//   10:40..10:42  stats snapshots; W climbs by 60 then 120 MiB, R wraps at 2^32 MiB
//   10:43         no snapshot (the collector was stopped: a gap)
//   10:44         stats
//   10:45..10:47  after a failover to the other node (tree "after"): counters restart from zero;
//                 that tree has an ACL more (initiator05), LUN 3 less, and cmdsn_depth 128 on initiator01
//   10:48         truncated copy of a real snapshot          10:49  empty file (disk full)
//   10:50         stats
//   10:59         full snapshot of the tree after
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { takeSnapshot } from '../../collector/snapshot.js';
import { buildLioTree, seedSystem, setTraffic, tpgPath, type LioSpec } from './lio-tree.js';

export const at = (hour: number, minute: number) => new Date(2026, 10, 20, hour, minute);

const TARGET = 'iqn.2016-09.com.example:iscsitgt01';
export const INITIATOR = (n: number) => `iqn.2016-09.com.example:initiator0${n}`;
const CANONICAL_TPG = `/sys/kernel/config/target/iscsi/${TARGET}/tpgt_1`;

/** The counter that climbs by known amounts and is reset by the failover. */
export const W = `${CANONICAL_TPG}/acls/${INITIATOR(1)}/lun_0/statistics/scsi_auth_intr/write_mbytes`;
/** The counter that wraps at 2^32 MiB. */
export const R = `${CANONICAL_TPG}/acls/${INITIATOR(2)}/lun_1/statistics/scsi_auth_intr/read_mbytes`;

/** W and R at each stats minute (10:48 and 10:49 end up unreadable). */
export const W_VALUES: Record<number, number> = { 40: 1000, 41: 1060, 42: 1180, 44: 1300, 45: 30, 46: 90, 47: 150, 48: 210, 50: 330 };
export const R_VALUES: Record<number, number> = { 40: 4294967000, 41: 4294967200, 42: 4, 44: 204, 45: 0, 46: 10, 47: 20, 48: 30, 50: 50 };

export const DRBD_FIXTURE = 'test/fixtures/proc-drbd/linbit-ug84-1.txt';

export function beforeSpec(): LioSpec {
  return seedSystem();
}

export function afterSpec(): LioSpec {
  const spec = seedSystem();
  const target = spec.targets[0];
  target.luns = [0, 1, 2];
  for (const acl of target.acls) acl.mappedLuns = [0, 1, 2];
  target.acls.push({ initiator: INITIATOR(5), mappedLuns: [0, 1, 2], chap: { userid: 'iscsiuser05', password: 'password-user05' } });
  return spec;
}

export interface IncidentArchive {
  archive: string;
  /** The trees the snapshots were taken from. */
  before: string;
  after: string;
  /** The snapshot files by HHMM. */
  files: Record<string, string>;
}

/** Other counters: a steady pattern, so that only W and R carry the story. */
function traffic(spec: LioSpec, minute: number) {
  return (_t: unknown, initiator: string, lun: number) => {
    const i = spec.targets[0].acls.findIndex((a) => a.initiator === initiator) + 1;
    if (initiator === INITIATOR(1) && lun === 0) return { read: 7 * minute, write: W_VALUES[minute] };
    if (initiator === INITIATOR(2) && lun === 1) return { read: R_VALUES[minute], write: 5 * minute };
    const since = minute < 45 ? minute : minute - 44; // the failover restarted every counter
    return { read: (i * 10 + lun) * since, write: (i * 10 + lun + 1) * since };
  };
}

export async function buildIncidentArchive(dir: string): Promise<IncidentArchive> {
  const archive = join(dir, 'archive');
  const before = join(dir, 'before');
  const after = join(dir, 'after');
  const files: Record<string, string> = {};
  const drbdProc = DRBD_FIXTURE;

  buildLioTree(before, beforeSpec());
  buildLioTree(after, afterSpec());
  writeFileSync(`${tpgPath(after, afterSpec().targets[0])}/acls/${INITIATOR(1)}/cmdsn_depth`, '128\n');

  files['0959'] = (await takeSnapshot({ root: before, archive, kind: 'full', now: at(9, 59), drbdProc: null })).path;
  for (const minute of [40, 41, 42, 44, 45, 46, 47, 48, 50]) {
    const [root, spec] = minute < 45 ? [before, beforeSpec()] : [after, afterSpec()];
    setTraffic(root, spec, traffic(spec, minute));
    files[`10${minute}`] = (await takeSnapshot({ root, archive, kind: 'stats', now: at(10, minute), drbdProc })).path;
  }
  files['1059'] = (await takeSnapshot({ root: after, archive, kind: 'full', now: at(10, 59), drbdProc: null })).path;

  // A copy cut short, and what a full disk leaves behind.
  const truncated = files['1048'];
  truncateSync(truncated, Math.floor(readFileSync(truncated).length / 2));
  files['1049'] = join(archive, '20261120', 'lio-statistics-202611201049.gz');
  writeFileSync(files['1049'], '');
  // Things that are not snapshots: never read.
  writeFileSync(join(archive, '20261120', 'lio-statistics-202611201051.gz.tmp'), 'partial');
  writeFileSync(join(archive, '20261120', 'notes.txt'), 'not a snapshot');
  mkdirSync(join(archive, 'lost+found'));
  return { archive, before, after, files };
}
