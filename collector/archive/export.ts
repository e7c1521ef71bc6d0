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
import { OPENMETRICS_EOF, openMetricsHeader, openMetricsSample } from '../../lib/prometheus/exposition.js';
import { addEvents2Metrics, addLioValue, addProcDrbdMetrics, FAMILIES, lioSampleOf, MetricSet } from '../metrics.js';
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

/** The metrics of one decompressed snapshot; entries whose path does not match are left out. */
function snapshotMetrics(text: Buffer, wanted: (path: string) => boolean): MetricSet {
  const set = new MetricSet();
  for (const { path, value } of allEntries(text)) {
    if (!wanted(path)) continue;
    if (path.startsWith(PREFIX)) {
      const sample = lioSampleOf(path.slice(PREFIX.length));
      if (!sample) continue;
      if (/^\d+$/.test(value)) addLioValue(set, sample, value);
      // Without a session the kernel prints nothing in the session's statistics: no value, no problem.
      else if (value === '' && path.includes('/iscsi_sess_stats/')) continue;
      else set.problem(`${path}: ${value === '' ? 'empty' : 'not a number'}`);
    } else if (path === PROC_DRBD_HEADER && value !== '') {
      // DRBD 9's /proc/drbd has version lines only: its state is the events2 entry.
      if (!parseProcDrbd(value).isDrbd9) addProcDrbdMetrics(set, value);
    } else if (path === EVENTS2_HEADER && value !== '') {
      addEvents2Metrics(set, value, `[${EVENTS2_HEADER}]`);
    }
  }
  return set;
}

export async function runExport(ctx: Context, pattern: string | undefined): Promise<number> {
  const matcher = pattern === undefined ? null : compileGlob(pattern);
  const wanted = matcher ? (path: string) => matcher.test(path) : () => true;
  const selection = requireSnapshots(ctx, 'stats');
  const spill = new Spill();
  try {
    const result = await scanSnapshots(selection.files, ctx.report, (file, text) => {
      const timestamp = file.time.getTime() / 1000;
      for (const family of snapshotMetrics(text, wanted).result()) {
        for (const sample of family.samples) spill.add(family.name, openMetricsSample(family.name, sample, timestamp));
      }
    });
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
