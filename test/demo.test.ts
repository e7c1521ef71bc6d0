// `npm run demo`, the README's first command: the built dist/demo.js runs every plugin of
// plugins/list.json against its sample system and the archive reader against its two snapshots,
// in the order the README describes, with the rates its traffic was built to give.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import PLUGIN_LIST from '../plugins/list.json' with { type: 'json' };
import { tempDir } from './support/tmp.js';

const DEMO = fileURLToPath(new URL('../dist/demo.js', import.meta.url));
const LIO_FIRST = [...PLUGIN_LIST.filter((p) => p.startsWith('lio_')), ...PLUGIN_LIST.filter((p) => !p.startsWith('lio_'))];

describe('npm run demo (dist/demo.js)', () => {
  it('runs every plugin as munin-node would, then the collector and the archive reader', () => {
    if (!existsSync(DEMO)) throw new Error(`${DEMO} is missing: run \`node build.mjs\` (npm test builds first)`);
    const tmp = tempDir('lio-munin-demo-test-');
    const result = spawnSync(process.execPath, [DEMO], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp }, timeout: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const text = result.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    const sections = text.split(/^== /m).slice(1).map((s) => {
      const [title, ...body] = s.split('\n');
      return { title: title!, body: body.join('\n') };
    });

    const archive = `${tmp}/lio-munin-demo/var/log/lio`;
    expect(sections.map((s) => s.title.replace(/\d{8}\/lio-statistics-\d{12}\.gz \(\d+ entries, \d+ bytes\)/, 'FILE'))).toEqual([
      ...LIO_FIRST.flatMap((p) => [`${p} autoconf`, `${p} config`, `${p} fetch at t=0`]),
      ...LIO_FIRST.map((p) => `${p} fetch at t=300s, and what Munin draws`),
      `collector: stats snapshot ${archive}/FILE, first lines`,
      'archive reader: lio-collector archive series for initiator01 on LUN 0',
      'done',
    ]);
    // .ci/run installs pacemaker-cli-utils, so the cluster state is there too.
    for (const s of sections.filter((s) => s.title.endsWith(' autoconf'))) expect(s.body, s.title).toBe('yes\n\n'); // a blank line before the next title

    const drawn = (plugin: string) => sections.find((s) => s.title === `${plugin} fetch at t=300s, and what Munin draws`)!.body.split('\n').filter((l) => l.startsWith('  '));
    expect(drawn('lio_read')).toEqual([
      ...[0, 1, 2, 3].map((lun) => `  ${`iscsitgt01 (lun_${lun})`.padEnd(40)} 10.00 MiB/s`),
      ...[1, 2, 3, 4].flatMap((n) => [0, 1, 2, 3].map((lun) => `  ${`iscsitgt01 - initiator0${n} (lun_${lun})`.padEnd(40)} ${n}.00 MiB/s`)),
    ]);
    const series = sections.find((s) => s.title.startsWith('archive reader'))!.body.replace(/\d{4}-\d\d-\d\d \d\d:\d\d/g, 'TIME');
    expect(series).toBe(
      [
        '/sys/kernel/config/target/iscsi/iqn.2016-09.com.example:iscsitgt01/tpgt_1/acls/iqn.2016-09.com.example:initiator01/lun_0/statistics/scsi_auth_intr/read_mbytes',
        'time              value  delta  MiB/s  note',
        'TIME  50000      -      -',
        'TIME  50300    300  1.000',
        '',
        '1 counter, 2 stats snapshots (expected every 5 min)',
        '',
        '',
      ].join('\n'),
    );
  }, 180_000);
});
