// The iSCSI statistics reader against trees built the way the kernel prints them
// (iscsi_target_stat.c, iscsi_target_configfs.c lio_target_nacl_info_show,
// target_core_transport.c target_show_dynamic_sessions).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  hasIscsiStatistics,
  isDemoMode,
  readAclSession,
  readConnectionErrors,
  readDynamicSessions,
  readIscsiTargetStatistics,
} from '../../../lib/kernel/iscsi.js';
import { buildLioTree, seedSystem, setLoginStats, tpgPath, writeSessions, type LioSpec } from '../../support/lio-tree.js';
import { tempDir } from '../../support/tmp.js';

const WWN = 'iqn.2016-09.com.example:iscsitgt01';
const INITIATOR = 'iqn.2016-09.com.example:initiator01';

function seed(): { root: string; spec: LioSpec; target: string; acl: string } {
  const root = `${tempDir()}/target`;
  const spec = seedSystem();
  buildLioTree(root, spec);
  return { root, spec, target: `${root}/iscsi/${WWN}`, acl: `${tpgPath(root, spec.targets[0]!)}/acls/${INITIATOR}` };
}

describe('readIscsiTargetStatistics', () => {
  it('reads every counter of a target with four sessions and no failure', () => {
    const { target } = seed();
    expect(readIscsiTargetStatistics(target)).toEqual({
      sessions: '4',
      logins: { accepts: '4', authorize_fails: '0', authenticate_fails: '0', negotiate_fails: '0', other_fails: '0', redirects: '0' },
      logouts: { normal_logouts: '0', abnormal_logouts: '0' },
      sessionErrors: { digest_errors: '0', cxn_errors: '0', format_errors: '0' },
      // fail_intr_name "None", last_fail_time 0, fail_intr_addr "(einval)": no failure yet.
      lastFailure: null,
      problems: [],
    });
  });

  it('reads the last failed login: name, address, kind and time since boot', () => {
    const { root, target } = seed();
    setLoginStats(root, WWN, {
      accepts: 9,
      authenticate_fails: 3,
      abnormal_logouts: 1,
      cxn_errors: 2,
      lastFailure: { initiator: 'iqn.1994-05.com.redhat:intruder', address: '192.168.1.99', type: 5, centisecondsSinceBoot: 123456 },
    });
    const stats = readIscsiTargetStatistics(target);
    expect(stats.logins.accepts).toBe('9');
    expect(stats.logins.authenticate_fails).toBe('3');
    expect(stats.logouts.abnormal_logouts).toBe('1');
    expect(stats.sessionErrors.cxn_errors).toBe('2');
    expect(stats.lastFailure).toEqual({ initiator: 'iqn.1994-05.com.redhat:intruder', address: '192.168.1.99', kind: 'authentication failure', uptimeCentiseconds: 123456 });
  });

  it('keeps an IPv6 address as the kernel prints it, and says nothing of an unknown failure code', () => {
    const { root, target } = seed();
    setLoginStats(root, WWN, { lastFailure: { initiator: 'iqn.x:y', address: 'fd00::42', type: 2, centisecondsSinceBoot: 5 } });
    writeFileSync(`${target}/fabric_statistics/iscsi_tgt_attr/last_fail_type`, '9\n');
    expect(readIscsiTargetStatistics(target).lastFailure).toEqual({ initiator: 'iqn.x:y', address: 'fd00::42', kind: null, uptimeCentiseconds: 5 });
  });

  it('an older kernel without fabric_statistics: every value null, one problem per file, no statistics', () => {
    const { target } = seed();
    rmSync(`${target}/fabric_statistics`, { recursive: true });
    expect(hasIscsiStatistics(target)).toBe(false);
    const stats = readIscsiTargetStatistics(target);
    expect(stats.sessions).toBeNull();
    expect(stats.logins.accepts).toBeNull();
    expect(stats.lastFailure).toBeNull();
    expect(stats.problems[0]).toBe(`cannot read ${target}/fabric_statistics/iscsi_instance/sessions: ENOENT`);
    expect(stats.problems).toHaveLength(1 + 6 + 2 + 3 + 1);
  });

  it('an empty read (configfs at times) is a problem, not a zero', () => {
    const { target } = seed();
    writeFileSync(`${target}/fabric_statistics/iscsi_login_stats/negotiate_fails`, '');
    const stats = readIscsiTargetStatistics(target);
    expect(stats.logins.negotiate_fails).toBeNull();
    expect(stats.problems).toEqual([`${target}/fabric_statistics/iscsi_login_stats/negotiate_fails is empty`]);
    expect(hasIscsiStatistics(target)).toBe(true);
  });
});

describe('readAclSession', () => {
  it('an initiator with no session', () => {
    const { root, spec, acl } = seed();
    delete spec.targets[0]!.acls[0]!.session;
    writeSessions(root, spec);
    expect(readAclSession(acl)).toEqual({ loggedIn: false, addresses: [], state: null });
  });

  it('a logged-in initiator: its connection address and session state', () => {
    const { acl } = seed();
    expect(readAclSession(acl)).toEqual({ loggedIn: true, addresses: ['192.168.1.11'], state: 'TARG_SESS_STATE_LOGGED_IN' });
  });

  it('a session of two connections (MC/S), one of them IPv6, still logging in (sample text from ZFS on Linux lib/libshare/iscsi.c, extended)', () => {
    const { acl } = seed();
    writeFileSync(
      `${acl}/info`,
      [
        `InitiatorName: ${INITIATOR}`,
        'InitiatorAlias: ',
        'LIO Session ID: 2   ISID: 0x80 12 34 56 dd 65  TSIH: 2  SessionType: Normal',
        'Session State: TARG_SESS_STATE_ACTIVE',
        '---------------------[iSCSI Session Values]-----------------------',
        '  CmdSN/WR  :  CmdSN/WC  :  ExpCmdSN  :  MaxCmdSN  :     ITT    :     TTT',
        ' 0x00000010   0x00000010   0x00001f53   0x00001f62   0x531f0000   0x00000d81',
        '----------------------[iSCSI Connections]-------------------------',
        'CID: 1  Connection State: TARG_CONN_STATE_LOGGED_IN',
        '   Address 192.168.69.3 TCP  StatSN: 0x1a00d3e6',
        'CID: 2  Connection State: TARG_CONN_STATE_IN_LOGIN',
        '   Address fd00::3 TCP  StatSN: 0x00000000',
        '',
      ].join('\n'),
    );
    expect(readAclSession(acl)).toEqual({ loggedIn: true, addresses: ['192.168.69.3', 'fd00::3'], state: 'TARG_SESS_STATE_ACTIVE' });
  });

  it('unknown, with the reason, for a missing, empty or strange info file', () => {
    const { acl } = seed();
    writeFileSync(`${acl}/info`, '');
    expect(readAclSession(acl)).toEqual({ loggedIn: null, addresses: [], state: null, problem: `${acl}/info is empty` });
    writeFileSync(`${acl}/info`, 'Something else entirely\n');
    expect(readAclSession(acl)).toEqual({ loggedIn: null, addresses: [], state: null, problem: `${acl}/info is not an iSCSI session description` });
    rmSync(`${acl}/info`);
    expect(readAclSession(acl)).toEqual({ loggedIn: null, addresses: [], state: null, problem: `cannot read ${acl}/info: ENOENT` });
  });
});

describe('readConnectionErrors', () => {
  it('the counters of a session; nulls without a session (the kernel prints nothing), and no problem for that', () => {
    const { root, spec, acl } = seed();
    writeFileSync(`${acl}/fabric_statistics/iscsi_sess_stats/conn_timeout_errors`, '7\n');
    const problems: string[] = [];
    expect(readConnectionErrors(acl, problems)).toEqual({ values: { conn_digest_errors: '0', conn_timeout_errors: '7' }, noSession: false });
    delete spec.targets[0]!.acls[0]!.session;
    writeSessions(root, spec);
    expect(readConnectionErrors(acl, problems)).toEqual({ values: { conn_digest_errors: null, conn_timeout_errors: null }, noSession: true });
    expect(problems).toEqual([]);
  });

  it('empty counters of an initiator whose info says it is logged in: a problem, not "no session"', () => {
    const { acl } = seed();
    writeFileSync(`${acl}/fabric_statistics/iscsi_sess_stats/conn_digest_errors`, '');
    const problems: string[] = [];
    expect(readConnectionErrors(acl, problems)).toEqual({ values: { conn_digest_errors: null, conn_timeout_errors: '0' }, noSession: false });
    expect(problems).toEqual([`${acl}/fabric_statistics/iscsi_sess_stats/conn_digest_errors is empty`]);
  });
});

describe('demo mode', () => {
  it('generate_node_acls and the dynamic sessions, NUL after each name as the kernel counts it', () => {
    const root = `${tempDir()}/target`;
    const spec: LioSpec = {
      targets: [{ fabric: 'iscsi', wwn: WWN, tpgt: 1, luns: [0], acls: [], demoMode: { dynamicSessions: ['iqn.1994-05.com.redhat:a', 'iqn.1994-05.com.redhat:b'] } }],
    };
    buildLioTree(root, spec);
    const tpg = tpgPath(root, spec.targets[0]!);
    expect(isDemoMode(tpg)).toBe(true);
    const problems: string[] = [];
    expect(readDynamicSessions(tpg, problems)).toEqual(['iqn.1994-05.com.redhat:a', 'iqn.1994-05.com.redhat:b']);
    expect(readIscsiTargetStatistics(`${root}/iscsi/${WWN}`).sessions).toBe('2');
    spec.targets[0]!.demoMode!.dynamicSessions = [];
    writeSessions(root, spec);
    expect(readDynamicSessions(tpg, problems)).toEqual([]);
    expect(problems).toEqual([]);
    mkdirSync(`${root}/x`);
    expect(isDemoMode(`${root}/x`)).toBe(false);
  });
});
