// lio_sessions and lio_iscsi_errors through Debian's real munin-run, against configfs trees built
// as the kernel prints them (test/support/lio-tree.ts): exact output, alert settings, and bad input.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildLioTree, setLoginStats, tpgPath, writeSessions, type LioSpec } from '../support/lio-tree.js';
import { DIST_PLUGINS, muninRun, parseFields } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';

const TGT = 'iqn.2016-09.com.example:tgt';
const DEMO = 'iqn.2016-09.com.example:demo';

/**
 * Target tgt: tpgt_1 with host-a (logged in) and host-b (not), tpgt_2 with host-c (logged in over
 * IPv6); target demo in demo mode with one initiator logged in without an ACL; a loopback target,
 * which has no iSCSI statistics.
 */
function spec(): LioSpec {
  return {
    targets: [
      { fabric: 'iscsi', wwn: TGT, tpgt: 1, luns: [0], acls: [
        { initiator: 'iqn.1994-05.com.redhat:host-a', mappedLuns: [0], session: { address: '192.168.1.21' } },
        { initiator: 'iqn.1994-05.com.redhat:host-b', mappedLuns: [0] },
      ] },
      { fabric: 'iscsi', wwn: TGT, tpgt: 2, luns: [0], acls: [{ initiator: 'iqn.1994-05.com.redhat:host-c', mappedLuns: [0], session: { address: 'fd00::23' } }] },
      { fabric: 'iscsi', wwn: DEMO, tpgt: 1, luns: [0], acls: [], demoMode: { dynamicSessions: ['iqn.1994-05.com.redhat:laptop'] } },
      { fabric: 'loopback', wwn: 'naa.5001405a1b2c3d4e', tpgt: 1, luns: [0], acls: [] },
    ],
  };
}

let dir: string;
let root: string;
let tree: LioSpec;
const env = (extra: Record<string, string> = {}) => ({ target_root: root, TZ: 'UTC', ...extra });

beforeEach(() => {
  dir = tempDir('lio-munin-iscsi-');
  root = `${dir}/target`;
  tree = spec();
  buildLioTree(root, tree);
});

const SESSIONS_CONFIG = `multigraph lio_sessions
graph_title iSCSI sessions per target
graph_category san
graph_info The sessions logged in to each iSCSI target (fabric_statistics/iscsi_instance/sessions under ROOT/iscsi). A minimum per target is set with env.TARGET_critical; each target's page shows which initiators are logged in.
graph_vlabel sessions
graph_args --lower-limit 0
graph_scale no
graph_printf %3.0lf
iqn2016_09comexampledemo.label demo
iqn2016_09comexampledemo.info Sessions logged in to iqn.2016-09.com.example:demo.
iqn2016_09comexampledemo.type GAUGE
iqn2016_09comexampledemo.min 0
iqn2016_09comexampledemo.extinfo without an ACL: laptop
iqn2016_09comexampletgt.label tgt
iqn2016_09comexampletgt.info Sessions logged in to iqn.2016-09.com.example:tgt.
iqn2016_09comexampletgt.type GAUGE
iqn2016_09comexampletgt.min 0
iqn2016_09comexampletgt.extinfo logged in: host-a, host-c; not logged in: host-b
multigraph lio_sessions.demo
graph_title iSCSI initiators of demo
graph_category san
graph_info 1 where an initiator with an ACL on iqn.2016-09.com.example:demo is logged in, 0 where not (from acls/INITIATOR/info); in demo mode (generate_node_acls), the number of initiators logged in without an ACL (dynamic_sessions).
graph_vlabel 1 logged in, 0 not
graph_args --lower-limit -0.1 --upper-limit 1.1 --rigid --y-grid 1:1
graph_scale no
graph_printf %3.0lf
dynamic.label without an ACL
dynamic.info Initiators logged in to iqn.2016-09.com.example:demo tpgt_1 through dynamic ACLs (demo mode, generate_node_acls 1).
dynamic.type GAUGE
dynamic.min 0
dynamic.extinfo logged in: iqn.1994-05.com.redhat:laptop
multigraph lio_sessions.tgt
graph_title iSCSI initiators of tgt
graph_category san
graph_info 1 where an initiator with an ACL on iqn.2016-09.com.example:tgt is logged in, 0 where not (from acls/INITIATOR/info); in demo mode (generate_node_acls), the number of initiators logged in without an ACL (dynamic_sessions).
graph_vlabel 1 logged in, 0 not
graph_args --lower-limit -0.1 --upper-limit 1.1 --rigid --y-grid 1:1
graph_scale no
graph_printf %3.0lf
iqn1994_05comredhathost_a.label host-a
iqn1994_05comredhathost_a.info 1 where iqn.1994-05.com.redhat:host-a is logged in to iqn.2016-09.com.example:tgt tpgt_1, 0 where not.
iqn1994_05comredhathost_a.type GAUGE
iqn1994_05comredhathost_a.min 0
iqn1994_05comredhathost_a.max 1
iqn1994_05comredhathost_a.warning 1:
iqn1994_05comredhathost_a.extinfo iqn.1994-05.com.redhat:host-a: logged in from 192.168.1.21
iqn1994_05comredhathost_b.label host-b
iqn1994_05comredhathost_b.info 1 where iqn.1994-05.com.redhat:host-b is logged in to iqn.2016-09.com.example:tgt tpgt_1, 0 where not.
iqn1994_05comredhathost_b.type GAUGE
iqn1994_05comredhathost_b.min 0
iqn1994_05comredhathost_b.max 1
iqn1994_05comredhathost_b.warning 1:
iqn1994_05comredhathost_b.extinfo iqn.1994-05.com.redhat:host-b: no active iSCSI session
iqn1994_05comredhathost_ctpgt_2.label host-c tpgt_2
iqn1994_05comredhathost_ctpgt_2.info 1 where iqn.1994-05.com.redhat:host-c is logged in to iqn.2016-09.com.example:tgt tpgt_2, 0 where not.
iqn1994_05comredhathost_ctpgt_2.type GAUGE
iqn1994_05comredhathost_ctpgt_2.min 0
iqn1994_05comredhathost_ctpgt_2.max 1
iqn1994_05comredhathost_ctpgt_2.warning 1:
iqn1994_05comredhathost_ctpgt_2.extinfo iqn.1994-05.com.redhat:host-c: logged in from fd00::23
`;

const SESSIONS_FETCH = `multigraph lio_sessions
iqn2016_09comexampledemo.value 1
iqn2016_09comexampletgt.value 2
multigraph lio_sessions.demo
dynamic.value 1
multigraph lio_sessions.tgt
iqn1994_05comredhathost_a.value 1
iqn1994_05comredhathost_b.value 0
iqn1994_05comredhathost_ctpgt_2.value 1
`;

describe('lio_sessions', () => {
  it('config and fetch: sessions per iSCSI target, each ACL logged in or not, demo-mode sessions; loopback left out', () => {
    expect(muninRun(dir, 'lio_sessions', 'config', env())).toEqual({ stdout: SESSIONS_CONFIG.replace('ROOT', root), stderr: '', status: 0 });
    expect(muninRun(dir, 'lio_sessions', undefined, env())).toEqual({ stdout: SESSIONS_FETCH, stderr: '', status: 0 });
  });

  it('a logout and a login change values, never names', () => {
    tree.targets[0]!.acls[0]!.session = undefined;
    tree.targets[0]!.acls[1]!.session = { address: '192.168.1.22' };
    writeSessions(root, tree);
    const fetch = muninRun(dir, 'lio_sessions', undefined, env()).stdout;
    expect(fetch).toBe(SESSIONS_FETCH.replace('host_a.value 1', 'host_a.value 0').replace('host_b.value 0', 'host_b.value 1'));
    const config = parseFields(muninRun(dir, 'lio_sessions', 'config', env()).stdout);
    expect(config.get('iqn1994_05comredhathost_b')!.extinfo).toBe('iqn.1994-05.com.redhat:host-b: logged in from 192.168.1.22');
    expect(config.get('iqn2016_09comexampletgt')!.extinfo).toBe('logged in: host-b, host-c; not logged in: host-a');
  });

  it('ranges from plugin-conf.d: a minimum for every target, one for a target, the initiator alert off everywhere or for one', () => {
    const config = parseFields(
      muninRun(dir, 'lio_sessions', 'config', env({
        sessions_critical: '1:',
        iqn2016_09comexampletgt_critical: '3:',
        iqn1994_05comredhathost_b_warning: 'off',
      })).stdout,
    );
    expect(config.get('iqn2016_09comexampledemo')!.critical).toBe('1:');
    expect(config.get('iqn2016_09comexampletgt')!.critical).toBe('3:');
    expect(config.get('iqn1994_05comredhathost_a')!.warning).toBe('1:');
    expect(config.get('iqn1994_05comredhathost_b')!.warning).toBeUndefined();
    const off = parseFields(muninRun(dir, 'lio_sessions', 'config', env({ loggedin_warning: 'off' })).stdout);
    expect([...off.values()].filter((f) => f.warning !== undefined)).toEqual([]);
  });

  it('without multigraph (a master older than Munin 1.4), the overview only, without its multigraph line', () => {
    const run = spawnSync(`${DIST_PLUGINS}/lio_sessions`, [], { encoding: 'utf8', env: { PATH: process.env.PATH, target_root: root } });
    expect(run.stdout).toBe('iqn2016_09comexampledemo.value 1\niqn2016_09comexampletgt.value 2\n');
    expect(run.status).toBe(0);
  });
});

describe('autoconf', () => {
  for (const plugin of ['lio_sessions', 'lio_iscsi_errors']) {
    it(`${plugin}: yes with an iSCSI target, no with the reason otherwise`, () => {
      expect(muninRun(dir, plugin, 'autoconf', env()).stdout).toBe('yes\n');
      expect(muninRun(dir, plugin, 'autoconf', env({ target_root: `${dir}/none` })).stdout).toBe(`no (${dir}/none not found: target_core_mod not loaded or configfs not mounted)\n`);
      rmSync(`${root}/iscsi/${DEMO}/fabric_statistics`, { recursive: true });
      rmSync(`${root}/iscsi/${TGT}/fabric_statistics`, { recursive: true });
      expect(muninRun(dir, plugin, 'autoconf', env()).stdout).toBe(`no (the iSCSI targets under ${root}/iscsi have no fabric_statistics (a kernel without the iSCSI statistics))\n`);
      rmSync(`${root}/iscsi`, { recursive: true });
      expect(muninRun(dir, plugin, 'autoconf', env())).toEqual({ stdout: `no (no iSCSI target under ${root}/iscsi)\n`, stderr: '', status: 0 });
    });
  }
});

const ERRORS_FETCH = `multigraph lio_iscsi_errors
iqn2016_09comexampledemo_logins.value 1
iqn2016_09comexampledemo_login_fails.value 0
iqn2016_09comexampledemo_abnormal_logouts.value 0
iqn2016_09comexampledemo_session_errors.value 0
iqn2016_09comexampletgt_logins.value 41
iqn2016_09comexampletgt_login_fails.value 10
iqn2016_09comexampletgt_abnormal_logouts.value 2
iqn2016_09comexampletgt_session_errors.value 6
multigraph lio_iscsi_errors.demo
accepts.value 1
authorize_fails.value 0
authenticate_fails.value 0
negotiate_fails.value 0
other_fails.value 0
redirects.value 0
normal_logouts.value 0
abnormal_logouts.value 0
digest_errors.value 0
cxn_errors.value 0
format_errors.value 0
multigraph lio_iscsi_errors.tgt
accepts.value 41
authorize_fails.value 1
authenticate_fails.value 7
negotiate_fails.value 2
other_fails.value 0
redirects.value 3
normal_logouts.value 30
abnormal_logouts.value 2
digest_errors.value 1
cxn_errors.value 4
format_errors.value 1
iqn1994_05comredhathost_a_digest.value 0
iqn1994_05comredhathost_a_timeout.value 5
iqn1994_05comredhathost_b_digest.value 0
iqn1994_05comredhathost_b_timeout.value 0
iqn1994_05comredhathost_ctpgt_2_digest.value 0
iqn1994_05comredhathost_ctpgt_2_timeout.value 0
`;

describe('lio_iscsi_errors', () => {
  function failures(): void {
    setLoginStats(root, TGT, {
      accepts: 41, authorize_fails: 1, authenticate_fails: 7, negotiate_fails: 2, other_fails: 0, redirects: 3,
      normal_logouts: 30, abnormal_logouts: 2, digest_errors: 1, cxn_errors: 4, format_errors: 1,
      lastFailure: { initiator: 'iqn.1994-05.com.redhat:intruder', address: '192.168.1.99', type: 5, centisecondsSinceBoot: 360_000 },
    });
    writeFileSync(`${tpgPath(root, tree.targets[0]!)}/acls/iqn.1994-05.com.redhat:host-a/fabric_statistics/iscsi_sess_stats/conn_timeout_errors`, '5\n');
  }

  it('fetch: the overview sums per target, every counter per target, connection errors per initiator (0 without a session)', () => {
    failures();
    expect(muninRun(dir, 'lio_iscsi_errors', undefined, env())).toEqual({ stdout: ERRORS_FETCH, stderr: '', status: 0 });
  });

  it('config: failure and error fields warn above 0; the login failures name the last failed initiator, its address, the kind and when', () => {
    failures();
    // Booted 2026-11-30 00:00:00 UTC if /proc/uptime says 7200 s now; the failure was 3600 s after boot.
    const uptime = `${dir}/uptime`;
    const now = Date.now() / 1000;
    writeFileSync(uptime, `${(now - Date.UTC(2026, 10, 30) / 1000).toFixed(2)} 12345.67\n`);
    const run = muninRun(dir, 'lio_iscsi_errors', 'config', env({ proc_uptime: uptime }));
    expect(run.stderr).toBe('');
    const tgt = run.stdout.slice(run.stdout.indexOf('multigraph lio_iscsi_errors.tgt'));
    const fields = parseFields(tgt);
    const warned = [...fields].filter(([, f]) => f.warning === ':0').map(([name]) => name);
    expect(warned).toEqual([
      'authorize_fails', 'authenticate_fails', 'negotiate_fails', 'other_fails', 'abnormal_logouts', 'digest_errors', 'cxn_errors', 'format_errors',
      'iqn1994_05comredhathost_a_digest', 'iqn1994_05comredhathost_a_timeout', 'iqn1994_05comredhathost_b_digest', 'iqn1994_05comredhathost_b_timeout',
      'iqn1994_05comredhathost_ctpgt_2_digest', 'iqn1994_05comredhathost_ctpgt_2_timeout',
    ]);
    const extinfo = fields.get('authenticate_fails')!.extinfo!;
    expect(extinfo).toMatch(/^last failed login: iqn\.1994-05\.com\.redhat:intruder from 192\.168\.1\.99, authentication failure, at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000$/);
    // The clock moves between writing the uptime and the plugin reading it (seconds, on a busy machine).
    const at = Date.parse(extinfo.slice(-25, -6).replace(' ', 'T') + 'Z');
    expect(Math.abs(at - Date.UTC(2026, 10, 30, 1))).toBeLessThan(30_000);
    expect(fields.get('authenticate_fails')!.label).toBe('tgt login authentication failures');
    expect(fields.get('accepts')).toEqual({ label: 'tgt logins accepted', info: 'Logins accepted (iscsi_login_stats/accepts).', type: 'DERIVE', min: '0' });
    const overview = parseFields(run.stdout.slice(0, run.stdout.indexOf('multigraph lio_iscsi_errors.demo')));
    expect([...overview.values()].filter((f) => f.warning !== undefined || f.critical !== undefined)).toEqual([]);
    expect(run.stdout).toContain('graph_period minute\n');
  });

  it('ranges from plugin-conf.d: a kind off everywhere, one target\'s field, one initiator\'s', () => {
    const run = muninRun(dir, 'lio_iscsi_errors', 'config', env({
      negotiate_fails_warning: 'off',
      tgt_authenticate_fails_warning: ':0.1',
      tgt_iqn1994_05comredhathost_a_timeout_critical: ':1',
    }));
    const tgt = parseFields(run.stdout.slice(run.stdout.indexOf('multigraph lio_iscsi_errors.tgt')));
    const demo = parseFields(run.stdout.slice(run.stdout.indexOf('multigraph lio_iscsi_errors.demo'), run.stdout.indexOf('multigraph lio_iscsi_errors.tgt')));
    expect(tgt.get('negotiate_fails')!.warning).toBeUndefined();
    expect(tgt.get('authenticate_fails')!.warning).toBe(':0.1');
    expect(demo.get('authenticate_fails')!.warning).toBe(':0');
    expect(tgt.get('iqn1994_05comredhathost_a_timeout')).toMatchObject({ warning: ':0', critical: ':1' });
    expect(tgt.get('iqn1994_05comredhathost_ctpgt_2_timeout')!.critical).toBeUndefined();
  });

  it('no failure yet: the extinfo says so', () => {
    const fields = parseFields(muninRun(dir, 'lio_iscsi_errors', 'config', env()).stdout);
    expect(fields.get('other_fails')!.extinfo).toBe('no failed login since the iSCSI target module was loaded');
  });
});

describe('bad input', () => {
  it('an empty read and an unreadable info file: U for those fields, one line each on stderr, the rest as read', () => {
    const tpg = tpgPath(root, tree.targets[0]!);
    writeFileSync(`${root}/iscsi/${TGT}/fabric_statistics/iscsi_instance/sessions`, '');
    rmSync(`${tpg}/acls/iqn.1994-05.com.redhat:host-a/info`);
    mkdirSync(`${tpg}/acls/iqn.1994-05.com.redhat:host-a/info`);
    const run = muninRun(dir, 'lio_sessions', undefined, env());
    expect(run.stdout).toBe(SESSIONS_FETCH.replace('tgt.value 2', 'tgt.value U').replace('host_a.value 1', 'host_a.value U'));
    expect(run.stderr).toBe(
      `lio_sessions: cannot read ${tpg}/acls/iqn.1994-05.com.redhat:host-a/info: not a regular file\n` +
        `lio_sessions: ${root}/iscsi/${TGT}/fabric_statistics/iscsi_instance/sessions is empty\n`,
    );
    expect(run.status).toBe(0);
  });

  it('one target of an older kernel without fabric_statistics: left out with one line; the other stays', () => {
    rmSync(`${root}/iscsi/${DEMO}/fabric_statistics`, { recursive: true });
    const run = muninRun(dir, 'lio_iscsi_errors', undefined, env());
    expect(run.stdout).toBe(
      'multigraph lio_iscsi_errors\n' +
        'iqn2016_09comexampletgt_logins.value 2\n' +
        'iqn2016_09comexampletgt_login_fails.value 0\n' +
        'iqn2016_09comexampletgt_abnormal_logouts.value 0\n' +
        'iqn2016_09comexampletgt_session_errors.value 0\n' +
        'multigraph lio_iscsi_errors.tgt\n' +
        TGT_ZERO,
    );
    expect(run.stderr).toBe(`lio_iscsi_errors: 1 iSCSI target(s) under ${root}/iscsi have no fabric_statistics and are left out\n`);
  });

  it('a target removed between runs or half-way (its TPG gone first, as targetcli deletes): left out without a word, the other target as before', () => {
    const withoutDemo = SESSIONS_FETCH.replace('iqn2016_09comexampledemo.value 1\n', '').replace('multigraph lio_sessions.demo\ndynamic.value 1\n', '');
    expect(muninRun(dir, 'lio_sessions', undefined, env()).stdout).toBe(SESSIONS_FETCH);
    rmSync(`${root}/iscsi/${DEMO}/tpgt_1`, { recursive: true });
    for (const plugin of ['lio_sessions', 'lio_iscsi_errors']) {
      const run = muninRun(dir, plugin, undefined, env());
      expect({ stderr: run.stderr, status: run.status, demo: run.stdout.includes('demo') }).toEqual({ stderr: '', status: 0, demo: false });
    }
    expect(muninRun(dir, 'lio_sessions', undefined, env()).stdout).toBe(withoutDemo);
    rmSync(`${root}/iscsi/${DEMO}`, { recursive: true });
    expect(muninRun(dir, 'lio_sessions', undefined, env())).toEqual({ stdout: withoutDemo, stderr: '', status: 0 });
    expect(muninRun(dir, 'lio_sessions', 'config', env()).stdout).toBe(
      SESSIONS_CONFIG.replace('ROOT', root).replace(/^iqn2016_09comexampledemo\..*\n/gm, '').replace(/^multigraph lio_sessions\.demo\n(?:(?!multigraph).*\n)*/m, ''),
    );
  });

  it('names with odd characters make valid, distinct field names', () => {
    tree.targets[0]!.acls.push({ initiator: 'iqn.1994-05.com.redhat:host a', mappedLuns: [0], session: { address: '192.168.1.30' } });
    buildLioTree(root, tree);
    const run = muninRun(dir, 'lio_sessions', undefined, env());
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^iqn1994_05comredhathosta\.value 1$/m);
  });
});

const TGT_ZERO = `accepts.value 2
authorize_fails.value 0
authenticate_fails.value 0
negotiate_fails.value 0
other_fails.value 0
redirects.value 0
normal_logouts.value 0
abnormal_logouts.value 0
digest_errors.value 0
cxn_errors.value 0
format_errors.value 0
iqn1994_05comredhathost_a_digest.value 0
iqn1994_05comredhathost_a_timeout.value 0
iqn1994_05comredhathost_b_digest.value 0
iqn1994_05comredhathost_b_timeout.value 0
iqn1994_05comredhathost_ctpgt_2_digest.value 0
iqn1994_05comredhathost_ctpgt_2_timeout.value 0
`;
