// The Munin plugins, started as munin-node starts them: the built file, its mode as argument,
// the configuration in the environment, stdout read through a pipe.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { briefError } from '../lib/errors.js';
import PLUGIN_LIST from '../plugins/list.json' with { type: 'json' };
import { buildBlockTree } from '../test/support/block-tree.js';
import { backstoreName } from '../test/support/lio-tree.js';
import type { Tree } from './fixtures.js';
import { jobEnvironment, measureGroup, PEAK_RSS_MISSING, peakRssAvailable, type Command, type RunOutput } from './measure.js';
import { mib, ms, ratio, ratioTarget, timeCells, type Section } from './report.js';

/** lio_read and lio_write; lio_disk, a multigraph plugin with block devices, has its own runs. */
const LIO = PLUGIN_LIST.filter((p) => p.startsWith('lio_') && p !== 'lio_disk');
const DRBD = PLUGIN_LIST.filter((p) => p.startsWith('drbd'));
/** Size at which each LIO target applies, and its limit in multiples of the runtime floor. */
const LIO_LIMITS: Record<string, number> = { '4x16x16': 2, '16x16x16': 3 };
const DRBD_LIMIT = 1.3;
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
function shebangOf(pluginDir: string): string {
  try {
    return readFileSync(join(pluginDir, 'lio_read'), 'utf8').split('\n', 1)[0]!;
  } catch (err) {
    return `(not readable: ${briefError(err)})`;
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
export function benchPlugins(pluginDir: string, trees: Tree[], procDrbd: string, drbdMinors: number, runs: number, names: Set<string> | null = null): Section {
  const floor: Command = { name: 'node -e 0', file: 'node', args: ['-e', '0'] };
  const wanted = (plugin: string) => names === null || names.has(plugin);
  const plugins: PluginRun[] = [];
  for (const tree of trees) {
    const env = jobEnvironment({ target_root: tree.root });
    for (const plugin of LIO.filter(wanted)) {
      for (const mode of ['fetch', 'config'] as const) plugins.push(pluginRun(pluginDir, plugin, mode, tree.label, env, tree.fields));
    }
    if (tree.label in LIO_LIMITS && wanted('lio_read')) plugins.push(pluginRun(pluginDir, 'lio_read', 'dirtyconfig', tree.label, env, tree.fields));
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

  // The floor runs before every third plugin, so that its median (which every ratio here divides
  // by) rests on many runs spread over the whole group.
  const group = plugins.flatMap((p, i) => (i % 3 === 0 ? [floor, p.command] : [p.command]));
  // Plugin runs last a tenth of a second, the size of the machine's own jitter: three times the
  // runs make their medians as steady as the longer commands' (bench/README.md).
  const results = measureGroup(group, PLUGIN_RUNS_FACTOR * runs);
  const floorResult = results.get(floor.name);
  const get = (plugin: string, mode: Mode, system: string) => results.get(`${plugin} ${mode} ${system}`);

  const rows = [floor.name, ...plugins.map((p) => p.command.name)].map((name) => {
    const m = results.get(name);
    const run = plugins.find((p) => p.command.name === name);
    const r = m?.ok && floorResult?.ok ? ratio(m.spread.median / floorResult.spread.median) : '';
    const lines = m?.ok ? String(m.last.stdout.split('\n').length - 1) : '';
    return [run?.plugin ?? `runtime floor: \`node -e 0\`${m?.ok ? ` (${m.spread.runs.length} runs)` : ''}`, run?.mode ?? '', run?.system ?? '', ...timeCells(m), r, m?.ok ? mib(m.peakRssKiB) : '', lines];
  });

  const targets = [
    ...Object.entries(LIO_LIMITS).flatMap(([system, limit]) =>
      [...LIO, 'lio_disk'].filter(wanted).flatMap((plugin) =>
        (['fetch', 'config'] as const).map((mode) =>
          ratioTarget(`${plugin} ${mode}, ${system}, vs runtime floor`, get(plugin, mode, system), floorResult, limit),
        ),
      ),
    ),
    ...DRBD.filter(wanted).flatMap((plugin) =>
      (['fetch', 'config'] as const).map((mode) =>
        ratioTarget(`${plugin} ${mode}, ${drbdSystem}, vs runtime floor`, get(plugin, mode, drbdSystem), floorResult, DRBD_LIMIT),
      ),
    ),
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
          `Each plugin started as munin-node starts it: the built \`${relative(process.cwd(), pluginDir) || '.'}/<name>\` through its \`#!\` line (\`${shebangOf(pluginDir)}\`), ` +
          'mode as argument, `target_root` / `drbd_proc` in the environment, stdout through a pipe. ' +
          'Every run is checked: exit status 0, nothing on stderr, one value (or one configured field) per expected field, no `U`.',
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
