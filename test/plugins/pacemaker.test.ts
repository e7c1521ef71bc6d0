// The pacemaker plugin, built, through Debian's real munin-run (as nobody, MUNIN_CAP_MULTIGRAPH=1),
// reading cluster states that the real crm_simulate, crm_attribute and cibadmin made (no cluster
// running) through the real crm_mon with env.CIB_file. Every value is checked.
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { hangingDrbdsetup, script, writableDir } from '../support/fake-drbdsetup.js';
import { muninRun, parseFields } from '../support/munin-run.js';
import { ClusterStates, crmMon } from '../support/pacemaker.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-munin-pacemaker-');
const states = new ClusterStates(dir);
const AFTER = '2026-01-01 00:05:00';

beforeAll(() => {
  states.healthy();
  // node1 lost (no fencing configured: it counts as cleanly down), g_tgt started on node2.
  states.simulate('healthy', 'failover', ['--node-fail', 'node1'], AFTER);
  // p_target's monitor finds it not running on node1: fail count 1, recovered in place.
  states.simulate('healthy', 'failed-monitor', ['--op-inject', 'p_target_monitor_10000@node1=7'], AFTER);
  // The failover, and p_target's start on node2 fails: g_tgt does not run anywhere.
  states.simulate('healthy', 'failed-start', ['--node-fail', 'node1', '--op-fail', 'p_target_start_0@node2=1'], AFTER);
  states.edit('healthy', 'standby', 'crm_attribute', ['--node', 'node1', '--name', 'standby', '--update', 'on']);
  states.edit('healthy', 'maintenance', 'crm_attribute', ['--node', 'node2', '--name', 'maintenance', '--update', 'on']);
  // crm_simulate 2.1.5's --quorum false leaves have-quorum as it was; cibadmin sets it.
  states.edit('healthy', 'no-quorum', 'cibadmin', ['--modify', '--xml-text', '<cib have-quorum="0"/>']);
  // With fencing enabled, a lost node is unclean until fenced, and its resources stay there.
  states.edit('healthy', 'fencing', 'crm_attribute', ['--type', 'crm_config', '--name', 'stonith-enabled', '--update', 'true']);
  states.simulate('fencing', 'unclean', ['--node-fail', 'node1'], AFTER);
  // g_tgt stopped on purpose.
  states.edit('healthy', 'disabled', 'crm_resource', ['--resource', 'g_tgt', '--meta', '--set-parameter', 'target-role', '--parameter-value', 'Stopped']);
}, 120_000);

let stateCount = 0;
const env = (state: string, extra: Record<string, string> = {}) => ({ CIB_file: states.path(state), MUNIN_PLUGSTATE: writableDir(`${dir}/plugstate-${++stateCount}`), ...extra });
const fetch = (e: Record<string, string>) => muninRun(dir, 'pacemaker', undefined, e, { MUNIN_CAP_MULTIGRAPH: '1' });
const config = (e: Record<string, string>) => muninRun(dir, 'pacemaker', 'config', e, { MUNIN_CAP_MULTIGRAPH: '1' });

/** The fetch output for node flags [online, unclean, standby, maintenance] per node, and so on. */
function fetchText(v: { quorum: string; node1: string[]; node2: string[]; running: [string, string]; tgt: [string, string]; ping: [string, string]; tgtFail: [string, string, string]; pingFail?: [string, string, string] }): string {
  const kinds = ['online', 'unclean', 'standby', 'maintenance'];
  const pingFail = v.pingFail ?? ['0', '0', '0'];
  return [
    'multigraph pacemaker',
    `quorum.value ${v.quorum}`,
    ...kinds.map((k, i) => `node_node1_${k}.value ${v.node1[i]}`),
    ...kinds.map((k, i) => `node_node2_${k}.value ${v.node2[i]}`),
    `rsc_g_tgt_running.value ${v.running[0]}`,
    `rsc_cl_ping_running.value ${v.running[1]}`,
    'multigraph pacemaker.location',
    `rsc_g_tgt_on_node1.value ${v.tgt[0]}`,
    `rsc_g_tgt_on_node2.value ${v.tgt[1]}`,
    `rsc_cl_ping_on_node1.value ${v.ping[0]}`,
    `rsc_cl_ping_on_node2.value ${v.ping[1]}`,
    'multigraph pacemaker.failures',
    `rsc_g_tgt_failcount_node1.value ${v.tgtFail[0]}`,
    `rsc_g_tgt_failcount_node2.value ${v.tgtFail[1]}`,
    `rsc_g_tgt_failed.value ${v.tgtFail[2]}`,
    `rsc_cl_ping_failcount_node1.value ${pingFail[0]}`,
    `rsc_cl_ping_failcount_node2.value ${pingFail[1]}`,
    `rsc_cl_ping_failed.value ${pingFail[2]}`,
    '',
  ].join('\n');
}

const UP = ['1', '0', '0', '0'];
const OFFLINE = ['0', '0', '0', '0'];

describe('pacemaker: cluster states from crm_simulate, read by crm_mon', () => {
  it('healthy: both nodes online, quorum, g_tgt on node1, cl_ping on both, no failures', () => {
    expect(fetch(env('healthy'))).toEqual({
      stdout: fetchText({ quorum: '1', node1: UP, node2: UP, running: ['1', '1'], tgt: ['1', '0'], ping: ['1', '1'], tgtFail: ['0', '0', '0'] }),
      stderr: '',
      status: 0,
    });
  });

  it('node1 failed: offline, g_tgt on node2 (a step in the location graph), the clone on node2 only', () => {
    expect(fetch(env('failover'))).toEqual({
      stdout: fetchText({ quorum: '1', node1: OFFLINE, node2: UP, running: ['1', '1'], tgt: ['0', '1'], ping: ['0', '1'], tgtFail: ['0', '0', '0'] }),
      stderr: '',
      status: 0,
    });
  });

  it('a failed monitor: fail count 1 on node1 and one failed action, g_tgt still running on node1', () => {
    const e = env('failed-monitor');
    expect(fetch(e)).toEqual({
      stdout: fetchText({ quorum: '1', node1: UP, node2: UP, running: ['1', '1'], tgt: ['1', '0'], ping: ['1', '1'], tgtFail: ['1', '0', '1'] }),
      stderr: '',
      status: 0,
    });
    const fields = parseFields(config(e).stdout);
    expect(fields.get('rsc_g_tgt_failcount_node1')).toMatchObject({ warning: ':0', extinfo: 'p_target fail-count 1 on node1, last failure Thu Jan 1 00:05:00 2026' });
    expect(fields.get('rsc_g_tgt_failed')!.extinfo).toBe('p_target_monitor_10000 on node1: not running (Simulated action result) interval 10000, at 2026-01-01 00:05:00Z');
  });

  it('a failed start after the failover: g_tgt not running (critical), its failure in the extinfo', () => {
    const e = env('failed-start');
    expect(fetch(e)).toEqual({
      stdout: fetchText({ quorum: '1', node1: OFFLINE, node2: UP, running: ['0', '1'], tgt: ['0', '1'], ping: ['0', '1'], tgtFail: ['0', '1', '1'] }),
      stderr: '',
      status: 0,
    });
    expect(parseFields(config(e).stdout).get('rsc_g_tgt_running')).toEqual({
      label: 'g_tgt running',
      info: '1 running as it should (a group: all of its primitives; a clone: an instance, the promoted one if promotable), 0 stopped or failed: critical, unless disabled on purpose (target-role Stopped).',
      type: 'GAUGE',
      min: '0',
      critical: '1:',
      extinfo: 'group g_tgt: p_ip Started on node2; p_target Started on node2 (FAILED); failed: p_target_start_0 on node2: error (User-injected result), at 2026-01-01 00:05:00Z',
    });
  });

  it('node1 in standby: flagged, g_tgt moved to node2', () => {
    expect(fetch(env('standby'))).toEqual({
      stdout: fetchText({ quorum: '1', node1: ['1', '0', '1', '0'], node2: UP, running: ['1', '1'], tgt: ['0', '1'], ping: ['0', '1'], tgtFail: ['0', '0', '0'] }),
      stderr: '',
      status: 0,
    });
  });

  it('node2 in maintenance: flagged, nothing moves', () => {
    expect(fetch(env('maintenance'))).toEqual({
      stdout: fetchText({ quorum: '1', node1: UP, node2: ['1', '0', '0', '1'], running: ['1', '1'], tgt: ['1', '0'], ping: ['1', '1'], tgtFail: ['0', '0', '0'] }),
      stderr: '',
      status: 0,
    });
  });

  it('no quorum: quorum 0, and with no-quorum-policy stop nothing runs', () => {
    expect(fetch(env('no-quorum'))).toEqual({
      stdout: fetchText({ quorum: '0', node1: UP, node2: UP, running: ['0', '0'], tgt: ['0', '0'], ping: ['0', '0'], tgtFail: ['0', '0', '0'] }),
      stderr: '',
      status: 0,
    });
  });

  it('node1 lost with fencing on: offline and unclean, its resources still shown there', () => {
    const e = env('unclean');
    expect(fetch(e)).toEqual({
      stdout: fetchText({ quorum: '1', node1: ['0', '1', '0', '0'], node2: UP, running: ['1', '1'], tgt: ['1', '0'], ping: ['1', '1'], tgtFail: ['0', '0', '0'] }),
      stderr: '',
      status: 0,
    });
    expect(parseFields(config(e).stdout).get('node_node1_unclean')).toMatchObject({ critical: ':0', extinfo: 'node1: OFFLINE, UNCLEAN' });
  });

  it('g_tgt disabled on purpose (target-role Stopped): not running, and no critical range for it', () => {
    const e = env('disabled');
    expect(fetch(e).stdout).toBe(fetchText({ quorum: '1', node1: UP, node2: UP, running: ['0', '1'], tgt: ['0', '0'], ping: ['1', '1'], tgtFail: ['0', '0', '0'] }));
    expect(parseFields(config(e).stdout).get('rsc_g_tgt_running')).toMatchObject({
      extinfo: 'group g_tgt (disabled): p_ip Stopped target-role Stopped; p_target Stopped target-role Stopped',
    });
    expect(parseFields(config(e).stdout).get('rsc_g_tgt_running')!.critical).toBeUndefined();
  });

  it('config: the default ranges, env.preferred_node, and the extinfo of each kind', () => {
    const run = config(env('failover', { preferred_node: 'node1', standby_warning: 'off', rsc_g_tgt_failcount_node1_warning: '3' }));
    expect(run.stderr).toBe('');
    const fields = parseFields(run.stdout);
    const ranges = Object.fromEntries([...fields].map(([name, f]) => [name, `${f.warning ?? '-'} ${f.critical ?? '-'}`]));
    expect(ranges).toEqual({
      quorum: '- 1:',
      node_node1_online: '- 1:',
      node_node1_unclean: '- :0',
      node_node1_standby: '- -',
      node_node1_maintenance: ':0 -',
      node_node2_online: '- 1:',
      node_node2_unclean: '- :0',
      node_node2_standby: '- -',
      node_node2_maintenance: ':0 -',
      rsc_g_tgt_running: '- 1:',
      rsc_cl_ping_running: '- 1:',
      rsc_g_tgt_on_node1: '- -',
      rsc_g_tgt_on_node2: ':0 -',
      // A plain clone runs everywhere: no preferred node for it.
      rsc_cl_ping_on_node1: '- -',
      rsc_cl_ping_on_node2: '- -',
      rsc_g_tgt_failcount_node1: '3 -',
      rsc_g_tgt_failcount_node2: ':0 -',
      rsc_g_tgt_failed: '- -',
      rsc_cl_ping_failcount_node1: ':0 -',
      rsc_cl_ping_failcount_node2: ':0 -',
      rsc_cl_ping_failed: '- -',
    });
    expect(fields.get('quorum')!.extinfo).toBe('partition with quorum, DC node2');
    expect(fields.get('node_node1_online')!.extinfo).toBe('node1: OFFLINE');
    expect(fields.get('node_node2_online')!.extinfo).toBe('node2: online, DC');
    expect(fields.get('rsc_g_tgt_on_node2')).toMatchObject({
      label: 'g_tgt on node2',
      extinfo: 'g_tgt runs on node2 (preferred node node1); group g_tgt: p_ip Started on node2; p_target Started on node2',
    });
    expect(fields.get('rsc_cl_ping_running')!.extinfo).toBe('clone cl_ping: p_ping Started on node2, Stopped');
  });

  it('field names stay when resources move, and known resources keep their fields when they go', () => {
    const state = writableDir(`${dir}/plugstate-moves`);
    const healthy = fetch({ CIB_file: states.path('healthy'), MUNIN_PLUGSTATE: state });
    const moved = fetch({ CIB_file: states.path('failover'), MUNIN_PLUGSTATE: state });
    const names = (text: string) => text.split('\n').map((l) => l.split(' ')[0]);
    expect(names(moved.stdout)).toEqual(names(healthy.stdout));
    expect(JSON.parse(readFileSync(`${state}/lio-munin-pacemaker.json`, 'utf8'))).toEqual({ nodes: ['node1', 'node2'], resources: ['g_tgt', 'cl_ping'], promotable: [] });
    // A cluster without g_tgt (deleted from the configuration): its fields stay, not running.
    states.edit('healthy', 'no-loc', 'cibadmin', ['--delete', '--xml-text', '<rsc_location id="loc-g_tgt"/>']);
    states.edit('no-loc', 'no-g_tgt', 'cibadmin', ['--delete', '--xml-text', '<group id="g_tgt"/>']);
    const gone = fetch({ CIB_file: states.path('no-g_tgt'), MUNIN_PLUGSTATE: state });
    expect(gone.stdout).toBe(fetchText({ quorum: '1', node1: UP, node2: UP, running: ['0', '1'], tgt: ['0', '0'], ping: ['1', '1'], tgtFail: ['0', '0', '0'] }));
    expect(parseFields(config({ CIB_file: states.path('no-g_tgt'), MUNIN_PLUGSTATE: state }).stdout).get('rsc_g_tgt_running')!.extinfo).toBe(
      'g_tgt is not in the cluster configuration now (it was before); remove lio-munin-pacemaker.json from the plugin state directory if it was removed on purpose',
    );
  });

  it('with NODE_PENDING_DEPRECATION=1 (process.binding would print a warning): crm_mon run through child_process, the same output', () => {
    const plain = fetch(env('failed-monitor'));
    expect(fetch(env('failed-monitor', { NODE_PENDING_DEPRECATION: '1' }))).toEqual(plain);
    expect(config(env('failed-monitor', { NODE_PENDING_DEPRECATION: '1' }))).toEqual(config(env('failed-monitor')));
    expect(plain.stdout).toContain('rsc_g_tgt_failed.value 1');
  });

  it('autoconf: yes where crm_mon gives a state', () => {
    expect(muninRun(dir, 'pacemaker', 'autoconf', env('healthy'))).toEqual({ stdout: 'yes\n', stderr: '', status: 0 });
  });

  it('the states are what crm_mon prints: g_tgt on node2 after the failover', () => {
    expect(crmMon(states.path('failover'))).toContain('<node name="node1" id="1" online="false"');
  });
});

describe('pacemaker: crm_mon missing, hanging, failing or printing what it should not', () => {
  const fakes = writableDir(`${dir}/fakes`);
  const stateDir = () => writableDir(`${dir}/plugstate-bad-${++stateCount}`);

  it('crm_mon missing: autoconf says so; no fields, no stderr line (no Pacemaker here)', () => {
    const e = { crm_mon: `${dir}/no-such-crm_mon`, MUNIN_PLUGSTATE: stateDir() };
    expect(muninRun(dir, 'pacemaker', 'autoconf', e)).toEqual({ stdout: 'no (crm_mon not found: no Pacemaker here)\n', stderr: '', status: 0 });
    expect(fetch(e)).toEqual({ stdout: '', stderr: '', status: 0 });
  });

  it('no cluster running: the real crm_mon exits 102; autoconf gives its reason', () => {
    const run = muninRun(dir, 'pacemaker', 'autoconf', { MUNIN_PLUGSTATE: stateDir() });
    expect(run).toEqual({
      stdout: 'no (/usr/sbin/crm_mon --output-as=xml --exclude=operations exited with 102: Not connected: error: Could not connect to launcher: Connection refused; crm_mon: Connection to cluster failed: Connection refused)\n',
      stderr: '',
      status: 0,
    });
  });

  it('after a good run: hanging (killed after env.crm_mon_timeout), non-zero, or unexpected XML give U and one stderr line', () => {
    const state = stateDir();
    const good = fetch({ CIB_file: states.path('healthy'), MUNIN_PLUGSTATE: state });
    expect(good.status).toBe(0);
    const allU = good.stdout.replace(/\.value \d+$/gm, '.value U');
    const pidFile = `${fakes}/hang.pid`;
    writeFileSync(`${states.path('healthy')}.mon`, crmMon(states.path('healthy')));
    const cases: Array<[string, string]> = [
      [hangingDrbdsetup(fakes, 'crm_mon-hang', pidFile), `pacemaker: ${fakes}/crm_mon-hang --output-as=xml --exclude=operations did not finish within 1 s and was killed; the values are U`],
      [script(fakes, 'crm_mon-fail', "echo 'crm_mon: Connection to cluster failed: Transport endpoint is not connected' >&2\nexit 102"), `pacemaker: ${fakes}/crm_mon-fail --output-as=xml --exclude=operations exited with 102: crm_mon: Connection to cluster failed: Transport endpoint is not connected; the values are U`],
      [script(fakes, 'crm_mon-html', "echo '<html><body>502 Bad Gateway</body></html>'"), `pacemaker: ${fakes}/crm_mon-html printed what is not crm_mon's XML status: the root element is <html>, not <pacemaker-result> or <crm_mon>; the values are U`],
      [script(fakes, 'crm_mon-cut', `head -c 900 '${states.path('healthy')}.mon'`), `pacemaker: ${fakes}/crm_mon-cut printed what is not crm_mon's XML status: not well-formed XML at offset 664; the values are U`],
      [script(fakes, 'crm_mon-odd', `sed 's/online="true"/online="maybe"/' '${states.path('healthy')}.mon'`), ''],
    ];
    for (const [crm_mon, line] of cases.slice(0, 4)) {
      expect(fetch({ crm_mon, crm_mon_timeout: '1', MUNIN_PLUGSTATE: state })).toEqual({ stdout: allU, stderr: line + '\n', status: 0 });
    }
    // A value crm_mon should not print: that node's flags are U, the rest as read.
    const odd = fetch({ crm_mon: cases[4]![0], MUNIN_PLUGSTATE: state });
    expect(odd.stderr).toBe(
      "pacemaker: crm_mon's node node1: online=maybe: a flag that is neither true nor false: its field is U\npacemaker: crm_mon's node node2: online=maybe, DC: a flag that is neither true nor false: its field is U\n",
    );
    expect(odd.stdout).toBe(good.stdout.replace(/^(node_node\d_online\.value) 1$/gm, '$1 U'));
  });
});
