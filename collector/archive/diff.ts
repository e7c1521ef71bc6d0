// archive diff TIME1 TIME2: what was added, removed and changed between two snapshots - which
// ACL, LUN or attribute changed around an incident. Full snapshots by default; in them the
// statistics change every minute, so their changes are only counted unless asked for.
import type { Context } from './context.js';
import { plural } from './format.js';
import { UserError } from '../../lib/errors.js';
import { nearestSnapshot } from './nearest.js';
import { allEntries } from '../../lib/archive/entry-reader.js';
import { formatMinute, parseTime } from './time.js';

export interface DiffOptions {
  /** Compare stats snapshots instead of full ones. */
  stats?: boolean;
  /** List changed statistics values too (always so with stats). */
  counters?: boolean;
  /** One line per added or removed directory instead of one per entry. */
  brief?: boolean;
}

/** Counters and DRBD state: they change all the time, unlike the configuration. */
export function isStatistics(path: string): boolean {
  return /\/(fabric_)?statistics\//.test(path) || !path.startsWith('/sys/');
}

/** A value on one line: as is when plain, JSON-quoted when empty, multi-line or padded. */
export function displayValue(value: string): string {
  return value === '' || /[\n\r\t"\\]|^\s|\s$/.test(value) ? JSON.stringify(value) : value;
}

/** Every directory that holds one of the paths. */
function directoriesOf(paths: Iterable<string>): Set<string> {
  const directories = new Set<string>();
  for (const path of paths) {
    for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
      const directory = path.slice(0, slash);
      if (directories.has(directory)) break;
      directories.add(directory);
    }
  }
  return directories;
}

/**
 * Entries that only one side has, grouped under the highest directory the other side does not
 * have at all (a whole ACL, LUN or backstore): `added    DIR/  (N entries)`; single entries as is.
 */
function collapse(entries: Array<[string, string]>, otherDirectories: Set<string>, verb: string): string[] {
  const lines: string[] = [];
  const group = { directory: '', count: 0 };
  const close = () => {
    if (group.count > 0) lines.push(`${verb}  ${group.directory}/  (${plural(group.count, 'entry', 'entries')})`);
    group.count = 0;
  };
  for (const [path, value] of entries) {
    let top: string | null = null;
    for (let slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
      const directory = path.slice(0, slash);
      if (!otherDirectories.has(directory)) {
        top = directory;
        break;
      }
    }
    if (top === null) {
      close();
      lines.push(`${verb}  ${path}  ${displayValue(value)}`);
    } else if (group.count > 0 && group.directory === top) group.count++;
    else {
      close();
      group.directory = top;
      group.count = 1;
    }
  }
  close();
  return lines;
}

export async function runDiff(ctx: Context, time1: string, time2: string, options: DiffOptions): Promise<number> {
  const kind = options.stats ? 'stats' : 'full';
  const listCounters = options.stats || options.counters;
  const first = nearestSnapshot(ctx, kind, parseTime(time1, ctx.now, 'TIME1'));
  const second = nearestSnapshot(ctx, kind, parseTime(time2, ctx.now, 'TIME2'));
  if (first.file.path === second.file.path) {
    throw new UserError(`both times resolve to the same ${kind} snapshot, ${formatMinute(first.file.time)} (${first.file.path})`);
  }
  const before = new Map<string, string>();
  for (const entry of allEntries(first.text)) before.set(entry.path, entry.value);

  const oldDirectories = options.brief ? directoriesOf(before.keys()) : new Set<string>();
  const newPaths: string[] = [];
  const added: Array<[string, string]> = [];
  const changed: string[] = [];
  let countersChanged = 0;
  for (const { path, value } of allEntries(second.text)) {
    newPaths.push(path);
    const old = before.get(path);
    before.delete(path);
    if (old === undefined) added.push([path, value]);
    else if (old !== value) {
      if (!listCounters && isStatistics(path)) countersChanged++;
      else changed.push(`changed  ${path}  ${displayValue(old)} -> ${displayValue(value)}`);
    }
  }
  const removedEntries = [...before];
  let removed: string[];
  let addedLines: string[];
  if (options.brief) {
    removed = collapse(removedEntries, directoriesOf(newPaths), 'removed');
    addedLines = collapse(added, oldDirectories, 'added  ');
  } else {
    removed = removedEntries.map(([path, value]) => `removed  ${path}  ${displayValue(value)}`);
    addedLines = added.map(([path, value]) => `added    ${path}  ${displayValue(value)}`);
  }

  const lines = [
    `--- ${formatMinute(first.file.time)}  ${first.file.path}`,
    `+++ ${formatMinute(second.file.time)}  ${second.file.path}`,
    ...removed,
    ...addedLines,
    ...changed,
  ];
  if (countersChanged > 0) lines.push(`(${plural(countersChanged, 'statistics value')} changed; --counters lists them)`);
  lines.push(`${removedEntries.length} removed, ${added.length} added, ${changed.length} changed`);
  ctx.out.write(lines.map((l) => l + '\n').join(''));
  return 0;
}
