// The .deb installed with dpkg in a scratch system (test/support/package.ts) where no node
// exists: the plugins through munin-node-configure and munin-run, the collector, removal and
// purge leaving the system as it was, an upgrade keeping the administrator's changes; lintian.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, inScratchSystem, PACKAGE_BUILD_TIMEOUT_MS, PACKAGES, sections } from '../support/package.js';
import { DIST_PLUGINS, PLUGIN_NAMES } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';

const FIXTURE = new URL('../fixtures/configfs/procfs-target', import.meta.url).pathname;
/** A DRBD 8.4 /proc/drbd (minor 1): drbd_state's config keeps itself in the plugin state, which purge removes. */
const PROC_DRBD = new URL('../fixtures/proc-drbd/blog-cn-8.4.11-1.txt', import.meta.url).pathname;
/** lio_read of the procfs sample (test/plugins/lio-layouts.test.ts). */
const LIO_READ_FETCH =
  'iqn2003_01orglinux_iscsiosd1x8664sn8888bbbbddd0lun_0.value 10325\n' +
  'iqn2003_01orglinux_iscsiosd1x8664snabcd1abcd2ablun_0.value 20095\n' +
  'iqn2016_11orglinux_iscsiigwx86devrbd0lun_0.value 10195\n' +
  'iqn2016_11orglinux_iscsiigwx86snramdemolun_0.value 1504\n';

beforeAll(() => buildPackages(), PACKAGE_BUILD_TIMEOUT_MS);

/** A copy of the sample tree that user nobody (munin-run) can read. */
function sampleTree(): string {
  const dir = tempDir();
  cpSync(FIXTURE, `${dir}/target`, { recursive: true });
  return `${dir}/target`;
}

// Everything dpkg and the maintainer scripts may touch, but dpkg's own records and logs.
const LIST = `list() { find /etc /usr /var -xdev \\( -path /var/lib/dpkg -o -path /var/log \\) -prune -o -print | sort; }`;
const LINKS = `links() { for p in ${PLUGIN_NAMES.join(' ')}; do [ -L "/etc/munin/plugins/$p" ] && echo "$p -> $(readlink "/etc/munin/plugins/$p")"; done; true; }`;

/** A copy of the /proc/drbd sample that user nobody can read. */
function sampleProcDrbd(): string {
  const path = `${tempDir()}/proc-drbd`;
  cpSync(PROC_DRBD, path);
  chmodSync(path, 0o644);
  return path;
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('the .deb on a system without node', () => {
  const tree = sampleTree();
  const out = tempDir();
  let s: Record<string, string> = {};
  let status: number | null = null;

  beforeAll(() => {
    const run = inScratchSystem(
      `${LIST}\n${LINKS}
TREE=$1; DEB=$2; OUT=$3; PROC_DRBD=$4
echo "=== node"; command -v node nodejs || echo none
printf '[lio_*]\\nenv.target_root %s\\n' "$TREE" > /etc/munin/plugin-conf.d/zz-test
list > "$OUT/before"
echo "=== install"; dpkg -i "$DEB" 2>&1
echo "=== enabled"; links
echo "=== record"; cat /var/lib/lio-munin/package-enabled
echo "=== suggest"; munin-node-configure --suggest 2>&1 || true # other plugins of this machine fail theirs
echo "=== config"; munin-run lio_read config 2>&1
echo "=== fetch"; munin-run lio_read 2>&1
printf '[drbd_state]\\nenv.drbd_proc %s\\n' "$PROC_DRBD" >> /etc/munin/plugin-conf.d/zz-test
echo "=== drbd_state config"; munin-run --servicedir /usr/share/munin/plugins drbd_state config 2>&1 | grep -c '^drbd1'
echo "=== snapshot"; lio-collector snapshot stats --root "$TREE" 2>&1; zcat /var/log/lio/*/lio-statistics-*.gz > "$OUT/snapshot"
echo "=== run"; status=0; timeout 3 lio-collector run --root "$TREE" --archive "$(mktemp -d)" 2>&1 || status=$?; echo "exit $status"
echo "=== remove"; dpkg -r lio-munin 2>&1; list > "$OUT/removed"
echo "=== enabled after remove"; links
echo "=== purge"; dpkg -P lio-munin 2>&1; list > "$OUT/purged"
echo "=== archive after purge"; ls /var/log/lio/*/ | sed 's/[0-9]\\{12\\}/TIME/'
`,
      [tree, PACKAGES.deb, out, sampleProcDrbd()],
    );
    s = sections(run.stdout);
    status = run.status;
    if (status !== 0) console.error(run.stdout, run.stderr);
  }, 10 * 60_000);

  it('runs where no node exists on any path', () => {
    expect(status).toBe(0);
    expect(s['node']).toBe('none\n');
  });

  it('enables on installation the plugins whose autoconf says yes, and records them', () => {
    expect(s['install']).toContain(`Setting up lio-munin (${PACKAGES.version}) ...`);
    expect(s['install']).toContain('lio-munin: enabled the Munin plugin lio_read (its autoconf says yes)\n');
    expect(s['enabled']).toBe(
      'lio_disk -> /usr/share/munin/plugins/lio_disk\nlio_read -> /usr/share/munin/plugins/lio_read\nlio_write -> /usr/share/munin/plugins/lio_write\n',
    );
    expect(s['record']).toBe('lio_disk\nlio_read\nlio_write\n');
  });

  it('munin-node-configure --suggest lists every plugin, with autoconf\'s answer', () => {
    for (const name of PLUGIN_NAMES) {
      const row = lines(s['suggest']!).find((l) => l.startsWith(`${name} `));
      expect(row, name).toBeDefined();
      // The sample tree (prometheus/procfs's) has LUNs but no iSCSI statistics, no DRBD, no cluster.
      if (['lio_disk', 'lio_read', 'lio_write'].includes(name)) expect(row).toMatch(/\| yes +\| yes\s*$/);
      else if (name.startsWith('drbd')) expect(row).toMatch(/\| no +\| no \[\/proc\/drbd not found: drbd module not loaded\]\s*$/);
      else expect(row).toMatch(/\| no +\| no \[.+\]\s*$/);
    }
    const errors = s['suggest']!.slice(s['suggest']!.indexOf('# The following plugins caused errors:'));
    for (const name of PLUGIN_NAMES) expect(errors).not.toContain(`# ${name}:`);
  });

  // With stderr: a plugin's code cache that V8 rejects (package/script-asset.ts) says so there.
  it('munin-run gives what the plugin under node gives, and nothing on stderr', () => {
    const dist = spawnSync(`${DIST_PLUGINS}/lio_read`, ['config'], { encoding: 'utf8', env: { ...process.env, target_root: tree } });
    expect(s['config']).toBe(dist.stdout);
    expect(s['fetch']).toBe(LIO_READ_FETCH);
  });

  it('lio-collector writes the snapshot the collector under node writes', () => {
    const archive = tempDir();
    const dist = spawnSync(process.execPath, ['dist/collector/lio-collector', 'snapshot', 'stats', '--root', tree, '--archive', archive], { encoding: 'utf8' });
    expect(dist.status).toBe(0);
    const expected = spawnSync('sh', ['-c', `zcat ${archive}/*/lio-statistics-*.gz`], { encoding: 'utf8' }).stdout;
    expect(s['snapshot']).toBe('');
    expect(readFileSync(`${out}/snapshot`, 'utf8')).toBe(expected);
    expect(expected).toContain('[/sys/kernel/config/target/iscsi/');
  });

  it('lio-collector run (the daemon, with node-cron) keeps running until it is stopped', () => {
    // timeout's status 124: still running after 3 s, nothing said.
    expect(s['run']).toBe('exit 124\n');
  });

  it("dpkg -r removes all but the configuration files and the plugins' state, and the links it made", () => {
    expect(s['remove']).toContain('lio-munin: disabled the Munin plugin lio_read\n');
    expect(s['enabled after remove']).toBe('');
    const before = new Set(lines(readFileSync(`${out}/before`, 'utf8')));
    const removed = new Set(lines(readFileSync(`${out}/removed`, 'utf8')));
    // lio_read's fetch kept its listings, drbd_state's config its devices and itself (as munin-run's
    // user nobody): state, which purge removes.
    expect(s['drbd_state config']).toMatch(/^[1-9]\d*\n$/);
    expect([...removed].filter((p) => !before.has(p))).toEqual([
      '/etc/cron.d/lio-collector',
      '/etc/cron.d/lio-collector-metrics',
      '/etc/munin/plugin-conf.d/lio-munin',
      '/var/lib/munin-node/plugin-state/nobody/lio-munin-drbd-state.json',
      '/var/lib/munin-node/plugin-state/nobody/lio-munin-drbd_state.config',
      '/var/lib/munin-node/plugin-state/nobody/lio-munin-lio-listings.json',
    ]);
    expect([...before].filter((p) => !removed.has(p))).toEqual([]);
  });

  it('dpkg -P leaves the system as it was before, but the archive', () => {
    expect(readFileSync(`${out}/purged`, 'utf8')).toBe(readFileSync(`${out}/before`, 'utf8'));
    expect(s['archive after purge']).toBe('lio-statistics-TIME.gz\n');
  });
});

describe('upgrades', () => {
  it('keep the administrator\'s changes to the configuration file and enable nothing', () => {
    const tree = sampleTree();
    const conf = '/etc/munin/plugin-conf.d/lio-munin';
    const run = inScratchSystem(
      `${LINKS}
TREE=$1; DEB=$2
# The next versions: the same files but the version, then also a changed configuration file.
repack() {
  dpkg-deb -R "$DEB" "$SCRATCH/$1"
  sed -i "s/^Version: .*/Version: $1/" "$SCRATCH/$1/DEBIAN/control"
  [ -z "$2" ] || echo "$2" >> "$SCRATCH/$1${conf}"
  dpkg-deb --root-owner-group -Zgzip -z1 --build "$SCRATCH/$1" "$SCRATCH/$1.deb" >/dev/null
}
repack 99.0.1; repack 99.0.2 '# changed in 99.0.2'
printf '[lio_*]\\nenv.target_root %s\\n' "$TREE" > /etc/munin/plugin-conf.d/zz-test
dpkg -i "$DEB" >/dev/null 2>&1
# The administrator: DRBD 9 settings, and lio_write disabled.
sed -i 's/^#user root$/user root/' ${conf}
rm /etc/munin/plugins/lio_write
cp ${conf} "$SCRATCH/admin"
echo "=== 99.0.1"; dpkg -i "$SCRATCH/99.0.1.deb" 2>&1
echo "=== conf"; cmp ${conf} "$SCRATCH/admin" && ls /etc/munin/plugin-conf.d/ | grep lio-munin
echo "=== 99.0.2"; dpkg -i --force-confdef --force-confold "$SCRATCH/99.0.2.deb" 2>&1
echo "=== conf 2"; cmp ${conf} "$SCRATCH/admin" && ls /etc/munin/plugin-conf.d/ | grep lio-munin; tail -1 ${conf}.dpkg-dist
echo "=== version"; dpkg-query -W lio-munin
echo "=== enabled"; links
dpkg -P lio-munin >/dev/null 2>&1
echo "=== after purge"; ls /etc/munin/plugin-conf.d/ /etc/munin/plugins/ /var/lib/ | grep lio || true
`,
      [tree, PACKAGES.deb],
    );
    if (run.status !== 0) console.error(run.stdout, run.stderr);
    expect(run.status).toBe(0);
    const s = sections(run.stdout);
    expect(s['99.0.1']).toContain('Setting up lio-munin (99.0.1) ...');
    expect(s['99.0.1']).not.toContain('enabled the Munin plugin');
    expect(s['conf']).toBe('lio-munin\n');
    expect(s['conf 2']).toBe('lio-munin\nlio-munin.dpkg-dist\n# changed in 99.0.2\n');
    expect(s['version']).toBe('lio-munin\t99.0.2\n');
    expect(s['enabled']).toBe('lio_disk -> /usr/share/munin/plugins/lio_disk\nlio_read -> /usr/share/munin/plugins/lio_read\n');
    expect(s['after purge']).toBe('');
  }, 10 * 60_000);
});
