// The archive reader (issue 7) against zcat: `archive series` of one counter over one day of
// minute snapshots of the 4x16x16 tree, and `zcat` of the same files to /dev/null.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureArchiveDay, MINUTES_PER_DAY, WINDOW } from './archive-day.js';
import type { CollectorSupport } from './collector.js';
import { firstLine, measureGroup, type Command } from './measure.js';
import { bytes, medianRatio, mib, ratio, ratioTarget, timeCells, type Section } from './report.js';

const SERIES_LIMIT = 3;
const WHAT = 'archive series, one counter, one day (1,440 stats snapshots, 4x16x16), vs zcat';

function skipped(reason: string): Section {
  return {
    targets: [{ what: WHAT, measured: reason, reference: '', ratio: '', bestRatio: '', limit: `< ${SERIES_LIMIT}x`, verdict: 'not measured' }],
    tables: [],
    notes: [],
  };
}

export async function benchArchive(support: CollectorSupport, workDir: string, template: string | null, runs: number): Promise<Section> {
  if (support.missing) return skipped(`needs the collector: ${support.missing}`);
  const help = spawnSync(support.collector, ['archive', 'series', '--help'], { encoding: 'utf8' });
  if (help.status !== 0) return skipped(`not built yet: \`lio-collector archive series --help\` fails (${firstLine(help.stderr || help.stdout)})`);
  if (!template || !existsSync(template)) return skipped("no stats snapshot of the 4x16x16 tree from the collector to make the day's archive from");

  const started = Date.now();
  const day = await ensureArchiveDay(workDir, template);
  const generation = day.generated
    ? `Generated in this run in ${Math.round((Date.now() - started) / 1000)} s.`
    : 'Reused from an earlier run (same template apart from counter values).';

  const series: Command = {
    name: 'series',
    file: support.collector,
    args: ['archive', 'series', day.counterPath, '--archive', day.archive, '--from', WINDOW.from, '--to', WINDOW.to],
    check: (run) => {
      // One row per snapshot; the first may show no rate yet, but its time is there.
      const rows = run.stdout.split('\n').filter((line) => line.includes(WINDOW.from.slice(0, 10))).length;
      return rows >= MINUTES_PER_DAY - 1 ? null : `${rows} rows in the output, expected ${MINUTES_PER_DAY}: ${firstLine(run.stderr || run.stdout)}`;
    },
  };
  const zcat: Command = { name: 'zcat', file: 'sh', args: ['-c', 'zcat -- "$@" > /dev/null', 'sh', ...day.files] };
  const results = measureGroup([zcat, series], runs);
  const s = results.get('series');
  const z = results.get('zcat');
  const r = medianRatio(s, z);
  return {
    targets: [ratioTarget(WHAT, s, z, SERIES_LIMIT, { strict: true })],
    tables: [
      {
        title: 'Archive reader',
        intro:
          `One day of stats snapshots of the 4x16x16 tree (${MINUTES_PER_DAY} files, ${bytes(day.bytes)} compressed): the collector wrote one, ` +
          'the others are that one with every counter advanced by a fixed amount per minute, gzipped (level 6) in-process, ' +
          `under the archive's names for consecutive minutes of ${WINDOW.from.slice(0, 10)}. ${generation} ` +
          `\`lio-collector archive series <one counter path> --from "${WINDOW.from}" --to "${WINDOW.to}"\` (checked: one row per snapshot) ` +
          'against `zcat` of the same files to /dev/null.',
        headers: ['Command', 'Median', 'Spread (min–max)', 'x zcat', 'Peak RSS'],
        rows: [
          ['zcat (all files of the day) > /dev/null', ...timeCells(z), '', z?.ok ? mib(z.peakRssKiB) : ''],
          [`archive series …/${day.counterPath.split('/').slice(-6).join('/')} (the last counter of each file)`, ...timeCells(s), r === null ? '' : ratio(r), s?.ok ? mib(s.peakRssKiB) : ''],
        ],
      },
    ],
    notes: [],
  };
}
