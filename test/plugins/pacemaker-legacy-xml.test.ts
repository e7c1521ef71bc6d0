// Pacemaker 1.1 (the seed's RHEL 7 era) has no `crm_mon --output-as=xml`, only `--as-xml`, whose
// legacy format (root <crm_mon>) the real crm_mon 2.1 still prints. A crm_mon that refuses
// --output-as as 1.1's getopt does and otherwise runs the real one must give the plugin exactly
// what the 2.x format gives, for every cluster state the plugin tests use.
import { beforeAll, describe, expect, it } from 'vitest';
import { script, writableDir } from '../support/fake-drbdsetup.js';
import { muninRun } from '../support/munin-run.js';
import { ClusterStates } from '../support/pacemaker.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-munin-pacemaker-1-1-');
const states = new ClusterStates(dir);
const AFTER = '2026-01-01 00:05:00';
/** Pacemaker 1.1's answer to an option it does not know (getopt_long, then usage: exit 64). */
const CRM_MON_1_1 = script(
  `${dir}/bin`,
  'crm_mon',
  `case "$*" in *--output-as*) echo "crm_mon: unrecognized option '--output-as=xml'" >&2; exit 64;; esac\nexec /usr/sbin/crm_mon "$@"`,
);

beforeAll(() => {
  states.healthy();
  states.simulate('healthy', 'failover', ['--node-fail', 'node1'], AFTER);
  states.simulate('healthy', 'failed-monitor', ['--op-inject', 'p_target_monitor_10000@node1=7'], AFTER);
  states.simulate('healthy', 'failed-start', ['--node-fail', 'node1', '--op-fail', 'p_target_start_0@node2=1'], AFTER);
  states.edit('healthy', 'standby', 'crm_attribute', ['--node', 'node1', '--name', 'standby', '--update', 'on']);
  states.edit('healthy', 'fencing', 'crm_attribute', ['--type', 'crm_config', '--name', 'stonith-enabled', '--update', 'true']);
  states.simulate('fencing', 'unclean', ['--node-fail', 'node1'], AFTER);
}, 120_000);

let runs = 0;
function run(state: string, mode: 'config' | undefined, crmMon?: string, plugstate = writableDir(`${dir}/plugstate-${++runs}`)) {
  const env = { CIB_file: states.path(state), MUNIN_PLUGSTATE: plugstate, preferred_node: 'node1', ...(crmMon ? { crm_mon: crmMon } : {}) };
  return muninRun(dir, 'pacemaker', mode, env, { MUNIN_CAP_MULTIGRAPH: '1' });
}

describe('pacemaker with a Pacemaker 1.1 crm_mon (--as-xml only)', () => {
  for (const state of ['healthy', 'failover', 'failed-monitor', 'failed-start', 'standby', 'unclean']) {
    it(`${state}: the same fetch and config as with --output-as=xml, nothing on stderr`, () => {
      for (const mode of [undefined, 'config'] as const) {
        const current = run(state, mode);
        expect(current.status).toBe(0);
        expect(current.stderr).toBe('');
        expect(run(state, mode, CRM_MON_1_1)).toEqual(current);
      }
    });
  }

  it("a 2.x crm_mon that does not know --exclude=operations (usage, exit 64): --as-xml, the same fetch and config, nothing on stderr", () => {
    const noExclude = script(`${dir}/bin`, 'crm_mon-no-exclude', `case "$*" in *--exclude*) echo '<pacemaker-result><status code="64" message="Incorrect usage"/></pacemaker-result>'; exit 64;; esac\nexec /usr/sbin/crm_mon "$@"`);
    for (const mode of [undefined, 'config'] as const) expect(run('failed-monitor', mode, noExclude)).toEqual(run('failed-monitor', mode));
  });

  it('a 1.1 crm_mon that cannot connect: the reason its --as-xml gave, not the refusal of --output-as; the fields it knew U', () => {
    const plugstate = writableDir(`${dir}/plugstate-down`);
    const known = run('healthy', undefined, CRM_MON_1_1, plugstate).stdout;
    const failing = script(`${dir}/bin`, 'crm_mon-down', `case "$*" in *--output-as*) echo "crm_mon: unrecognized option '--output-as=xml'" >&2; exit 64;; esac\necho 'Connection to cluster failed: Transport endpoint is not connected' >&2; exit 107`);
    const result = run('healthy', undefined, failing, plugstate);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(`pacemaker: ${failing} --as-xml exited with 107: Connection to cluster failed: Transport endpoint is not connected; the values are U\n`);
    expect(result.stdout).toBe(known.replace(/\.value \d+$/gm, '.value U'));
    expect(result.stdout).toContain('multigraph pacemaker\nquorum.value U\n');
  });
});
