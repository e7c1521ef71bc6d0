// LIO layouts the original plugins could not read: other fabrics and TPGs, naa./eui./WWPN target
// names, targets without ACLs, names that clean to the same field, over-long names; and the public
// configfs samples.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { lioPlugin } from '../../plugins/graphs/lio.js';
import { MAX_FIELD_NAME } from '../../lib/munin/field-names.js';
import { buildLioTree, setTraffic, type LioSpec } from '../support/lio-tree.js';
import { DIST_PLUGINS, parseFields } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';

function fetch(plugin: 'lio_read' | 'lio_write', root: string): string {
  const run = spawnSync(`${DIST_PLUGINS}/${plugin}`, [], { encoding: 'utf8', env: { ...process.env, target_root: root } });
  expect(run.status).toBe(0);
  expect(run.stderr).toBe('');
  return run.stdout;
}

describe('the public configfs samples (LUN statistics only, no ACLs)', () => {
  it('prometheus/procfs: one field per target LUN with the scsi_tgt_port MiB counter', () => {
    const root = new URL('../fixtures/configfs/procfs-target', import.meta.url).pathname;
    expect(fetch('lio_read', root)).toBe(
      'iqn2003_01orglinux_iscsiosd1x8664sn8888bbbbddd0lun_0.value 10325\n' +
        'iqn2003_01orglinux_iscsiosd1x8664snabcd1abcd2ablun_0.value 20095\n' +
        'iqn2016_11orglinux_iscsiigwx86devrbd0lun_0.value 10195\n' +
        'iqn2016_11orglinux_iscsiigwx86snramdemolun_0.value 1504\n',
    );
  });

  it('ncollectd: the same MiB as the bytes ncollectd expects (22290628608 B = 21258 MiB)', () => {
    const root = new URL('../fixtures/configfs/ncollectd-target', import.meta.url).pathname;
    expect(fetch('lio_read', root)).toBe(
      'iqn2025_02orglinux_iscsiigwx86devrbd0lun_0.value 22019\niqn2025_02orglinux_iscsiosd1x8664sn89321afeecfdlun_0.value 21258\n',
    );
    expect(fetch('lio_write', root)).toBe(
      'iqn2025_02orglinux_iscsiigwx86devrbd0lun_0.value 93220\niqn2025_02orglinux_iscsiosd1x8664sn89321afeecfdlun_0.value 31201\n',
    );
  });
});

const LONG_INITIATOR = `iqn.1994-05.com.redhat:${'storage-client-with-a-very-long-name-'.repeat(5)}01`;

const MIXED: LioSpec = {
  targets: [
    // Two initiators whose names clean to the same field name (host-a / host_a).
    { fabric: 'iscsi', wwn: 'iqn.2016-09.com.example:tgt', tpgt: 1, luns: [0], acls: [
      { initiator: 'iqn.2016-09.com.example:host-a', mappedLuns: [0] },
      { initiator: 'iqn.2016-09.com.example:host_a', mappedLuns: [0] },
    ] },
    // A second TPG of the same target.
    { fabric: 'iscsi', wwn: 'iqn.2016-09.com.example:tgt', tpgt: 2, luns: [0], acls: [{ initiator: 'iqn.2016-09.com.example:host-b', mappedLuns: [0] }] },
    // Other fabrics and target names; a target without ACLs (generate_node_acls) still has its LUNs.
    { fabric: 'loopback', wwn: 'naa.5001405a1b2c3d4e', tpgt: 1, luns: [0, 1], acls: [] },
    { fabric: 'iscsi', wwn: 'eui.0123456789abcdef', tpgt: 1, luns: [0], acls: [{ initiator: 'eui.fedcba9876543210', mappedLuns: [0] }] },
    { fabric: 'qla2xxx', wwn: '21:00:00:24:ff:31:4c:48', tpgt: 1, luns: [0], acls: [{ initiator: '21:00:00:24:ff:31:4c:49', mappedLuns: [0] }] },
    { fabric: 'iscsi', wwn: 'iqn.2016-09.com.example:long', tpgt: 1, luns: [10], acls: [{ initiator: LONG_INITIATOR, mappedLuns: [10] }] },
  ],
};

describe('every fabric, TPG and name', () => {
  const dir = tempDir();
  const root = `${dir}/target`;
  beforeAll(() => {
    buildLioTree(root, MIXED);
    let n = 0;
    setTraffic(root, MIXED, () => ({ read: ++n, write: 1000 + n }));
  });

  it('gives each mapping a valid, distinct, stable field name', () => {
    const names = [...parseFields(fetch('lio_read', root)).keys()];
    const long = names.find((name) => name.startsWith('iqn2016_09comexamplelongiqn1994_05comredhat'))!;
    expect(names).toEqual([
      'eui0123456789abcdeflun_0',
      'eui0123456789abcdefeuifedcba9876543210lun_0',
      'iqn2016_09comexamplelonglun_10',
      long,
      'iqn2016_09comexampletgtlun_0',
      'iqn2016_09comexampletgtiqn2016_09comexamplehost_alun_0',
      // host_a cleans to the same name as host-a: it gets a suffix from its path instead.
      expect.stringMatching(/^iqn2016_09comexampletgtiqn2016_09comexamplehost_alun_0_[0-9a-f]{8}$/),
      'iqn2016_09comexampletgttpgt_2lun_0',
      'iqn2016_09comexampletgttpgt_2iqn2016_09comexamplehost_blun_0',
      'naa5001405a1b2c3d4elun_0',
      'naa5001405a1b2c3d4elun_1',
      '_21000024ff314c48lun_0',
      '_21000024ff314c4821000024ff314c49lun_0',
    ]);
    expect(long.length).toBe(MAX_FIELD_NAME);
    expect(long).toMatch(/_[0-9a-f]{8}$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives the same names on every run and after the tree is rebuilt (a failover)', () => {
    const first = fetch('lio_write', root);
    buildLioTree(root, MIXED);
    let n = 0;
    setTraffic(root, MIXED, () => ({ read: ++n, write: 1000 + n }));
    expect([...parseFields(fetch('lio_write', root)).keys()]).toEqual([...parseFields(first).keys()]);
  });

  it('labels name the fabric, target, TPG, initiator and LUN', () => {
    const graph = lioPlugin('read', { target_root: root }).graph(false);
    expect([...graph.fields].map((f) => f.label)).toEqual([
      'eui.0123456789abcdef (lun_0)',
      'eui.0123456789abcdef - eui.fedcba9876543210 (lun_0)',
      'long (lun_10)',
      `long - ${LONG_INITIATOR.slice(LONG_INITIATOR.indexOf(':') + 1)} (lun_10)`,
      'tgt (lun_0)',
      'tgt - host-a (lun_0)',
      'tgt - host_a (lun_0)',
      'tgt tpgt_2 (lun_0)',
      'tgt tpgt_2 - host-b (lun_0)',
      'loopback naa.5001405a1b2c3d4e (lun_0)',
      'loopback naa.5001405a1b2c3d4e (lun_1)',
      'qla2xxx 21:00:00:24:ff:31:4c:48 (lun_0)',
      'qla2xxx 21:00:00:24:ff:31:4c:48 - 21:00:00:24:ff:31:4c:49 (lun_0)',
    ]);
  });

  it('reads the per-LUN total of a target without ACLs and each mapping once', () => {
    const values = parseFields(fetch('lio_read', root));
    expect(values.get('naa5001405a1b2c3d4elun_0')!.value).toBe('0');
    expect(values.get('iqn2016_09comexampletgtiqn2016_09comexamplehost_alun_0')!.value).toBe('1');
    // The LUN total is what the kernel counts for the LUN: here the sum of both initiators.
    expect(values.get('iqn2016_09comexampletgtlun_0')!.value).toBe('3');
  });
});
