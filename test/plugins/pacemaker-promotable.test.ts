// The pacemaker plugin on a promotable clone (ms_drbd: DRBD, Primary where promoted) with the
// target group on top, through Debian's real munin-run (as nobody, MUNIN_CAP_MULTIGRAPH=1), on
// cluster states that the real crm_simulate made and the real crm_mon reads: where the clone
// runs, where it is promoted, a failover and the switch back as steps in fields whose names stay,
// and the same output for crm_mon's older role names (Master/Slave, Pacemaker 2.0).
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { script, writableDir } from '../support/fake-drbdsetup.js';
import { muninRun, parseFields } from '../support/munin-run.js';
import { ClusterStates, crmMon, PROMOTABLE_CIB } from '../support/pacemaker.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-munin-pacemaker-promotable-');
const states = new ClusterStates(dir);
const AFTER = '2026-01-01 00:05:00';
const BACK = '2026-01-01 00:10:00';

beforeAll(() => {
  // ms_drbd promoted on node1 (its higher promotion score), unpromoted on node2; g_tgt on node1.
  states.healthy('healthy', PROMOTABLE_CIB);
  // node1 lost: ms_drbd promoted on node2, no instance on node1; g_tgt follows to node2.
  states.simulate('healthy', 'failover', ['--node-fail', 'node1'], AFTER);
  // node1 back: promoted there again (its score), unpromoted on node2; g_tgt back on node1.
  states.simulate('failover', 'switched-back', ['--node-up', 'node1'], BACK);
  // node1 lost and the promotion on node2 fails: nothing promoted runs, so g_tgt does not either.
  states.simulate('healthy', 'failed-promote', ['--node-fail', 'node1', '--op-fail', 'p_drbd_promote_0@node2=1'], AFTER);
}, 120_000);

let stateCount = 0;
const env = (state: string, extra: Record<string, string> = {}) => ({ CIB_file: states.path(state), MUNIN_PLUGSTATE: writableDir(`${dir}/plugstate-${++stateCount}`), ...extra });
const fetch = (e: Record<string, string>) => muninRun(dir, 'pacemaker', undefined, e, { MUNIN_CAP_MULTIGRAPH: '1' });
const config = (e: Record<string, string>) => muninRun(dir, 'pacemaker', 'config', e, { MUNIN_CAP_MULTIGRAPH: '1' });

/** The fetch output: nodes [online, unclean, standby, maintenance]; ms_drbd promoted and its instances per node. */
function fetchText(v: { node1: string[]; running: [string, string]; promoted: [string, string]; instance: [string, string]; tgt: [string, string]; drbdFail?: [string, string, string] }): string {
  const kinds = ['online', 'unclean', 'standby', 'maintenance'];
  const drbdFail = v.drbdFail ?? ['0', '0', '0'];
  return [
    'multigraph pacemaker',
    'quorum.value 1',
    ...kinds.map((k, i) => `node_node1_${k}.value ${v.node1[i]}`),
    ...kinds.map((k, i) => `node_node2_${k}.value ${UP[i]}`),
    `rsc_ms_drbd_running.value ${v.running[0]}`,
    `rsc_g_tgt_running.value ${v.running[1]}`,
    'multigraph pacemaker.location',
    `rsc_ms_drbd_on_node1.value ${v.promoted[0]}`,
    `rsc_ms_drbd_on_node2.value ${v.promoted[1]}`,
    `rsc_ms_drbd_instance_on_node1.value ${v.instance[0]}`,
    `rsc_ms_drbd_instance_on_node2.value ${v.instance[1]}`,
    `rsc_g_tgt_on_node1.value ${v.tgt[0]}`,
    `rsc_g_tgt_on_node2.value ${v.tgt[1]}`,
    'multigraph pacemaker.failures',
    `rsc_ms_drbd_failcount_node1.value ${drbdFail[0]}`,
    `rsc_ms_drbd_failcount_node2.value ${drbdFail[1]}`,
    `rsc_ms_drbd_failed.value ${drbdFail[2]}`,
    'rsc_g_tgt_failcount_node1.value 0',
    'rsc_g_tgt_failcount_node2.value 0',
    'rsc_g_tgt_failed.value 0',
    '',
  ].join('\n');
}

const UP = ['1', '0', '0', '0'];
const OFFLINE = ['0', '0', '0', '0'];
const HEALTHY = fetchText({ node1: UP, running: ['1', '1'], promoted: ['1', '0'], instance: ['1', '1'], tgt: ['1', '0'] });
const FAILOVER = fetchText({ node1: OFFLINE, running: ['1', '1'], promoted: ['0', '1'], instance: ['0', '1'], tgt: ['0', '1'] });

/** The config lines of ms_drbd's location fields. */
const locationConfig = (text: string) => text.split('\n').filter((l) => /^rsc_ms_drbd_(instance_)?on_/.test(l));

/** Pacemaker 2.0's crm_mon (and 1.1's) says Master and Slave where 2.1's says Promoted and Unpromoted. */
const oldRoleNames = (text: string) => text.replace(/role="Promoted"/g, 'role="Master"').replace(/role="Unpromoted"/g, 'role="Slave"');

describe('pacemaker: a promotable clone', () => {
  it('healthy: ms_drbd runs on both nodes, promoted on node1; g_tgt on node1', () => {
    expect(fetch(env('healthy'))).toEqual({ stdout: HEALTHY, stderr: '', status: 0 });
  });

  it('node1 failed: ms_drbd promoted on node2, no instance on node1; g_tgt on node2', () => {
    expect(fetch(env('failover'))).toEqual({ stdout: FAILOVER, stderr: '', status: 0 });
  });

  it('node1 back: promoted there again, unpromoted on node2', () => {
    expect(fetch(env('switched-back'))).toEqual({ stdout: HEALTHY, stderr: '', status: 0 });
  });

  it('the promotion on node2 fails: ms_drbd and g_tgt not running (critical), the failed promote counted', () => {
    const e = env('failed-promote');
    expect(fetch(e)).toEqual({
      stdout: fetchText({ node1: OFFLINE, running: ['0', '0'], promoted: ['0', '1'], instance: ['0', '1'], tgt: ['0', '0'], drbdFail: ['0', '1', '1'] }),
      stderr: '',
      status: 0,
    });
    const fields = parseFields(config(e).stdout);
    const failure = 'p_drbd_promote_0 on node2: error (User-injected result), at 2026-01-01 00:05:00Z';
    expect(fields.get('rsc_ms_drbd_running')).toMatchObject({ critical: '1:', extinfo: `clone ms_drbd: p_drbd Promoted on node2 (FAILED), Stopped; failed: ${failure}` });
    expect(fields.get('rsc_ms_drbd_failed')!.extinfo).toBe(failure);
    expect(fields.get('rsc_ms_drbd_failcount_node2')).toMatchObject({ warning: ':0', extinfo: 'p_drbd fail-count 1 on node2, last failure Thu Jan 1 00:05:00 2026' });
  });

  it('config: promoted and instance fields, with env.preferred_node the promoted one on node2 warns', () => {
    const run = config(env('failover', { preferred_node: 'node1' }));
    expect(run.stderr).toBe('');
    const said = 'clone ms_drbd: p_drbd Promoted on node2, Stopped';
    expect(locationConfig(run.stdout)).toEqual([
      'rsc_ms_drbd_on_node1.label ms_drbd on node1',
      'rsc_ms_drbd_on_node1.info 1 where ms_drbd runs promoted, 0 not.',
      'rsc_ms_drbd_on_node1.type GAUGE',
      'rsc_ms_drbd_on_node1.min 0',
      `rsc_ms_drbd_on_node1.extinfo ms_drbd is promoted on node2 (preferred node node1); ${said}`,
      'rsc_ms_drbd_on_node2.label ms_drbd on node2',
      'rsc_ms_drbd_on_node2.info 1 where ms_drbd runs promoted, 0 not. node2 is not the preferred node (env.preferred_node node1): warning.',
      'rsc_ms_drbd_on_node2.type GAUGE',
      'rsc_ms_drbd_on_node2.min 0',
      'rsc_ms_drbd_on_node2.warning :0',
      `rsc_ms_drbd_on_node2.extinfo ms_drbd is promoted on node2 (preferred node node1); ${said}`,
      'rsc_ms_drbd_instance_on_node1.label ms_drbd instance on node1',
      'rsc_ms_drbd_instance_on_node1.info 1 where an instance of ms_drbd runs, promoted or not, 0 not.',
      'rsc_ms_drbd_instance_on_node1.type GAUGE',
      'rsc_ms_drbd_instance_on_node1.min 0',
      `rsc_ms_drbd_instance_on_node1.extinfo ms_drbd instances run on node2; ${said}`,
      'rsc_ms_drbd_instance_on_node2.label ms_drbd instance on node2',
      'rsc_ms_drbd_instance_on_node2.info 1 where an instance of ms_drbd runs, promoted or not, 0 not.',
      'rsc_ms_drbd_instance_on_node2.type GAUGE',
      'rsc_ms_drbd_instance_on_node2.min 0',
      `rsc_ms_drbd_instance_on_node2.extinfo ms_drbd instances run on node2; ${said}`,
    ]);
    const healthy = parseFields(config(env('healthy', { preferred_node: 'node1' })).stdout);
    expect(healthy.get('rsc_ms_drbd_instance_on_node2')!.extinfo).toBe('ms_drbd instances run on node1, node2; clone ms_drbd: p_drbd Promoted on node1, Unpromoted on node2');
    expect(healthy.get('rsc_ms_drbd_running')!.extinfo).toBe('clone ms_drbd: p_drbd Promoted on node1, Unpromoted on node2');
  });

  it('failover and switch back with one plugin state: the same field names, the promotion a step from node1 to node2 and back', () => {
    const state = writableDir(`${dir}/plugstate-moves`);
    const runs = ['healthy', 'failover', 'switched-back'].map((s) => fetch({ CIB_file: states.path(s), MUNIN_PLUGSTATE: state }).stdout);
    expect(runs).toEqual([HEALTHY, FAILOVER, HEALTHY]);
    expect(JSON.parse(readFileSync(`${state}/lio-munin-pacemaker.json`, 'utf8'))).toEqual({ nodes: ['node1', 'node2'], resources: ['ms_drbd', 'g_tgt'], promotable: ['ms_drbd'] });
    // crm_mon failing afterwards: every field, the instance ones too, U.
    const failing = script(`${dir}/fakes`, 'crm_mon-fail', "echo 'crm_mon: Connection to cluster failed: Connection refused' >&2\nexit 102");
    const failed = fetch({ crm_mon: failing, MUNIN_PLUGSTATE: state });
    expect(failed.stdout).toBe(HEALTHY.replace(/\.value \d+$/gm, '.value U'));
    expect(failed.stderr).toBe(`pacemaker: ${failing} --output-as=xml --exclude=operations exited with 102: crm_mon: Connection to cluster failed: Connection refused; the values are U\n`);
  });

  it("crm_mon's older role names, Master and Slave: the same values, and extinfo in crm_mon's words", () => {
    for (const s of ['healthy', 'failover']) {
      writeFileSync(`${states.path(s)}.old-roles`, oldRoleNames(crmMon(states.path(s))));
      expect(readFileSync(`${states.path(s)}.old-roles`, 'utf8')).toMatch(/role="Master"/);
      const old = script(`${dir}/fakes`, `crm_mon-old-${s}`, `cat '${states.path(s)}.old-roles'`);
      const e = { crm_mon: old, preferred_node: 'node1' };
      expect(fetch(env(s, e))).toEqual(fetch(env(s, { preferred_node: 'node1' })));
      expect(config(env(s, e)).stdout).toBe(config(env(s, { preferred_node: 'node1' })).stdout.replace(/ Unpromoted on /g, ' Slave on ').replace(/ Promoted on /g, ' Master on '));
    }
  });
});
