// Builds LIO configfs trees on disk, following the kernel's layout
// (drivers/target/target_core_{fabric_configfs,configfs,stat}.c, iscsi/iscsi_target_{configfs,stat}.c),
// for tests, the demo and the benchmark. There is no configfs here: files are plain files and
// the links from LUNs to backstores are relative symlinks, as configfs shows them.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AclSpec {
  initiator: string;
  /** Mapped LUN numbers (the ACL's lun_<M> directories); each maps the TPG LUN of the same number. */
  mappedLuns: number[];
  chap?: { userid: string; password: string };
  /** Logged in, from this address (the ACL's info file then describes the session); absent: not logged in. */
  session?: { address: string };
}

/** A LUN's backstore: its type (core/<kind>_0/) and the udev_path it shows (empty when null). */
export interface BackstoreSpec {
  kind: 'iblock' | 'pscsi' | 'fileio' | 'rd_mcp' | 'user';
  udevPath: string | null;
}

export interface TargetSpec {
  fabric: string;
  wwn: string;
  tpgt: number;
  luns: number[];
  acls: AclSpec[];
  /** Demo mode (attrib/generate_node_acls 1), with the initiators logged in through dynamic ACLs. */
  demoMode?: { dynamicSessions: string[] };
  /** Backstores by LUN number; by default an iblock on /dev/vg1/<backstore name>. */
  backstores?: Record<number, BackstoreSpec>;
}

export interface LioSpec {
  targets: TargetSpec[];
  /** CHAP secrets for iSCSI discovery (iscsi/discovery_auth). */
  discoveryPassword?: string;
}

/** The seed's example system: one target, four initiators with CHAP, four LUNs. */
export function seedSystem(): LioSpec {
  return {
    targets: [
      {
        fabric: 'iscsi',
        wwn: 'iqn.2016-09.com.example:iscsitgt01',
        tpgt: 1,
        luns: [0, 1, 2, 3],
        acls: [1, 2, 3, 4].map((n) => ({
          initiator: `iqn.2016-09.com.example:initiator0${n}`,
          mappedLuns: [0, 1, 2, 3],
          chap: { userid: `iscsiuser0${n}`, password: `password-user0${n}` },
          session: { address: `192.168.1.1${n}` },
        })),
      },
    ],
    discoveryPassword: 'discovery-secret',
  };
}

/** targets x initiators x luns, every initiator mapped to every LUN of its target. */
export function scaledSystem(targets: number, initiators: number, luns: number): LioSpec {
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    targets: Array.from({ length: targets }, (_, t) => ({
      fabric: 'iscsi',
      wwn: `iqn.2016-09.com.example:iscsitgt${pad(t + 1)}`,
      tpgt: 1,
      luns: Array.from({ length: luns }, (_, l) => l),
      acls: Array.from({ length: initiators }, (_, i) => ({
        initiator: `iqn.2016-09.com.example:t${pad(t + 1)}-initiator${pad(i + 1)}`,
        mappedLuns: Array.from({ length: luns }, (_, l) => l),
        chap: { userid: `user${pad(i + 1)}`, password: `secret-${pad(t + 1)}-${pad(i + 1)}` },
        session: { address: `10.0.${t + 1}.${i + 1}` },
      })),
    })),
    discoveryPassword: 'discovery-secret',
  };
}

function write(path: string, content: string | number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${content}\n`);
}

function writeAll(dir: string, files: Record<string, string | number>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(files)) writeFileSync(`${dir}/${name}`, `${value}\n`);
}

export const tpgPath = (root: string, t: TargetSpec) => `${root}/${t.fabric}/${t.wwn}/tpgt_${t.tpgt}`;
export const backstoreName = (t: TargetSpec, lun: number) => `${t.wwn.replace(/[^A-Za-z0-9]/g, '_').slice(-20)}_lun${lun}`;
/** The backstore of a LUN, as the spec gives it or the default iblock on an LV. */
export const backstoreOf = (t: TargetSpec, lun: number): BackstoreSpec => t.backstores?.[lun] ?? { kind: 'iblock', udevPath: `/dev/vg1/${backstoreName(t, lun)}` };
const backstoreDir = (root: string, t: TargetSpec, lun: number) => `${root}/core/${backstoreOf(t, lun).kind}_0/${backstoreName(t, lun)}`;

/**
 * Writes the whole tree for spec under root (replacing what was there), all counters at zero.
 * layoutOnly: only the directories, the LUN links and the backstores' udev_path (what a config
 * run reads), for tests of the layout at a size where the full tree takes a minute to write.
 */
export function buildLioTree(root: string, spec: LioSpec, { layoutOnly = false } = {}): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const detail = (dir: string, files: Record<string, string | number>) => {
    if (!layoutOnly) writeAll(dir, files);
  };
  if (!layoutOnly) write(`${root}/version`, 'Target Engine Core ConfigFS Infrastructure v5.0 on Linux/x86_64 on 6.1.0');
  if (!layoutOnly) write(`${root}/dbroot`, '/etc/target');
  detail(`${root}/core/alua/lu_gps/default_lu_gp`, { lu_gp_id: 0, members: '' });
  let index = 0;
  for (const t of spec.targets) {
    const wwnDir = `${root}/${t.fabric}/${t.wwn}`;
    if (t.fabric === 'iscsi') {
      detail(`${root}/iscsi/discovery_auth`, {
        enforce_discovery_auth: spec.discoveryPassword ? 1 : 0,
        userid: spec.discoveryPassword ? 'discovery' : 'NULL',
        password: spec.discoveryPassword ?? 'NULL',
        userid_mutual: 'NULL',
        password_mutual: 'NULL',
        authenticate_target: 0,
      });
      if (!layoutOnly) write(`${root}/iscsi/lio_version`, 'Datera Inc. iSCSI Target v4.1.0');
      const fs = `${wwnDir}/fabric_statistics`;
      detail(`${fs}/iscsi_instance`, { inst: 1, min_ver: 0, max_ver: 0, portals: 1, nodes: 1, sessions: 0, fail_sess: 0, fail_type: 0, fail_rem_name: 'None', disc_time: 0, description: 'iSCSI Target', vendor: 'Datera, Inc. iSCSI-Target', version: 'v4.1.0' });
      detail(`${fs}/iscsi_sess_err`, { inst: 1, digest_errors: 0, cxn_errors: 0, format_errors: 0 });
      detail(`${fs}/iscsi_tgt_attr`, { inst: 1, indx: 1, login_fails: 0, last_fail_time: 0, last_fail_type: 0, fail_intr_name: 'None', fail_intr_addr_type: 'ipv4', fail_intr_addr: '(einval)' });
      detail(`${fs}/iscsi_login_stats`, { inst: 1, indx: 1, accepts: 0, other_fails: 0, redirects: 0, authorize_fails: 0, authenticate_fails: 0, negotiate_fails: 0 });
      detail(`${fs}/iscsi_logout_stats`, { inst: 1, indx: 1, normal_logouts: 0, abnormal_logouts: 0 });
    }
    const tpg = tpgPath(root, t);
    mkdirSync(tpg, { recursive: true });
    detail(tpg, { enable: 1, rtpi: t.tpgt, dynamic_sessions: '' });
    detail(`${tpg}/attrib`, { authentication: 1, generate_node_acls: t.demoMode ? 1 : 0, cache_dynamic_acls: 0, demo_mode_write_protect: 1, default_cmdsn_depth: 64 });
    detail(`${tpg}/auth`, { userid: '', password: '', userid_mutual: '', password_mutual: '', authenticate_target: 0 });
    detail(`${tpg}/param`, { AuthMethod: 'CHAP,None', HeaderDigest: 'CRC32C,None', MaxConnections: 1, TargetAlias: 'LIO Target' });
    mkdirSync(`${tpg}/np`, { recursive: true });
    for (const lun of t.luns) {
      const name = backstoreName(t, lun);
      const backstore = backstoreOf(t, lun);
      const dev = backstoreDir(root, t, lun);
      index++;
      mkdirSync(dev, { recursive: true });
      detail(dev, { enable: 1, info: `Status: ACTIVATED  Max Queue Depth: 128  SectorSize: 512  HwMaxSectors: 8192\n${backstore.kind === 'iblock' ? 'iBlock' : backstore.kind} device: dm-${index}  UDEV PATH: ${backstore.udevPath ?? ''}`, alias: name });
      // The kernel prints udev_path with a newline, or nothing at all when it was never set.
      writeFileSync(`${dev}/udev_path`, backstore.udevPath === null ? '' : `${backstore.udevPath}\n`);
      detail(`${dev}/attrib`, { block_size: 512, hw_max_sectors: 8192, queue_depth: 128, emulate_tpu: 0 });
      detail(`${dev}/wwn`, { vpd_unit_serial: `T10 VPD Unit Serial Number: ${index.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`, vendor_id: 'LIO-ORG' });
      detail(`${dev}/pr`, { res_holder: 'No SPC-3 Reservation holder', res_pr_generation: '0x00000000' });
      const stats = `${dev}/statistics`;
      detail(`${stats}/scsi_dev`, { inst: 1, indx: index, role: 'Target', ports: 1 });
      detail(`${stats}/scsi_tgt_dev`, { inst: 1, indx: index, num_lus: 1, status: 'activated', non_access_lus: 0, resets: 0, aborts_complete: 0, aborts_no_task: 0 });
      detail(`${stats}/scsi_lu`, { inst: 1, dev: index, indx: 1, lun: 0, lu_name: `${name}`, vend: 'LIO-ORG', prod: name.slice(0, 16), rev: '4.0', dev_type: 0, status: 'available', state_bit: 'exposed', num_cmds: 0, read_mbytes: 0, write_mbytes: 0, resets: 0, full_stat: 0, hs_num_cmds: 0, creation_time: 100 });

      const lunDir = `${tpg}/lun/lun_${lun}`;
      mkdirSync(lunDir, { recursive: true });
      symlinkSync(`../../../../../core/${backstore.kind}_0/${name}`, `${lunDir}/${(index * 2654435761 % 2 ** 32).toString(16).padStart(10, '0')}`);
      detail(lunDir, { alua_tg_pt_gp: 'default_tg_pt_gp', alua_tg_pt_offline: 0 });
      detail(`${lunDir}/statistics/scsi_port`, { inst: 1, dev: index, indx: lun, role: 'Device', busy_count: 0 });
      detail(`${lunDir}/statistics/scsi_tgt_port`, { inst: 1, dev: index, indx: lun, name: `${t.wwn}`, port_index: `${t.wwn}+t+0x${t.tpgt.toString(16).padStart(2, '0')}`, in_cmds: 0, write_mbytes: 0, read_mbytes: 0, hs_in_cmds: 0 });
      detail(`${lunDir}/statistics/scsi_transport`, { inst: 1, device: `${name}`, indx: lun, dev_name: `${t.wwn}+t+0x${t.tpgt.toString(16).padStart(2, '0')}`, proto_id: t.fabric === 'iscsi' ? 5 : 0 });
    }
    for (const acl of t.acls) {
      const aclDir = `${tpg}/acls/${acl.initiator}`;
      mkdirSync(aclDir, { recursive: true });
      detail(aclDir, { cmdsn_depth: 64, tag: '' });
      detail(`${aclDir}/auth`, { userid: acl.chap?.userid ?? '', password: acl.chap?.password ?? '', userid_mutual: '', password_mutual: '', authenticate_target: 0 });
      detail(`${aclDir}/attrib`, { dataout_timeout: 3, nopin_timeout: 15, random_datain_pdu_offsets: 0 });
      detail(`${aclDir}/param`, { MaxBurstLength: 262144, FirstBurstLength: 65536 });
      acl.mappedLuns.forEach((lun, i) => {
        const mapped = `${aclDir}/lun_${lun}`;
        mkdirSync(mapped, { recursive: true });
        symlinkSync(`../../../lun/lun_${lun}`, `${mapped}/${((lun + 1) * 40503 + i * 7919).toString(16).padStart(10, '0')}`);
        detail(mapped, { write_protect: 0 });
        detail(`${mapped}/statistics/scsi_auth_intr`, { inst: 1, dev: 0, port: lun, indx: 1, dev_or_port: lun, intr_name: acl.initiator, map_indx: 0, att_count: 0, num_cmds: 0, read_mbytes: 0, write_mbytes: 0, hs_num_cmds: 0, creation_time: 100, row_status: 'Ready' });
        detail(`${mapped}/statistics/scsi_att_intr_port`, { inst: 1, dev: 0, port: lun, indx: 1, port_auth_indx: 1, port_ident: `${acl.initiator},i,0x00023d000001` });
      });
    }
  }
  // Every session logged in once.
  if (layoutOnly) return;
  for (const [wwn, count] of writeSessions(root, spec)) write(`${root}/iscsi/${wwn}/fabric_statistics/iscsi_login_stats/accepts`, count);
}

/**
 * The session state of every iSCSI target as spec says, as the kernel shows it: each ACL's info
 * file and session statistics (empty without a session), each TPG's dynamic_sessions and each
 * target's session count (returned per target). Change spec and call it again for a login or a logout.
 */
export function writeSessions(root: string, spec: LioSpec): Map<string, number> {
  const sessions = new Map<string, number>();
  spec.targets.forEach((t, n) => {
    if (t.fabric !== 'iscsi') return;
    const tpg = tpgPath(root, t);
    t.acls.forEach((acl, i) => {
      const aclDir = `${tpg}/acls/${acl.initiator}`;
      write(`${aclDir}/info`, acl.session ? sessionInfo(acl.initiator, n * 100 + i + 1, acl.session.address) : `No active iSCSI Session for Initiator Endpoint: ${acl.initiator}`);
      // inst is the target's index, printed with or without a session.
      const stats = acl.session ? { inst: 1, node: 1, indx: n * 100 + i + 1, cmd_pdus: 0, rsp_pdus: 0, txdata_octs: 0, rxdata_octs: 0, conn_digest_errors: 0, conn_timeout_errors: 0 } : { inst: 1 };
      for (const name of ['inst', 'node', 'indx', 'cmd_pdus', 'rsp_pdus', 'txdata_octs', 'rxdata_octs', 'conn_digest_errors', 'conn_timeout_errors']) {
        // Without a session the kernel prints nothing at all, not even a newline.
        const value = (stats as Record<string, number>)[name];
        mkdirSync(`${aclDir}/fabric_statistics/iscsi_sess_stats`, { recursive: true });
        writeFileSync(`${aclDir}/fabric_statistics/iscsi_sess_stats/${name}`, value === undefined ? '' : `${value}\n`);
      }
    });
    const dynamic = t.demoMode?.dynamicSessions ?? [];
    // target_show_dynamic_sessions: each name, a newline and the NUL it counts as well.
    writeFileSync(`${tpg}/dynamic_sessions`, dynamic.map((name) => `${name}\n\0`).join(''));
    sessions.set(t.wwn, (sessions.get(t.wwn) ?? 0) + t.acls.filter((a) => a.session).length + dynamic.length);
  });
  for (const [wwn, count] of sessions) write(`${root}/iscsi/${wwn}/fabric_statistics/iscsi_instance/sessions`, count);
  return sessions;
}

/** An ACL's info file with a session of one connection (lio_target_nacl_info_show). */
function sessionInfo(initiator: string, sid: number, address: string): string {
  return [
    `InitiatorName: ${initiator}`,
    'InitiatorAlias: ',
    `LIO Session ID: ${sid}   ISID: 0x00 02 3d 00 00 ${(sid % 256).toString(16).padStart(2, '0')}  TSIH: ${sid}  SessionType: Normal`,
    'Session State: TARG_SESS_STATE_LOGGED_IN',
    '---------------------[iSCSI Session Values]-----------------------',
    '  CmdSN/WR  :  CmdSN/WC  :  ExpCmdSN  :  MaxCmdSN  :     ITT    :     TTT',
    ' 0x00000040   0x00000040   0x00001f53   0x00001f92   0x531f0000   0x00000d81',
    '----------------------[iSCSI Connections]-------------------------',
    'CID: 0  Connection State: TARG_CONN_STATE_LOGGED_IN',
    `   Address ${address} TCP  StatSN: 0x1a00d3e6`,
  ].join('\n');
}

/** The login statistics of one iSCSI target, and its last failed login, as iscsi_target_stat.c prints them. */
export interface LoginStats {
  accepts?: number;
  authorize_fails?: number;
  authenticate_fails?: number;
  negotiate_fails?: number;
  other_fails?: number;
  redirects?: number;
  normal_logouts?: number;
  abnormal_logouts?: number;
  digest_errors?: number;
  cxn_errors?: number;
  format_errors?: number;
  lastFailure?: { initiator: string; address: string; type: 2 | 3 | 4 | 5 | 6; centisecondsSinceBoot: number };
}

export function setLoginStats(root: string, wwn: string, stats: LoginStats): void {
  const fs = `${root}/iscsi/${wwn}/fabric_statistics`;
  const files: Record<string, string> = {
    accepts: 'iscsi_login_stats', authorize_fails: 'iscsi_login_stats', authenticate_fails: 'iscsi_login_stats', negotiate_fails: 'iscsi_login_stats',
    other_fails: 'iscsi_login_stats', redirects: 'iscsi_login_stats', normal_logouts: 'iscsi_logout_stats', abnormal_logouts: 'iscsi_logout_stats',
    digest_errors: 'iscsi_sess_err', cxn_errors: 'iscsi_sess_err', format_errors: 'iscsi_sess_err',
  };
  for (const [name, dir] of Object.entries(files)) {
    const value = stats[name as keyof LoginStats];
    if (typeof value === 'number') write(`${fs}/${dir}/${name}`, value);
  }
  const failure = stats.lastFailure;
  if (failure) {
    write(`${fs}/iscsi_tgt_attr/fail_intr_name`, failure.initiator);
    write(`${fs}/iscsi_tgt_attr/fail_intr_addr`, failure.address);
    write(`${fs}/iscsi_tgt_attr/fail_intr_addr_type`, failure.address.includes(':') ? 'ipv6' : 'ipv4');
    write(`${fs}/iscsi_tgt_attr/last_fail_type`, failure.type);
    write(`${fs}/iscsi_tgt_attr/last_fail_time`, failure.centisecondsSinceBoot);
  }
}

export interface Traffic {
  read: number;
  write: number;
}

/**
 * Sets the cumulative MiB counters: each mapping's scsi_auth_intr, each LUN's scsi_tgt_port
 * (the sum over its initiators, as the kernel counts) and each backstore's scsi_lu.
 */
export function setTraffic(root: string, spec: LioSpec, traffic: (t: TargetSpec, initiator: string, lun: number) => Traffic): void {
  for (const t of spec.targets) {
    const tpg = tpgPath(root, t);
    for (const lun of t.luns) {
      let read = 0;
      let written = 0;
      for (const acl of t.acls) {
        if (!acl.mappedLuns.includes(lun)) continue;
        const { read: r, write: w } = traffic(t, acl.initiator, lun);
        read += r;
        written += w;
        const dir = `${tpg}/acls/${acl.initiator}/lun_${lun}/statistics/scsi_auth_intr`;
        write(`${dir}/read_mbytes`, r);
        write(`${dir}/write_mbytes`, w);
        write(`${dir}/num_cmds`, (r + w) * 16);
      }
      write(`${tpg}/lun/lun_${lun}/statistics/scsi_tgt_port/read_mbytes`, read);
      write(`${tpg}/lun/lun_${lun}/statistics/scsi_tgt_port/write_mbytes`, written);
      write(`${tpg}/lun/lun_${lun}/statistics/scsi_tgt_port/in_cmds`, (read + written) * 16);
      const lu = `${backstoreDir(root, t, lun)}/statistics/scsi_lu`;
      write(`${lu}/read_mbytes`, read);
      write(`${lu}/write_mbytes`, written);
      write(`${lu}/num_cmds`, (read + written) * 16);
    }
  }
}

/** A recognisable traffic pattern: initiator i on LUN l has read (i*100 + l*10 + 1) * step MiB. */
export function patternTraffic(step: number): (t: TargetSpec, initiator: string, lun: number) => Traffic {
  return (t, initiator, lun) => {
    const i = t.acls.findIndex((a) => a.initiator === initiator) + 1;
    return { read: (i * 100 + lun * 10 + 1) * step, write: (i * 100 + lun * 10 + 2) * step };
  };
}
