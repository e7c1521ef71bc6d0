// End to end with the real Munin and the real Pacemaker tools: cluster states made by crm_simulate
// and cibadmin -> the real crm_mon (through env.CIB_file) -> the pacemaker plugin under munin-node
// -> munin-update -> munin-limits -> the alert text a contact's command receives, then
// munin-graph's drawings. A failover and a failed monitor, then the switch back and a cleanup.
//
// One storage host, node1 of the cluster, whose munin-node serves only pacemaker with the
// installer's settings, the seed's rule (env.preferred_node node1) and the cluster state file
// after them. munin-update and munin-limits run as munin-cron runs them, under a frozen clock
// that advances 300 s per run, with the cluster state replaced between runs.
//
// Needs root and Debian's munin, munin-node, rrdtool, faketime and pacemaker-cli-utils.
import { copyFileSync, chmodSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';
import { alertMessage, canonicalAlerts, cycleDiagnosis, drawScenarioGraphs, muninCommand, muninCycle, muninMaster, type MuninNode, requireE2eSetup, rrdFetch, setUpMaster, startTestNode } from '../support/e2e-munin.js';
import { ClusterStates } from '../support/pacemaker.js';
import { builtCheckout, lioMunin, REPO, snapshot, type Snapshot } from '../installer/setup.js';
import { PLUGINS } from '../../installer/munin.js';

const GROUP = 'e2e';
const HOST = 'storage-node1';
/** 2026-01-01 00:00:00 UTC, on a 300 s step boundary: the first munin-update. */
const T0 = 1_767_225_600;
const STEP = 300;
const ARTIFACTS = join(REPO, 'test-artifacts');
const GUARDED = ['/etc/munin', '/usr/share/munin/plugins'];

const work = tempDir('lio-munin-pacemaker-alerts-');
const master = muninMaster(join(work, 'master'));
const { dbdir } = master;
const states = new ClusterStates(join(work, 'cluster'));
/** The file env.CIB_file names: each cycle copies a state there. */
const current = join(work, 'cluster', 'current.xml');

let node: MuninNode | undefined;
let port = 0;
let hostBefore: Record<string, Snapshot> = {};

/** One munin-cron cycle at epoch with the cluster in state: what the contact's command received. */
function cycle(epoch: number, state: string): string {
  copyFileSync(states.path(state), current);
  chmodSync(current, 0o644);
  return muninCycle(master, epoch);
}

/** A cycle whose alert text must be expected (canonical); what the logs say when it is not. */
function expectCycle(epoch: number, state: string, expected: string): void {
  const received = cycle(epoch, state);
  if (canonical(received) !== canonical(expected)) expect(canonical(received), cycleDiagnosis(master, received)).toBe(canonical(expected));
}

const canonical = (text: string) => canonicalAlerts(text, /,(?= (?:node|quorum|g_tgt|cl_ping))/);

const updateLog = join(master.dir, 'log/munin-update.log');
const limitsLog = join(master.dir, 'log/munin-limits.log');
let logFrom = 0;
const errorLines = (log: string) => log.split('\n').filter((l) => /\[(ERROR|FATAL|WARNING)\]/.test(l));

beforeAll(async () => {
  requireE2eSetup(['/usr/share/munin/munin-limits', '/usr/sbin/crm_simulate', '/usr/sbin/crm_mon'], 'munin munin-node rrdtool faketime pacemaker-cli-utils');
  hostBefore = Object.fromEntries(GUARDED.map((dir) => [dir, snapshot(dir)]));

  // The states: healthy; node1 lost and g_tgt started on node2; node1 back, g_tgt back on node1
  // (its location preference); p_target's monitor failing on node1; that failure cleaned up.
  mkdirSync(states.dir);
  states.healthy();
  states.simulate('healthy', 'failover', ['--node-fail', 'node1'], '2026-01-01 00:10:00');
  states.simulate('failover', 'switched-back', ['--node-up', 'node1'], '2026-01-01 00:15:00');
  states.simulate('switched-back', 'failed-monitor', ['--op-inject', 'p_target_monitor_10000@node1=7'], '2026-01-01 00:20:00');
  states.cleanup('failed-monitor', 'cleaned-up', '1', 'p_target', 'monitor_10000', '2026-01-01 00:25:00');
  copyFileSync(states.path('healthy'), current);
  chmodSync(current, 0o644);

  // Installed by the installer into a staging root, on a node with crm_mon: pacemaker gets
  // `group haclient`. Its autoconf says no here (no cluster runs), so it is linked by hand, as
  // --all would; munin-node serves pacemaker only.
  const stage = join(work, 'stage');
  mkdirSync(stage);
  const install = lioMunin(['install', '--destdir', stage, '--from', builtCheckout(work), '--target-root', join(work, 'no-target'), '--drbd-proc', join(work, 'no-drbd'), '--crm-mon', '/usr/sbin/crm_mon']);
  expect(install.stderr).toBe('');
  expect(install.status).toBe(0);
  const conf = readFileSync(join(stage, 'etc/munin/plugin-conf.d/lio-munin'), 'utf8');
  expect(conf).toContain('\nenv.crm_mon /usr/sbin/crm_mon\n');
  expect(conf).toContain('\ngroup haclient\n');
  for (const name of PLUGINS) rmSync(join(stage, 'etc/munin/plugins', name), { force: true });
  mkdirSync(join(stage, 'etc/munin/plugins'), { recursive: true });
  spawnSync('ln', ['-s', '/usr/share/munin/plugins/pacemaker', join(stage, 'etc/munin/plugins/pacemaker')]);
  writeFileSync(join(stage, 'etc/munin/plugin-conf.d/zz-lio-munin-local'), `[pacemaker]\nenv.preferred_node node1\nenv.CIB_file ${current}\n`);

  ({ node, port } = await startTestNode(join(work, 'node'), HOST, join(stage, 'etc/munin'), join(stage, 'usr/share/munin/plugins')));

  setUpMaster(master, [{ group: GROUP, host: HOST, port }], { contact: true });
}, 180_000);

afterAll(async () => {
  await node?.stop();
});

const message = (graph: string, ...lines: string[]) => alertMessage(GROUP, HOST, graph, ...lines);
const HEALTH = 'Pacemaker cluster health';
const LOCATION = 'Pacemaker cluster health :: Where Pacemaker resources run';
const FAILURES = 'Pacemaker cluster health :: Pacemaker fail counts and failed actions';

/** The alert states munin-limits keeps in dbdir/limits: `graph field` -> ok, warning, critical. */
function limitStates(): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of readFileSync(join(dbdir, 'limits'), 'utf8').split('\n')) {
    const m = new RegExp(`^${GROUP};${HOST};(.+);state (\\S+)$`).exec(line);
    if (m) result[m[1]!.replace(/;/g, ' ')] = m[2]!;
  }
  return result;
}

const rrd = (graph: string, field: string) => join(dbdir, GROUP, `${HOST}-${graph.replace('.', '-')}-${field}-g.rrd`);

describe('pacemaker alerts through the real munin-limits', () => {
  it('munin-node serves pacemaker with the settings of the installer and the administrator', async () => {
    const config = await muninCommand(port, 'cap multigraph\nconfig pacemaker');
    expect(config).toContain('rsc_g_tgt_on_node2.warning :0');
    expect(config).toContain('node_node1_online.critical 1:');
    expect(config).toContain('quorum.extinfo partition with quorum, DC node2');
  });

  it('1. a healthy cluster, g_tgt on node1: nothing sent', () => {
    expect(cycle(T0, 'healthy')).toBe('');
    const firstRun = readFileSync(updateLog, 'utf8');
    expect(errorLines(firstRun).filter((l) => !/\[ERROR\] Tuning (type|min|max) of '[^']+' to '[^']*' failed\.$/.test(l))).toEqual([]);
    logFrom = firstRun.length;
    expect(cycle(T0 + STEP, 'healthy')).toBe('');
    expect(Object.values(limitStates()).every((s) => s === 'ok')).toBe(true);
  });

  it('2. node1 fails, g_tgt fails over to node2: CRITICAL node1 offline, WARNING g_tgt on node2', () => {
    const text = cycle(T0 + 2 * STEP, 'failover');
    expect(canonical(text)).toBe(canonical(FAILOVER_ALERT));
  });

  it('3. node1 back, g_tgt switched back to node1: OK for both, naming the node and the group', () => {
    expectCycle(T0 + 3 * STEP, 'switched-back', SWITCHED_BACK_ALERT);
    expect(Object.values(limitStates()).every((s) => s === 'ok')).toBe(true);
  });

  it("4. p_target's monitor fails on node1: WARNING for g_tgt's fail count there, with the failure", () => {
    expectCycle(T0 + 4 * STEP, 'failed-monitor', FAILED_MONITOR_ALERT);
  });

  it('5. the failure cleaned up: OK, and the RRDs show the failover as a step', () => {
    expectCycle(T0 + 5 * STEP, 'cleaned-up', CLEANED_ALERT);
    expect(Object.values(limitStates()).every((s) => s === 'ok')).toBe(true);
    const along = (file: string) => [...rrdFetch(file, T0, T0 + 5 * STEP)].filter(([t]) => t > T0 && t <= T0 + 5 * STEP).map(([, v]) => v);
    expect(along(rrd('pacemaker.location', 'rsc_g_tgt_on_node1'))).toEqual([1, 0, 1, 1, 1]);
    expect(along(rrd('pacemaker.location', 'rsc_g_tgt_on_node2'))).toEqual([0, 1, 0, 0, 0]);
    expect(along(rrd('pacemaker', 'node_node1_online'))).toEqual([1, 0, 1, 1, 1]);
    expect(along(rrd('pacemaker.failures', 'rsc_g_tgt_failcount_node1'))).toEqual([0, 0, 0, 1, 0]);
    expect(errorLines(readFileSync(updateLog, 'utf8').slice(logFrom))).toEqual([]);
    expect(errorLines(readFileSync(limitsLog, 'utf8'))).toEqual([]);
  });

  it('munin-graph draws the three graphs', () => {
    const end = T0 + 5 * STEP + 60;
    const graphs = [
      { path: 'pacemaker', artifact: 'pacemaker' },
      { path: 'pacemaker/location', artifact: 'pacemaker-location' },
      { path: 'pacemaker/failures', artifact: 'pacemaker-failures' },
    ];
    drawScenarioGraphs(master, { group: GROUP, host: HOST }, T0 - 2 * STEP, end, graphs, ARTIFACTS);
  });

  it('leaves no trace on the host: munin-node quiet and stopped, /etc/munin unchanged', async () => {
    const log = readFileSync(join(work, 'node', 'log/munin-node.log'), 'utf8');
    expect(log.split('\n').filter((l) => /error|warn|timed out|bad exit|exited with status/i.test(l))).toEqual([]);
    await node!.stop();
    expect(() => process.kill(node!.pid, 0)).toThrow();
    for (const dir of GUARDED) expect(snapshot(dir), dir).toEqual(hostBefore[dir]);
    unlinkSync(current);
  });
});

// What crm_mon said, as the fields' extinfo repeats it.
const NODE1_OFFLINE = 'node1: OFFLINE';
const NODE2 = 'node2: online, DC';
const G_TGT_ON_NODE2 = 'group g_tgt: p_ip Started on node2; p_target Started on node2';
const G_TGT_ON_NODE1 = 'group g_tgt: p_ip Started on node1; p_target Started on node1';

const FAILOVER_ALERT =
  message(
    HEALTH,
    `CRITICALs: node node1 online is 0.00 (outside range [1:]): ${NODE1_OFFLINE}.`,
    // Without recovered fields munin lists every field of the graph that is OK.
    'OKs: ' +
      [
        'cl_ping running is 1.00: clone cl_ping: p_ping Started on node2, Stopped',
        `g_tgt running is 1.00: ${G_TGT_ON_NODE2}`,
        ...['maintenance', 'standby', 'unclean'].map((kind) => `node node1 ${kind} is 0.00: ${NODE1_OFFLINE}`),
        `node node2 maintenance is 0.00: ${NODE2}`,
        `node node2 online is 1.00: ${NODE2}`,
        `node node2 standby is 0.00: ${NODE2}`,
        `node node2 unclean is 0.00: ${NODE2}`,
        'quorum is 1.00: partition with quorum, DC node2',
      ].join(', ') +
      '.',
  ) + message(LOCATION, `WARNINGs: g_tgt on node2 is 1.00 (outside range [:0]): g_tgt runs on node2 (preferred node node1); ${G_TGT_ON_NODE2}.`);

const SWITCHED_BACK_ALERT =
  message(HEALTH, 'OKs: node node1 online is 1.00: node1: online.') +
  message(LOCATION, `OKs: g_tgt on node2 is 0.00: g_tgt runs on node1 (preferred node node1); ${G_TGT_ON_NODE1}.`);

const FAILED_MONITOR_ALERT = message(
  FAILURES,
  'WARNINGs: g_tgt fail count on node1 is 1.00 (outside range [:0]): p_target fail-count 1 on node1, last failure Thu Jan 1 00:20:00 2026.',
  'OKs: cl_ping fail count on node1 is 0.00: no fail count for cl_ping on node1, cl_ping fail count on node2 is 0.00: no fail count for cl_ping on node2, g_tgt fail count on node2 is 0.00: no fail count for g_tgt on node2.',
);

const CLEANED_ALERT = message(FAILURES, 'OKs: g_tgt fail count on node1 is 0.00: no fail count for g_tgt on node1.');
