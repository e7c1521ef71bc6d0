// Builds the block device side of a storage server on disk, for tests, the demo and the bench:
// a /dev tree (device nodes as plain files, udev's symlinks /dev/vg1/lv0 -> ../dm-3,
// /dev/mapper/vg1-lv0 -> ../dm-3) and a /sys/block tree with the stat files
// (kernel Documentation/block/stat.rst), found by lio_disk through env.dev_root / env.block_root.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

export interface BlockDeviceSpec {
  /** Kernel name: dm-3, drbd0, sdb, sdb1. */
  name: string;
  /** The whole disk a partition belongs to (sdb for sdb1): its stat file is under <disk>/. */
  disk?: string;
  /** Paths under /dev that lead to the node (udev's symlinks), e.g. vg1/lv0, mapper/vg1-lv0. */
  links: string[];
}

/** The eleven fields of a stat file that every kernel since 2.6 has, by name. */
export interface StatSpec {
  readIos: number;
  readTicks: number;
  writeIos: number;
  writeTicks: number;
  ioTicks: number;
}

export function statPathOf(blockRoot: string, device: BlockDeviceSpec): string {
  return device.disk ? `${blockRoot}/${device.disk}/${device.name}/stat` : `${blockRoot}/${device.name}/stat`;
}

/** Writes a stat file as Linux 5.5 and later print it: 17 fields, each right-aligned in 8 columns. */
export function setBlockStat(blockRoot: string, device: BlockDeviceSpec, stat: StatSpec): void {
  const { readIos, readTicks, writeIos, writeTicks, ioTicks } = stat;
  // reads, merges, sectors, ticks; writes ...; in flight, io_ticks, time_in_queue; discards ...; flushes ...
  const fields = [readIos, 0, readIos * 8, readTicks, writeIos, 0, writeIos * 8, writeTicks, 0, ioTicks, readTicks + writeTicks, 0, 0, 0, 0, 0, 0];
  writeFileSync(statPathOf(blockRoot, device), fields.map((f) => String(f).padStart(8)).join(' ') + '\n');
}

/** Writes devRoot and blockRoot afresh for devices, every stat at zero. */
export function buildBlockTree(devRoot: string, blockRoot: string, devices: BlockDeviceSpec[]): void {
  rmSync(devRoot, { recursive: true, force: true });
  rmSync(blockRoot, { recursive: true, force: true });
  for (const device of devices) {
    mkdirSync(devRoot, { recursive: true });
    writeFileSync(`${devRoot}/${device.name}`, '');
    for (const link of device.links) {
      const path = `${devRoot}/${link}`;
      mkdirSync(dirname(path), { recursive: true });
      symlinkSync(relative(dirname(path), `${devRoot}/${device.name}`), path);
    }
    mkdirSync(dirname(statPathOf(blockRoot, device)), { recursive: true });
    writeFileSync(`${dirname(statPathOf(blockRoot, device))}/size`, '2097152\n');
    setBlockStat(blockRoot, device, { readIos: 0, readTicks: 0, writeIos: 0, writeTicks: 0, ioTicks: 0 });
  }
}
