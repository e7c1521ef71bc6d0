// Block device statistics (kernel Documentation/block/stat.rst): /sys/block/<dev>/stat, one line
// of decimal fields. The first eleven have been there since Linux 2.6; 4.18 added four discard
// fields and 5.5 two flush fields, which are not used here.
import { closeSync, constants, existsSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { isRegularFile } from '../small-file.js';
import { briefError } from '../errors.js';

export const DEFAULT_BLOCK_ROOT = '/sys/block';
export const DEFAULT_DEV_ROOT = '/dev';

/** The fields of a stat file used for latency and utilization; ticks are milliseconds. */
export interface BlockStat {
  readIos: number;
  readTicks: number;
  writeIos: number;
  writeTicks: number;
  /** Milliseconds the device had I/O in flight: what "% busy" is made of. */
  ioTicks: number;
}

/**
 * The kernel name of the block device at devicePath (a /dev path as a backstore's udev_path
 * gives it), looked up under devRoot (the /dev tree): symlinks such as /dev/vg1/lv0,
 * /dev/mapper/vg1-lv0 or /dev/disk/by-id/... lead to the node (/dev/dm-3, /dev/sdb), whose name is
 * the kernel's. null for a path outside /dev (a file, for fileio) or one that does not exist.
 * A function of devicePath, for one devRoot: devRoot is resolved once, not once per LUN.
 */
export function blockDeviceNames(devRoot: string): (devicePath: string) => string | null {
  let root: string | null | undefined;
  return (devicePath) => {
    if (!devicePath.startsWith('/dev/')) return null;
    try {
      root ??= realpathSync.native(devRoot);
      // The libc realpath: Node's own walks the path in JavaScript, an lstat per component.
      const node = realpathSync.native(`${devRoot}/${devicePath.slice('/dev/'.length)}`);
      return node.startsWith(`${root}/`) ? basename(node) : null;
    } catch {
      return null;
    }
  };
}

/**
 * The stat file of device name under blockRoot: <blockRoot>/<name>/stat for a whole device, or
 * <blockRoot>/<disk>/<name>/stat for a partition (sdb1 lives under sdb); null when neither exists.
 */
export function blockStatPath(name: string, blockRoot: string): string | null {
  const whole = `${blockRoot}/${name}/stat`;
  if (existsSync(whole)) return whole;
  let disks: string[];
  try {
    disks = readdirSync(blockRoot);
  } catch {
    return null;
  }
  for (const disk of disks) {
    const partition = `${blockRoot}/${disk}/${name}/stat`;
    if (existsSync(partition)) return partition;
  }
  return null;
}

/**
 * Eleven or more decimal fields separated by blanks, blanks around them: the fields used are
 * captured (one match instead of splitting all of them and testing each).
 */
const STAT_LINE = /^\s*(\d+)\s+\d+\s+\d+\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+(\d+)\s+\d+\s+(\d+)\s+\d+(?:\s+\d+)*\s*$/;

/** Parses a stat file's text. */
export function parseBlockStat(text: string): BlockStat | null {
  const m = STAT_LINE.exec(text);
  if (!m) return null;
  return { readIos: Number(m[1]), readTicks: Number(m[2]), writeIos: Number(m[3]), writeTicks: Number(m[4]), ioTicks: Number(m[5]) };
}

/** The most a stat file may hold. */
const MAX_STAT_BYTES = 4096;
/** Reused for every device; one byte more than a stat file may hold, to see one that is longer. */
const statText = Buffer.allocUnsafe(MAX_STAT_BYTES + 1);

/**
 * Reads and parses a stat file with one non-blocking open, one bounded read into a reused buffer
 * and a close, as readCounter reads a counter (readSmallFile's fstat, buffers and read to the end
 * cost several times more, for hundreds of devices): what is not a stat line is checked for the
 * kind of file, so that a FIFO or a device in its place says so.
 */
export function readBlockStat(path: string): BlockStat | { problem: string } {
  let fd = -1;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const length = readSync(fd, statText, 0, statText.length, null);
    const stat = length <= MAX_STAT_BYTES ? parseBlockStat(statText.toString('latin1', 0, length)) : null;
    if (stat) return stat;
    if (!isRegularFile(fd)) return { problem: `cannot read ${path}: not a regular file` };
    if (length > MAX_STAT_BYTES) return { problem: `cannot read ${path}: larger than ${MAX_STAT_BYTES} bytes` };
    return { problem: `${path} is not a block device stat line (11 or more numbers)` };
  } catch (err) {
    // EISDIR, or EAGAIN from a FIFO with a writer: not a regular file, as readSmallFile says.
    return { problem: `cannot read ${path}: ${fd >= 0 && !isRegularFile(fd) ? 'not a regular file' : briefError(err)}` };
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
