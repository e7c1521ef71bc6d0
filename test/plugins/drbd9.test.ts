// The three DRBD plugins on DRBD 9 nodes, run through Debian's real munin-run (as nobody):
// statistics from `drbdsetup events2 --now --statistics` (a file via env.drbd_events2, or a fake
// drbdsetup via env.drbdsetup), one and three peers, dirtyconfig, and an 8.4 node upgraded to 9.
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { muninRun, parseFields, PLUGIN_NAMES, type PluginName } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';
import { copyFixture, DRBD9_FIXTURES, DRBD9_PROC, THREE_PEERS_EVENTS2, workingDrbdsetup, writableDir } from '../support/fake-drbdsetup.js';

// The traffic plugins (drbd_state has its own tests).
const DRBD_PLUGINS: PluginName[] = PLUGIN_NAMES.filter((p) => p.startsWith('drbd') && p !== 'drbd_state');

/** Protocol checks every DRBD 9 setup must pass; returns the fetch output. */
function checkProtocol(dir: string, plugin: PluginName, env: Record<string, string>): string {
  const autoconf = muninRun(dir, plugin, 'autoconf', env);
  expect(autoconf).toEqual({ stdout: 'yes\n', stderr: '', status: 0 });

  const config = muninRun(dir, plugin, 'config', env);
  expect(config.stderr).toBe('');
  expect(config.status).toBe(0);
  expect(config.stdout).toMatch(/^graph_title \S/m);
  const configured = parseFields(config.stdout);
  expect(configured.size).toBeGreaterThan(0);
  for (const [name, attrs] of configured) {
    expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    expect(attrs.label, `${name}.label`).toBeTruthy();
    expect(['GAUGE', 'DERIVE']).toContain(attrs.type);
  }

  const fetch = muninRun(dir, plugin, undefined, env);
  expect(fetch.stderr).toBe('');
  expect(fetch.status).toBe(0);
  const fetched = parseFields(fetch.stdout);
  expect([...fetched.keys()]).toEqual([...configured.keys()]);
  for (const [name, { value }] of fetched) {
    if (configured.get(name)!.type === 'DERIVE') expect(value, name).toMatch(/^\d+$/);
  }

  // dirtyconfig: config then carries every value, exactly as fetch prints them.
  const dirty = muninRun(dir, plugin, 'config', env, { MUNIN_CAP_DIRTYCONFIG: '1' });
  expect(dirty).toEqual({ stdout: config.stdout + fetch.stdout, stderr: '', status: 0 });
  return fetch.stdout;
}

const values = (lines: Array<[string, string]>) => lines.map(([name, value]) => `${name}.value ${value}\n`).join('');

describe('one peer (the DRBD 9 user guide example: minors 7 and 8, peer remote-host)', () => {
  const dir = tempDir();
  let env: Record<string, string>;
  beforeAll(() => {
    env = {
      drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd`),
      drbd_events2: copyFixture(new URL('linbit-ug9-events2-statistics-now.txt', DRBD9_FIXTURES), `${dir}/events2`),
      MUNIN_PLUGSTATE: writableDir(`${dir}/state`),
    };
  });

  const EXPECTED: Record<string, string> = {
    drbd: values([
      ['drbd7dr', '6397188'], ['drbd7dw', '131844'], ['drbd7ns', '131844'], ['drbd7nr', '0'], ['drbd7os', '0'],
      ['drbd8dr', '5910680'], ['drbd8dw', '6634548'], ['drbd8ns', '6634548'], ['drbd8nr', '0'], ['drbd8os', '0'],
    ]),
    drbd_al: values([['drbd7al', '34'], ['drbd8al', '417']]),
    drbd_ext: values([
      ['drbd7bm', '0'], ['drbd7lo', '0'], ['drbd7pe', '0'], ['drbd7ua', '0'], ['drbd7ap', '0'],
      ['drbd8bm', '0'], ['drbd8lo', '0'], ['drbd8pe', '0'], ['drbd8ua', '0'], ['drbd8ap', '0'],
    ]),
  };

  for (const plugin of DRBD_PLUGINS) {
    it(`${plugin}: DRBD 8 field names, values as drbdsetup prints them, no ep`, () => {
      expect(checkProtocol(dir, plugin, env)).toBe(EXPECTED[plugin]);
    });
  }

  it('drbd: KiB become bytes through cdef, out-of-sync stays a gauge, labels name no peer', () => {
    const fields = parseFields(muninRun(dir, 'drbd', 'config', env).stdout);
    expect(fields.get('drbd7ns')).toMatchObject({ label: 'drbd7 network send', type: 'DERIVE', min: '0', cdef: 'drbd7ns,1024,*' });
    expect(fields.get('drbd7os')).toMatchObject({ label: 'drbd7 out of sync', type: 'GAUGE', cdef: 'drbd7os,1024,*' });
  });
});

describe('three peers (a 4-node resource: peers nina, nino, nono)', () => {
  const dir = tempDir();
  let env: Record<string, string>;
  beforeAll(() => {
    writeFileSync(`${dir}/events2`, THREE_PEERS_EVENTS2, { mode: 0o644 });
    env = {
      drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd`),
      drbd_events2: `${dir}/events2`,
      MUNIN_PLUGSTATE: writableDir(`${dir}/state`),
    };
  });

  const EXPECTED: Record<string, string> = {
    drbd: values([
      ['drbd0dr', '0'], ['drbd0dw', '1048412'],
      ['drbd0ninans', '0'], ['drbd0ninons', '0'], ['drbd0nonons', '0'],
      ['drbd0ninanr', '1048412'], ['drbd0ninonr', '0'], ['drbd0nononr', '0'],
      ['drbd0ninaos', '0'], ['drbd0ninoos', '0'], ['drbd0nonoos', '1048412'],
    ]),
    drbd_al: values([['drbd0al', '0']]),
    drbd_ext: values([
      ['drbd0bm', '48'], ['drbd0lo', '0'],
      ['drbd0ninape', '0'], ['drbd0ninope', '0'], ['drbd0nonope', '0'],
      ['drbd0ninaua', '0'], ['drbd0ninoua', '0'], ['drbd0nonoua', '0'],
      ['drbd0ap', '0'],
    ]),
  };

  for (const plugin of DRBD_PLUGINS) {
    it(`${plugin}: one field per peer for the peer counters, device counters once`, () => {
      expect(checkProtocol(dir, plugin, env)).toBe(EXPECTED[plugin]);
    });
  }

  it('labels name the peer; info and scaling are those of the DRBD 8 field', () => {
    const fields = parseFields(muninRun(dir, 'drbd', 'config', env).stdout);
    expect(fields.get('drbd0nonoos')).toEqual({
      label: 'drbd0 out of sync (peer nono)',
      info: 'Data currently out of sync with the peer (oos), in bytes: an amount, not a rate.',
      type: 'GAUGE',
      min: '0',
      cdef: 'drbd0nonoos,1024,*',
    });
    expect(fields.get('drbd0ninanr')!.label).toBe('drbd0 network receive (peer nina)');
    const ext = parseFields(muninRun(dir, 'drbd_ext', 'config', env).stdout);
    expect(ext.get('drbd0ninope')).toMatchObject({ label: 'drbd0 pending (peer nino)', type: 'GAUGE' });
  });

  it('drbdsetup run for real (fake drbdsetup via env.drbdsetup) gives the same output as the file', () => {
    const drbdsetup = workingDrbdsetup(`${dir}/bin`, 'drbdsetup', `${dir}/events2`);
    const viaDrbdsetup = { drbd_proc: env.drbd_proc!, drbdsetup, MUNIN_PLUGSTATE: env.MUNIN_PLUGSTATE! };
    for (const plugin of DRBD_PLUGINS) {
      expect(muninRun(dir, plugin, undefined, viaDrbdsetup)).toEqual({ stdout: EXPECTED[plugin], stderr: '', status: 0 });
    }
  });
});

describe('an 8.4 node upgraded to DRBD 9, one peer (r0, minor 1)', () => {
  const dir = tempDir();
  let drbd8: Record<string, string>;
  let drbd9: Record<string, string>;
  beforeAll(() => {
    // The same post shows the node's 8.4.11 /proc/drbd and drbdsetup 9's events2 for r0.
    drbd8 = { drbd_proc: copyFixture(new URL('../fixtures/proc-drbd/blog-cn-8.4.11-1.txt', import.meta.url), `${dir}/proc-drbd8`) };
    drbd9 = {
      drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd9`),
      drbd_events2: copyFixture(new URL('blog-cn-drbd84kmod-events2-statistics-now.txt', DRBD9_FIXTURES), `${dir}/events2`),
      MUNIN_PLUGSTATE: writableDir(`${dir}/state`),
    };
  });

  for (const plugin of DRBD_PLUGINS) {
    it(`${plugin}: the same fields with the same type, scaling and label${plugin === 'drbd_ext' ? ', less drbd1ep' : ''}`, () => {
      const before = parseFields(muninRun(dir, plugin, 'config', drbd8).stdout);
      const after = parseFields(muninRun(dir, plugin, 'config', drbd9).stdout);
      if (plugin === 'drbd_ext') {
        expect(before.has('drbd1ep')).toBe(true);
        before.delete('drbd1ep');
      }
      expect(before.size).toBeGreaterThan(0);
      expect([...after.entries()]).toEqual([...before.entries()]);
    });
  }
});

describe('the field set kept in MUNIN_PLUGSTATE', () => {
  const dir = tempDir();
  it('is written on a good reading and follows devices that disappear', () => {
    const state = writableDir(`${dir}/state`);
    writeFileSync(`${dir}/events2`, THREE_PEERS_EVENTS2, { mode: 0o644 });
    const env = { drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd`), drbd_events2: `${dir}/events2`, MUNIN_PLUGSTATE: state };
    expect(muninRun(dir, 'drbd_al', undefined, env).status).toBe(0);
    const peers = (names: string[]) => names.map((name) => ({ name, counters: ['ns', 'nr', 'oos', 'pe', 'ua'] }));
    expect(JSON.parse(readFileSync(`${state}/lio-munin-drbd9-devices.json`, 'utf8'))).toEqual({
      volumes: [{ minor: 0, device: ['dr', 'dw', 'al', 'bm', 'lo', 'ap'], peers: peers(['nina', 'nino', 'nono']) }],
    });

    // nono's connection is deleted (drbdadm del-peer): the next reading keeps two peers.
    writeFileSync(`${dir}/events2`, THREE_PEERS_EVENTS2.split('\n').filter((l) => !l.includes('conn-name:nono')).join('\n'));
    expect(muninRun(dir, 'drbd_al', undefined, env).status).toBe(0);
    expect(JSON.parse(readFileSync(`${state}/lio-munin-drbd9-devices.json`, 'utf8')).volumes[0].peers).toEqual(peers(['nina', 'nino']));
  });

  it('a state directory the plugin may not write is reported on stderr, the values still print', () => {
    const env = { drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd`), drbd_events2: `${dir}/events2`, MUNIN_PLUGSTATE: `${dir}` };
    const run = muninRun(dir, 'drbd_al', undefined, env);
    expect(run).toEqual({
      stdout: 'drbd0al.value 0\n',
      stderr: `drbd_al: cannot keep the DRBD device list in ${dir}/lio-munin-drbd9-devices.json: EACCES\n`,
      status: 0,
    });
  });
});
