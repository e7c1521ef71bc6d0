// The .rpm: the .deb's payload, installed by rpm into a scratch root where the executable runs,
// and installed and erased on a scratch system (test/support/package.ts) by rpm with its
// scriptlets, which do what the .deb's maintainer scripts do.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, inScratchSystem, PACKAGE_BUILD_TIMEOUT_MS, PACKAGES, sections } from '../support/package.js';
import { PLUGIN_NAMES } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';

const FIXTURE = new URL('../fixtures/configfs/procfs-target', import.meta.url).pathname;
const DOC_DIR = '/usr/share/doc/lio-munin/';

beforeAll(() => buildPackages(), PACKAGE_BUILD_TIMEOUT_MS);

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

function sampleTree(): string {
  const dir = tempDir();
  cpSync(FIXTURE, `${dir}/target`, { recursive: true });
  return `${dir}/target`;
}

/** Files and links of the .deb (no directories), with Debian's /lib/systemd as /usr/lib/systemd. */
function debPayload(): string[] {
  const run = spawnSync('dpkg-deb', ['-c', PACKAGES.deb], { encoding: 'utf8' });
  return lines(run.stdout)
    .filter((l) => !l.startsWith('d'))
    .map((l) => /\.(\/\S+)/.exec(l)![1]!.replace(/^\/lib\/systemd\//, '/usr/lib/systemd/'));
}

function rpmPayload(): string[] {
  const run = spawnSync('rpm', ['-qp', '--qf', '[%{FILEMODES:perms} %{FILENAMES}\n]', PACKAGES.rpm], { encoding: 'utf8' });
  expect(run.status).toBe(0);
  return lines(run.stdout)
    .filter((l) => !l.startsWith('d'))
    .map((l) => l.split(' ')[1]!);
}

describe('the .rpm', () => {
  it('rpm -qlp lists the .deb\'s payload; only the documentation differs', () => {
    const deb = debPayload();
    const rpm = rpmPayload();
    const notDoc = (p: string) => !p.startsWith(DOC_DIR) && !p.startsWith('/usr/share/lintian/');
    expect(rpm.filter(notDoc).sort()).toEqual(deb.filter(notDoc).sort());
    expect(rpm.filter((p) => !notDoc(p)).sort()).toEqual([`${DOC_DIR}README.md`, `${DOC_DIR}copyright`, `${DOC_DIR}nodejs-licenses.gz`]);
    const list = spawnSync('rpm', ['-qlp', PACKAGES.rpm], { encoding: 'utf8' }).stdout;
    for (const name of PLUGIN_NAMES) expect(list).toContain(`/usr/share/munin/plugins/${name}\n`);
    const config = spawnSync('rpm', ['-qcp', PACKAGES.rpm], { encoding: 'utf8' }).stdout;
    expect(config).toBe('/etc/cron.d/lio-collector\n/etc/cron.d/lio-collector-metrics\n/etc/munin/plugin-conf.d/lio-munin\n');
  });

  it('installs with rpm -i --root into a scratch root where the executable runs', () => {
    const root = tempDir();
    const tree = sampleTree();
    // Without its scriptlets: the scratch root has no /bin/sh to run them (the test below runs them).
    // --force-debian: Debian's rpm refuses to install on a Debian system without it (a warning).
    const install = spawnSync('rpm', ['-i', '--force-debian', '--nodeps', '--noscripts', '--root', root, PACKAGES.rpm], { encoding: 'utf8' });
    expect(install.stderr).toBe('');
    expect(install.status).toBe(0);
    expect(spawnSync('rpm', ['--root', root, '-q', 'lio-munin'], { encoding: 'utf8' }).stdout).toBe(`lio-munin-${PACKAGES.version}-1.x86_64\n`);
    expect(readFileSync(`${root}/usr/lib/lio-munin/lio-munin`).equals(readFileSync(PACKAGES.executable))).toBe(true);
    const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', target_root: tree };
    const fetch = spawnSync(`${root}/usr/share/munin/plugins/lio_read`, [], { encoding: 'utf8', env });
    expect(fetch.stderr).toBe('');
    expect(fetch.stdout).toBe(
      'iqn2003_01orglinux_iscsiosd1x8664sn8888bbbbddd0lun_0.value 10325\n' +
        'iqn2003_01orglinux_iscsiosd1x8664snabcd1abcd2ablun_0.value 20095\n' +
        'iqn2016_11orglinux_iscsiigwx86devrbd0lun_0.value 10195\n' +
        'iqn2016_11orglinux_iscsiigwx86snramdemolun_0.value 1504\n',
    );
    const archive = tempDir();
    const snapshot = spawnSync(`${root}/usr/bin/lio-collector`, ['snapshot', 'stats', '--root', tree, '--archive', archive], { encoding: 'utf8', env });
    expect(snapshot.stderr).toBe('');
    expect(snapshot.status).toBe(0);
    const [day] = readdirSync(archive);
    expect(readdirSync(`${archive}/${day}`)).toEqual([expect.stringMatching(/^lio-statistics-\d{12}\.gz$/)]);
  });

  it('its scriptlets enable the plugins on installation and disable them on erasure', () => {
    const tree = sampleTree();
    const out = tempDir();
    const run = inScratchSystem(
      `list() { find /etc /usr /var -xdev \\( -path /var/lib/rpm -o -path /var/log \\) -prune -o -print | sort; }
links() { for p in ${PLUGIN_NAMES.join(' ')}; do [ -L "/etc/munin/plugins/$p" ] && echo "$p -> $(readlink "/etc/munin/plugins/$p")"; done; true; }
TREE=$1; RPM=$2; OUT=$3
printf '[lio_*]\\nenv.target_root %s\\n' "$TREE" > /etc/munin/plugin-conf.d/zz-test
list > "$OUT/before"
echo "=== install"; rpm -i --force-debian --nodeps "$RPM" 2>&1
echo "=== enabled"; links
echo "=== fetch"; munin-run lio_read
echo "=== erase"; rpm -e --force-debian lio-munin 2>&1
echo "=== enabled after erase"; links
list > "$OUT/erased"
`,
      [tree, PACKAGES.rpm, out],
    );
    if (run.status !== 0) console.error(run.stdout, run.stderr);
    expect(run.status).toBe(0);
    const s = sections(run.stdout);
    expect(s['install']).toBe(
      'lio-munin: enabled the Munin plugin lio_disk (its autoconf says yes)\nlio-munin: enabled the Munin plugin lio_read (its autoconf says yes)\nlio-munin: enabled the Munin plugin lio_write (its autoconf says yes)\n',
    );
    expect(s['enabled']).toBe(
      'lio_disk -> /usr/share/munin/plugins/lio_disk\nlio_read -> /usr/share/munin/plugins/lio_read\nlio_write -> /usr/share/munin/plugins/lio_write\n',
    );
    expect(s['fetch']).toContain('iqn2016_11orglinux_iscsiigwx86snramdemolun_0.value 1504\n');
    expect(s['erase']).toBe('lio-munin: disabled the Munin plugin lio_disk\nlio-munin: disabled the Munin plugin lio_read\nlio-munin: disabled the Munin plugin lio_write\n');
    expect(s['enabled after erase']).toBe('');
    expect(readFileSync(`${out}/erased`, 'utf8')).toBe(readFileSync(`${out}/before`, 'utf8'));
  }, 10 * 60_000);
});
