// `npm run bench`: times the plugins, the collector's snapshots and the archive reader as whole
// processes at the scale of real storage servers, against reference commands measured in the
// same run, and writes bench/results.md (also printed). See bench/README.md.
//
//   node dist/bench.js [--runs N] [--only plugins,collector,archive,prometheus,packaged] [--plugin-names LIST] [--plugins DIR] [--out FILE]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { benchArchive } from './archive.js';
import { benchCollector, collectorSupport } from './collector.js';
import { ensureTree, TREE_SIZES, writeCluster, writeProcDrbd, type Tree } from './fixtures.js';
import { benchPlugins } from './plugins.js';
import { benchPackaged, packagedPluginDir } from './packaged.js';
import { benchPrometheus } from './prometheus.js';
import { header, loadAverage, table, targetsTable, type Section } from './report.js';

const SECTIONS = ['plugins', 'collector', 'archive', 'prometheus', 'packaged'] as const;
type SectionName = (typeof SECTIONS)[number];
const DRBD_MINORS = 100;

const USAGE = `usage: node dist/bench.js [options]
  --runs N          timed runs of each command after one warm-up (default 7; plugins 3 x N)
  --only LIST       sections to run, comma-separated: ${SECTIONS.join(',')} (default all)
  --plugin-names LIST  plugins to measure, comma-separated (default all), e.g. lio_disk
  --plugins DIR     built plugins to measure (default dist/plugins), e.g. an older build to compare
  --out FILE        where to write the Markdown results (default bench/results.md)
`;

interface Options {
  runs: number;
  only: Set<SectionName>;
  plugins: string | null;
  pluginNames: Set<string> | null;
  out: string | null;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { runs: 7, only: new Set(SECTIONS), plugins: null, pluginNames: null, out: null };
  for (let i = 0; i < argv.length; i += 2) {
    const [arg, value] = [argv[i], argv[i + 1]];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (arg === '--runs' && value && /^\d+$/.test(value) && Number(value) >= 1) options.runs = Number(value);
    else if (arg === '--only' && value && value.split(',').every((s) => (SECTIONS as readonly string[]).includes(s))) options.only = new Set(value.split(',') as SectionName[]);
    else if (arg === '--plugins' && value) options.plugins = resolve(value);
    else if (arg === '--plugin-names' && value) options.pluginNames = new Set(value.split(','));
    else if (arg === '--out' && value) options.out = resolve(value);
    else {
      process.stderr.write(`bench: bad argument ${JSON.stringify(arg)}${value === undefined ? ' (missing value)' : ''}\n${USAGE}`);
      process.exit(2);
    }
  }
  return options;
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function main(): Promise<void> {
  const { runs, only, ...options } = parseArgs(process.argv.slice(2));
  const dist = dirname(resolve(process.argv[1]!));
  const repoRoot = resolve(dist, '..');
  const workDir = join(repoRoot, 'bench', 'work');
  const plugins = options.plugins ?? join(dist, 'plugins');
  const resultsFile = options.out ?? join(repoRoot, 'bench', 'results.md');
  if (only.has('plugins') && !existsSync(plugins)) throw new Error(`${plugins} not found: run \`npm run build\` first`);
  mkdirSync(workDir, { recursive: true });
  const started = new Date();
  const loadBefore = loadAverage();

  const trees: Tree[] = TREE_SIZES.map(({ label, spec }) => {
    const t0 = Date.now();
    const { tree, built } = ensureTree(workDir, repoRoot, label, spec());
    log(`tree ${label}: ${built ? `built in ${((Date.now() - t0) / 1000).toFixed(1)} s` : 'reused'} (${tree.root})`);
    return tree;
  });
  const procDrbd = writeProcDrbd(workDir, DRBD_MINORS);

  const sections: Section[] = [];
  const needsCluster = only.has('plugins') || only.has('packaged');
  const cib = needsCluster ? writeCluster(workDir) : null;
  const cluster = cib ? { cib, label: '2 nodes, 20 resources' } : null;
  if (only.has('plugins')) {
    log('plugins...');
    sections.push(benchPlugins(plugins, trees, procDrbd, DRBD_MINORS, runs, cluster, options.pluginNames));
  }
  const support = collectorSupport(dist);
  let template: string | null = join(workDir, 'template-stats-4x16x16.gz');
  if (only.has('collector')) {
    log(`collector snapshots${support.missing ? ` (${support.missing}; read floors only)` : ''}...`);
    const collector = benchCollector(support, workDir, trees, procDrbd, runs);
    template = collector.statsTemplate;
    sections.push(collector.section);
  }
  if (only.has('archive')) {
    log('archive reader...');
    sections.push(await benchArchive(support, workDir, template, runs));
  }
  if (only.has('prometheus')) {
    log('prometheus metrics and archive export...');
    sections.push(await benchPrometheus(support, workDir, trees, template, runs));
  }

  if (only.has('packaged')) {
    log('packaged executable vs node (node dist/package.js --executable first)...');
    const build = spawnSync(process.execPath, [join(dist, 'package.js'), '--executable'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error('node dist/package.js --executable failed');
    const packaged = packagedPluginDir(workDir, join(repoRoot, 'dist/package/sea/lio-munin'));
    sections.push(benchPackaged(join(dist, 'plugins'), packaged, trees.find((t) => t.label === '4x16x16')!, procDrbd, cluster, runs));
  }

  const targets = sections.flatMap((s) => s.targets);
  const notes = [...new Set(sections.flatMap((s) => s.notes))];
  const markdown = [
    header({ started, seconds: (Date.now() - started.getTime()) / 1000, runs, loadBefore, loadAfter: loadAverage() }),
    table(targetsTable(targets)),
    ...sections.flatMap((s) => s.tables.map(table)),
    ...(notes.length ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
  writeFileSync(resultsFile, markdown);
  process.stdout.write(markdown);
  const failed = targets.filter((t) => t.verdict === 'FAIL').length;
  const unmeasured = targets.filter((t) => t.verdict === 'not measured').length;
  log(`${targets.length - failed - unmeasured} of ${targets.length} targets met, ${failed} missed, ${unmeasured} not measured; written to ${resultsFile}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
