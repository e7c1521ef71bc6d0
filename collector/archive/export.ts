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
import { allEntries, digitsAfterHeader, forEachHeaderEndingWith, HeaderEndings, headerPathAt, valueAfterHeader } from '../../lib/archive/entry-reader.js';
import { CANONICAL_ROOT, EVENTS2_HEADER, PROC_DRBD_HEADER } from '../../lib/archive/layout.js';
import { parseProcDrbd } from '../../lib/kernel/proc-drbd.js';
import { formatLabels, OPENMETRICS_EOF, openMetricsHeader, scaledDigits, type Labels } from '../../lib/prometheus/exposition.js';
import { addDrbdVersion, addEvents2Metrics, addProcDrbdMetrics, FAMILIES, LIO_SAMPLE_ENDINGS, lioSampleOf, MetricSet } from '../metrics.js';
import { requireSnapshots, summarise, type Context } from './context.js';
import { compileGlob } from './glob.js';
import { scanSnapshots } from './reader.js';

const PREFIX = `${CANONICAL_ROOT}/`;
/** Bytes of lines gathered per family before they are written. */
const SPILL_BUFFER = 256 * 1024;
const COPY_CHUNK = 1 << 20;
/** Room for a counter's digits times a factor (a MiB count in bytes), beyond the digits themselves. */
const SCALE_DIGITS = 8;

/** Puts ASCII text at at, returns the position after it: Buffer's write() costs more for a few digits. */
function putAscii(buffer: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
  return at;
}

interface SpillFile {
  fd: number;
  /** Lines not yet written: buffer[0, used). */
  buffer: Buffer;
  used: number;
  samples: number;
}

/**
 * One temporary file per family. Lines are put together as bytes in a buffer per family, reused
 * for each piece written: a day of snapshots gives hundreds of thousands of lines a minute's worth,
 * and strings for each would be made, joined and encoded again.
 */
class Spill {
  private readonly dir = mkdtempSync(join(tmpdir(), 'lio-collector-export-'));
  private readonly files = new Map<string, SpillFile>();
  private copyBuffer: Buffer | null = null;

  /** Adds one line of text. */
  add(family: string, line: string): void {
    // UTF-8 takes at most 3 bytes for each UTF-16 unit.
    const file = this.room(family, line.length * 3);
    if (file.used + line.length * 3 > file.buffer.length) writeSync(file.fd, line);
    else file.used += file.buffer.write(line, file.used);
    file.samples++;
  }

  /** Adds the line of a counter: prefix, the digits text[from, to) times factor, stamp. */
  addCounter(family: string, prefix: Buffer, text: Buffer, from: number, to: number, factor: number, stamp: Buffer): void {
    const file = this.room(family, prefix.length + (to - from) + SCALE_DIGITS + stamp.length);
    const buffer = file.buffer;
    let at = file.used;
    buffer.set(prefix, at);
    at += prefix.length;
    if (factor === 1) {
      for (let i = from; i < to; i++) buffer[at++] = text[i]!;
    } else if (to - from <= 9) {
      // Below 10^9 times a factor up to 2^20, the product is exact in a double.
      let count = 0;
      for (let i = from; i < to; i++) count = count * 10 + text[i]! - 0x30;
      at = putAscii(buffer, at, String(count * factor));
    } else {
      at = putAscii(buffer, at, scaledDigits(text.toString('latin1', from, to), factor));
    }
    buffer.set(stamp, at);
    file.used = at + stamp.length;
    file.samples++;
  }

  /** Adds the line prefix, value (a sample's value: ASCII), stamp. */
  addValue(family: string, prefix: Buffer, value: string, stamp: Buffer): void {
    const file = this.room(family, prefix.length + value.length + stamp.length);
    const buffer = file.buffer;
    buffer.set(prefix, file.used);
    const at = putAscii(buffer, file.used + prefix.length, value);
    buffer.set(stamp, at);
    file.used = at + stamp.length;
    file.samples++;
  }

  /** The family's file, with room for bytes more in its buffer (when they fit it at all). */
  private room(family: string, bytes: number): SpillFile {
    let file = this.files.get(family);
    if (!file) {
      file = { fd: openSync(join(this.dir, family), 'w+', 0o600), buffer: Buffer.allocUnsafe(SPILL_BUFFER), used: 0, samples: 0 };
      this.files.set(family, file);
    }
    if (file.used + bytes > file.buffer.length) this.flush(file);
    return file;
  }

  private flush(file: SpillFile): void {
    if (file.used > 0) writeSync(file.fd, file.buffer, 0, file.used);
    file.used = 0;
  }

  samples(family: string): number {
    return this.files.get(family)?.samples ?? 0;
  }

  /**
   * Each chunk of the family's lines in order (nothing for a family without samples). The buffer
   * of the last chunk is read into again when reusable() says it may be (the chunk has left the
   * process): a new buffer for each chunk cost a page fault every 4 KiB, seconds of system time
   * for a day's 1.6 GB.
   */
  *read(family: string, reusable: () => boolean): Generator<Buffer> {
    const file = this.files.get(family);
    if (!file) return;
    this.flush(file);
    let position = 0;
    for (;;) {
      if (!this.copyBuffer || !reusable()) this.copyBuffer = Buffer.allocUnsafe(COPY_CHUNK);
      const buffer = this.copyBuffer;
      const n = readSync(file.fd, buffer, 0, buffer.length, position);
      if (n === 0) return;
      position += n;
      yield buffer.subarray(0, n);
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
  prefixBytes: Buffer;
  factor: number;
}

const UNREADABLE = 'lio_collector_unreadable_values';
/** How the header line of every entry that gives samples ends. */
const SAMPLE_HEADERS = new HeaderEndings([...LIO_SAMPLE_ENDINGS, `[${PROC_DRBD_HEADER}]`, `[${EVENTS2_HEADER}]`]);

/**
 * The `name{labels} ` of the DRBD samples of each family, in the order the last snapshot gave
 * them: the next snapshot's come with the same labels, mostly, and are not formatted again.
 */
class DrbdPrefixes {
  private readonly byFamily = new Map<string, Array<{ labels: Labels; prefix: Buffer }>>();

  /** The prefix of the index-th sample of family. */
  of(family: string, index: number, labels: Labels): Buffer {
    let known = this.byFamily.get(family);
    if (!known) this.byFamily.set(family, (known = []));
    const same = known[index];
    if (same && sameLabels(same.labels, labels)) return same.prefix;
    const prefix = Buffer.from(`${family}${formatLabels(labels)} `);
    known[index] = { labels, prefix };
    return prefix;
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
  return true;
}

/** A header line of a snapshot that gives samples, its path and what it gives. */
interface SeenHeader {
  line: Buffer;
  path: string;
  sample: PathSample | null;
}

/** What each archived path gives, worked out once per path. */
class PathSamples {
  private readonly byPath = new Map<string, PathSample | null>();
  /**
   * The header lines visited in the previous snapshot and in this one, in order. Snapshots of one
   * host have the same ones, mostly: a line is compared with the one at its place in the previous
   * snapshot before its path is decoded and looked up.
   */
  private previous: SeenHeader[] = [];
  private current: SeenHeader[] = [];

  constructor(private readonly wanted: (path: string) => boolean) {}

  /** What path gives: null when not wanted or not a sample. */
  of(path: string): PathSample | null {
    let known = this.byPath.get(path);
    if (known === undefined) {
      const sample = path.startsWith(PREFIX) && this.wanted(path) ? lioSampleOf(path.slice(PREFIX.length)) : null;
      const prefix = sample && `${sample.family}${formatLabels(sample.labels)} `;
      known = sample && { family: sample.family, prefix: prefix!, prefixBytes: Buffer.from(prefix!), factor: sample.factor };
      this.byPath.set(path, known);
    }
    return known;
  }

  /** The next header line of this snapshot, [start, end) in text. */
  next(text: Buffer, start: number, end: number): SeenHeader {
    const same = this.previous[this.current.length];
    if (same && same.line.length === end - start && text.compare(same.line, 0, same.line.length, start, end) === 0) {
      this.current.push(same);
      return same;
    }
    const path = headerPathAt(text, start, end);
    const seen = { line: Buffer.from(text.subarray(start, end)), path, sample: this.of(path) };
    this.current.push(seen);
    return seen;
  }

  endSnapshot(): void {
    this.previous = this.current;
    this.current = [];
  }
}

/**
 * Writes the samples of one decompressed snapshot to spill; entries whose path is not wanted are
 * left out. Only the entries that give samples are read, and a counter's line is put together
 * from the snapshot's bytes.
 */
function exportSnapshot(text: Buffer, timestamp: number, wanted: (path: string) => boolean, paths: PathSamples, drbdPrefixes: DrbdPrefixes, spill: Spill): void {
  const drbd = new MetricSet();
  let problems = 0;
  const stamp = ` ${timestamp}\n`;
  const stampBytes = Buffer.from(stamp);
  const addEntry = (path: string, value: string): void => {
    if (path.startsWith(PREFIX)) {
      const known = paths.of(path);
      if (known === null) return;
      if (/^\d+$/.test(value)) spill.add(known.family, known.prefix + scaledDigits(value, known.factor) + stamp);
      // Without a session the kernel prints nothing in the session's statistics: no value, no problem.
      else if (!(value === '' && path.includes('/iscsi_sess_stats/'))) problems++;
    } else if (!wanted(path) || value === '') {
      return;
    } else if (path === PROC_DRBD_HEADER) {
      // DRBD 9's /proc/drbd has version lines only: its state is the events2 entry.
      // The archive keeps a file's text without its last newline: given back, so that the last
      // number is not taken for one cut short (proc-drbd.ts).
      const procText = value.endsWith('\n') ? value : `${value}\n`;
      const proc = parseProcDrbd(procText);
      addDrbdVersion(drbd, proc);
      if (!proc.isDrbd9) addProcDrbdMetrics(drbd, proc);
    } else if (path === EVENTS2_HEADER) {
      addEvents2Metrics(drbd, value, `[${EVENTS2_HEADER}]`);
    }
  };
  const searched = forEachHeaderEndingWith(text, SAMPLE_HEADERS, (start, end) => {
    const { path, sample } = paths.next(text, start, end);
    const digitsEnd = sample ? digitsAfterHeader(text, end) : -1;
    if (digitsEnd >= 0) spill.addCounter(sample!.family, sample!.prefixBytes, text, end + 1, digitsEnd, sample!.factor, stampBytes);
    else addEntry(path, valueAfterHeader(text, end));
  });
  paths.endSnapshot();
  if (!searched) for (const { path, value } of allEntries(text)) addEntry(path, value);
  for (const family of drbd.result()) {
    if (family.name === UNREADABLE) continue;
    family.samples.forEach((sample, i) => spill.addValue(family.name, drbdPrefixes.of(family.name, i, sample.labels), sample.value, stampBytes));
  }
  spill.add(UNREADABLE, `${UNREADABLE} ${problems + drbd.problems.length}${stamp}`);
}

export async function runExport(ctx: Context, pattern: string | undefined): Promise<number> {
  const matcher = pattern === undefined ? null : compileGlob(pattern);
  const wanted = matcher ? (path: string) => matcher.test(path) : () => true;
  const selection = requireSnapshots(ctx, 'stats');
  const spill = new Spill();
  try {
    const paths = new PathSamples(wanted);
    const drbdPrefixes = new DrbdPrefixes();
    const result = await scanSnapshots(selection.files, ctx.report, (file, text) => exportSnapshot(text, file.time.getTime() / 1000, wanted, paths, drbdPrefixes, spill));
    summarise(ctx, result);
    for (const [name, type, help] of FAMILIES) {
      if (spill.samples(name) === 0) continue;
      ctx.out.write(openMetricsHeader({ name, type, help }));
      for (const chunk of spill.read(name, () => ctx.out.drained)) {
        ctx.out.writeBytes(chunk);
        if (!(await ctx.out.ready())) return 0;
      }
    }
    ctx.out.write(OPENMETRICS_EOF);
    return 0;
  } finally {
    spill.remove();
  }
}
