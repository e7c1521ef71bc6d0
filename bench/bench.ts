// `npm run bench`: times the plugins, the collector's snapshots and the archive reader as whole
// processes at the scale of real storage servers, against reference commands measured in the
// same run, and writes bench/results.md (also printed). See bench/README.md.
//
//   node dist/bench.js [--runs N] [--only plugins,collector,archive]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { benchArchive } from './archive.js';
import { benchCollector, collectorSupport } from './collector.js';
import { ensureTree, TREE_SIZES, writeProcDrbd, type Tree } from './fixtures.js';
import { benchPlugins } from './plugins.js';
import { header, loadAverage, table, targetsTable, type Section } from './report.js';

const SECTIONS = ['plugins', 'collector', 'archive'] as const;
type SectionName = (typeof SECTIONS)[number];
const DRBD_MINORS = 100;

function parseArgs(argv: string[]): { runs: number; only: Set<SectionName> } {
  let runs = 5;
  let only = new Set<SectionName>(SECTIONS);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--runs' && value && /^\d+$/.test(value) && Number(value) >= 1) {
      runs = Number(value);
      i++;
    } else if (arg === '--only' && value && value.split(',').every((s) => (SECTIONS as readonly string[]).includes(s))) {
      only = new Set(value.split(',') as SectionName[]);
      i++;
    } else {
      process.stderr.write(`bench: bad argument ${JSON.stringify(arg)}\nusage: node dist/bench.js [--runs N (default 5)] [--only ${SECTIONS.join(',')}]\n`);
      process.exit(2);
    }
  }
  return { runs, only };
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function main(): Promise<void> {
  const { runs, only } = parseArgs(process.argv.slice(2));
  const dist = dirname(resolve(process.argv[1]!));
  const repoRoot = resolve(dist, '..');
  const workDir = join(repoRoot, 'bench', 'work');
  if (!existsSync(join(dist, 'plugins'))) throw new Error(`${dist}/plugins not found: run \`npm run build\` first`);
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
  if (only.has('plugins')) {
    log('plugins...');
    sections.push(benchPlugins(dist, trees, procDrbd, DRBD_MINORS, runs));
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

  const targets = sections.flatMap((s) => s.targets);
  const notes = [...new Set(sections.flatMap((s) => s.notes))];
  const markdown = [
    header({ started, seconds: (Date.now() - started.getTime()) / 1000, runs, loadBefore, loadAfter: loadAverage() }),
    table(targetsTable(targets)),
    ...sections.flatMap((s) => s.tables.map(table)),
    ...(notes.length ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
  writeFileSync(join(repoRoot, 'bench', 'results.md'), markdown);
  process.stdout.write(markdown);
  const failed = targets.filter((t) => t.verdict === 'FAIL').length;
  const unmeasured = targets.filter((t) => t.verdict === 'not measured').length;
  log(`${targets.length - failed - unmeasured} of ${targets.length} targets met, ${failed} missed, ${unmeasured} not measured; written to bench/results.md`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
