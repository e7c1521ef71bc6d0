// One day of minute snapshots (1,440 files) for the archive reader's benchmark.
//
// Running the collector 1,440 times would take most of an hour, so the collector takes one real
// snapshot, and the day is made from it here: every counter entry (an all-digits file named like
// a counter) advances by its own fixed amount each minute, everything else stays as the collector
// wrote it, and each minute is gzipped in-process and written under the archive layout's name.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import { snapshotRelativePath } from '../lib/archive/layout.js';

const gzipAsync = promisify(gzip);

export const MINUTES_PER_DAY = 1440;

/** The day the generated archive holds (local time), 2026-11-20. */
export const ARCHIVE_DAY = { year: 2026, monthIndex: 10, day: 20 };
export const WINDOW = { from: '2026-11-20 00:00', to: '2026-11-20 23:59' };

const COUNTER_NAME = /\/(?:read_mbytes|write_mbytes|num_cmds|hs_num_cmds|in_cmds|hs_in_cmds|cmd_pdus|txdata_octs|rxdata_octs)$/;
const ENTRY_HEADER = /^\[([^\]\n]+)\]\n/gm;

/** The snapshot text cut around its counter values: text[i], value[i], text[i+1], ... */
interface Template {
  texts: string[];
  bases: number[];
  paths: string[];
}

function cutTemplate(snapshot: string): Template {
  const texts: string[] = [];
  const bases: number[] = [];
  const paths: string[] = [];
  const headers = [...snapshot.matchAll(ENTRY_HEADER)];
  let pending = '';
  headers.forEach((header, i) => {
    const contentStart = header.index! + header[0].length;
    const contentEnd = i + 1 < headers.length ? headers[i + 1]!.index! : snapshot.length;
    const content = snapshot.slice(contentStart, contentEnd);
    const digits = /^(\d+)\n/.exec(content);
    if (COUNTER_NAME.test(header[1]!) && digits) {
      texts.push(pending + header[0]);
      bases.push(Number(digits[1]));
      paths.push(header[1]!);
      pending = content.slice(digits[1]!.length);
    } else {
      pending += header[0] + content;
    }
  });
  texts.push(pending);
  return { texts, bases, paths };
}

function minuteText(template: Template, minute: number): string {
  const parts: string[] = [template.texts[0]!];
  template.bases.forEach((base, i) => {
    // 1 to 13 units a minute, different per counter, so series and rates have something to show.
    parts.push(String(base + minute * ((i % 13) + 1)), template.texts[i + 1]!);
  });
  return parts.join('');
}

export interface ArchiveDay {
  archive: string;
  files: string[];
  /**
   * A canonical counter path present in every file, for `archive series`: the last counter in
   * the snapshot, so that a reader which stops early still inflates the whole file.
   */
  counterPath: string;
  /** Bytes of all files, compressed. */
  bytes: number;
  generated: boolean;
}

/**
 * Writes (or reuses) one day of stats snapshots made from the collector's snapshot at
 * templateGz. Reused when the template, apart from its counter values, is unchanged.
 */
export async function ensureArchiveDay(workDir: string, templateGz: string): Promise<ArchiveDay> {
  const template = cutTemplate(gunzipSync(readFileSync(templateGz)).toString('utf8'));
  const counterPath = template.paths.filter((p) => p.endsWith('/read_mbytes')).pop() ?? template.paths.at(-1);
  if (!counterPath) throw new Error(`${templateGz}: no counter entries found to make a day of snapshots from`);
  const archive = join(workDir, 'archive-day');
  const stampFile = join(workDir, 'archive-day.stamp');
  const stamp = createHash('sha1').update(template.texts.join('\0')).update(String(MINUTES_PER_DAY)).digest('hex');
  const times = Array.from({ length: MINUTES_PER_DAY }, (_, m) => new Date(ARCHIVE_DAY.year, ARCHIVE_DAY.monthIndex, ARCHIVE_DAY.day, 0, m));
  const files = times.map((time) => join(archive, snapshotRelativePath('stats', time)));
  let stored = '';
  try {
    stored = readFileSync(stampFile, 'utf8');
  } catch {
    // first run
  }
  const [storedStamp, storedBytes] = stored.split(' ');
  if (storedStamp === stamp) return { archive, files, counterPath, bytes: Number(storedBytes), generated: false };

  rmSync(stampFile, { force: true });
  rmSync(archive, { recursive: true, force: true });
  mkdirSync(dirname(files[0]!), { recursive: true });
  let bytes = 0;
  // Two minutes at a time: zlib runs on libuv's thread pool, and the machine has two cores.
  for (let m = 0; m < MINUTES_PER_DAY; m += 2) {
    const batch = [m, m + 1].filter((n) => n < MINUTES_PER_DAY);
    const zipped = await Promise.all(batch.map((n) => gzipAsync(minuteText(template, n), { level: 6 })));
    batch.forEach((n, i) => {
      writeFileSync(files[n]!, zipped[i]!);
      bytes += zipped[i]!.length;
    });
  }
  writeFileSync(stampFile, `${stamp} ${bytes}`);
  return { archive, files, counterPath, bytes, generated: true };
}
