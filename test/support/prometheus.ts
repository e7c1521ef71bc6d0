// Helpers for the Prometheus tests: promtool, and the small LIO tree whose metrics are known.
import { spawnSync } from 'node:child_process';
import { buildLioTree, patternTraffic, setLoginStats, setTraffic, type LioSpec } from './lio-tree.js';

export const PROMTOOL = '/usr/bin/promtool';

/** `promtool check metrics` on text: its exit status and what it said. */
export function checkMetrics(text: string): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, output: run.stdout + run.stderr };
}

/** Runs promtool with args; throws with its output unless it exits 0. */
export function promtool(args: string[], cwd?: string): string {
  const run = spawnSync(PROMTOOL, args, { encoding: 'utf8', timeout: 120_000, cwd });
  if (run.status !== 0) throw new Error(`promtool ${args.join(' ')}: exit ${run.status}\n${run.stdout}${run.stderr}`);
  return run.stdout + run.stderr;
}

export const TARGET = 'iqn.2003-01.org.linux-iscsi.storage1:sn.4711';
export const HOST1 = 'iqn.1993-08.org.debian:01:host1';
export const HOST2 = 'iqn.1993-08.org.debian:01:host2';

/** One iSCSI target, LUNs 0 and 1; host1 logged in and mapped to both, host2 mapped to LUN 1 and logged out. */
export function smallSpec(): LioSpec {
  return {
    targets: [
      {
        fabric: 'iscsi',
        wwn: TARGET,
        tpgt: 1,
        luns: [0, 1],
        acls: [
          { initiator: HOST1, mappedLuns: [0, 1], session: { address: '192.168.1.11' } },
          { initiator: HOST2, mappedLuns: [1] },
        ],
      },
    ],
  };
}

/** The small tree with patternTraffic(step), 3 failed authentications, 2 logouts, 1 connection error. */
export function buildSmallTree(root: string, step = 1): LioSpec {
  const spec = smallSpec();
  buildLioTree(root, spec);
  setTraffic(root, spec, patternTraffic(step));
  setLoginStats(root, TARGET, { authenticate_fails: 3, normal_logouts: 2, cxn_errors: 1 });
  return spec;
}
