// The [crm_mon] entry of stats snapshots, from the real crm_mon reading crm_simulate's cluster
// states through CIB_file (which the collector passes on to crm_mon): its exact text, how
// `archive grep` answers "when did g_tgt move, and why", and the entry left out where crm_mon is
// missing, without a word.
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gunzipText, referenceText, requireBuiltCollector, runCollector } from '../support/collector-cli.js';
import { script, writableDir } from '../support/fake-drbdsetup.js';
import { buildLioTree, scaledSystem } from '../support/lio-tree.js';
import { frozenClockEnv } from '../support/faketime.js';
import { ClusterStates } from '../support/pacemaker.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-collector-crm-mon-');
const root = `${dir}/target`;
const states = new ClusterStates(writableDir(`${dir}/cluster`));

beforeAll(() => {
  requireBuiltCollector();
  buildLioTree(root, scaledSystem(1, 1, 1));
  states.healthy();
  states.simulate('healthy', 'failover', ['--node-fail', 'node1'], '2026-01-01 00:05:00');
  states.simulate('healthy', 'failed-start', ['--node-fail', 'node1', '--op-fail', 'p_target_start_0@node2=1'], '2026-01-01 00:05:00');
}, 120_000);

/** A stats snapshot at a fixed minute (libfaketime), with crm_mon reading the state file. */
function snapshotAt(archive: string, minute: string, cibFile: string | null, extra: string[] = []) {
  const cib = cibFile ? `export CIB_file='${cibFile}'; ` : '';
  const clock = Object.entries(frozenClockEnv(minute)).map(([name, value]) => `export ${name}='${value}'; `).join('');
  return runCollector(['snapshot', 'stats', '--root', root, '--archive', archive, '--no-drbd', ...extra], { shellPrefix: `${cib}${clock}export TZ=UTC` });
}

const files = (archive: string) => readdirSync(archive).flatMap((day) => readdirSync(`${archive}/${day}`).map((f) => `${archive}/${day}/${f}`)).sort();

const HEALTHY = [
  'quorum 1 partition with quorum, DC node2',
  'node node1 online=1 standby=0 maintenance=0 unclean=0 node1: online',
  'node node2 online=1 standby=0 maintenance=0 unclean=0 node2: online, DC',
  'resource g_tgt on node1: group g_tgt: p_ip Started on node1; p_target Started on node1',
  'resource cl_ping on node1,node2: clone cl_ping: p_ping Started on node1, Started on node2',
];

describe('the [crm_mon] entry of stats snapshots', () => {
  it('comes last, one line per fact, as crm_mon said it', () => {
    const archive = `${dir}/a-healthy`;
    expect(snapshotAt(archive, '2026-11-20 10:40:00', states.path('healthy'))).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(gunzipText(files(archive)[0]!)).toBe(`${referenceText(root, 'stats')}[crm_mon]\n${HEALTHY.join('\n')}\n\n`);
  });

  it('archive grep: when g_tgt moved, and why it does not run', () => {
    const archive = `${dir}/a-incident`;
    for (const [minute, state] of [['10:40', 'healthy'], ['10:41', 'failover'], ['10:42', 'failed-start']]) {
      expect(snapshotAt(archive, `2026-11-20 ${minute}:00`, states.path(state!)).status).toBe(0);
    }
    const grep = runCollector(['archive', 'grep', 'crm_mon', '--value', 'g_tgt', '--archive', archive, '--from', '2026-11-20 10:40', '--to', '2026-11-20 10:42'], { shellPrefix: 'export TZ=UTC' });
    expect(grep).toMatchObject({ status: 0, stderr: '' });
    expect(grep.stdout).toBe(
      [
        '2026-11-20 10:40  crm_mon  resource g_tgt on node1: group g_tgt: p_ip Started on node1; p_target Started on node1',
        '2026-11-20 10:41  crm_mon  resource g_tgt on node2: group g_tgt: p_ip Started on node2; p_target Started on node2',
        '2026-11-20 10:42  crm_mon  resource g_tgt on node2: group g_tgt: p_ip Started on node2; p_target Started on node2 (FAILED)',
        '2026-11-20 10:42  crm_mon  failcount g_tgt node2 1: p_target fail-count 1 on node2, last failure Thu Jan  1 00:05:00 2026',
        '2026-11-20 10:42  crm_mon  failed g_tgt p_target_start_0 on node2: error (User-injected result), at 2026-01-01 00:05:00Z',
        '',
      ].join('\n'),
    );
    const nodes = runCollector(['archive', 'grep', 'crm_mon', '--value', '^node node1', '--archive', archive, '--from', '2026-11-20 10:40', '--to', '2026-11-20 10:41'], { shellPrefix: 'export TZ=UTC' });
    expect(nodes.stdout).toBe(
      '2026-11-20 10:40  crm_mon  node node1 online=1 standby=0 maintenance=0 unclean=0 node1: online\n' +
        '2026-11-20 10:41  crm_mon  node node1 online=0 standby=0 maintenance=0 unclean=0 node1: OFFLINE\n',
    );
  });

  it('left out, without a word, where crm_mon is missing; with --no-crm-mon', () => {
    for (const [n, extra] of [[['--crm-mon', `${dir}/no-such-crm_mon`]], [['--no-crm-mon']]].entries()) {
      const archive = `${dir}/a-none-${n}`;
      expect(snapshotAt(archive, '2026-11-20 10:40:00', states.path('healthy'), extra[0])).toMatchObject({ status: 0, stdout: '', stderr: '' });
      expect(gunzipText(files(archive)[0]!)).toBe(referenceText(root, 'stats'));
    }
  });

  it('crm_mon failing or hanging: the reason in the entry, not in the log every minute', () => {
    const failing = script(dir, 'crm_mon-fails', "echo 'crm_mon: Connection to cluster failed: Connection refused' >&2\nexit 102");
    const archive = `${dir}/a-failing`;
    expect(snapshotAt(archive, '2026-11-20 10:40:00', null, ['--crm-mon', failing])).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(gunzipText(files(archive)[0]!)).toBe(
      `${referenceText(root, 'stats')}[crm_mon]\nunavailable: ${failing} --output-as=xml --exclude=operations exited with 102: crm_mon: Connection to cluster failed: Connection refused\n\n`,
    );
  });
});
