// Block device statistics (kernel Documentation/block/stat.rst): /sys/block/<dev>/stat, one line
// of decimal fields. The first eleven have been there since Linux 2.6; 4.18 added four discard
// fields and 5.5 two flush fields, which are not used here.
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { readSmallFile } from '../small-file.js';
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

/** Parses a stat file's text. */
export function parseBlockStat(text: string): BlockStat | null {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 11 || !fields.every((f) => /^\d+$/.test(f))) return null;
  const n = fields.map(Number);
  return { readIos: n[0]!, readTicks: n[3]!, writeIos: n[4]!, writeTicks: n[7]!, ioTicks: n[9]! };
}

export function readBlockStat(path: string): BlockStat | { problem: string } {
  const read = readSmallFile(path, 4096, 'latin1');
  if ('error' in read) return { problem: `cannot read ${path}: ${briefError(read.error)}` };
  return parseBlockStat(read.text) ?? { problem: `${path} is not a block device stat line (11 or more numbers)` };
}
