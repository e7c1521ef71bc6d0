// lio-munin install / uninstall into --destdir staging roots, against LIO trees and /proc/drbd
// files built on disk. Runs the built dist/lio-munin as an administrator would (as root: the
// installer asks each plugin's autoconf as user nobody, as munin-node does).
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLioTree, patternTraffic, seedSystem, setTraffic } from '../support/lio-tree.js';
import { tempDir } from '../support/tmp.js';
import { asMuninNode, builtCheckout, INSTALLER, lioMunin, nodeOutsidePath, PLUGINS, procDrbd84, REPO, snapshot } from './setup.js';

const work = tempDir('lio-munin-install-');
let from: string;
let node: string;
let tree: string;
let drbd: string;
const noDrbd = join(work, 'no-such-proc-drbd');

/** A fresh, empty, world-readable staging root. */
function stagingRoot(): string {
  const root = mkdtempSync(join(work, 'root-'));
  chmodSync(root, 0o755);
  return root;
}

function installArgs(root: string, ...extra: string[]): string[] {
  // No Pacemaker, whatever this machine has (one test says where it is).
  return ['install', '--destdir', root, '--from', from, '--node', node, '--target-root', tree, '--crm-mon', join(work, 'no-crm_mon'), ...extra];
}

/** lstat, not stat: the links point to system paths, which do not exist outside the staging root. */
const present = (path: string) => lstatSync(path, { throwIfNoEntry: false }) !== undefined;
const modeOf = (path: string) => (statSync(path).mode & 0o7777).toString(8);
const afterFirstLine = (text: string) => text.slice(text.indexOf('\n') + 1);

beforeAll(() => {
  if (!existsSync(INSTALLER)) throw new Error(`${INSTALLER} is missing: run \`node build.mjs\` (npm test builds first)`);
  from = builtCheckout(work);
  node = nodeOutsidePath(work);
  tree = join(work, 'target');
  buildLioTree(tree, seedSystem());
  setTraffic(tree, seedSystem(), patternTraffic(1));
  drbd = join(work, 'proc-drbd');
  writeFileSync(drbd, procDrbd84({ ns: 1000, nr: 0, dw: 2000, dr: 3000, al: 7, bm: 9, oos: 64 }));
});

describe('install into a staging root', () => {
  it('installs every file, enables only the plugins whose autoconf says yes, and records it all', () => {
    const root = stagingRoot();
    const run = lioMunin(installArgs(root, '--drbd-proc', noDrbd));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    for (const name of PLUGINS) {
      const installed = join(root, 'usr/share/munin/plugins', name);
      const text = readFileSync(installed, 'utf8');
      const built = readFileSync(join(REPO, 'dist/plugins', name), 'utf8');
      // The built line's Node option stays: the kernel passes it as node's one argument (pacemaker's line has none).
      expect(text.split('\n')[0]).toBe(name === 'pacemaker' ? `#!${node}` : `#!${node} --max-opt=1`);
      expect(afterFirstLine(text)).toBe(afterFirstLine(built));
      // munin-node-configure's match is not anchored: ` #%# family=auto` in the POD's MAGIC MARKERS counts.
      expect(text).toMatch(/^ #%# family=auto$/m);
      expect(text).toMatch(/^ #%# capabilities=autoconf$/m);
      expect(modeOf(installed)).toBe('755');
      expect(run.lines).toContain(`install   ${installed}`);
    }
    // LIO exports LUNs here, DRBD is absent: only lio_* are enabled, with links to system paths.
    for (const name of ['lio_disk', 'lio_read', 'lio_write']) {
      expect(readlinkSync(join(root, 'etc/munin/plugins', name))).toBe(`/usr/share/munin/plugins/${name}`);
      expect(run.lines).toContain(`enable    ${root}/etc/munin/plugins/${name} -> /usr/share/munin/plugins/${name} (autoconf: yes)`);
    }
    for (const name of PLUGINS.filter((p) => p.startsWith('drbd'))) {
      expect(present(join(root, 'etc/munin/plugins', name))).toBe(false);
      expect(run.lines).toContain(
        `skip      ${root}/etc/munin/plugins/${name} (autoconf: no (${noDrbd} not found: drbd module not loaded); --all enables it anyway)`,
      );
    }

    const conf = readFileSync(join(root, 'etc/munin/plugin-conf.d/lio-munin'), 'utf8');
    expect(modeOf(join(root, 'etc/munin/plugin-conf.d/lio-munin'))).toBe('644');
    const settings = conf.split('\n').filter((l) => l !== '' && !l.startsWith('# '));
    expect(settings).toEqual([
      '#',
      '[drbd*]',
      `env.drbd_proc ${noDrbd}`,
      '#env.drbdsetup /usr/sbin/drbdsetup',
      '#env.drbdsetup_timeout 5',
      '#user root',
      '[lio_*]',
      `env.target_root ${tree}`,
      '[pacemaker]',
      `env.crm_mon ${join(work, 'no-crm_mon')}`,
      '#env.crm_mon_timeout 5',
      '#env.preferred_node node1',
      '#group haclient',
    ]);
    expect(conf).toMatch(/drbdsetup needs root: drbd-utils installs it setuid root for group haclient only/);

    const collector = readFileSync(join(root, 'usr/local/bin/lio-collector'), 'utf8');
    expect(collector.split('\n')[0]).toBe(`#!${node}`);
    expect(afterFirstLine(collector)).toBe(afterFirstLine(readFileSync(join(REPO, 'dist/collector/lio-collector'), 'utf8')));
    expect(modeOf(join(root, 'usr/local/bin/lio-collector'))).toBe('755');
    for (const [installed, source] of [
      ['etc/systemd/system/lio-collector.service', 'systemd/lio-collector.service'],
      ['etc/cron.d/lio-collector', 'cron/lio-collector'],
      ['etc/cron.d/lio-collector-metrics', 'cron/lio-collector-metrics'],
    ] as const) {
      expect(readFileSync(join(root, installed), 'utf8')).toBe(readFileSync(join(from, source), 'utf8'));
      expect(modeOf(join(root, installed))).toBe('644');
    }
    // Both cron.d files installed disabled: cron finds nothing to run in them but the environment.
    for (const cron of ['etc/cron.d/lio-collector', 'etc/cron.d/lio-collector-metrics']) {
      const active = readFileSync(join(root, cron), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      expect(active, cron).toEqual(['SHELL=/bin/sh', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    }
    expect(readFileSync(join(root, 'etc/cron.d/lio-collector-metrics'), 'utf8').split('\n').filter((l) => l.startsWith('#*'))).toEqual([
      "#* * * * * root flock -n -E 75 /run/lock/lio-collector-metrics.lock timeout -v -s KILL 50 nice -n 19 /usr/local/bin/lio-collector metrics --textfile /var/lib/prometheus/node-exporter; [ $? -ne 75 ] || echo 'lio-collector: metrics: skipped, the previous one is still running' >&2",
    ]);

    const manifest = JSON.parse(readFileSync(join(root, 'var/lib/lio-munin/manifest.json'), 'utf8')) as { entries: Array<{ kind: string; path: string }> };
    const recorded = manifest.entries.filter((e) => e.kind !== 'dir').map((e) => `${e.kind} ${e.path}`).sort();
    expect(recorded).toEqual(
      [
        ...PLUGINS.map((p) => `file /usr/share/munin/plugins/${p}`),
        'file /etc/munin/plugin-conf.d/lio-munin',
        'file /usr/local/bin/lio-collector',
        'file /etc/systemd/system/lio-collector.service',
        'file /etc/cron.d/lio-collector',
        'file /etc/cron.d/lio-collector-metrics',
        'link /etc/munin/plugins/lio_disk',
        'link /etc/munin/plugins/lio_iscsi_errors',
        'link /etc/munin/plugins/lio_read',
        'link /etc/munin/plugins/lio_sessions',
        'link /etc/munin/plugins/lio_write',
      ].sort(),
    );
    // Every path it made is recorded, and nothing else exists in the staging root.
    const made = manifest.entries.map((e) => e.path).concat('/var/lib/lio-munin/manifest.json').sort();
    expect(Object.keys(snapshot(root)).sort()).toEqual(made);
  });

  it('enables every plugin with --all, saying what autoconf answered', () => {
    const root = stagingRoot();
    const run = lioMunin(installArgs(root, '--drbd-proc', noDrbd, '--all'));
    expect(run.status).toBe(0);
    for (const name of PLUGINS) expect(readlinkSync(join(root, 'etc/munin/plugins', name))).toBe(`/usr/share/munin/plugins/${name}`);
    expect(run.lines).toContain(
      `enable    ${root}/etc/munin/plugins/drbd -> /usr/share/munin/plugins/drbd (--all; autoconf: no (${noDrbd} not found: drbd module not loaded))`,
    );
  });

  it('enables the drbd plugins on a DRBD 8 node and lio_* not where no LUN is exported', () => {
    const root = stagingRoot();
    const empty = join(work, 'empty-target');
    mkdirSync(join(empty, 'iscsi'), { recursive: true });
    const run = lioMunin(['install', '--destdir', root, '--from', from, '--node', node, '--target-root', empty, '--drbd-proc', drbd]);
    expect(run.status).toBe(0);
    for (const name of PLUGINS.filter((p) => p.startsWith('drbd'))) expect(present(join(root, 'etc/munin/plugins', name))).toBe(true);
    expect(run.lines).toContain(`skip      ${root}/etc/munin/plugins/lio_read (autoconf: no (no LIO target exports a LUN under ${empty}); --all enables it anyway)`);
  });

  it('writes an active `user root` for drbd* on a DRBD 9 node, and asks autoconf as root', () => {
    const root = stagingRoot();
    const drbd9 = join(REPO, 'test/fixtures/proc-drbd/linbit-ug9-1.txt');
    const run = lioMunin(installArgs(root, '--drbd-proc', drbd9));
    expect(run.status).toBe(0);
    const conf = readFileSync(join(root, 'etc/munin/plugin-conf.d/lio-munin'), 'utf8');
    expect(conf).toContain('\n# This node runs DRBD 9 (seen when lio-munin was installed):\nuser root\n');
    expect(conf.match(/^user root$/gm)).toHaveLength(1);
    expect(run.lines.find((l) => l.includes('etc/munin/plugins/drbd '))).toMatch(/autoconf: no \(DRBD 9: .*drbdsetup/);
  });

  it('writes an active `group haclient` for pacemaker where crm_mon is, and asks its autoconf in that group', () => {
    const root = stagingRoot();
    const run = lioMunin([...installArgs(root, '--drbd-proc', noDrbd).slice(0, -2), '--crm-mon', '/usr/sbin/crm_mon']);
    expect(run.status).toBe(0);
    const conf = readFileSync(join(root, 'etc/munin/plugin-conf.d/lio-munin'), 'utf8');
    expect(conf).toContain('\n[pacemaker]\n');
    expect(conf).toContain('\nenv.crm_mon /usr/sbin/crm_mon\n');
    expect(conf).toContain('\n# Pacemaker was here when lio-munin was installed:\ngroup haclient\n');
    // No cluster runs here: the real crm_mon, run as nobody in group haclient, cannot connect.
    expect(run.lines).toContain(
      `skip      ${root}/etc/munin/plugins/pacemaker (autoconf: no (/usr/sbin/crm_mon --output-as=xml --exclude=operations exited with 102: Not connected: error: Could not connect to launcher: Connection refused; crm_mon: Connection to cluster failed: Connection refused); --all enables it anyway)`,
    );
  });

  it('follows --prefix, --plugin-dir and --munin-conf-dir, in the links and in the collector schedules', () => {
    const root = stagingRoot();
    const run = lioMunin([
      ...installArgs(root, '--drbd-proc', drbd),
      '--prefix', '/opt/lio',
      '--plugin-dir', '/usr/local/share/munin/plugins',
      '--munin-conf-dir', '/srv/munin-node',
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // Every plugin but pacemaker (no crm_mon) is enabled.
    for (const name of PLUGINS.filter((p) => p !== 'pacemaker')) {
      expect(readlinkSync(join(root, 'srv/munin-node/plugins', name))).toBe(`/usr/local/share/munin/plugins/${name}`);
      expect(modeOf(join(root, 'usr/local/share/munin/plugins', name))).toBe('755');
    }
    expect(present(join(root, 'srv/munin-node/plugin-conf.d/lio-munin'))).toBe(true);
    expect(readFileSync(join(root, 'opt/lio/bin/lio-collector'), 'utf8').split('\n')[0]).toBe(`#!${node}`);
    for (const file of ['etc/systemd/system/lio-collector.service', 'etc/cron.d/lio-collector', 'etc/cron.d/lio-collector-metrics']) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(text, file).toContain('/opt/lio/bin/lio-collector');
      expect(text, file).not.toContain('/usr/local/bin/lio-collector');
    }
    expect(present(join(root, 'usr/share'))).toBe(false);
    expect(present(join(root, 'etc/munin'))).toBe(false);
    expect(lioMunin(['uninstall', '--destdir', root]).status).toBe(0);
    expect(snapshot(root)).toEqual({});
  });

  it('rewrites a plugin-conf.d value holding # so that munin-node reads it back whole', () => {
    const root = stagingRoot();
    const odd = join(work, 'odd#root');
    buildLioTree(odd, seedSystem());
    const run = lioMunin(['install', '--destdir', root, '--from', from, '--node', node, '--target-root', odd, '--drbd-proc', noDrbd]);
    expect(run.status).toBe(0);
    expect(readFileSync(join(root, 'etc/munin/plugin-conf.d/lio-munin'), 'utf8')).toContain(`env.target_root ${odd.replace('#', '\\#')}\n`);
    // The installer read the setting back the way munin-node does: autoconf found the tree.
    expect(present(join(root, 'etc/munin/plugins/lio_read'))).toBe(true);
  });
});

describe('idempotence and dry runs', () => {
  it('changes nothing on a second run, and says so', () => {
    const root = stagingRoot();
    expect(lioMunin(installArgs(root, '--drbd-proc', drbd)).status).toBe(0);
    const before = snapshot(root);
    const again = lioMunin(installArgs(root, '--drbd-proc', drbd));
    expect(again.status).toBe(0);
    expect(snapshot(root)).toEqual(before);
    const actions = again.lines.filter((l) => !/^(next|note):/.test(l));
    expect(actions.at(-1)).toBe('nothing to do: lio-munin is installed and up to date');
    expect(actions.slice(0, -1).filter((l) => !l.startsWith('unchanged '))).toEqual([
      `skip      ${root}/etc/munin/plugins/pacemaker (autoconf: no (crm_mon not found: no Pacemaker here); --all enables it anyway)`,
    ]);
    // Each plugin's file and link (none for pacemaker, no crm_mon), the plugin-conf.d file, the
    // collector, its unit and two cron files, the manifest; pacemaker's skip.
    expect(actions).toHaveLength(PLUGINS.length + 1 + PLUGINS.length - 1 + 4 + 1 + 1);
  });

  it('--dry-run prints the lines of the real run and changes nothing, for install and uninstall', () => {
    const root = stagingRoot();
    const dry = lioMunin([...installArgs(root, '--drbd-proc', noDrbd), '--dry-run']);
    expect(dry.status).toBe(0);
    expect(snapshot(root)).toEqual({});
    const real = lioMunin(installArgs(root, '--drbd-proc', noDrbd));
    expect(real.status).toBe(0);
    const summary = (lines: string[]) => lines.findIndex((l) => /^\d+ changes?/.test(l));
    expect(dry.lines.slice(0, summary(dry.lines))).toEqual(real.lines.slice(0, summary(real.lines)));
    expect(dry.lines[summary(dry.lines)]).toBe(`${real.lines[summary(real.lines)]} would be made (dry run: nothing was changed)`);

    const installed = snapshot(root);
    const dryInstallAgain = lioMunin([...installArgs(root, '--drbd-proc', noDrbd), '--dry-run']);
    expect(dryInstallAgain.lines).toContain('nothing to do: lio-munin is installed and up to date');
    const dryUninstall = lioMunin(['uninstall', '--destdir', root, '--dry-run']);
    expect(dryUninstall.status).toBe(0);
    expect(snapshot(root)).toEqual(installed);
    const uninstall = lioMunin(['uninstall', '--destdir', root]);
    expect(dryUninstall.lines.slice(0, -2)).toEqual(uninstall.lines.slice(0, -2));
    expect(real.lines).toContain(`install   ${root}/etc/cron.d/lio-collector-metrics`);
    expect(uninstall.lines).toContain(`remove    ${root}/etc/cron.d/lio-collector-metrics`);
    expect(snapshot(root)).toEqual({});
  });

  it('updates the files it installed when the build or the interpreter changed', () => {
    const root = stagingRoot();
    expect(lioMunin(installArgs(root, '--drbd-proc', drbd)).status).toBe(0);
    const other = join(work, 'usr-local/bin/node');
    mkdirSync(join(work, 'usr-local/bin'), { recursive: true });
    if (!existsSync(other)) symlinkSync(process.execPath, other);
    const run = lioMunin(['install', '--destdir', root, '--from', from, '--node', other, '--target-root', tree, '--drbd-proc', drbd, '--crm-mon', join(work, 'no-crm_mon')]);
    expect(run.status).toBe(0);
    expect(run.lines.filter((l) => l.startsWith('update '))).toEqual([
      ...PLUGINS.map((p) => `update    ${root}/usr/share/munin/plugins/${p}`),
      `update    ${root}/usr/local/bin/lio-collector`,
    ]);
    expect(readFileSync(join(root, 'usr/share/munin/plugins/lio_read'), 'utf8').split('\n')[0]).toBe(`#!${other} --max-opt=1`);
    expect(lioMunin(['uninstall', '--destdir', root]).status).toBe(0);
    expect(snapshot(root)).toEqual({});
  });
});

describe('uninstall', () => {
  it('leaves the staging root as it was, putting back what was in the way (the original plugins)', () => {
    const root = stagingRoot();
    // A node set up as in the original articles: the Perl drbd plugin, enabled; the original cron.
    const put = (rel: string, text: string, mode: number) => {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), text);
      chmodSync(join(root, rel), mode);
    };
    put('usr/share/munin/plugins/drbd', '#!/usr/bin/perl\n# the original drbd plugin\n', 0o755);
    put('usr/share/munin/plugins/cpu', '#!/bin/sh\n', 0o755);
    put('etc/munin/plugin-conf.d/munin-node', '[df*]\nenv.warning 92\n', 0o644);
    put('etc/cron.d/lio', '* * * * * root nice -n 19 /etc/lio/statistics\n', 0o644);
    mkdirSync(join(root, 'etc/munin/plugins'), { recursive: true });
    symlinkSync('/usr/share/munin/plugins/cpu', join(root, 'etc/munin/plugins/cpu'));
    symlinkSync('/usr/share/munin/plugins/drbd', join(root, 'etc/munin/plugins/drbd'));
    symlinkSync('/usr/local/share/munin/lio_write', join(root, 'etc/munin/plugins/lio_write'));
    const before = snapshot(root);

    const run = lioMunin(installArgs(root, '--drbd-proc', drbd));
    expect(run.status).toBe(0);
    const saved = `${root}/var/lib/lio-munin/backup/usr/share/munin/plugins/drbd`;
    expect(run.lines).toContain(`replace   ${root}/usr/share/munin/plugins/drbd (the file that was there is kept as ${saved} and put back by uninstall)`);
    expect(readFileSync(saved, 'utf8')).toContain('the original drbd plugin');
    expect(run.lines).toContain(`unchanged ${root}/etc/munin/plugins/drbd -> /usr/share/munin/plugins/drbd`);
    expect(run.lines).toContain(`keep      ${root}/etc/munin/plugins/lio_write -> /usr/local/share/munin/lio_write (points to another plugin: left as it is)`);
    expect(run.lines.some((l) => l.startsWith(`note:     ${root}/etc/cron.d/lio (the original`))).toBe(true);

    const out = lioMunin(['uninstall', '--destdir', root]);
    expect(out.status).toBe(0);
    expect(out.lines).toContain(`restore   ${root}/usr/share/munin/plugins/drbd (the file that was there before lio-munin)`);
    expect(snapshot(root)).toEqual(before);
  });

  it('keeps a plugin-conf.d file the administrator edited, on install and on uninstall', () => {
    const root = stagingRoot();
    expect(lioMunin(installArgs(root, '--drbd-proc', drbd)).status).toBe(0);
    const conf = join(root, 'etc/munin/plugin-conf.d/lio-munin');
    appendFileSync(conf, '\n[lio_read]\nenv.target_root /srv/elsewhere\n');
    const edited = readFileSync(conf, 'utf8');
    writeFileSync(join(root, 'etc/munin/plugin-conf.d/zz-local'), '[drbd*]\nuser root\n');

    const again = lioMunin(installArgs(root, '--drbd-proc', drbd));
    expect(again.status).toBe(0);
    expect(again.lines).toContain(`keep      ${conf} (changed since lio-munin installed it: left as it is; move it away and run install again for the new version)`);
    expect(readFileSync(conf, 'utf8')).toBe(edited);

    const out = lioMunin(['uninstall', '--destdir', root]);
    expect(out.status).toBe(0);
    expect(out.lines).toContain(`keep      ${conf} (changed since lio-munin installed it: left as it is)`);
    expect(out.lines).toContain(`keep      ${root}/etc/munin/plugin-conf.d (not empty: holds files lio-munin did not install)`);
    expect(Object.keys(snapshot(root))).toEqual(['/etc', '/etc/munin', '/etc/munin/plugin-conf.d', '/etc/munin/plugin-conf.d/lio-munin', '/etc/munin/plugin-conf.d/zz-local']);
    expect(readFileSync(conf, 'utf8')).toBe(edited);
  });

  it('says so when there is nothing to uninstall', () => {
    const root = stagingRoot();
    const run = lioMunin(['uninstall', '--destdir', root]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`nothing to uninstall: no manifest at ${root}/var/lib/lio-munin/manifest.json\n`);
  });
});

describe('bad input', () => {
  it('names every missing source file and changes nothing', () => {
    const root = stagingRoot();
    const partial = builtCheckout(join(work, 'broken'));
    rmSync(join(partial, 'dist/plugins/lio_write'));
    rmSync(join(partial, 'cron/lio-collector'));
    rmSync(join(partial, 'cron/lio-collector-metrics'));
    const run = lioMunin(['install', '--destdir', root, '--from', partial, '--node', node]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`lio-munin: cannot install from ${partial}: missing dist/plugins/lio_write, cron/lio-collector, cron/lio-collector-metrics (dist/ files come from \`npm run build\`)\n`);
    expect(run.stdout).toBe('');
    expect(snapshot(root)).toEqual({});
  });

  it('refuses a plugin built without its magic markers', () => {
    const root = stagingRoot();
    const partial = builtCheckout(join(work, 'nomarkers'));
    const plugin = join(partial, 'dist/plugins/drbd_al');
    writeFileSync(plugin, readFileSync(plugin, 'utf8').replace('#%# family=auto', '#%# family=manual'));
    const run = lioMunin(['install', '--destdir', root, '--from', partial, '--node', node]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`lio-munin: ${plugin} lacks the magic marker "#%# family=auto" that munin-node-configure reads: rebuild it\n`);
    expect(snapshot(root)).toEqual({});
  });

  it('rejects an interpreter that does not exist, resolving a relative --node first', () => {
    const root = stagingRoot();
    const run = lioMunin(['install', '--destdir', root, '--from', from, '--node', 'bin/node']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`lio-munin: --node ${join(process.cwd(), 'bin/node')}: no such file\n`);
    expect(snapshot(root)).toEqual({});
  });

  it('catches an interpreter that user nobody cannot run (node under a private home) and enables nothing', () => {
    const root = stagingRoot();
    const home = join(work, 'private-home');
    mkdirSync(join(home, '.nvm/bin'), { recursive: true });
    chmodSync(home, 0o700);
    const privateNode = join(home, '.nvm/bin/node');
    if (!existsSync(privateNode)) symlinkSync(process.execPath, privateNode);
    const run = lioMunin(['install', '--destdir', root, '--from', from, '--node', privateNode, '--target-root', tree, '--all']);
    expect(run.status).toBe(1);
    const problems = run.stderr.split('\n').filter((l) => l !== '');
    expect(problems).toHaveLength(PLUGINS.length);
    expect(problems[0]).toMatch(new RegExp(`^lio-munin: cannot run ${root}/usr/share/munin/plugins/drbd as user nobody: EACCES \\(can that user reach and run the #! interpreter and the plugin\\?\\)$`));
    expect(run.lines.filter((l) => l.startsWith('skip ')).length).toBe(PLUGINS.length);
    expect(existsSync(join(root, 'etc/munin/plugins'))).toBe(false);
  });

  it('a --destdir that does not exist gets one clear line, as uninstall gives it', () => {
    const missing = join(work, 'no-such-staging-root');
    const run = lioMunin([...installArgs(missing)]);
    expect(run).toMatchObject({ status: 1, stdout: '', stderr: `lio-munin: --destdir ${missing}: no such directory\n` });
    expect(existsSync(missing)).toBe(false);
  });

  it('asks for root when it would write to the real system', () => {
    const run = lioMunin(['install', '--from', from, '--node', node], { uid: 65534, gid: 65534 });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('lio-munin: this writes to /usr, /etc and /var/lib: run it as root (sudo), or stage it with --destdir DIR, or look first with --dry-run\n');
  });
});

describe('the installed plugins under the conditions munin-node gives them', () => {
  it('read the tree as user nobody, with LC_ALL=C, an empty environment and the forced PATH', () => {
    const root = stagingRoot();
    expect(lioMunin(installArgs(root, '--drbd-proc', drbd)).status).toBe(0);
    // The interpreter is outside the forced PATH: only the absolute #! line finds it.
    expect('/usr/sbin:/usr/bin:/sbin:/bin'.split(':')).not.toContain(join(node, '..'));
    const plugins = join(root, 'usr/share/munin/plugins');

    const read = asMuninNode(join(plugins, 'lio_read'), { target_root: tree });
    expect(read.stderr).toBe('');
    expect(read.status).toBe(0);
    // patternTraffic(1): initiator i read (i*100 + l*10 + 1) MiB on LUN l; the LUN total sums them.
    expect(read.lines).toContain('iqn2016_09comexampleiscsitgt01lun_0.value 1004');
    expect(read.lines).toContain('iqn2016_09comexampleiscsitgt01lun_3.value 1124');
    expect(read.lines).toContain('iqn2016_09comexampleiscsitgt01iqn2016_09comexampleinitiator02lun_1.value 211');
    expect(read.lines).toHaveLength(4 + 16);
    const write = asMuninNode(join(plugins, 'lio_write'), { target_root: tree });
    expect(write.lines).toContain('iqn2016_09comexampleiscsitgt01iqn2016_09comexampleinitiator04lun_3.value 432');
    expect(asMuninNode(join(plugins, 'lio_read'), { target_root: tree }, ['autoconf']).stdout).toBe('yes\n');
    const config = asMuninNode(join(plugins, 'lio_read'), { target_root: tree }, ['config']);
    expect(config.lines).toContain('iqn2016_09comexampleiscsitgt01lun_0.cdef iqn2016_09comexampleiscsitgt01lun_0,1048576,*');

    const drbdFetch = asMuninNode(join(plugins, 'drbd'), { drbd_proc: drbd });
    expect(drbdFetch.status).toBe(0);
    expect(drbdFetch.lines).toEqual(expect.arrayContaining(['drbd0dr.value 3000', 'drbd0dw.value 2000', 'drbd0ns.value 1000', 'drbd0os.value 64', 'drbd10dr.value 20']));
    expect(asMuninNode(join(plugins, 'drbd_al'), { drbd_proc: drbd }).lines).toEqual(['drbd0al.value 7', 'drbd10al.value 1']);
    const collector = asMuninNode(join(root, 'usr/local/bin/lio-collector'), {}, ['--help']);
    expect(collector.status).toBe(0);
    expect(collector.stdout).toMatch(/^Usage: lio-collector/);
  });
});

describe('a manifest that leads outside --destdir (issue 18, item 6): refused whole, nothing removed', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  /** A staging root with everything installed, and a victim file outside it. */
  function installedWithVictim(): { root: string; manifestPath: string; victim: string; entries: unknown[] } {
    const root = stagingRoot();
    expect(lioMunin(installArgs(root, '--drbd-proc', drbd)).status).toBe(0);
    const outside = mkdtempSync(join(work, 'outside-'));
    const victim = join(outside, 'victim');
    writeFileSync(victim, 'not lio-munin\'s\n');
    const manifestPath = join(root, 'var/lib/lio-munin/manifest.json');
    const entries = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { entries: unknown[] }).entries;
    return { root, manifestPath, victim, entries };
  }

  function expectRefused(root: string, manifestPath: string, victim: string, reason: string): void {
    const before = snapshot(root);
    const run = lioMunin(['uninstall', '--destdir', root]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`lio-munin: the manifest ${manifestPath} is refused, nothing was changed: ${reason}\n`);
    expect(readFileSync(victim, 'utf8')).toBe('not lio-munin\'s\n');
    expect(snapshot(root)).toEqual(before);
  }

  it('a file entry whose path climbs out with ..', () => {
    const { root, manifestPath, victim, entries } = installedWithVictim();
    const bad = { kind: 'file', path: `/..${victim.slice(work.length)}`, sha256: sha('not lio-munin\'s\n'), mode: '644' };
    writeFileSync(manifestPath, JSON.stringify({ format: 1, entries: [...entries, bad] }));
    expectRefused(root, manifestPath, victim, `an entry lio-munin cannot have written (${JSON.stringify(bad)}; paths must be absolute and plain, without . or .., backups under /var/lib/lio-munin/backup): fix or remove it`);
  });

  it('a backup outside the backup directory, and a directory entry with ..', () => {
    const { root, manifestPath, victim, entries } = installedWithVictim();
    const backup = { kind: 'file', path: '/etc/cron.d/x', sha256: sha(''), mode: '644', backup: `/var/lib/lio-munin/backup/../../../..${victim.slice(work.length)}` };
    writeFileSync(manifestPath, JSON.stringify({ format: 1, entries: [...entries, backup] }));
    expectRefused(root, manifestPath, victim, `an entry lio-munin cannot have written (${JSON.stringify(backup)}; paths must be absolute and plain, without . or .., backups under /var/lib/lio-munin/backup): fix or remove it`);
    const dir = { kind: 'dir', path: '/etc/../..' };
    writeFileSync(manifestPath, JSON.stringify({ format: 1, entries: [dir, ...entries] }));
    expectRefused(root, manifestPath, victim, `an entry lio-munin cannot have written (${JSON.stringify(dir)}; paths must be absolute and plain, without . or .., backups under /var/lib/lio-munin/backup): fix or remove it`);
  });

  it('a plain path under a staged directory that is a symlink to the outside', () => {
    const { root, manifestPath, victim, entries } = installedWithVictim();
    symlinkSync(join(victim, '..'), join(root, 'etc/elsewhere'));
    const bad = { kind: 'file', path: '/etc/elsewhere/victim', sha256: sha('not lio-munin\'s\n'), mode: '644' };
    writeFileSync(manifestPath, JSON.stringify({ format: 1, entries: [...entries, bad] }));
    expectRefused(root, manifestPath, victim, `${root}/etc/elsewhere/victim leads outside ${root} (${root}/etc/elsewhere is ${join(victim, '..')})`);
  });

  it('a manifest holding null, and a --destdir that does not exist, each get one clear line', () => {
    const { root, manifestPath } = installedWithVictim();
    writeFileSync(manifestPath, 'null\n');
    expect(lioMunin(['uninstall', '--destdir', root])).toMatchObject({
      status: 1,
      stderr: `lio-munin: the manifest ${manifestPath} is not one lio-munin wrote (it holds null, not an object): fix or remove it\n`,
    });
    expect(lioMunin(['uninstall', '--destdir', join(work, 'no-such-root')])).toMatchObject({
      status: 1,
      stderr: `lio-munin: --destdir ${join(work, 'no-such-root')}: no such directory\n`,
    });
  });
});
