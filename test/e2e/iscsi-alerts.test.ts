// End to end with the real Munin: iSCSI sessions and login failures in a configfs tree ->
// lio_sessions and lio_iscsi_errors under munin-node -> munin-update -> munin-limits -> the alert
// text a contact's command receives, then munin-graph's drawings.
//
// One storage host with the seed's target (four initiators, all logged in), installed by the
// installer into a staging root; an administrator's file asks for at least four sessions.
// munin-update and munin-limits run as munin-cron runs them, under a frozen clock that advances
// 300 s per run, with the tree rewritten between runs.
//
// Needs root and Debian's munin, munin-node, rrdtool and faketime (as test/e2e/munin.test.ts).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';
import { alertMessage, canonicalAlerts, drawScenarioGraphs, muninCommand, muninCycle, muninMaster, type MuninNode, requireE2eSetup, rrdFetch, setUpMaster, startTestNode } from '../support/e2e-munin.js';
import { buildLioTree, seedSystem, setLoginStats, writeSessions } from '../support/lio-tree.js';
import { builtCheckout, lioMunin, REPO, snapshot, type Snapshot } from '../installer/setup.js';

const GROUP = 'e2e';
const HOST = 'storage-iscsi';
const T0 = 1_767_225_600;
const STEP = 300;
const ARTIFACTS = join(REPO, 'test-artifacts');
const GUARDED = ['/etc/munin', '/usr/share/munin/plugins'];
const WWN = 'iqn.2016-09.com.example:iscsitgt01';

const work = tempDir('lio-munin-iscsi-alerts-');
const master = muninMaster(join(work, 'master'));
const { dbdir } = master;
const tree = join(work, 'target');
const uptimeFile = join(work, 'uptime');
const spec = seedSystem();
/** The node booted at T0 - 1 day (in the real clock the plugin runs under, see boot()). */
let node: MuninNode;
let port = 0;
let hostBefore: Record<string, Snapshot> = {};

/**
 * The plugins run under the real clock: /proc/uptime is written so that the node booted exactly
 * one day before now; a failure stamped 3600 s after boot happened 23 hours ago.
 */
const BOOTED_AGO_S = 86_400;
function writeUptime(): number {
  writeFileSync(uptimeFile, `${BOOTED_AGO_S}.00 1000.00\n`);
  return Date.now() - BOOTED_AGO_S * 1000;
}

/** One munin-cron cycle at epoch: munin-update, then munin-limits; what the contact received. */
function cycle(epoch: number): string {
  writeUptime();
  return muninCycle(master, epoch);
}

const canonical = (text: string) => canonicalAlerts(text, /,(?= (?:iscsitgt01|initiator0\d) )/);
const message = (graph: string, ...lines: string[]) => alertMessage(GROUP, HOST, graph, ...lines);
const SESSIONS = 'iSCSI sessions per target';
const INITIATORS = 'iSCSI sessions per target :: iSCSI initiators of iscsitgt01';
const ERRORS = 'iSCSI logins and errors :: iSCSI logins and errors of iscsitgt01';
const loggedIn = (n: number, value: '0.00' | '1.00') =>
  `initiator0${n} is ${value}${value === '0.00' ? ' (outside range [1:])' : ''}: iqn.2016-09.com.example:initiator0${n}: ${value === '1.00' ? `logged in from 192.168.1.1${n}` : 'no active iSCSI session'}`;

beforeAll(async () => {
  requireE2eSetup(['/usr/share/munin/munin-limits']);
  hostBefore = Object.fromEntries(GUARDED.map((dir) => [dir, snapshot(dir)]));
  buildLioTree(tree, spec);
  writeUptime();

  const stage = join(work, 'stage');
  mkdirSync(stage);
  const install = lioMunin(['install', '--destdir', stage, '--from', builtCheckout(work), '--target-root', tree, '--drbd-proc', join(work, 'no-drbd')]);
  expect(install.stderr).toBe('');
  expect(install.status).toBe(0);
  for (const name of ['lio_sessions', 'lio_iscsi_errors']) {
    expect(install.lines).toContain(`enable    ${stage}/etc/munin/plugins/${name} -> /usr/share/munin/plugins/${name} (autoconf: yes)`);
  }
  // Only the two iSCSI plugins are served here; the others have their own tests.
  for (const name of readdirSync(join(stage, 'etc/munin/plugins'))) {
    if (name !== 'lio_sessions' && name !== 'lio_iscsi_errors') rmSync(join(stage, 'etc/munin/plugins', name));
  }
  // The administrator's own settings, after the installer's file.
  writeFileSync(
    join(stage, 'etc/munin/plugin-conf.d/zz-lio-munin-local'),
    `[lio_sessions]\nenv.iqn2016_09comexampleiscsitgt01_critical 4:\n\n[lio_iscsi_errors]\nenv.proc_uptime ${uptimeFile}\nenv.TZ UTC\n`,
  );
  ({ node, port } = await startTestNode(join(work, 'node'), HOST, join(stage, 'etc/munin'), join(stage, 'usr/share/munin/plugins')));

  setUpMaster(master, [{ group: GROUP, host: HOST, port }], { contact: true });
});

afterAll(async () => {
  await node?.stop();
  for (const [dir, before] of Object.entries(hostBefore)) expect(snapshot(dir), dir).toEqual(before);
});

const rrd = (graph: string, field: string) => join(dbdir, GROUP, `${HOST}-${graph.replace('.', '-')}-${field}-${graph.startsWith('lio_iscsi_errors') ? 'd' : 'g'}.rrd`);

describe('iSCSI alerts through the real munin-limits', () => {
  it('munin-node serves both plugins, with the administrator\'s minimum', async () => {
    expect(await muninCommand(port, 'cap multigraph\nlist')).toEqual(['cap multigraph dirtyconfig', 'lio_iscsi_errors lio_sessions']);
    const config = await muninCommand(port, 'cap multigraph\nconfig lio_sessions');
    expect(config).toContain('iqn2016_09comexampleiscsitgt01.critical 4:');
    expect(config).toContain('iqn2016_09comexampleinitiator01.warning 1:');
  });

  it('1. four initiators logged in, no failure: nothing is sent', () => {
    expect(cycle(T0)).toBe('');
    expect(cycle(T0 + STEP)).toBe('');
  });

  it('2. initiator03 logs out: WARNING naming it, CRITICAL for the target below its minimum of 4 sessions', () => {
    spec.targets[0]!.acls[2]!.session = undefined;
    writeSessions(tree, spec);
    setLoginStats(tree, WWN, { normal_logouts: 1 });
    expect(canonical(cycle(T0 + 2 * STEP))).toBe(
      canonical(
        message(SESSIONS, 'CRITICALs: iscsitgt01 is 3.00 (outside range [4:]): logged in: initiator01, initiator02, initiator04; not logged in: initiator03.') +
          message(INITIATORS, `WARNINGs: ${loggedIn(3, '0.00')}.`, `OKs: ${[1, 2, 4].map((n) => loggedIn(n, '1.00')).join(', ')}.`),
      ),
    );
  });

  it('3. logins of an unknown initiator start failing: WARNING naming it, its address and when', () => {
    setLoginStats(tree, WWN, {
      authenticate_fails: 6,
      lastFailure: { initiator: 'iqn.1994-05.com.redhat:intruder', address: '192.168.1.99', type: 5, centisecondsSinceBoot: 360_000 },
    });
    const text = cycle(T0 + 3 * STEP);
    // The time: 3600 s after a boot one day before the plugin ran (within the second it took).
    const at = /, at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \+0000/.exec(text);
    expect(at).not.toBeNull();
    const expected = Date.now() - (BOOTED_AGO_S - 3600) * 1000;
    expect(Math.abs(Date.parse(`${at![1]!.replace(' ', 'T')}Z`) - expected)).toBeLessThan(120_000);
    const failure = `last failed login: iqn.1994-05.com.redhat:intruder from 192.168.1.99, authentication failure, at ${at![1]} +0000`;
    expect(canonical(text)).toBe(
      canonical(
        message(
          ERRORS,
          // 6 failures in 300 s: 0.02 per second, what RRD stores and munin-limits compares.
          `WARNINGs: iscsitgt01 login authentication failures is 0.02 (outside range [:0]): ${failure}.`,
          `OKs: ${[
            `iscsitgt01 login authorization failures is 0.00: ${failure}`,
            `iscsitgt01 login negotiation failures is 0.00: ${failure}`,
            `iscsitgt01 other login failures is 0.00: ${failure}`,
            'iscsitgt01 abnormal logouts is 0.00',
            'iscsitgt01 session digest errors is 0.00',
            'iscsitgt01 session connection errors is 0.00',
            'iscsitgt01 session format errors is 0.00',
            ...[1, 2, 3, 4].flatMap((n) => [`initiator0${n} digest errors is 0.00`, `initiator0${n} connection timeouts is 0.00`]),
          ].join(', ')}.`,
        ),
      ),
    );
  });

  it('4. initiator03 back, no more failures: the OKs of what recovered', () => {
    spec.targets[0]!.acls[2]!.session = { address: '192.168.1.13' };
    writeSessions(tree, spec);
    const text = cycle(T0 + 4 * STEP);
    const failure = /last failed login: .*? \+0000/.exec(text)?.[0];
    expect(canonical(text)).toBe(
      canonical(
        message(SESSIONS, 'OKs: iscsitgt01 is 4.00: logged in: initiator01, initiator02, initiator03, initiator04.') +
          message(INITIATORS, `OKs: ${loggedIn(3, '1.00')}.`) +
          message(ERRORS, `OKs: iscsitgt01 login authentication failures is 0.00: ${failure}.`),
      ),
    );
    const along = (file: string) => [...rrdFetch(file, T0, T0 + 4 * STEP)].filter(([t]) => t > T0 && t <= T0 + 4 * STEP).map(([, v]) => v);
    expect(along(rrd('lio_sessions', 'iqn2016_09comexampleiscsitgt01'))).toEqual([4, 3, 3, 4]);
    expect(along(rrd('lio_sessions.iscsitgt01', 'iqn2016_09comexampleinitiator03'))).toEqual([1, 0, 0, 1]);
    expect(along(rrd('lio_iscsi_errors.iscsitgt01', 'authenticate_fails'))).toEqual([0, 0, 0.02, 0]);
  });

  it('munin-graph draws the overview and the drill-down graphs', () => {
    const end = T0 + 4 * STEP + 60;
    const graphs = [
      { path: 'lio_sessions', artifact: 'lio-sessions' },
      { path: 'lio_sessions/iscsitgt01', artifact: 'lio-sessions-iscsitgt01' },
      { path: 'lio_iscsi_errors', artifact: 'lio-iscsi-errors' },
      { path: 'lio_iscsi_errors/iscsitgt01', artifact: 'lio-iscsi-errors-iscsitgt01' },
    ];
    drawScenarioGraphs(master, { group: GROUP, host: HOST }, T0 - 2 * STEP, end, graphs, ARTIFACTS);
  });
});
