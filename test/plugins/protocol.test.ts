// The Munin protocol as munin-node and munin-node-configure see it: every plugin run through
// Debian's real munin-run, on a full sample system, on a machine without LIO or DRBD, and with
// statistics files that cannot be read.
import { spawnSync } from 'node:child_process';
import { isBuiltin } from 'node:module';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLioTree, patternTraffic, seedSystem, setTraffic, tpgPath } from '../support/lio-tree.js';
import { DIST_PLUGINS, muninRun, muninSetup, parseFields, PLUGIN_NAMES } from '../support/munin-run.js';
import { ClusterStates } from '../support/pacemaker.js';
import { tempDir } from '../support/tmp.js';

const PROC_DRBD =
  'version: 8.4.11-1 (api:1/proto:86-101)\nGIT-hash: 66145a308421e9c124ec391a7848ac20203bb03c build by @buildsystem, 2018-04-26 10:38:05\n' +
  ' 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n' +
  '    ns:988916026 nr:0 dw:982616276 dr:31608196 al:799 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:d oos:0\n' +
  '\n' +
  '10: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent A r-----\n' +
  '    ns:972 nr:0 dw:982608540 dr:25295424 al:786 bm:0 lo:0 pe:1 ua:0 ap:0 ep:1 wo:d oos:10688\n' +
  "        [=====>..............] sync'ed: 33.4% (10688/11140)K\n" +
  '        finish: 0:00:13 speed: 452 (452) K/sec\n';

/** The output of each graph: one block, or one per `multigraph NAME` line (which starts its block). */
function graphBlocks(output: string): string[] {
  return output.split(/(?=^multigraph )/m);
}

describe('every plugin on a sample system', () => {
  const dir = tempDir();
  // pacemaker: a healthy two-node cluster made by crm_simulate, read by crm_mon through CIB_file.
  const env = { target_root: `${dir}/target`, drbd_proc: `${dir}/drbd`, CIB_file: `${dir}/healthy.xml` };
  beforeAll(() => {
    new ClusterStates(dir).healthy();
    const spec = seedSystem();
    buildLioTree(env.target_root, spec);
    setTraffic(env.target_root, spec, patternTraffic(3));
    writeFileSync(env.drbd_proc, PROC_DRBD);
  });

  for (const plugin of PLUGIN_NAMES) {
    it(`${plugin}: autoconf says yes, config and fetch agree field for field`, () => {
      const autoconf = muninRun(dir, plugin, 'autoconf', env);
      expect(autoconf).toEqual({ stdout: 'yes\n', stderr: '', status: 0 });

      const config = muninRun(dir, plugin, 'config', env);
      expect(config.status).toBe(0);
      expect(config.stderr).toBe('');
      expect(config.stdout).toMatch(/^graph_title \S/m);
      expect(config.stdout).toMatch(/^graph_category [a-z]+$/m);
      // Every graph has a vertical label; a graph of rates says per what.
      for (const block of graphBlocks(config.stdout)) {
        expect(block).toMatch(/^graph_vlabel \S/m);
        if (/\.type DERIVE$/m.test(block)) expect(block).toMatch(/^graph_vlabel .*per \$\{graph_period\}/m);
      }
      const configured = parseFields(config.stdout);
      for (const [name, attrs] of configured) {
        expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
        expect(attrs.label, `${name}.label`).toBeTruthy();
        expect(attrs.info, `${name}.info`).toBeTruthy();
        expect(['GAUGE', 'DERIVE']).toContain(attrs.type);
      }
      expect(config.stdout.split('\n').filter((l) => l === '.')).toEqual([]);

      const fetch = muninRun(dir, plugin, undefined, env);
      expect(fetch.status).toBe(0);
      expect(fetch.stderr).toBe('');
      const fetched = parseFields(fetch.stdout);
      expect([...fetched.keys()]).toEqual([...configured.keys()]);
      expect(fetch.stdout.split('\n').filter(Boolean).every((l) => /^\w+\.value /.test(l) || /^multigraph [\w.]+$/.test(l))).toBe(true);
      for (const [name, { value }] of fetched) {
        if (configured.get(name)!.type === 'DERIVE') expect(value, name).toMatch(/^\d+$/);
      }
    });

    it(`${plugin}: with MUNIN_CAP_DIRTYCONFIG=1 config also prints every value`, () => {
      const dirty = muninRun(dir, plugin, 'config', env, { MUNIN_CAP_DIRTYCONFIG: '1' });
      const fetch = muninRun(dir, plugin, undefined, env);
      const config = muninRun(dir, plugin, 'config', env);
      expect(dirty.status).toBe(0);
      // Per graph (a multigraph plugin has several): its config, then its values.
      const fetched = graphBlocks(fetch.stdout);
      expect(graphBlocks(dirty.stdout)).toEqual(graphBlocks(config.stdout).map((block, i) => block + fetched[i]!.replace(/^multigraph .*\n/, '')));
    });
  }

  it('drbd keeps minor 10 apart from minor 1 and 0', () => {
    const fetch = muninRun(dir, 'drbd', undefined, env).stdout;
    expect(fetch).toContain('drbd10dr.value 25295424\n');
    expect(fetch).toContain('drbd0dr.value 31608196\n');
    expect(fetch).toContain('drbd10os.value 10688\n');
  });

  it('munin-node-configure --suggest lists every plugin as auto and says yes to each', () => {
    const { libdir, servicedir, sconfdir } = muninSetup(`${dir}/suggest`, env);
    for (const name of PLUGIN_NAMES) rmSync(`${servicedir}/${name}`);
    const run = spawnSync('munin-node-configure', ['--libdir', libdir, '--servicedir', servicedir, '--sconfdir', sconfdir, '--suggest'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    for (const name of PLUGIN_NAMES) expect(run.stdout).toMatch(new RegExp(`^${name} +\\| no +\\| yes +$`, 'm'));
    // (lio_iscsi_errors has the word in its name.)
    expect(run.stdout.replace(/lio_iscsi_errors/g, '')).not.toMatch(/error/i);
  });
});

describe('a node without LIO, DRBD and Pacemaker', () => {
  const dir = tempDir();
  const env = { target_root: `${dir}/no-such-target`, drbd_proc: `${dir}/no-such-drbd`, crm_mon: `${dir}/no-such-crm_mon` };

  for (const plugin of PLUGIN_NAMES) {
    it(`${plugin}: autoconf says no with a reason, config still has a title, fetch prints nothing`, () => {
      const autoconf = muninRun(dir, plugin, 'autoconf', env);
      expect(autoconf.status).toBe(0);
      expect(autoconf.stderr).toBe('');
      expect(autoconf.stdout).toMatch(/^no \(.+\)\n$/);
      expect(autoconf.stdout).toContain(plugin.startsWith('lio') ? env.target_root : plugin === 'pacemaker' ? 'crm_mon not found' : env.drbd_proc);

      const config = muninRun(dir, plugin, 'config', env);
      expect(config.status).toBe(0);
      expect(config.stdout).toMatch(/^graph_title \S/m);
      expect(config.stdout).not.toMatch(/\.label /);
      expect(config.stdout).not.toContain('*');

      expect(muninRun(dir, plugin, undefined, env)).toEqual({ stdout: '', stderr: '', status: 0 });
    });
  }

  it('lio autoconf says no when configfs is there but no target exports a LUN', () => {
    mkdirSync(`${dir}/empty-target/iscsi`, { recursive: true });
    mkdirSync(`${dir}/empty-target/core`, { recursive: true });
    expect(muninRun(dir, 'lio_read', 'autoconf', { target_root: `${dir}/empty-target` }).stdout).toBe(
      `no (no LIO target exports a LUN under ${dir}/empty-target)\n`,
    );
  });

  it('drbd autoconf says no when the module is loaded but no device is configured', () => {
    writeFileSync(`${dir}/drbd-empty`, 'version: 8.4.5 (api:1/proto:86-101)\nsrcversion: 1AEFF755B8BD61B81A0AF27\n');
    expect(muninRun(dir, 'drbd', 'autoconf', { drbd_proc: `${dir}/drbd-empty` }).stdout).toBe('no (no DRBD device is configured)\n');
  });

  it('an unknown mode is an error with a reason and exit code 2', () => {
    const run = spawnSync(`${DIST_PLUGINS}/lio_read`, ['suggest'], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('lio_read: unknown mode "suggest" (expected config, autoconf or none)\n');
  });
});

describe('statistics files that cannot be read', () => {
  const dir = tempDir();
  const root = `${dir}/target`;
  const spec = seedSystem();
  const tpg = () => tpgPath(root, spec.targets[0]!);
  beforeAll(() => {
    buildLioTree(root, spec);
    setTraffic(root, spec, patternTraffic(1));
    // An empty read (as configfs gives for some attributes), a file nobody may read (munin-run
    // runs plugins as nobody), and a directory where a file should be (EISDIR, like ENODEV a
    // failing read).
    writeFileSync(`${tpg()}/lun/lun_1/statistics/scsi_tgt_port/read_mbytes`, '');
    chmodSync(`${tpg()}/acls/iqn.2016-09.com.example:initiator02/lun_0/statistics/scsi_auth_intr/read_mbytes`, 0o000);
    const gone = `${tpg()}/acls/iqn.2016-09.com.example:initiator03/lun_2/statistics/scsi_auth_intr/read_mbytes`;
    rmSync(gone);
    mkdirSync(gone);
  });

  it('give U for those fields, a line on stderr for each, and every other value', () => {
    const run = muninRun(dir, 'lio_read', undefined, { target_root: root });
    expect(run.status).toBe(0);
    const values = parseFields(run.stdout);
    expect(values.size).toBe(20);
    const T = 'iqn2016_09comexampleiscsitgt01';
    expect(values.get(`${T}lun_1`)!.value).toBe('U');
    expect(values.get(`${T}iqn2016_09comexampleinitiator02lun_0`)!.value).toBe('U');
    expect(values.get(`${T}iqn2016_09comexampleinitiator03lun_2`)!.value).toBe('U');
    expect(values.get(`${T}iqn2016_09comexampleinitiator03lun_3`)!.value).toBe('331');
    const problems = run.stderr.trimEnd().split('\n');
    expect(problems).toEqual([
      `lio_read: ${tpg()}/lun/lun_1/statistics/scsi_tgt_port/read_mbytes is empty`,
      `lio_read: cannot read ${tpg()}/acls/iqn.2016-09.com.example:initiator02/lun_0/statistics/scsi_auth_intr/read_mbytes: EACCES`,
      `lio_read: cannot read ${tpg()}/acls/iqn.2016-09.com.example:initiator03/lun_2/statistics/scsi_auth_intr/read_mbytes: EISDIR`,
    ]);
    expect(problems.every((line) => !line.startsWith('#'))).toBe(true);
  });

  it('config does not read values at all, so it has nothing to complain about', () => {
    const run = muninRun(dir, 'lio_read', 'config', { target_root: root });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(parseFields(run.stdout).size).toBe(20);
  });
});

describe('the built plugin files', () => {
  for (const plugin of PLUGIN_NAMES) {
    it(`${plugin} is one executable file with a node shebang (optimizing compilers off but for pacemaker) and the magic markers`, () => {
      const text = readFileSync(`${DIST_PLUGINS}/${plugin}`, 'utf8');
      // pacemaker loads node:child_process, whose built-ins Node compiles from its code cache only under default flags (build.mjs).
      expect(text.split('\n')[0]).toBe(plugin === 'pacemaker' ? '#!/usr/bin/env node' : '#!/usr/bin/env -S node --max-opt=1');
      expect(text).toMatch(/^ #%# family=auto$/m);
      expect(text).toMatch(/^ #%# capabilities=autoconf$/m);
      // Loads nothing but Node built-ins (a bundled library may name them without node:, as
      // picomatch does path): no CLI or glob library loaded from node_modules.
      const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(required.every((name) => isBuiltin(name!))).toBe(true);
    });
  }
});
