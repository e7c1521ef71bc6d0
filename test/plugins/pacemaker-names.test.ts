// The pacemaker plugin's field names where node and resource names, joined, would spell the same
// field twice: a promotable clone ms_drbd's instance fields (rsc_ms_drbd_instance_on_NODE) and the
// location fields of a resource ms_drbd-instance; a resource p on a node a-on-node1 and a resource
// p_on_a on node1 (rsc_p_on_a_on_node1); and a resource id too long for an RRD file name. Cluster
// states made by the real crm_simulate and cibadmin, read by the real crm_mon, the plugin run
// through Debian's real munin-run (as nobody, MUNIN_CAP_MULTIGRAPH=1).
import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { writableDir } from '../support/fake-drbdsetup.js';
import { muninRun, parseFields } from '../support/munin-run.js';
import { BASE_CIB, ClusterStates, PROMOTABLE_CIB } from '../support/pacemaker.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-munin-pacemaker-names-');
const states = new ClusterStates(dir);

/** A primitive (Dummy, which crm_simulate "runs") and where it prefers to run. */
const dummy = (id: string, node: string) => ({
  primitive: `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy"/>`,
  location: `<rsc_location id="loc-${id}" rsc="${id}" node="${node}" score="100"/>`,
});
const withPrimitives = (cib: string, primitives: Array<ReturnType<typeof dummy>>) =>
  cib
    .replace('</resources>', `${primitives.map((p) => p.primitive).join('\n')}\n    </resources>`)
    .replace('</constraints>', `${primitives.map((p) => p.location).join('\n')}\n    </constraints>`);

const INSTANCE = dummy('ms_drbd-instance', 'node2');
const LONG_ID = `p_${'long'.repeat(37)}`;

beforeAll(() => {
  // ms_drbd promoted on node1, g_tgt on node1, and ms_drbd-instance on node2.
  states.healthy('clone-and-instance', withPrimitives(PROMOTABLE_CIB, [INSTANCE]));
  // ms_drbd-instance (and g_tgt) alone, before ms_drbd was added.
  states.healthy('instance-alone', withPrimitives(PROMOTABLE_CIB.replace(/ {6}<clone id="ms_drbd">[^]*?<\/clone>\n/, '').replace(/ {6}<rsc_(location|colocation|order) id="(loc-ms_drbd|col-g_tgt|ord-g_tgt)[^]*?\/>\n/g, ''), [INSTANCE]));
  // node2 called a-on-node1; p on it, p_on_a on node1; a resource id of 150 characters.
  const odd = withPrimitives(BASE_CIB.replace('uname="node2"', 'uname="a-on-node1"'), [dummy('p', 'a-on-node1'), dummy('p_on_a', 'node1'), dummy(LONG_ID, 'node1')]);
  writeFileSync(states.path('odd-base'), odd);
  states.simulate('odd-base', 'odd', ['--quorum', 'true', '--node-up', 'node1', '--node-up', 'a-on-node1']);
}, 120_000);

let stateCount = 0;
const plugstate = () => writableDir(`${dir}/plugstate-${++stateCount}`);
const fetch = (e: Record<string, string>) => muninRun(dir, 'pacemaker', undefined, e, { MUNIN_CAP_MULTIGRAPH: '1' });
const config = (e: Record<string, string>) => muninRun(dir, 'pacemaker', 'config', e, { MUNIN_CAP_MULTIGRAPH: '1' });

const NODES = ['multigraph pacemaker', 'quorum.value 1', ...['node1', 'node2'].flatMap((n) => ['online 1', 'unclean 0', 'standby 0', 'maintenance 0'].map((v) => `node_${n}_${v.replace(' ', '.value ')}`))];

/** The fetch output of clone-and-instance, resources in the order given, with the names of the clashing fields. */
function cloneAndInstance(order: 'clone first' | 'instance first', clash: { clone: [string, string]; instance: [string, string] }): string {
  const clone = { running: 'rsc_ms_drbd_running.value 1', location: ['rsc_ms_drbd_on_node1.value 1', 'rsc_ms_drbd_on_node2.value 0', `${clash.clone[0]}.value 1`, `${clash.clone[1]}.value 1`], failures: ['rsc_ms_drbd_failcount_node1.value 0', 'rsc_ms_drbd_failcount_node2.value 0', 'rsc_ms_drbd_failed.value 0'] };
  const tgt = { running: 'rsc_g_tgt_running.value 1', location: ['rsc_g_tgt_on_node1.value 1', 'rsc_g_tgt_on_node2.value 0'], failures: ['rsc_g_tgt_failcount_node1.value 0', 'rsc_g_tgt_failcount_node2.value 0', 'rsc_g_tgt_failed.value 0'] };
  const instance = { running: 'rsc_ms_drbd_instance_running.value 1', location: [`${clash.instance[0]}.value 0`, `${clash.instance[1]}.value 1`], failures: ['rsc_ms_drbd_instance_failcount_node1.value 0', 'rsc_ms_drbd_instance_failcount_node2.value 0', 'rsc_ms_drbd_instance_failed.value 0'] };
  const resources = order === 'clone first' ? [clone, tgt, instance] : [tgt, instance, clone];
  return [
    ...NODES,
    ...resources.map((r) => r.running),
    'multigraph pacemaker.location',
    ...resources.flatMap((r) => r.location),
    'multigraph pacemaker.failures',
    ...resources.flatMap((r) => r.failures),
    '',
  ].join('\n');
}

/** Every field name of a config, in print order (a name printed twice is there twice). */
const configNames = (text: string) => text.split('\n').flatMap((l) => /^(\w+)\.label /.exec(l)?.[1] ?? []);

describe('pacemaker: field names that would be the same', () => {
  it("a promotable clone seen first keeps rsc_ms_drbd_instance_on_NODE for its instances; ms_drbd-instance's location fields get a suffix, its others stay", () => {
    const e = { CIB_file: states.path('clone-and-instance'), MUNIN_PLUGSTATE: plugstate() };
    expect(fetch(e)).toEqual({
      stdout: cloneAndInstance('clone first', {
        clone: ['rsc_ms_drbd_instance_on_node1', 'rsc_ms_drbd_instance_on_node2'],
        instance: ['rsc_ms_drbd_instance_on_node1_2e22c0eb', 'rsc_ms_drbd_instance_on_node2_f49a1a17'],
      }),
      stderr: '',
      status: 0,
    });
    const fields = parseFields(config(e).stdout);
    expect(fields.get('rsc_ms_drbd_instance_on_node1')!.label).toBe('ms_drbd instance on node1');
    expect(fields.get('rsc_ms_drbd_instance_on_node1_2e22c0eb')!.label).toBe('ms_drbd-instance on node1');
  });

  it('ms_drbd-instance seen before ms_drbd was added keeps its names; the clone instance fields get the suffix, and keep it', () => {
    const state = plugstate();
    expect(fetch({ CIB_file: states.path('instance-alone'), MUNIN_PLUGSTATE: state }).stdout).toContain('\nrsc_ms_drbd_instance_on_node2.value 1\n');
    const clash = { clone: ['rsc_ms_drbd_instance_on_node1_74cb70ef', 'rsc_ms_drbd_instance_on_node2_82c24880'] as [string, string], instance: ['rsc_ms_drbd_instance_on_node1', 'rsc_ms_drbd_instance_on_node2'] as [string, string] };
    const both = fetch({ CIB_file: states.path('clone-and-instance'), MUNIN_PLUGSTATE: state });
    expect(both).toEqual({ stdout: cloneAndInstance('instance first', clash), stderr: '', status: 0 });
    expect(fetch({ CIB_file: states.path('clone-and-instance'), MUNIN_PLUGSTATE: state }).stdout).toBe(both.stdout);
    // One field's range set by its name applies to that field alone.
    const run = config({ CIB_file: states.path('clone-and-instance'), MUNIN_PLUGSTATE: state, rsc_ms_drbd_instance_on_node1_warning: '0:0' });
    const names = configNames(run.stdout);
    expect(names.length).toBe(new Set(names).size);
    expect(names.filter((n) => n.startsWith('rsc_ms_drbd_instance_on_'))).toEqual([...clash.instance, ...clash.clone]);
    expect(run.stdout.split('\n').filter((l) => /^rsc_ms_drbd_instance_on_\w+\.warning /.test(l))).toEqual(['rsc_ms_drbd_instance_on_node1.warning 0:0']);
  });

  it('a node a-on-node1 and resources p and p_on_a: one name each; a 150-character resource id: names short enough for an RRD file', () => {
    const e = { CIB_file: states.path('odd'), MUNIN_PLUGSTATE: plugstate() };
    const run = fetch(e);
    expect(run.stderr).toBe('');
    // Cut to 140 characters and a suffix (the hash of what the field stands for): 149 in all.
    const long = `rsc_${LONG_ID}`.slice(0, 140);
    // crm_mon lists the nodes by name: a-on-node1, node1.
    expect(run.stdout.split('\n').filter((l) => l.startsWith('rsc_p_'))).toEqual([
      'rsc_p_running.value 1',
      'rsc_p_on_a_running.value 1',
      `${long}_50f42f6b.value 1`,
      'rsc_p_on_a_on_node1.value 1',
      'rsc_p_on_node1.value 0',
      'rsc_p_on_a_on_a_on_node1.value 0',
      // p_on_a on node1, seen after p on a-on-node1.
      'rsc_p_on_a_on_node1_ededb0e6.value 1',
      `${long}_83c1921f.value 0`,
      `${long}_0599b14c.value 1`,
      'rsc_p_failcount_a_on_node1.value 0',
      'rsc_p_failcount_node1.value 0',
      'rsc_p_failed.value 0',
      'rsc_p_on_a_failcount_a_on_node1.value 0',
      'rsc_p_on_a_failcount_node1.value 0',
      'rsc_p_on_a_failed.value 0',
      `${long}_5dc357ff.value 0`,
      `${long}_7308580a.value 0`,
      `${long}_88c0f2f3.value 0`,
    ]);
    const names = configNames(config(e).stdout);
    expect(names.length).toBe(new Set(names).size);
    expect(Math.max(...names.map((n) => n.length))).toBe(149);
  });
});
