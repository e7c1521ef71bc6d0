// archive export [PATHGLOB]: the stats snapshots of a window as OpenMetrics with timestamps, for
// `promtool tsdb create-blocks-from openmetrics`: the same metrics as `lio-collector metrics`
// (collector/metrics.ts maps each archived configfs path and the DRBD entries), one sample per
// series and snapshot, the snapshot's minute as the timestamp.
//
// OpenMetrics wants the samples of a family together, and snapshots come one minute at a time:
// each family's lines go to its own temporary file while the snapshots are read (memory stays at
// one snapshot), and the files are copied out family by family at the end.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allEntries } from '../../lib/archive/entry-reader.js';
import { CANONICAL_ROOT, EVENTS2_HEADER, PROC_DRBD_HEADER } from '../../lib/archive/layout.js';
import { parseProcDrbd } from '../../lib/kernel/proc-drbd.js';
import { formatLabels, OPENMETRICS_EOF, openMetricsHeader, openMetricsSample, scaledDigits } from '../../lib/prometheus/exposition.js';
import { addEvents2Metrics, addProcDrbdMetrics, FAMILIES, lioSampleOf, MetricSet } from '../metrics.js';
import { requireSnapshots, summarise, type Context } from './context.js';
import { compileGlob } from './glob.js';
import { scanSnapshots } from './reader.js';

const PREFIX = `${CANONICAL_ROOT}/`;
const SPILL_AT = 1 << 20;
const COPY_CHUNK = 1 << 20;

/** One temporary file per family, written in large pieces. */
class Spill {
  private readonly dir = mkdtempSync(join(tmpdir(), 'lio-collector-export-'));
  private readonly files = new Map<string, { fd: number; pending: string[]; size: number; samples: number }>();

  add(family: string, line: string): void {
    let file = this.files.get(family);
    if (!file) {
      file = { fd: openSync(join(this.dir, family), 'w+', 0o600), pending: [], size: 0, samples: 0 };
      this.files.set(family, file);
    }
    file.pending.push(line);
    file.size += line.length;
    file.samples++;
    if (file.size >= SPILL_AT) this.flush(file);
  }

  private flush(file: { fd: number; pending: string[]; size: number }): void {
    writeSync(file.fd, file.pending.join(''));
    file.pending = [];
    file.size = 0;
  }

  samples(family: string): number {
    return this.files.get(family)?.samples ?? 0;
  }

  /** Each chunk of the family's lines in order (nothing for a family without samples). */
  *read(family: string): Generator<string> {
    const file = this.files.get(family);
    if (!file) return;
    this.flush(file);
    const buffer = Buffer.allocUnsafe(COPY_CHUNK);
    let position = 0;
    for (;;) {
      const n = readSync(file.fd, buffer, 0, buffer.length, position);
      if (n === 0) return;
      position += n;
      yield buffer.toString('utf8', 0, n);
    }
  }

  remove(): void {
    for (const file of this.files.values()) closeSync(file.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An archived configfs path that gives a sample: its family and the line up to the value. */
interface PathSample {
  family: string;
  /** `name{labels} `, formatted once: the same paths come back in every snapshot. */
  prefix: string;
  factor: number;
}

const UNREADABLE = 'lio_collector_unreadable_values';

/**
 * Writes the samples of one decompressed snapshot to spill; entries whose path is not wanted are
 * left out. Each path is mapped (and its labels escaped) once, in paths.
 */
function exportSnapshot(text: Buffer, timestamp: number, wanted: (path: string) => boolean, paths: Map<string, PathSample | null>, spill: Spill): void {
  const drbd = new MetricSet();
  let problems = 0;
  const stamp = ` ${timestamp}\n`;
  for (const { path, value } of allEntries(text)) {
    if (path.startsWith(PREFIX)) {
      let known = paths.get(path);
      if (known === undefined) {
        const sample = wanted(path) ? lioSampleOf(path.slice(PREFIX.length)) : null;
        known = sample && { family: sample.family, prefix: `${sample.family}${formatLabels(sample.labels)} `, factor: sample.factor };
        paths.set(path, known);
      }
      if (known === null) continue;
      if (/^\d+$/.test(value)) spill.add(known.family, known.prefix + scaledDigits(value, known.factor) + stamp);
      // Without a session the kernel prints nothing in the session's statistics: no value, no problem.
      else if (!(value === '' && path.includes('/iscsi_sess_stats/'))) problems++;
    } else if (!wanted(path) || value === '') {
      continue;
    } else if (path === PROC_DRBD_HEADER) {
      // DRBD 9's /proc/drbd has version lines only: its state is the events2 entry.
      // The archive keeps a file's text without its last newline: given back, so that the last
      // number is not taken for one cut short (proc-drbd.ts).
      const procText = value.endsWith('\n') ? value : `${value}\n`;
      if (!parseProcDrbd(procText).isDrbd9) addProcDrbdMetrics(drbd, procText);
    } else if (path === EVENTS2_HEADER) {
      addEvents2Metrics(drbd, value, `[${EVENTS2_HEADER}]`);
    }
  }
  for (const family of drbd.result()) {
    if (family.name === UNREADABLE) continue;
    for (const sample of family.samples) spill.add(family.name, openMetricsSample(family.name, sample, timestamp));
  }
  spill.add(UNREADABLE, `${UNREADABLE} ${problems + drbd.problems.length}${stamp}`);
}

export async function runExport(ctx: Context, pattern: string | undefined): Promise<number> {
  const matcher = pattern === undefined ? null : compileGlob(pattern);
  const wanted = matcher ? (path: string) => matcher.test(path) : () => true;
  const selection = requireSnapshots(ctx, 'stats');
  const spill = new Spill();
  try {
    const paths = new Map<string, PathSample | null>();
    const result = await scanSnapshots(selection.files, ctx.report, (file, text) => exportSnapshot(text, file.time.getTime() / 1000, wanted, paths, spill));
    summarise(ctx, result);
    for (const [name, type, help] of FAMILIES) {
      if (spill.samples(name) === 0) continue;
      ctx.out.write(openMetricsHeader({ name, type, help }));
      for (const chunk of spill.read(name)) {
        ctx.out.write(chunk);
        if (!(await ctx.out.ready())) return 0;
      }
    }
    ctx.out.write(OPENMETRICS_EOF);
    return 0;
  } finally {
    spill.remove();
  }
}
