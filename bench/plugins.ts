// The Munin plugins, started as munin-node starts them: the built file, its mode as argument,
// the configuration in the environment, stdout read through a pipe.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CRM_MON_ARGS } from '../lib/cluster/crm-mon.js';
import { briefError } from '../lib/errors.js';
import PLUGIN_LIST from '../plugins/list.json' with { type: 'json' };
import { buildBlockTree } from '../test/support/block-tree.js';
import { backstoreName } from '../test/support/lio-tree.js';
import type { Tree } from './fixtures.js';
import { jobEnvironment, measureGroup, PEAK_RSS_MISSING, peakRssAvailable, type Command, type Measurement, type RunOutput } from './measure.js';
import { mib, ms, ratio, ratioTarget, timeCells, type Section, type TargetRow } from './report.js';

/** The iSCSI session plugins: multigraph, their own field counts. */
const ISCSI = ['lio_sessions', 'lio_iscsi_errors'].filter((p) => PLUGIN_LIST.includes(p));
/** lio_read and lio_write; lio_disk, a multigraph plugin with block devices, has its own runs. */
const LIO = PLUGIN_LIST.filter((p) => p.startsWith('lio_') && p !== 'lio_disk' && !ISCSI.includes(p));
const DRBD = PLUGIN_LIST.filter((p) => p.startsWith('drbd'));
// pacemaker has its own rows below (it needs a cluster state).
/** Size at which each LIO target applies, and its limit in multiples of the runtime floor. */
const LIO_LIMITS: Record<string, number> = { '4x16x16': 2, '16x16x16': 3 };
/** The iSCSI plugins' target: 16 targets x 16 initiators (the 16x16x16 tree), 2x the floor. */
const ISCSI_LIMITS: Record<string, number> = { '16x16x16': 2 };
const DRBD_LIMIT = 1.3;
/** pacemaker: its time less crm_mon's own, in multiples of the runtime floor (issue 19). */
const PACEMAKER_LIMIT = 1.5;
const CRM_MON = '/usr/sbin/crm_mon';
export const PLUGIN_RUNS_FACTOR = 3;

type Mode = 'fetch' | 'config' | 'dirtyconfig';

interface PluginRun {
  plugin: string;
  mode: Mode;
  system: string;
  command: Command;
}

/** Checks what munin-node would get: no stderr, and the expected number of fields. */
function outputCheck(mode: Mode, fields: number | null): (run: RunOutput) => string | null {
  return (run) => {
    if (run.stderr) return `stderr: ${run.stderr.trim().split('\n')[0]}`;
    const values = run.stdout.match(/^\w+\.value \S+$/gm) ?? [];
    const labels = run.stdout.match(/^\w+\.label /gm) ?? [];
    if (mode !== 'config' && fields !== null && values.length !== fields) return `${values.length} values, expected ${fields}`;
    if (mode !== 'fetch' && fields !== null && labels.length !== fields) return `${labels.length} fields configured, expected ${fields}`;
    if (mode !== 'config' && values.length === 0) return 'no values';
    if (values.some((line) => line.endsWith(' U'))) return 'some values are U';
    return null;
  };
}

/** The #! line the plugins in pluginDir start with (lio_read's stands for all). */
/** How the plugins of pluginDir start: their `#!` line, or that they are programs (the packaged executable). */
function startOf(pluginDir: string): string {
  let fd = -1;
  try {
    fd = openSync(join(pluginDir, 'lio_read'), 'r');
    const head = Buffer.alloc(256);
    const line = head.subarray(0, readSync(fd, head)).toString('latin1').split('\n', 1)[0]!;
    return line.startsWith('#!') ? `through its \`#!\` line (\`${line}\`)` : 'run directly (an executable file, no `#!` line)';
  } catch (err) {
    return `(not readable: ${briefError(err)})`;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function pluginRun(pluginDir: string, plugin: string, mode: Mode, system: string, env: NodeJS.ProcessEnv, fields: number | null): PluginRun {
  const dirty = mode === 'dirtyconfig';
  return {
    plugin,
    mode,
    system,
    command: {
      name: `${plugin} ${mode} ${system}`,
      file: join(pluginDir, plugin),
      args: mode === 'fetch' ? [] : ['config'],
      env: dirty ? { ...env, MUNIN_CAP_DIRTYCONFIG: '1' } : env,
      check: outputCheck(mode, fields),
    },
  };
}

/** pacemaker's median less crm_mon's, against the runtime floor's. */
function pacemakerTarget(mode: Mode, plugin: Measurement | null | undefined, crmMon: Measurement | null | undefined, floor: Measurement | undefined): TargetRow {
  const what = `pacemaker ${mode}, 2 nodes 20 resources, less crm_mon alone, vs runtime floor`;
  if (!plugin || !crmMon || !floor) return { what, measured: 'not run (no pacemaker-cli-utils)', reference: '', ratio: '', bestRatio: '', limit: `<= ${PACEMAKER_LIMIT}x`, verdict: 'not measured' };
  if (!plugin.ok || !crmMon.ok || !floor.ok) {
    const failed = [plugin, crmMon, floor].find((m) => !m.ok) as Extract<Measurement, { ok: false }>;
    return { what, measured: `failed: ${failed.problem}`, reference: '', ratio: '', bestRatio: '', limit: `<= ${PACEMAKER_LIMIT}x`, verdict: 'not measured' };
  }
  const own = plugin.spread.median - crmMon.spread.median;
  const r = own / floor.spread.median;
  return {
    what,
    measured: `${ms(own)} (${ms(plugin.spread.median)} - ${ms(crmMon.spread.median)})`,
    reference: ms(floor.spread.median),
    ratio: ratio(r),
    bestRatio: ratio((plugin.spread.min - crmMon.spread.min) / floor.spread.min),
    limit: `<= ${PACEMAKER_LIMIT}x`,
    verdict: r <= PACEMAKER_LIMIT ? 'pass' : 'FAIL',
  };
}

/**
 * lio_disk's fields on a tree whose every LUN is on its own block device: per target a read/write
 * pair and a command field, twice (LUNs, initiators), and latency and utilization; the same per
 * LUN and per initiator in the drill-down graphs.
 */
function diskFields(tree: Tree): number {
  return tree.spec.targets.reduce((sum, t) => sum + 9 + 6 * t.luns.length + 3 * t.acls.length, 0);
}

/**
 * lio_disk's environment for a tree, as munin-node gives it (multigraph, a state directory), with
 * a /dev and /sys/block tree beside it: every LUN's default backstore (/dev/vg1/<name>) on its
 * own dm device.
 */
function diskEnvironment(pluginDir: string, tree: Tree): NodeJS.ProcessEnv {
  const base = join(dirname(tree.root), `block-devices-${tree.label}`);
  const devices = tree.spec.targets.flatMap((t) => t.luns.map((l) => `vg1/${backstoreName(t, l)}`));
  buildBlockTree(`${base}/dev`, `${base}/sys-block`, devices.map((link, i) => ({ name: `dm-${i}`, links: [link] })));
  mkdirSync(`${base}/plugin-state`, { recursive: true });
  const env = jobEnvironment({ target_root: tree.root, dev_root: `${base}/dev`, block_root: `${base}/sys-block`, MUNIN_CAP_MULTIGRAPH: '1', MUNIN_PLUGSTATE: `${base}/plugin-state` });
  // One run first, as munin-node's previous cycle: it keeps the readings the measured runs compare
  // with (without them latency and utilization are U, which the check refuses).
  spawnSync(join(pluginDir, 'lio_disk'), [], { env, stdio: 'ignore' });
  return env;
}

/** pluginDir: the built plugins, normally dist/plugins; names: the plugins to measure (null: all). */
export function benchPlugins(pluginDir: string, trees: Tree[], procDrbd: string, drbdMinors: number, runs: number, cluster: { cib: string; label: string } | null, names: Set<string> | null = null): Section {
  const floor: Command = { name: 'node -e 0', file: 'node', args: ['-e', '0'] };
  const wanted = (plugin: string) => names === null || names.has(plugin);
  const plugins: PluginRun[] = [];
  for (const tree of trees) {
    const env = jobEnvironment({ target_root: tree.root });
    for (const plugin of LIO.filter(wanted)) {
      for (const mode of ['fetch', 'config'] as const) plugins.push(pluginRun(pluginDir, plugin, mode, tree.label, env, tree.fields));
    }
    if (tree.label in LIO_LIMITS && wanted('lio_read')) plugins.push(pluginRun(pluginDir, 'lio_read', 'dirtyconfig', tree.label, env, tree.fields));
    const multigraph = jobEnvironment({ target_root: tree.root, MUNIN_CAP_MULTIGRAPH: '1' });
    for (const plugin of ISCSI.filter(wanted)) {
      for (const mode of ['fetch', 'config'] as const) plugins.push(pluginRun(pluginDir, plugin, mode, tree.label, multigraph, null));
    }
    if (wanted('lio_disk')) {
      const diskEnv = diskEnvironment(pluginDir, tree);
      for (const mode of ['fetch', 'config'] as const) plugins.push(pluginRun(pluginDir, 'lio_disk', mode, tree.label, diskEnv, diskFields(tree)));
    }
  }
  const drbdSystem = `${drbdMinors} minors`;
  // As munin-node runs them: multigraph announced (drbd_state draws four graphs), and a state
  // directory to keep (drbd_state remembers the devices it has seen).
  const plugstate = join(dirname(procDrbd), 'plugin-state');
  mkdirSync(plugstate, { recursive: true });
  const drbdEnv = jobEnvironment({ drbd_proc: procDrbd, MUNIN_CAP_MULTIGRAPH: '1', MUNIN_PLUGSTATE: plugstate });
  for (const plugin of DRBD.filter(wanted)) {
    for (const mode of ['fetch', 'config'] as const) plugins.push(pluginRun(pluginDir, plugin, mode, drbdSystem, drbdEnv, null));
  }
  if (wanted('drbd')) plugins.push(pluginRun(pluginDir, 'drbd', 'dirtyconfig', drbdSystem, drbdEnv, null));

  // pacemaker reads a saved cluster state through crm_mon (CIB_file), and crm_mon alone is timed
  // beside it: its share is Pacemaker's, not ours.
  const crmMonAlone: Command | null = cluster && (names === null || names.has('pacemaker')) ? {
    name: `crm_mon ${CRM_MON_ARGS.join(' ')} ${cluster.label}`,
    file: CRM_MON,
    // As the plugin runs it.
    args: [...CRM_MON_ARGS],
    env: jobEnvironment({ CIB_file: cluster.cib }),
    check: (run) => (run.status === 0 && run.stdout.includes('<nodes>') ? null : `exit ${run.status}: ${run.stderr.trim().split('\n')[0]}`),
  } : null;
  if (cluster && wanted('pacemaker')) {
    const pcmkState = join(dirname(cluster.cib), 'plugin-state');
    mkdirSync(pcmkState, { recursive: true });
    const pcmkEnv = jobEnvironment({ CIB_file: cluster.cib, preferred_node: 'node1', MUNIN_CAP_MULTIGRAPH: '1', MUNIN_PLUGSTATE: pcmkState });
    for (const mode of ['fetch', 'config'] as const) plugins.push(pluginRun(pluginDir, 'pacemaker', mode, cluster.label, pcmkEnv, null));
  }

  // The floor runs before every third plugin, so that its median (which every ratio here divides
  // by) rests on many runs spread over the whole group.
  const group = [...plugins.flatMap((p, i) => (i % 3 === 0 ? [floor, p.command] : [p.command])), ...(crmMonAlone ? [crmMonAlone] : [])];
  // Plugin runs last a tenth of a second, the size of the machine's own jitter: three times the
  // runs make their medians as steady as the longer commands' (bench/README.md).
  const results = measureGroup(group, PLUGIN_RUNS_FACTOR * runs);
  const floorResult = results.get(floor.name);
  const get = (plugin: string, mode: Mode, system: string) => results.get(`${plugin} ${mode} ${system}`);

  const rows = [floor.name, ...plugins.map((p) => p.command.name), ...(crmMonAlone ? [crmMonAlone.name] : [])].map((name) => {
    const m = results.get(name);
    const run = plugins.find((p) => p.command.name === name);
    const r = m?.ok && floorResult?.ok ? ratio(m.spread.median / floorResult.spread.median) : '';
    const lines = m?.ok ? String(m.last.stdout.split('\n').length - 1) : '';
    const label = name === crmMonAlone?.name ? 'crm_mon alone (reference)' : `runtime floor: \`node -e 0\`${m?.ok ? ` (${m.spread.runs.length} runs)` : ''}`;
    return [run?.plugin ?? label, run?.mode ?? '', run?.system ?? (name === crmMonAlone?.name ? cluster!.label : ''), ...timeCells(m), r, m?.ok ? mib(m.peakRssKiB) : '', lines];
  });

  const targets = [
    ...Object.entries(LIO_LIMITS).flatMap(([system, limit]) =>
      [...LIO, 'lio_disk'].filter(wanted).flatMap((plugin) =>
        (['fetch', 'config'] as const).map((mode) =>
          ratioTarget(`${plugin} ${mode}, ${system}, vs runtime floor`, get(plugin, mode, system), floorResult, limit),
        ),
      ),
    ),
    ...Object.entries(ISCSI_LIMITS).flatMap(([system, limit]) =>
      ISCSI.filter(wanted).flatMap((plugin) =>
        (['fetch', 'config'] as const).map((mode) =>
          ratioTarget(`${plugin} ${mode}, ${system} (${system.split('x').slice(0, 2).join(' targets x ')} initiators), vs runtime floor`, get(plugin, mode, system), floorResult, limit),
        ),
      ),
    ),
    ...DRBD.filter(wanted).flatMap((plugin) =>
      (['fetch', 'config'] as const).map((mode) =>
        ratioTarget(`${plugin} ${mode}, ${drbdSystem}, vs runtime floor`, get(plugin, mode, drbdSystem), floorResult, DRBD_LIMIT),
      ),
    ),
    ...(wanted('pacemaker') ? (['fetch', 'config'] as const).map((mode) => pacemakerTarget(mode, cluster && get('pacemaker', mode, cluster.label), crmMonAlone && results.get(crmMonAlone.name), floorResult)) : []),
  ];

  const dirtyRows = plugins
    .filter((p) => p.mode === 'dirtyconfig')
    .map(({ plugin, system }) => {
      const config = get(plugin, 'config', system);
      const fetch = get(plugin, 'fetch', system);
      const dirty = get(plugin, 'dirtyconfig', system);
      if (!config?.ok || !fetch?.ok || !dirty?.ok) return [plugin, system, '', '', '', timeCells(dirty)[0], ''];
      const two = config.spread.median + fetch.spread.median;
      const saved = 1 - dirty.spread.median / two;
      return [plugin, system, ms(config.spread.median), ms(fetch.spread.median), ms(two), ms(dirty.spread.median), `${Math.round(saved * 100)} %`];
    });

  return {
    targets,
    tables: [
      {
        title: 'Plugins',
        intro:
          `${PLUGIN_RUNS_FACTOR * runs} timed runs of each plugin (${PLUGIN_RUNS_FACTOR} x --runs: they are short). ` +
          `Each plugin started as munin-node starts it: the built \`${relative(process.cwd(), pluginDir) || '.'}/<name>\` ${startOf(pluginDir)}, ` +
          'mode as argument, `target_root` / `drbd_proc` / `CIB_file` in the environment, stdout through a pipe. ' +
          'Every run is checked: exit status 0, nothing on stderr, one value (or one configured field) per expected field, no `U`. ' +
          "The DRBD plugins' config runs, but the first, print the config kept in `MUNIN_PLUGSTATE` (README: \"The config is kept\"; what one made anew costs: bench/README.md).",
        headers: ['Plugin', 'Mode', 'System', 'Median', 'Spread (min–max)', 'x runtime floor', 'Peak RSS', 'Lines out'],
        rows,
      },
      {
        title: 'dirtyconfig',
        intro:
          'With `MUNIN_CAP_DIRTYCONFIG=1` munin-node runs `config` only, and takes the values from it: one process per cycle instead of two (config, then fetch).',
        headers: ['Plugin', 'System', 'config', 'fetch', 'config + fetch', 'dirtyconfig config', 'Saved per cycle'],
        rows: dirtyRows,
      },
    ],
    notes: peakRssAvailable() ? [] : [PEAK_RSS_MISSING],
  };
}
