// The collector's snapshots against the read floor: one process reading the same files and
// compressing the text, `grep -r '' <dirs> | gzip -6 > /dev/null`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { statsSubtrees, type Tree } from './fixtures.js';
import { firstLine, jobEnvironment, measureGroup, PEAK_RSS_MISSING, peakRssAvailable, type Command, type Measurement } from './measure.js';
import { bytes, medianRatio, mib, ratio, ratioTarget, timeCells, type Section, type TargetRow } from './report.js';

const SNAPSHOT_LIMIT = 1.5;
const FULL_RSS_LIMIT_MIB = 150;
const TARGET_SIZES = ['4x16x16', '16x16x16'];
export const STATS_PER_DAY = 1440;
export const FULL_PER_DAY = 24;

export interface CollectorSupport {
  collector: string;
  /** Why the snapshots cannot be measured, or null. */
  missing: string | null;
  /** The collector appends /proc/drbd to stats snapshots, from --drbd-proc. */
  drbdOption: boolean;
}

export function collectorSupport(dist: string): CollectorSupport {
  const collector = join(dist, 'collector', 'lio-collector');
  if (!existsSync(collector)) return { collector, missing: 'not built yet: dist/collector/lio-collector does not exist', drbdOption: false };
  const help = spawnSync(collector, ['snapshot', '--help'], { encoding: 'utf8' });
  if (help.status !== 0 || !/\bstats\b/.test(help.stdout)) {
    return { collector, missing: `not built yet: \`lio-collector snapshot --help\` fails (${firstLine(help.stderr || help.stdout)})`, drbdOption: false };
  }
  return { collector, missing: null, drbdOption: help.stdout.includes('--drbd-proc') };
}

/** All .gz files under dir. */
function snapshotsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.gz'))
    .map((name) => join(dir, name));
}

export interface CollectorResult {
  section: Section;
  /** A stats snapshot of the 4x16x16 tree written by the collector, kept for the archive benchmark. */
  statsTemplate: string | null;
}

export function benchCollector(support: CollectorSupport, workDir: string, trees: Tree[], procDrbd: string, runs: number): CollectorResult {
  const section: Section = { targets: [], tables: [], notes: [] };
  const timeRows: string[][] = [];
  const sizeRows: string[][] = [];
  let statsTemplate: string | null = null;

  for (const tree of trees) {
    const statsDirs = statsSubtrees(tree.root);
    // The read floor reads what the snapshot reads: /proc/drbd too when the collector appends it.
    const statsInputs = support.drbdOption ? [...statsDirs, procDrbd] : statsDirs;
    const env = jobEnvironment({ LC_ALL: 'C' });
    const floors: Record<'stats' | 'full', Command> = {
      stats: { name: 'floor stats', file: 'sh', args: ['-c', 'grep -r "" -- "$@" | gzip -6 > /dev/null', 'sh', ...statsInputs], env },
      full: { name: 'floor full', file: 'sh', args: ['-c', 'grep -r "" -- "$1" | gzip -6 > /dev/null', 'sh', tree.root], env },
    };
    const archives = { stats: join(workDir, `archive-${tree.label}-stats`), full: join(workDir, `archive-${tree.label}-full`) };
    const snapshot = (kind: 'stats' | 'full'): Command => ({
      name: `collector ${kind}`,
      file: support.collector,
      args: [
        'snapshot',
        kind,
        '--root',
        tree.root,
        '--archive',
        archives[kind],
        ...(support.drbdOption ? (kind === 'stats' ? ['--drbd-proc', procDrbd] : ['--no-drbd']) : []),
      ],
      // Each run starts from an empty archive, so every run writes one new file.
      prepare: () => {
        rmSync(archives[kind], { recursive: true, force: true });
        mkdirSync(archives[kind], { recursive: true });
      },
      check: (run) => {
        const written = snapshotsIn(archives[kind]);
        if (written.length !== 1) return `${written.length} snapshot files written, expected 1`;
        return run.stderr ? `stderr: ${firstLine(run.stderr)}` : null;
      },
    });

    // Without a collector the floors are still measured: they tell what it will have to match.
    const results = measureGroup(support.missing ? [floors.stats, floors.full] : [floors.stats, snapshot('stats'), floors.full, snapshot('full')], runs);

    const sizes: Partial<Record<'stats' | 'full', number>> = {};
    for (const kind of ['stats', 'full'] as const) {
      const floor = results.get(floors[kind].name);
      const collector = results.get(`collector ${kind}`);
      const files = kind === 'stats' ? `${statsDirs.length} directories` : 'the whole tree';
      timeRows.push([`read floor ${kind}`, tree.label, files, ...timeCells(floor), '', floor?.ok ? mib(floor.peakRssKiB) : '', '']);
      if (support.missing) {
        timeRows.push([`collector ${kind}`, tree.label, '', support.missing, '', '', '', '']);
      } else {
        const written = snapshotsIn(archives[kind])[0];
        if (collector?.ok && written) sizes[kind] = statSync(written).size;
        if (kind === 'stats' && tree.label === '4x16x16' && written) {
          statsTemplate = join(workDir, 'template-stats-4x16x16.gz');
          copyFileSync(written, statsTemplate);
        }
        const r = medianRatio(collector, floor);
        timeRows.push([
          `collector ${kind}`,
          tree.label,
          '',
          ...timeCells(collector),
          r === null ? '' : ratio(r),
          collector?.ok ? mib(collector.peakRssKiB) : '',
          sizes[kind] === undefined ? '' : bytes(sizes[kind]!),
        ]);
      }
      if (TARGET_SIZES.includes(tree.label)) {
        section.targets.push(
          ratioTarget(`collector snapshot ${kind}, ${tree.label}, vs read floor`, collector, floor, SNAPSHOT_LIMIT, { why: support.missing ?? undefined }),
        );
      }
    }
    if (tree.label === '16x16x16') section.targets.push(rssTarget(results.get('collector full'), support.missing));
    sizeRows.push(
      sizes.stats !== undefined && sizes.full !== undefined
        ? [tree.label, bytes(sizes.stats), bytes(sizes.full), bytes(STATS_PER_DAY * sizes.stats + FULL_PER_DAY * sizes.full), bytes(365 * (STATS_PER_DAY * sizes.stats + FULL_PER_DAY * sizes.full))]
        : [tree.label, support.missing ?? 'snapshot failed', '', '', ''],
    );
  }

  section.tables.push(
    {
      title: 'Collector snapshots',
      intro:
        '`lio-collector snapshot stats|full --root TREE --archive DIR`, one new archive file per run (each run starts from an empty archive directory), ' +
        'against the read floor: `grep -r "" <dirs> | gzip -6 > /dev/null` with `LC_ALL=C`, where <dirs> are the five stats subtree patterns of issue 3 ' +
        'expanded on the tree (plus the /proc/drbd file when the collector appends it), or the whole tree for full. ' +
        '`grep -r` follows no symlinks below its arguments, like the collector; it writes the path on every line where the collector writes a ' +
        '`[path]` line per file, it archives the CHAP secrets the collector replaces, and it writes to /dev/null where the collector writes and renames a file.',
      headers: ['Command', 'Tree', 'Reads', 'Median', 'Spread (min–max)', 'x read floor', 'Peak RSS', 'Snapshot file'],
      rows: timeRows,
    },
    {
      title: 'One day of archives',
      intro:
        `One stats and one full snapshot measured per tree (the collector's own files above), multiplied: ${STATS_PER_DAY} stats + ${FULL_PER_DAY} full snapshots a day. ` +
        "The bench trees' counters are all alike; real counters differ per LUN and compress a little worse.",
      headers: ['Tree', 'Stats snapshot', 'Full snapshot', 'One day', 'One year (365 days)'],
      rows: sizeRows,
    },
  );
  if (!peakRssAvailable()) section.notes.push(PEAK_RSS_MISSING);
  return { section, statsTemplate };
}

function rssTarget(full: Measurement | undefined, missing: string | null): TargetRow {
  const row: TargetRow = { what: 'collector snapshot full, 16x16x16, peak RSS', measured: '', reference: '', ratio: '', bestRatio: '', limit: `< ${FULL_RSS_LIMIT_MIB} MiB`, verdict: 'not measured' };
  if (missing) return { ...row, measured: missing };
  if (!full) return { ...row, measured: 'not run' };
  if (!full.ok) return { ...row, measured: `failed: ${full.problem}` };
  if (full.peakRssKiB === null) return { ...row, measured: PEAK_RSS_MISSING };
  return { ...row, measured: mib(full.peakRssKiB), verdict: full.peakRssKiB / 1024 < FULL_RSS_LIMIT_MIB ? 'pass' : 'FAIL' };
}
