// The plugins through the packages' executable (npm run package: Node.js 24 single executable
// application) against the same plugins under node, in one group: the packaged ones must be no
// slower (issue 17).
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import PLUGIN_LIST from '../plugins/list.json' with { type: 'json' };
import type { Tree } from './fixtures.js';
import { jobEnvironment, measureGroup, type Command } from './measure.js';
import { mib, ratio, ratioTarget, timeCells, type Section } from './report.js';

const LIMIT = 1.05;

/** A directory of links named after the plugins, to the executable, as the packages install them. */
export function packagedPluginDir(workDir: string, executable: string): string {
  const dir = join(workDir, 'packaged-plugins');
  mkdirSync(dir, { recursive: true });
  for (const name of PLUGIN_LIST) if (!existsSync(join(dir, name))) symlinkSync(executable, join(dir, name));
  return dir;
}

export function benchPackaged(distPlugins: string, packagedPlugins: string, tree: Tree, procDrbd: string, cluster: { cib: string; label: string } | null, runs: number): Section {
  const plugstate = join(dirname(procDrbd), 'plugin-state');
  mkdirSync(plugstate, { recursive: true });
  const envOf = (plugin: string) =>
    plugin.startsWith('lio_')
      ? jobEnvironment({ target_root: tree.root })
      : plugin === 'pacemaker'
        ? jobEnvironment({ CIB_file: cluster!.cib, preferred_node: 'node1', MUNIN_CAP_MULTIGRAPH: '1', MUNIN_PLUGSTATE: plugstate })
        : jobEnvironment({ drbd_proc: procDrbd, MUNIN_CAP_MULTIGRAPH: '1', MUNIN_PLUGSTATE: plugstate });
  // pacemaker needs the saved cluster state that crm_simulate makes (pacemaker-cli-utils).
  const pairs = PLUGIN_LIST.filter((plugin) => plugin !== 'pacemaker' || cluster).flatMap((plugin) =>
    (['fetch', 'config'] as const).map((mode) => {
      const command = (how: string, dir: string): Command => ({
        name: `${plugin} ${mode} ${how}`,
        file: join(dir, plugin),
        args: mode === 'fetch' ? [] : ['config'],
        env: envOf(plugin),
        check: (run) => (run.stderr ? `stderr: ${run.stderr.trim().split('\n')[0]}` : null),
      });
      return { plugin, mode, node: command('node', distPlugins), packaged: command('packaged', packagedPlugins) };
    }),
  );
  // Plugins are short: three times the runs, as in the plugin section.
  const results = measureGroup(pairs.flatMap((p) => [p.node, p.packaged]), 3 * runs);
  const system = (plugin: string) => (plugin.startsWith('lio_') ? tree.label : plugin === 'pacemaker' ? cluster!.label : 'DRBD 8, 100 minors');
  return {
    targets: pairs.map((p) =>
      ratioTarget(`${p.plugin} ${p.mode}, ${system(p.plugin)}: packaged vs node`, results.get(p.packaged.name), results.get(p.node.name), LIMIT),
    ),
    tables: [
      {
        title: 'Plugins: packaged executable vs node',
        intro:
          `${3 * runs} timed runs of each. "node": the built \`dist/plugins/<name>\` through its \`#!\` line (the node on PATH, \`--max-opt=1\`); ` +
          '"packaged": a link named after the plugin to `dist/package/sea/lio-munin` (Node.js 24 single executable application; its V8 options, `EXEC_ARGV` in package/executable.ts, in its execArgv; a code cache for each program).',
        headers: ['Plugin', 'Mode', 'System', 'node median', 'node min–max', 'packaged median', 'packaged min–max', 'ratio', 'node peak RSS', 'packaged peak RSS'],
        rows: pairs.map((p) => {
          const node = results.get(p.node.name);
          const packaged = results.get(p.packaged.name);
          const r = node?.ok && packaged?.ok ? ratio(packaged.spread.median / node.spread.median) : '';
          return [p.plugin, p.mode, system(p.plugin), ...timeCells(node), ...timeCells(packaged), r, node?.ok ? mib(node.peakRssKiB) : '', packaged?.ok ? mib(packaged.peakRssKiB) : ''];
        }),
      },
    ],
    notes: [],
  };
}
