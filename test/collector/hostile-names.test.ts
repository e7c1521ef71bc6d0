// Names that could break an archive entry's `[PATH]` header (issue 18, item 4): a newline, a `]`
// and a line shaped like another header in a configfs directory name. The built collector writes
// such a path as a JSON string, `["..."]`, every other header byte for byte as before, and the
// built archive reader reads back exactly what was written.
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLioTree, setTraffic, tpgPath, type LioSpec } from '../support/lio-tree.js';
import { gunzipText, requireBuiltCollector, runCollector } from '../support/collector-cli.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-hostile-names-');
const root = `${dir}/target`;
const archive = `${dir}/archive`;
const EVIL = 'iqn.2016-09.com.example:host]\n[fake]\n666';
const BRACKET = 'iqn.2016-09.com.example:odd]name';
const SPEC: LioSpec = {
  targets: [
    {
      fabric: 'iscsi',
      wwn: 'iqn.2016-09.com.example:tgt',
      tpgt: 1,
      luns: [0],
      acls: [
        { initiator: EVIL, mappedLuns: [0] },
        { initiator: BRACKET, mappedLuns: [0] },
      ],
    },
  ],
};
const CANONICAL_TPG = tpgPath('/sys/kernel/config/target', SPEC.targets[0]!);
const evilPath = `${CANONICAL_TPG}/acls/${EVIL}/lun_0/statistics/scsi_auth_intr/read_mbytes`;
const bracketPath = `${CANONICAL_TPG}/acls/${BRACKET}/lun_0/statistics/scsi_auth_intr/read_mbytes`;
let text = '';

beforeAll(() => {
  requireBuiltCollector();
  buildLioTree(root, SPEC);
  setTraffic(root, SPEC, (_t, initiator) => ({ read: initiator === EVIL ? 41 : 43, write: 0 }));
  const run = runCollector(['snapshot', 'stats', '--root', root, '--archive', archive, '--no-drbd']);
  expect(run).toMatchObject({ status: 0, stderr: '' });
  const day = readdirSync(archive)[0]!;
  text = gunzipText(`${archive}/${day}/${readdirSync(`${archive}/${day}`)[0]}`);
});

describe('archive headers of hostile names', () => {
  it('a path with a newline is one quoted header line; a ] alone, and every ordinary path, as before', () => {
    expect(text).toContain(`\n[${JSON.stringify(evilPath)}]\n41\n\n`);
    expect(text).toContain(`\n[${bracketPath}]\n43\n\n`);
    expect(text).toContain(`\n[${CANONICAL_TPG}/lun/lun_0/statistics/scsi_tgt_port/read_mbytes]\n84\n\n`);
    // The name's newlines stay inside the quoted header: no header line of its own is made.
    expect(text).not.toMatch(/^666\/lun_0\/statistics\/scsi_auth_intr\/read_mbytes\]$/m);
  });

  it('archive grep reads back each path and value, the quoted one shown quoted on its one line', () => {
    const run = runCollector(['archive', 'grep', '**/scsi_auth_intr/read_mbytes', '--archive', archive]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean).map((line) => line.replace(/^\S+ \S+ {2}/, ''));
    expect(lines).toEqual([`${JSON.stringify(evilPath)}  41`, `${bracketPath}  43`]);
  });

  it('a glob with a literal part (searched for as a needle) still finds the quoted header', () => {
    const run = runCollector(['archive', 'grep', 'lun_0/statistics/scsi_auth_intr/read_mbytes', '--archive', archive]);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean).map((line) => line.replace(/^\S+ \S+ {2}/, ''))).toEqual([`${JSON.stringify(evilPath)}  41`, `${bracketPath}  43`]);
  });

  it('a content line shaped like a header ([fake] in intr_name, which holds the initiator name) stays in its value', () => {
    const run = runCollector(['archive', 'grep', '**/scsi_auth_intr/intr_name', '--archive', archive]);
    expect(run.status).toBe(0);
    const intrName = (path: string) => JSON.stringify(path.replace(/read_mbytes$/, 'intr_name'));
    expect(run.stdout.split('\n').filter(Boolean).map((line) => line.replace(/^\S+ \S+ {2}/, ''))).toEqual([
      `${intrName(evilPath)}  iqn.2016-09.com.example:host]`,
      `${intrName(evilPath)}  [fake]`,
      `${intrName(evilPath)}  666`,
      `${bracketPath.replace(/read_mbytes$/, 'intr_name')}  ${BRACKET}`,
    ]);
    const all = runCollector(['archive', 'grep', 'fake', '--archive', archive]);
    expect(all).toMatchObject({ status: 1, stdout: '' });
  });
});
