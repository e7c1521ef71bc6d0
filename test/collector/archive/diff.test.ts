// archive diff on two full snapshots written by the collector: an ACL added, a LUN removed,
// an attribute changed. The expected lines are worked out from the two trees on disk.
import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_ROOT } from '../../../lib/archive/layout.js';
import { SECRET_PLACEHOLDER } from '../../../lib/archive/entry-writer.js';
import { takeSnapshot } from '../../../collector/snapshot.js';
import { afterSpec, at, beforeSpec, INITIATOR } from '../../support/archive-incident.js';
import { archiveCommand } from '../../support/archive-run.js';
import { buildLioTree, setTraffic, tpgPath } from '../../support/lio-tree.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir('lio-archive-diff-');
const archive = join(dir, 'archive');
const before = join(dir, 'before');
const after = join(dir, 'after');
const TPG = `${CANONICAL_ROOT}/iscsi/iqn.2016-09.com.example:iscsitgt01/tpgt_1`;
const CMDSN = `${TPG}/acls/${INITIATOR(1)}/cmdsn_depth`;

/** Every entry of a full snapshot of root, as the collector writes it: canonical path -> value. */
function treeEntries(root: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(full);
      else {
        const canonical = CANONICAL_ROOT + full.slice(root.length);
        const content = name.startsWith('password') ? `${SECRET_PLACEHOLDER}\n` : stat.isSymbolicLink() ? '' : readFileSync(full, 'utf8');
        entries.set(canonical, content.replace(/\n$/, ''));
      }
    }
  };
  walk(root);
  return entries;
}

const shown = (value: string) => (value === '' || value.includes('\n') ? JSON.stringify(value) : value);
const isStatistics = (path: string) => /\/(fabric_)?statistics\//.test(path);
const sorted = (lines: string[]) => [...lines].sort();

let old: Map<string, string>;
let now: Map<string, string>;
const run = (...args: string[]) => archiveCommand([...args, '--archive', archive], at(11, 0));

beforeAll(async () => {
  buildLioTree(before, beforeSpec());
  buildLioTree(after, afterSpec());
  // After the failover: initiator01's queue depth raised, and some traffic on the new node.
  writeFileSync(`${tpgPath(after, afterSpec().targets[0])}/acls/${INITIATOR(1)}/cmdsn_depth`, '128\n');
  setTraffic(after, afterSpec(), () => ({ read: 5, write: 7 }));
  await takeSnapshot({ root: before, archive, kind: 'full', now: at(9, 59), drbdProc: null });
  await takeSnapshot({ root: after, archive, kind: 'full', now: at(10, 59), drbdProc: null });
  old = treeEntries(before);
  now = treeEntries(after);
});

describe('diff', () => {
  it('lists every entry removed, added and changed; statistics changes are counted', async () => {
    const result = await run('diff', '2026-11-20 09:59', '2026-11-20 10:59');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`--- 2026-11-20 09:59  ${join(archive, '20261120', 'lio-202611200959.gz')}`);
    expect(lines[1]).toBe(`+++ 2026-11-20 10:59  ${join(archive, '20261120', 'lio-202611201059.gz')}`);

    const removed = [...old].filter(([path]) => !now.has(path)).map(([path, value]) => `removed  ${path}  ${shown(value)}`);
    const added = [...now].filter(([path]) => !old.has(path)).map(([path, value]) => `added    ${path}  ${shown(value)}`);
    const changed = [...now].filter(([path, value]) => old.has(path) && old.get(path) !== value);
    const configChanges = changed.filter(([path]) => !isStatistics(path));
    expect(configChanges).toEqual([[CMDSN, '128']]);
    const countersChanged = changed.length - 1;
    expect(countersChanged).toBeGreaterThan(50);
    // What the trees say happened: LUN 3 went (its TPG LUN, backstore and every mapping), initiator05 came.
    expect(removed.filter((l) => l.includes('/lun_3/')).length + removed.filter((l) => l.includes('_lun3/')).length).toBe(removed.length);
    expect(added.every((l) => l.includes(`/acls/${INITIATOR(5)}/`))).toBe(true);

    expect(sorted(lines.filter((l) => l.startsWith('removed  ')))).toEqual(sorted(removed));
    expect(sorted(lines.filter((l) => l.startsWith('added    ')))).toEqual(sorted(added));
    expect(lines.filter((l) => l.startsWith('changed  '))).toEqual([`changed  ${CMDSN}  64 -> 128`]);
    expect(lines.slice(-3)).toEqual([
      `(${countersChanged} statistics values changed; --counters lists them)`,
      `${removed.length} removed, ${added.length} added, 1 changed`,
      '',
    ]);
    expect(lines).toHaveLength(2 + removed.length + added.length + 1 + 2 + 1);
    // Removed entries first, then added, then changed, each in path order.
    expect(lines.indexOf(removed.sort()[0])).toBe(2);
    expect(result.stderr).toBe('');
  });

  it('shows secrets and empty or multi-line values unambiguously', async () => {
    const { stdout } = await run('diff', '2026-11-20 09:59', '2026-11-20 10:59');
    expect(stdout).toContain(`added    ${TPG}/acls/${INITIATOR(5)}/auth/password  ${SECRET_PLACEHOLDER}\n`);
    expect(stdout).toContain(`added    ${TPG}/acls/${INITIATOR(5)}/tag  ""\n`);
    expect(stdout).not.toContain('password-user05');
    expect(stdout).toMatch(/\nremoved  \/sys\/kernel\/config\/target\/core\/iblock_0\/m_example_iscsitgt01_lun3\/info  "Status: ACTIVATED .*\\niBlock device: dm-4 .*"\n/);
  });

  it('--brief gives one line per whole ACL, LUN or backstore added or removed', async () => {
    const result = await run('diff', '--brief', '2026-11-20 09:59', '2026-11-20 10:59');
    const under = (entries: Map<string, string>, others: Map<string, string>, prefix: string) =>
      [...entries.keys()].filter((p) => p.startsWith(`${prefix}/`) && !others.has(p)).length;
    const backstore = `${CANONICAL_ROOT}/core/iblock_0/m_example_iscsitgt01_lun3`;
    const mapping = (n: number) => `${TPG}/acls/${INITIATOR(n)}/lun_3`;
    const acl5 = `${TPG}/acls/${INITIATOR(5)}`;
    expect(result.stdout.split('\n').slice(2)).toEqual([
      `removed  ${backstore}/  (${under(old, now, backstore)} entries)`,
      ...[1, 2, 3, 4].map((n) => `removed  ${mapping(n)}/  (${under(old, now, mapping(n))} entries)`),
      `removed  ${TPG}/lun/lun_3/  (${under(old, now, `${TPG}/lun/lun_3`)} entries)`,
      `added    ${acl5}/  (${under(now, old, acl5)} entries)`,
      `changed  ${CMDSN}  64 -> 128`,
      expect.stringMatching(/^\(\d+ statistics values changed; --counters lists them\)$/),
      expect.stringMatching(/^\d+ removed, \d+ added, 1 changed$/),
      '',
    ]);
    expect(under(old, now, backstore)).toBeGreaterThan(20);
  });

  it('--counters lists the statistics changes too', async () => {
    const { stdout } = await run('diff', '--counters', '2026-11-20 09:59', '2026-11-20 10:59');
    const changed = stdout.split('\n').filter((l) => l.startsWith('changed  '));
    const expected = [...now].filter(([path, value]) => old.has(path) && old.get(path) !== value).map(([path, value]) => `changed  ${path}  ${shown(old.get(path)!)} -> ${shown(value)}`);
    expect(changed).toEqual(expected);
    expect(changed).toContain(`changed  ${TPG}/acls/${INITIATOR(1)}/lun_0/statistics/scsi_auth_intr/write_mbytes  0 -> 7`);
    expect(stdout).not.toContain('statistics values changed');
  });

  it('refuses two times that resolve to the same snapshot, and wants exactly two times', async () => {
    const same = await run('diff', '2026-11-20 10:58', '2026-11-20 11:30');
    expect(same.code).toBe(1);
    expect(same.stderr).toContain(`lio-collector: both times resolve to the same full snapshot, 2026-11-20 10:59 (${join(archive, '20261120', 'lio-202611201059.gz')})\n`);
    const one = await run('diff', '2026-11-20 10:58');
    expect(one).toMatchObject({ code: 1, stderr: 'lio-collector: diff takes two times, TIME1 and TIME2; got 1: 2026-11-20 10:58\n' });
  });

  it('without full snapshots says what there is', async () => {
    const result = await run('diff', '--stats', '2026-11-20 09:00', '2026-11-20 10:00');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(`lio-collector: archive ${archive} has no stats snapshots\n`);
  });
});
