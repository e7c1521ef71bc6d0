// Walker for the LIO configfs tree (kernel drivers/target/target_core_fabric_configfs.c):
//
//   <root>/<fabric>/<wwn>/tpgt_<T>/lun/lun_<L>/statistics/scsi_tgt_port/{read,write}_mbytes
//   <root>/<fabric>/<wwn>/tpgt_<T>/acls/<initiator>/lun_<M>/statistics/scsi_auth_intr/{read,write}_mbytes
//
// <root> is /sys/kernel/config/target; <fabric> is any directory but core/ that holds
// targets (iscsi, loopback, vhost, qla2xxx, srpt, ...). Only directory names are read here,
// never followed symlinks: the LUN directories hold links back into core/.
import { closeSync, constants, openSync, readdirSync, readFileSync, readlinkSync, readvSync } from 'node:fs';
import { briefError, errorCode } from '../errors.js';
import { isRegularFile } from '../small-file.js';

export const DEFAULT_TARGET_ROOT = '/sys/kernel/config/target';

export interface LioTree {
  /** Every target portal group of every fabric, in path order. */
  tpgs: LioTpg[];
  /**
   * Directories that exist but could not be listed (EACCES, EIO, ...): what is below them is
   * unknown, and said so. A directory that is missing (ENOENT) is simply empty: configfs
   * directories vanish while a target is being rebuilt, and trees without ACLs have no acls/.
   */
  unlisted: UnlistedDirectory[];
  /**
   * With earlier listings given: what lun/, acls/ and acls/INITIATOR/ held (as read, or as
   * recalled), to keep for the next run.
   */
  listings?: LioListings;
}

/**
 * The subdirectories of each lun/, acls/ and acls/INITIATOR/ directory, by its path below the
 * root (`iscsi/iqn.../tpgt_1/lun`): what a plugin keeps so that, when one of them cannot be
 * listed, the fields below it keep their names (and print U) instead of vanishing.
 */
export type LioListings = Record<string, string[]>;

export interface UnlistedDirectory {
  path: string;
  /** The errno code, e.g. EACCES. */
  error: string;
  /** Set when what it held was taken from an earlier listing (its fields are there, to be U). */
  recalled?: true;
}

export interface LioTpg {
  fabric: string;
  /** Target name (WWN): iqn.*, naa.*, eui.*, an FC WWPN, ... */
  target: string;
  /** Directory name, e.g. tpgt_1. */
  tpgt: string;
  /** Path of the tpgt directory. */
  path: string;
  /** LUN directory names under lun/, e.g. lun_0. */
  luns: string[];
  acls: LioAcl[];
}

export interface LioAcl {
  initiator: string;
  /** Mapped-LUN directory names under the ACL, e.g. lun_0. */
  mappedLuns: string[];
}

/**
 * Subdirectory names of path matching pattern, in path order; [] when path is missing (or, below
 * the root, not a directory: nothing can be below it). A directory that cannot be listed is
 * added to unlisted.
 */
function subdirectories(path: string, unlisted: UnlistedDirectory[], pattern?: RegExp, isRoot = false): string[] {
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (err) {
    const code = errorCode(err);
    if (code !== 'ENOENT' && (code !== 'ENOTDIR' || isRoot)) unlisted.push({ path, error: briefError(err) });
    return [];
  }
  // Sorted by "name/", the order of full paths (a directory's files all start with "name/"),
  // each key made once rather than in every comparison.
  return entries
    .filter((e) => e.isDirectory() && (!pattern || pattern.test(e.name)))
    .map((e) => `${e.name}/`)
    .sort()
    .map((key) => key.slice(0, -1));
}

const TPGT = /^tpgt_\d+$/;
const LUN = /^lun_\d+$/;

/**
 * The TPGs, LUNs and ACLs under root (only directory names are read). With luns false, the LUN
 * and mapped-LUN directories are not listed (left empty): for readers of sessions only.
 */
export function readLioTree(
  root: string,
  { luns: withLuns = true, earlier }: { luns?: boolean; earlier?: () => LioListings | null } = {},
): LioTree {
  const tpgs: LioTpg[] = [];
  const unlisted: UnlistedDirectory[] = [];
  const listings: LioListings | undefined = earlier ? {} : undefined;
  const keep = (key: string, names: string[]) => {
    if (listings) listings[key] = names;
    return names;
  };
  let recall: LioListings | null | undefined;
  /** lun/, acls/ or acls/X (key below root): listed, or recalled when it cannot be (or is below one that could not). */
  const listing = (key: string, pattern: RegExp | undefined, belowRecalled: boolean): string[] => {
    const path = `${root}/${key}`;
    let names: string[] | null = null;
    if (!belowRecalled) {
      const before = unlisted.length;
      names = subdirectories(path, unlisted, pattern);
      if (unlisted.length === before) return keep(key, names);
    }
    // Read the kept listings only now: most runs never need them.
    if (recall === undefined) recall = earlier?.() ?? null;
    const kept = recall?.[key];
    const valid = Array.isArray(kept) && kept.every((name) => typeof name === 'string' && (!pattern || pattern.test(name)) && !name.includes('/'));
    if (!valid) return names ?? [];
    if (!belowRecalled) unlisted[unlisted.length - 1].recalled = true;
    return keep(key, kept);
  };
  for (const fabric of subdirectories(root, unlisted, undefined, true)) {
    if (fabric === 'core') continue;
    for (const target of subdirectories(`${root}/${fabric}`, unlisted)) {
      for (const tpgt of subdirectories(`${root}/${fabric}/${target}`, unlisted, TPGT)) {
        const key = `${fabric}/${target}/${tpgt}`;
        const path = `${root}/${key}`;
        const luns = withLuns ? listing(`${key}/lun`, LUN, false) : [];
        const beforeAcls = unlisted.length;
        const initiators = listing(`${key}/acls`, undefined, false);
        const below = unlisted.length > beforeAcls && unlisted[beforeAcls].recalled === true;
        const acls = initiators.map((initiator) => ({
          initiator,
          mappedLuns: withLuns ? listing(`${key}/acls/${initiator}`, LUN, below) : [],
        }));
        tpgs.push({ fabric, target, tpgt, path, luns, acls });
      }
    }
  }
  return listings ? { tpgs, unlisted, listings } : { tpgs, unlisted };
}

/** Whether path lies below a directory whose content was recalled: its value is not to be read (U). */
export function isRecalled(tree: LioTree, path: string): boolean {
  // Asked for every counter: most trees have no unlisted directory.
  return tree.unlisted.length > 0 && tree.unlisted.some((dir) => dir.recalled && path.startsWith(`${dir.path}/`));
}

export type ReadResult = { value: string } | { problem: string };

/** Room for any counter: a longer content is not one. */
const counterText = Buffer.allocUnsafe(256);
/** counterText as readvSync takes it: its checks are fewer than readSync's (bench/README.md). */
const counterBuffers = [counterText];
const DIGITS = /^\d+$/;

/**
 * The counter in counterText's first length bytes when it is as the kernel writes it (`%llu\n`:
 * digits, no leading zero, a newline), up to 15 digits (exact as a number, printed back as the
 * same digits); else -1, to be decoded and checked as text. Decoding the buffer into a string
 * costs more than these few bytes' arithmetic (bench/README.md).
 */
function plainCounter(length: number): number {
  if (length < 2 || length > 16 || counterText[length - 1] !== 0x0a || (counterText[0] === 0x30 && length > 2)) return -1;
  let number = 0;
  for (let i = 0; i < length - 1; i++) {
    const digit = counterText[i]! - 0x30;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

const COUNTER_OPEN = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * The counter at openAs (as readCounter opens it) as a number, when it is as the kernel writes it;
 * null for anything else, read or not, for readCounter to read and say why. No result object and
 * no digits made into a string and parsed back: lio_disk sums thousands of them (bench/README.md).
 */
export function readPlainCounter(openAs: string): number | null {
  let fd = -1;
  try {
    fd = openSync(openAs, COUNTER_OPEN);
    const number = plainCounter(readvSync(fd, counterBuffers));
    return number < 0 ? null : number;
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * Reads a one-number statistics file, opened by openAs (by default its path; a path relative to
 * the working directory, see DirectoryCursor); configfs gives ENODEV or an empty read at times.
 * One open, read and close into a buffer reused for every counter: readFileSync also stats the
 * file and makes a string of each, which shows in a fetch of thousands of counters.
 * Nothing here can wait: the open is non-blocking (a FIFO put in a counter's place would wait for
 * a writer), the read is one bounded read, and a content that is not a number is checked for the
 * kind of file (configfs attributes are regular files), so a FIFO or a device says so.
 */
export function readCounter(path: string, openAs = path): ReadResult {
  let fd = -1;
  try {
    fd = openSync(openAs, COUNTER_OPEN);
    const length = readvSync(fd, counterBuffers);
    const plain = plainCounter(length);
    if (plain >= 0) return { value: String(plain) };
    const value = counterText.toString('latin1', 0, length).trim();
    if (DIGITS.test(value) && length < counterText.length) return { value };
    if (!isRegularFile(fd)) return { problem: `cannot read ${path}: not a regular file` };
    return { problem: value === '' ? `${path} is empty` : `${path} does not hold a number` };
  } catch (err) {
    // EAGAIN: a FIFO with a writer that has written nothing.
    return { problem: `cannot read ${path}: ${errorCode(err) === 'EAGAIN' && !isRegularFile(fd) ? 'not a regular file' : briefError(err)}` };
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * The backstore a LUN exports (kernel target_core_fabric_configfs.c): lun/lun_N/ holds one
 * symlink, of any name, to core/<hba>/<device>, where <hba> is the backstore type and an index:
 * iblock_N (a block device), pscsi_N (a SCSI device), fileio_N (a file or a block device),
 * rd_mcp_N (RAM), user_N (TCMU).
 */
export interface LioBackstore {
  /** e.g. iblock_0. */
  hba: string;
  /** The backstore type: the hba name without its index, e.g. iblock. */
  kind: string;
  name: string;
  /**
   * The backstore's udev_path (target_core_configfs.c prints it with a newline, or nothing when
   * it was never set): the device or file it uses; null when empty or unreadable.
   */
  udevPath: string | null;
}

const HBA = /^([a-z_]+?)_\d+$/;

/** The backstore of the LUN directory lunPath, under the configfs root root; null when it has no link (yet). */
export function readLunBackstore(root: string, lunPath: string): LioBackstore | null {
  let entries;
  try {
    entries = readdirSync(lunPath, { withFileTypes: true });
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!entry.isSymbolicLink()) continue;
    let target: string;
    try {
      target = readlinkSync(`${lunPath}/${entry.name}`);
    } catch {
      continue;
    }
    const parts = target.split('/').filter((p) => p !== '');
    const name = parts.at(-1);
    const hba = parts.at(-2);
    const kind = hba === undefined ? undefined : HBA.exec(hba)?.[1];
    if (!name || !hba || !kind || parts.at(-3) !== 'core') continue;
    let udevPath: string | null = null;
    try {
      udevPath = readFileSync(`${root}/core/${hba}/${name}/udev_path`, 'utf8').trim() || null;
    } catch {
      // Not there (ramdisk has none on older kernels) or unreadable: no device to follow.
    }
    return { hba, kind, name, udevPath };
  }
  return null;
}
