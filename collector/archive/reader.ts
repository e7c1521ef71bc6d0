// Reads snapshot files one at a time (only one decompressed snapshot is in memory), skipping the
// ones that cannot be read: a disk that filled up or a copy cut short leaves truncated or empty
// files, and an incident review must go on past them.
import { readFileSync, statSync } from 'node:fs';
import { crc32, gunzipSync, inflateRawSync } from 'node:zlib';
import type { SnapshotFile } from './catalog.js';
import type { Output } from './output.js';
import type { Reporter } from './report.js';

/** Large output chunks: inflating a snapshot of megabytes in zlib's default 16 KiB ones is much slower (bench/README.md). */
const CHUNK = 1 << 20;
/**
 * A snapshot that inflates beyond this is not one of ours (or a gzip bomb): many times the largest
 * snapshot measured, and small enough that reading one, its text held twice while it is joined,
 * keeps a command well under 256 MiB. Inflating stops as soon as the bound is passed.
 */
const MAX_TEXT = 64 << 20;
const MAX_TEXT_TEXT = '64 MiB';

export class SnapshotReadError extends Error {}

/**
 * Output chunk for inflating packed: one byte more than the text's size as the gzip trailer gives
 * it, so that the text comes out as one buffer, not several joined into a new one; at least CHUNK
 * (the trailer is not trusted: a wrong size only makes more chunks).
 */
function outputChunk(packed: Buffer): number {
  const size = packed.length >= 4 ? packed.readUInt32LE(packed.length - 4) : 0;
  return Math.min(MAX_TEXT, Math.max(CHUNK, size + 1));
}

/**
 * The decompressed text of one snapshot file; throws SnapshotReadError with a short reason.
 * A valid gzip followed by bytes that start no gzip member (a copy with junk appended) is read,
 * as zcat reads it, and warn says how many bytes were left.
 */
export function readSnapshot(path: string, warn: (message: string) => void = () => {}): Buffer {
  let packed: Buffer;
  try {
    // gzip never makes text larger by more than a few bytes: a bigger file is not a snapshot.
    if (statSync(path).size > MAX_TEXT) throw new SnapshotReadError(`larger than ${MAX_TEXT_TEXT}, not a snapshot`);
    packed = readFileSync(path);
  } catch (err) {
    if (err instanceof SnapshotReadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'vanished (pruned while reading?)' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new SnapshotReadError(reason);
  }
  if (packed.length === 0) throw new SnapshotReadError('empty file');
  const text = plainGunzip(packed);
  if (text) return text;
  try {
    return gunzipSync(packed, { chunkSize: outputChunk(packed), maxOutputLength: MAX_TEXT });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = (err as Error).message;
    // zlib's gunzip refuses trailing bytes other than zeros after the last member.
    if (/incorrect header check|unknown compression method/i.test(message)) {
      const members = gunzipMembers(packed);
      if (members) {
        warn(`${path}: ${members.trailing} byte${members.trailing === 1 ? '' : 's'} after the gzip data ignored`);
        return members.text;
      }
    }
    if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) throw new SnapshotReadError('truncated gzip data');
    if (/incorrect header check/i.test(message)) throw new SnapshotReadError('not gzip data');
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new SnapshotReadError(`decompresses to more than ${MAX_TEXT_TEXT}, not a snapshot`);
    throw new SnapshotReadError(`corrupt gzip data (${message})`);
  }
}

/**
 * The text of packed when it is one gzip member with a plain header (as the collector writes
 * them) and nothing after it, its CRC-32 and length checked; else null, and gunzipSync reads it
 * (and says what is wrong). Inflating the raw data and checking the CRC-32 of the whole text at
 * once takes less than half the time of gunzipSync, which checks it piece by piece (bench/README.md).
 */
function plainGunzip(packed: Buffer): Buffer | null {
  // RFC 1952: ID1 ID2, CM 8 (deflate), FLG 0 (no extra field, name, comment or header CRC).
  if (packed.length < 18 || packed[0] !== 0x1f || packed[1] !== 0x8b || packed[2] !== 8 || packed[3] !== 0) return null;
  try {
    const { buffer, engine } = inflateRawSync(packed.subarray(10), { info: true, chunkSize: outputChunk(packed), maxOutputLength: MAX_TEXT }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    const end = 10 + engine.bytesWritten + 8;
    return end === packed.length && packed.readUInt32LE(end - 8) === crc32(buffer) && packed.readUInt32LE(end - 4) === buffer.length % 2 ** 32 ? buffer : null;
  } catch {
    return null;
  }
}

/**
 * The gzip members at the start of packed, inflated and checked (CRC-32 and length), and how many
 * bytes follow them; null when packed does not start with one good member.
 */
function gunzipMembers(packed: Buffer): { text: Buffer; trailing: number } | null {
  const parts: Buffer[] = [];
  let total = 0;
  let at = 0;
  try {
    while (at + 18 <= packed.length && packed[at] === 0x1f && packed[at + 1] === 0x8b && packed[at + 2] === 8) {
      // RFC 1952 header: FLG bits FHCRC 2, FEXTRA 4, FNAME 8, FCOMMENT 16 after the fixed 10 bytes.
      const flags = packed[at + 3]!;
      let p = at + 10;
      if (flags & 4) p += 2 + packed.readUInt16LE(p);
      if (flags & 8) p = packed.indexOf(0, p) + 1;
      if (flags & 16) p = packed.indexOf(0, p) + 1;
      if (flags & 2) p += 2;
      if (p <= at) return null;
      const { buffer, engine } = inflateRawSync(packed.subarray(p), { info: true, chunkSize: CHUNK, maxOutputLength: MAX_TEXT - total }) as unknown as {
        buffer: Buffer;
        engine: { bytesWritten: number };
      };
      const end = p + engine.bytesWritten + 8;
      if (end > packed.length || packed.readUInt32LE(end - 8) !== crc32(buffer) || packed.readUInt32LE(end - 4) !== buffer.length % 2 ** 32) return null;
      parts.push(buffer);
      total += buffer.length;
      at = end;
    }
  } catch {
    return null;
  }
  return parts.length === 0 ? null : { text: Buffer.concat(parts, total), trailing: packed.length - at };
}

export interface Skipped {
  file: SnapshotFile;
  reason: string;
}

export interface ScanResult {
  /** Snapshots read. */
  read: number;
  skipped: Skipped[];
}

/**
 * Calls visit with the text of each file in order, one at a time; unreadable files get one
 * warning each and are skipped. Between files it waits for output to drain to its reader (when
 * given) and stops early once that reader has gone (`| head`).
 */
export async function scanSnapshots(
  files: SnapshotFile[],
  report: Reporter,
  visit: (file: SnapshotFile, text: Buffer) => void,
  output?: Output,
): Promise<ScanResult> {
  const between = () => (output ? output.ready() : new Promise<boolean>((resolve) => setImmediate(() => resolve(true))));
  const result: ScanResult = { read: 0, skipped: [] };
  report.startProgress(files.length, 'snapshots');
  try {
    for (const file of files) {
      let text: Buffer;
      try {
        text = readSnapshot(file.path, (message) => report.warn(message));
      } catch (err) {
        if (!(err instanceof SnapshotReadError)) throw err;
        result.skipped.push({ file, reason: err.message });
        report.warn(`skipped ${file.path}: ${err.message}`);
        report.tick();
        if (!(await between())) break;
        continue;
      }
      result.read++;
      visit(file, text);
      report.tick();
      if (!(await between())) break;
    }
  } finally {
    report.endProgress();
  }
  return result;
}

/** The summary line for skipped files, or null when none was skipped. */
export function skippedSummary(result: ScanResult): string | null {
  const n = result.skipped.length;
  if (n === 0) return null;
  return `${result.read} snapshot${result.read === 1 ? '' : 's'} read, ${n} skipped (unreadable or corrupt; see the warnings above)`;
}
