// Drop-in compatibility with the original plugins (../shared/seed/blog-lio-cluster.txt, parts
// 12-13): on the seed's own layout and on a DRBD 8.4 file, the built plugins print the same field
// names, raw values, order and scaling as the originals did, so existing RRD history continues.
// The expected text below is written from the originals' documented behaviour: field name =
// target and initiator names lowercased, '-' -> '_', other non-[a-z0-9_] dropped, then the LUN
// directory; value = the MiB counter as read; cdef NAME,1048576,* (lio) or NAME,1024,* (drbd).
import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLioTree, patternTraffic, seedSystem, setTraffic } from '../support/lio-tree.js';
import { muninRun, parseFields } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';

const T = 'iqn2016_09comexampleiscsitgt01';
const I = (n: number) => `iqn2016_09comexampleinitiator0${n}`;

/** The originals' order: per target its LUN totals, then initiators and LUNs in path order. */
const LIO_FIELDS = [
  ...[0, 1, 2, 3].map((l) => `${T}lun_${l}`),
  ...[1, 2, 3, 4].flatMap((i) => [0, 1, 2, 3].map((l) => `${T}${I(i)}lun_${l}`)),
];

describe('lio_read and lio_write on the seed example (1 target, 4 initiators, 4 LUNs)', () => {
  const dir = tempDir();
  const root = `${dir}/target`;
  beforeAll(() => {
    const spec = seedSystem();
    buildLioTree(root, spec);
    // initiator i on LUN l has read (i*100 + l*10 + 1) MiB and written (i*100 + l*10 + 2) MiB.
    setTraffic(root, spec, patternTraffic(1));
  });

  it('lio_read fetch prints the original field names and raw MiB values', () => {
    const run = muninRun(dir, 'lio_read', undefined, { target_root: root });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      [
        `${T}lun_0.value 1004`,
        `${T}lun_1.value 1044`,
        `${T}lun_2.value 1084`,
        `${T}lun_3.value 1124`,
        `${T}${I(1)}lun_0.value 101`,
        `${T}${I(1)}lun_1.value 111`,
        `${T}${I(1)}lun_2.value 121`,
        `${T}${I(1)}lun_3.value 131`,
        `${T}${I(2)}lun_0.value 201`,
        `${T}${I(2)}lun_1.value 211`,
        `${T}${I(2)}lun_2.value 221`,
        `${T}${I(2)}lun_3.value 231`,
        `${T}${I(3)}lun_0.value 301`,
        `${T}${I(3)}lun_1.value 311`,
        `${T}${I(3)}lun_2.value 321`,
        `${T}${I(3)}lun_3.value 331`,
        `${T}${I(4)}lun_0.value 401`,
        `${T}${I(4)}lun_1.value 411`,
        `${T}${I(4)}lun_2.value 421`,
        `${T}${I(4)}lun_3.value 431`,
        '',
      ].join('\n'),
    );
  });

  it('lio_write fetch reads write_mbytes under the same names', () => {
    const run = muninRun(dir, 'lio_write', undefined, { target_root: root });
    expect(run.status).toBe(0);
    const values = [...parseFields(run.stdout)].map(([name, f]) => [name, f.value]);
    expect(values.map(([name]) => name)).toEqual(LIO_FIELDS);
    expect(Object.fromEntries(values)).toMatchObject({ [`${T}lun_0`]: '1008', [`${T}${I(4)}lun_3`]: '432' });
  });

  for (const plugin of ['lio_read', 'lio_write'] as const) {
    it(`${plugin} config keeps DERIVE, min 0 and the MiB-to-bytes cdef of every original field`, () => {
      const run = muninRun(dir, plugin, 'config', { target_root: root });
      expect(run.status).toBe(0);
      const fields = parseFields(run.stdout);
      expect([...fields.keys()]).toEqual(LIO_FIELDS);
      for (const [name, attrs] of fields) {
        expect(attrs).toMatchObject({ type: 'DERIVE', min: '0', cdef: `${name},1048576,*` });
      }
      expect(fields.get(`${T}${I(2)}lun_3`)!.label).toBe('iscsitgt01 - initiator02 (lun_3)');
      expect(run.stdout).toContain('graph_args --base 1024 --lower-limit 0\n');
      expect(run.stdout).toContain('graph_period second\n');
    });
  }
});

describe('drbd, drbd_al and drbd_ext on a DRBD 8.4 /proc/drbd', () => {
  const dir = tempDir();
  const proc = `${dir}/drbd`;
  beforeAll(() => {
    writeFileSync(
      proc,
      'version: 8.4.5 (api:1/proto:86-101)\nsrcversion: 1AEFF755B8BD61B81A0AF27\n' +
        ' 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n' +
        '    ns:1048576 nr:0 dw:2097152 dr:2256 al:17 bm:3 lo:1 pe:2 ua:3 ap:4 ep:1 wo:f oos:8\n',
    );
  });

  it('drbd: dr dw ns nr os with the original names and raw KiB values', () => {
    const env = { drbd_proc: proc };
    expect(muninRun(dir, 'drbd', undefined, env).stdout).toBe(
      'drbd0dr.value 2256\ndrbd0dw.value 2097152\ndrbd0ns.value 1048576\ndrbd0nr.value 0\ndrbd0os.value 8\n',
    );
    const fields = parseFields(muninRun(dir, 'drbd', 'config', env).stdout);
    for (const name of ['drbd0dr', 'drbd0dw', 'drbd0ns', 'drbd0nr']) {
      expect(fields.get(name)).toMatchObject({ type: 'DERIVE', min: '0', cdef: `${name},1024,*` });
    }
    // Fixed: out-of-sync is an amount, not a counter (the original graphed it as DERIVE).
    expect(fields.get('drbd0os')).toMatchObject({ type: 'GAUGE', cdef: 'drbd0os,1024,*' });
  });

  it('drbd_al: the activity log count, now a DERIVE counter', () => {
    const env = { drbd_proc: proc };
    expect(muninRun(dir, 'drbd_al', undefined, env).stdout).toBe('drbd0al.value 17\n');
    expect(parseFields(muninRun(dir, 'drbd_al', 'config', env).stdout).get('drbd0al')).toMatchObject({ type: 'DERIVE', min: '0' });
  });

  it('drbd_ext: bm is a DERIVE counter, lo pe ua ap ep stay gauges', () => {
    const env = { drbd_proc: proc };
    expect(muninRun(dir, 'drbd_ext', undefined, env).stdout).toBe(
      'drbd0bm.value 3\ndrbd0lo.value 1\ndrbd0pe.value 2\ndrbd0ua.value 3\ndrbd0ap.value 4\ndrbd0ep.value 1\n',
    );
    const fields = parseFields(muninRun(dir, 'drbd_ext', 'config', env).stdout);
    expect(fields.get('drbd0bm')).toMatchObject({ type: 'DERIVE', min: '0' });
    for (const name of ['drbd0lo', 'drbd0pe', 'drbd0ua', 'drbd0ap', 'drbd0ep']) expect(fields.get(name)!.type).toBe('GAUGE');
  });
});
