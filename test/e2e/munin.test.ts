// End to end with the real Munin: configfs counters -> installed plugins -> munin-node ->
// munin-update -> RRD files -> munin-graph/munin-html -> a page in headless Chromium.
//
// Needs root (a private mount namespace for munin-node, munin-node dropping to nobody) and
// Debian's munin, munin-node, rrdtool, faketime and chromium (.ci/run installs them).
// The host's Munin is never touched: munin-node runs in a mount namespace where the staged
// /etc/munin and plugin directory are bind-mounted over the real ones, and the master's programs
// get a munin.conf whose directories are all temporary.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLioTree, patternTraffic, seedSystem, setTraffic } from '../support/lio-tree.js';
import { tempDir } from '../support/tmp.js';
import { muninCommand, muninMaster, type MuninNode, readDatafile, requireE2eSetup, rrdFetch, runMunin, setUpMaster, startTestNode } from '../support/e2e-munin.js';
import { chromium, CHROMIUM, imageCheckPage, imageSizes, serveDir, type StaticServer } from '../support/e2e-browser.js';
import { builtCheckout, lioMunin, PLUGINS as ALL_PLUGINS, procDrbd84, REPO, snapshot, type Snapshot } from '../installer/setup.js';

/**
 * The plugins this node serves: all but pacemaker, whose autoconf says no here (no cluster runs;
 * test/e2e/pacemaker-alerts.test.ts runs it end to end on crm_simulate's states).
 */
const PLUGINS = ALL_PLUGINS.filter((p) => p !== 'pacemaker');

const HOST = 'storage1';
const GROUP = 'e2e';
/** 2026-01-01 00:00:00 UTC, on a 300 s step boundary: the first munin-update. */
const T0 = 1_767_225_600;
const STEP = 300;
const ARTIFACTS = join(REPO, 'test-artifacts/e2e');
/** Host directories the test must leave as they were. */
const GUARDED = ['/etc/munin', '/usr/share/munin/plugins'];

const work = tempDir('lio-munin-e2e-');
const stage = join(work, 'stage');
const tree = join(work, 'target');
const drbdFile = join(work, 'proc-drbd');
const master = muninMaster(join(work, 'master'));
const { dbdir, htmldir } = master;
const spec = seedSystem();

let node: MuninNode | undefined;
let server: StaticServer | undefined;
let port = 0;
let hostBefore: Record<string, Snapshot> = {};

// DRBD counters (KiB, and al/bm counts) at each munin-update; minor 10 never moves.
const DRBD_A = { ns: 1000, nr: 500, dw: 2000, dr: 3000, al: 7, bm: 9, oos: 64 };
const DELTA = { ns: 614_400, nr: 0, dw: 614_400, dr: 307_200, al: 300, bm: 600 };
const advance = (c: typeof DRBD_A, oos: number) => ({
  ns: c.ns + DELTA.ns, nr: c.nr + DELTA.nr, dw: c.dw + DELTA.dw, dr: c.dr + DELTA.dr, al: c.al + DELTA.al, bm: c.bm + DELTA.bm, oos,
});
const DRBD_B = advance(DRBD_A, 4096);
/** After a failover: every counter smaller than before. */
const DRBD_C = { ns: 100, nr: 0, dw: 100, dr: 100, al: 1, bm: 1, oos: 0 };
const DRBD_D = advance(DRBD_C, 4096);
/** Rates munin must store for minor 0 (per second; KiB for the byte counters) after a DELTA. */
const DRBD_RATES: Record<string, number> = {
  'drbd.drbd0dr': 1024, 'drbd.drbd0dw': 2048, 'drbd.drbd0ns': 2048, 'drbd.drbd0nr': 0, 'drbd.drbd10dr': 0, 'drbd_al.drbd0al': 1, 'drbd_ext.drbd0bm': 2,
};
/** Between two updates the LIO pattern advances by this many steps: rate = pattern value in MiB/s. */
const LIO_STEPS = 300;

// This test fails on errors in stderr, not on warnings (the alert tests fail on both).
const munin = (epoch: number, program: string, ...args: string[]) => runMunin(master, epoch, program, args, { allowWarnings: true });

/** munin-update at epoch with the tree at LIO pattern step `step` and DRBD counters `drbd`. */
function updateAt(epoch: number, step: number, drbd: typeof DRBD_A) {
  setTraffic(tree, spec, patternTraffic(step));
  writeFileSync(drbdFile, procDrbd84(drbd));
  munin(epoch, 'munin-update', '--nofork');
}

/** The rate in MiB/s that the LIO pattern gives a field, from the info munin stored for it. */
function lioRate(info: string): number {
  const m = /^Bytes (read|written) by (all initiators|iqn\.2016-09\.com\.example:initiator0(\d)) on (?:its mapped )?lun_(\d) of /.exec(info);
  if (!m) throw new Error(`unexpected field info: ${info}`);
  const offset = m[1] === 'read' ? 1 : 2;
  const lun = Number(m[4]);
  const initiators = m[3] ? [Number(m[3])] : [1, 2, 3, 4];
  return initiators.reduce((sum, i) => sum + i * 100 + lun * 10 + offset, 0);
}

interface StoredField {
  key: string;
  file: string;
  type: string;
  cdef: string | undefined;
  info: string;
}

function storedFields(plugin: string): StoredField[] {
  const data = readDatafile(join(dbdir, 'datafile'), `${GROUP};${HOST}`);
  const names = [...data.keys()].filter((k) => k.startsWith(`${plugin}.`) && k.endsWith('.label')).map((k) => k.slice(plugin.length + 1, -'.label'.length));
  return names.map((field) => {
    const type = data.get(`${plugin}.${field}.type`) ?? 'GAUGE';
    return {
      key: `${plugin}.${field}`,
      // A multigraph child's field is GRAPH.FIELD here, GRAPH-FIELD in the RRD file's name.
      file: join(dbdir, GROUP, `${HOST}-${plugin}-${field.replace('.', '-')}-${type === 'DERIVE' ? 'd' : 'g'}.rrd`),
      type,
      cdef: data.get(`${plugin}.${field}.cdef`),
      info: data.get(`${plugin}.${field}.info`) ?? '',
    };
  });
}

const updateLog = join(master.dir, 'log/munin-update.log');
let logFrom = 0;
const errorLines = (log: string) => log.split('\n').filter((l) => /\[(ERROR|FATAL)\]/.test(l));

const relativeError = (actual: number, expected: number) => (expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / expected);

beforeAll(async () => {
  requireE2eSetup([CHROMIUM], 'munin munin-node rrdtool faketime chromium');
  hostBefore = Object.fromEntries(GUARDED.map((dir) => [dir, snapshot(dir)]));

  buildLioTree(tree, spec);
  setTraffic(tree, spec, patternTraffic(1));
  writeFileSync(drbdFile, procDrbd84(DRBD_A));

  // Install with the installer into a staging root, pointing the plugins at the tree.
  mkdirSync(stage);
  const install = lioMunin(['install', '--destdir', stage, '--from', builtCheckout(work), '--target-root', tree, '--drbd-proc', drbdFile]);
  expect(install.stderr).toBe('');
  expect(install.status).toBe(0);
  for (const name of PLUGINS) expect(install.lines).toContain(`enable    ${stage}/etc/munin/plugins/${name} -> /usr/share/munin/plugins/${name} (autoconf: yes)`);
  expect(install.lines.find((l) => l.includes('/etc/munin/plugins/pacemaker'))).toMatch(/^skip .*\(autoconf: no \(.*crm_mon/);

  // munin-node, in a namespace where the staged tree is mounted where Munin expects it.
  ({ node, port } = await startTestNode(join(work, 'node'), HOST, join(stage, 'etc/munin'), join(stage, 'usr/share/munin/plugins')));

  // The master: every directory temporary and owned by munin.
  setUpMaster(master, [{ group: GROUP, host: HOST, port }], { contact: false });
});

afterAll(async () => {
  await node?.stop();
  await server?.close();
});

describe('the real Munin, from configfs counters to graphs in a browser', () => {
  it('munin-node serves every installed plugin', async () => {
    // munin-update announces multigraph (munin-node answers with what it supports), and so is
    // offered the multigraph plugins; a master that does not is not (munin-node's own rule).
    const multigraph = new Set(['drbd_state', 'lio_disk', 'lio_iscsi_errors', 'lio_sessions']);
    expect(await muninCommand(port, 'cap multigraph\nlist')).toEqual(['cap multigraph dirtyconfig', PLUGINS.join(' ')]);
    expect(await muninCommand(port, 'list')).toEqual([PLUGINS.filter((p) => !multigraph.has(p)).join(' ')]);
    const fetch = await muninCommand(port, 'fetch lio_read');
    expect(fetch).toContain('iqn2016_09comexampleiscsitgt01lun_0.value 1004');
    expect(await muninCommand(port, 'fetch drbd')).toContain('drbd0dr.value 3000');
  });

  it('munin-update stores the rates of the counters advanced between two runs', () => {
    updateAt(T0, 1, DRBD_A);
    // Munin 2.0's first run into an empty dbdir thinks it was just upgraded and tries to tune
    // RRD files it has not created yet ("[ERROR] Tuning type of '...' failed"): its own quirk,
    // so the log is checked from the second run on, and the first run for nothing else.
    const firstRun = readFileSync(updateLog, 'utf8');
    expect(errorLines(firstRun).filter((l) => !/\[ERROR\] Tuning (type|min|max) of '[^']+' to '[^']*' failed\.$/.test(l))).toEqual([]);
    logFrom = firstRun.length;
    updateAt(T0 + STEP, 1 + LIO_STEPS, DRBD_B);
    const at = T0 + STEP;

    for (const plugin of ['lio_read', 'lio_write']) {
      const fields = storedFields(plugin);
      expect(fields).toHaveLength(4 + 16);
      for (const field of fields) {
        // Munin stores MiB/s; the cdef, applied when drawing, makes bytes of it.
        expect(field.type).toBe('DERIVE');
        expect(field.cdef).toBe(`${field.key.split('.')[1]},1048576,*`);
        const stored = rrdFetch(field.file, T0, at).get(at)!;
        const expectedBytes = lioRate(field.info) * 1_048_576;
        expect(relativeError(stored * 1_048_576, expectedBytes), `${field.key}: ${stored} MiB/s`).toBeLessThan(1e-9);
      }
    }
    const drbd = new Map([...storedFields('drbd'), ...storedFields('drbd_al'), ...storedFields('drbd_ext')].map((f) => [f.key, f]));
    for (const [key, rate] of Object.entries(DRBD_RATES)) {
      const field = drbd.get(key)!;
      expect(field.type, key).toBe('DERIVE');
      expect(relativeError(rrdFetch(field.file, T0, at).get(at)!, rate), key).toBeLessThan(1e-9);
    }
    // 300 MiB read from the local disk in 300 s: 1 MiB/s, stored as 1024 KiB/s, drawn in bytes.
    expect(drbd.get('drbd.drbd0dr')!.cdef).toBe('drbd0dr,1024,*');
    // Out of sync is an amount: a GAUGE of KiB (4 MiB once drawn), not a rate.
    const oos = drbd.get('drbd.drbd0os')!;
    expect(oos.type).toBe('GAUGE');
    expect(oos.cdef).toBe('drbd0os,1024,*');
    expect(rrdFetch(oos.file, T0, at).get(at)).toBe(4096);
  });

  it('a counter reset (failover) stores unknown, not a negative or huge rate, and rates resume', () => {
    buildLioTree(tree, spec); // the other node's tree: same names, counters from zero
    updateAt(T0 + 2 * STEP, 2, DRBD_C);
    updateAt(T0 + 3 * STEP, 2 + LIO_STEPS, DRBD_D);
    const reset = T0 + 2 * STEP;
    const resumed = T0 + 3 * STEP;

    // A multigraph plugin's fields are stored under its graphs' names.
    const fields = [...PLUGINS, ...['bytes', 'iops', 'initiator_bytes', 'initiator_iops'].map((g) => `lio_disk_${g}`)].flatMap(storedFields);
    expect(fields.filter((f) => f.key.startsWith('lio_disk_'))).toHaveLength(2 + 4 * 2 + 1 + 4 + 2 + 4 * 2 + 1 + 4); // pairs per target and per LUN, commands, the same for the initiators
    for (const field of fields) {
      const rows = rrdFetch(field.file, T0, resumed);
      for (const [time, value] of rows) {
        if (Number.isNaN(value)) continue;
        expect(value, `${field.key} at ${time}`).toBeGreaterThanOrEqual(0);
        // lio_disk's commands are 16 per MiB in the pattern: far more than 10,000 a second.
        if (!field.key.startsWith('lio_disk')) expect(value, `${field.key} at ${time}`).toBeLessThan(10_000);
      }
      if (field.key.startsWith('lio_disk_') && field.type === 'DERIVE') expect(rows.get(reset), field.key).toBeNaN();
      if (/^lio_(read|write)\./.test(field.key)) {
        expect(rows.get(reset), field.key).toBeNaN();
        expect(relativeError(rows.get(resumed)!, lioRate(field.info)), field.key).toBeLessThan(1e-9);
      }
    }
    const drbd = new Map(fields.map((f) => [f.key, f]));
    for (const [key, rate] of Object.entries(DRBD_RATES)) {
      const rows = rrdFetch(drbd.get(key)!.file, T0, resumed);
      // Minor 10 did not move: its rate stays 0 through the reset of minor 0.
      if (key.includes('drbd0')) expect(rows.get(reset), key).toBeNaN();
      expect(relativeError(rows.get(resumed)!, rate), key).toBeLessThan(1e-9);
    }
    expect(errorLines(readFileSync(updateLog, 'utf8').slice(logFrom))).toEqual([]);
  });

  it('munin-graph and munin-html draw the graphs, and they load in headless Chromium', async () => {
    const now = T0 + 3 * STEP + 60;
    munin(now, 'munin-limits');
    munin(now, 'munin-html'); // lists the graphs that munin-graph --cron draws
    munin(now, 'munin-graph', '--cron');
    const hostPage = `/${GROUP}/${HOST}/index.html`;
    expect(existsSync(join(htmldir, hostPage))).toBe(true);

    writeFileSync(join(htmldir, 'lio-munin-image-check.html'), imageCheckPage(hostPage));
    server = await serveDir(htmldir);
    const check = await chromium(['--virtual-time-budget=15000', '--dump-dom', `${server.url}/lio-munin-image-check.html`]);
    expect(check.status).toBe(0);
    const images = imageSizes(check.stdout);
    const sources = images.map((img) => img.src.split('/').pop());
    // A multigraph plugin's top graphs: lio_disk's overviews (no block devices here: no latency).
    const topGraphs = PLUGINS.flatMap((p) => (p === 'lio_disk' ? ['bytes', 'iops', 'initiator_bytes', 'initiator_iops'].map((g) => `lio_disk_${g}`) : [p]));
    for (const graph of topGraphs) expect(sources).toEqual(expect.arrayContaining([`${graph}-day.png`, `${graph}-week.png`]));
    expect(images).toHaveLength(2 * topGraphs.length); // day and week of each
    for (const img of images) {
      expect(img.width, img.src).toBeGreaterThan(0);
      expect(img.height, img.src).toBeGreaterThan(0);
    }

    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, 'munin-host-page.png');
    const shot = await chromium(['--window-size=1280,2400', '--hide-scrollbars', `--screenshot=${screenshot}`, `${server.url}${hostPage}`]);
    expect(shot.status).toBe(0);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(screenshot).size).toBeGreaterThan(50_000);
    for (const graph of ['lio_read-day.png', 'lio_write-day.png', 'drbd-day.png']) copyFileSync(join(htmldir, GROUP, HOST, graph), join(ARTIFACTS, graph));
  });

  it('munin-node-configure --suggest finds every plugin, family auto, with the right answers', () => {
    const configure = (sconfdir: string, ...extra: string[]) => {
      // Inside munin-node's namespace: the installed tree is where Munin expects it.
      const run = spawnSync(
        'nsenter',
        ['--target', String(node!.pid), '--mount', '--', 'munin-node-configure', '--suggest', '--libdir', '/usr/share/munin/plugins', '--servicedir', '/etc/munin/plugins', '--sconfdir', sconfdir, ...extra],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).not.toMatch(/caused errors/);
      return new Map(
        run.stdout
          .split('\n')
          .map((line) => line.split('|').map((cell) => cell.trim()))
          .filter((cells) => cells.length === 3 && (PLUGINS as readonly string[]).includes(cells[0]!))
          .map(([name, used, suggestion]) => [name!, `${used} | ${suggestion}`]),
      );
    };
    const suggested = configure('/etc/munin/plugin-conf.d');
    expect(Object.fromEntries(suggested)).toEqual(Object.fromEntries(PLUGINS.map((name) => [name, 'yes | yes'])));
    // Only family auto is suggested by default; none of them claims another family.
    expect(configure('/etc/munin/plugin-conf.d', '--families', 'manual,snmpauto,contrib').size).toBe(0);

    // A node with no LUN exported and no DRBD: the same plugins answer no, with the reason.
    const empty = join(work, 'empty-target');
    mkdirSync(join(empty, 'iscsi'), { recursive: true });
    const other = join(work, 'other-conf.d');
    mkdirSync(other);
    writeFileSync(join(other, 'lio-munin'), `[drbd*]\nenv.drbd_proc ${work}/no-proc-drbd\n[lio_*]\nenv.target_root ${empty}\n`);
    const standby = configure(other);
    expect(standby.get('lio_read')).toBe(`yes | no [no LIO target exports a LUN under ${empty}]`);
    expect(standby.get('drbd')).toBe(`yes | no [${work}/no-proc-drbd not found: drbd module not loaded]`);
  });

  it('leaves no trace on the host: munin-node stopped, /etc/munin unchanged', async () => {
    const log = readFileSync(join(work, 'node/log/munin-node.log'), 'utf8');
    expect(log.split('\n').filter((l) => /error|timed out|bad exit|exited with status/i.test(l))).toEqual([]);
    await node!.stop();
    expect(() => process.kill(node!.pid, 0)).toThrow();
    for (const dir of GUARDED) expect(snapshot(dir), dir).toEqual(hostBefore[dir]);
  });
});
