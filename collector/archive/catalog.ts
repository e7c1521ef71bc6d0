// Which snapshot files an archive holds, decided by name only: day directories and files outside
// the window are never opened. Besides ARCHIVE/YYYYMMDD/, snapshot files lying directly in the
// archive root are read too: the original /etc/lio/save wrote its hourly lio-*.gz there.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dayStamp, parseDayName, parseSnapshotName, type SnapshotKind } from '../../lib/archive/layout.js';
import { UserError } from '../../lib/errors.js';
import { typicalInterval } from './gaps.js';
import { inWindow, type Window } from './time.js';

export interface SnapshotFile {
  path: string;
  kind: SnapshotKind;
  /** The local minute in the file name (the second pass of a repeated hour for its -2 file). */
  time: Date;
  /** 1, or 2, 3 ... for a minute met again (layout.ts). */
  repeat: number;
}

export interface Selection {
  kind: SnapshotKind;
  files: SnapshotFile[];
  /** Expected ms between snapshots. */
  interval: number;
}

export type Warn = (message: string) => void;

/** An archive's day directories and root-level snapshots, read once. */
export class Archive {
  /** Day stamps (YYYYMMDD) that have a directory or root-level files, ascending. */
  readonly days: string[];
  private readonly dayDirs = new Set<string>();
  private readonly rootFiles = new Map<string, SnapshotFile[]>();

  constructor(
    readonly root: string,
    private readonly warn: Warn,
  ) {
    let names: string[];
    try {
      if (!statSync(root).isDirectory()) throw new UserError(`archive ${root} is not a directory`);
      names = readdirSync(root);
    } catch (err) {
      if (err instanceof UserError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UserError(`archive directory ${root} does not exist (see --archive)`);
      if (code === 'EACCES') throw new UserError(`cannot read archive directory ${root}: permission denied`);
      throw new UserError(`cannot read archive directory ${root}: ${(err as Error).message}`);
    }
    const days = new Set<string>();
    for (const name of names) {
      if (parseDayName(name)) {
        this.dayDirs.add(name);
        days.add(name);
        continue;
      }
      const parsed = parseSnapshotName(name);
      if (!parsed) continue;
      const day = dayStamp(parsed.time);
      days.add(day);
      const list = this.rootFiles.get(day) ?? [];
      list.push({ path: join(root, name), ...parsed });
      this.rootFiles.set(day, list);
    }
    this.days = [...days].sort();
  }

  /** Snapshots of kind filed under one day (directory and root), ascending by time. */
  dayFiles(day: string, kind: SnapshotKind): SnapshotFile[] {
    const files = (this.rootFiles.get(day) ?? []).filter((f) => f.kind === kind);
    if (this.dayDirs.has(day)) {
      const dir = join(this.root, day);
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch (err) {
        this.warn(`cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; its snapshots are left out`);
      }
      const seen = new Set(files.map((f) => `${f.time.getTime()}-${f.repeat}`));
      for (const name of names) {
        const parsed = parseSnapshotName(name);
        if (parsed?.kind !== kind || seen.has(`${parsed.time.getTime()}-${parsed.repeat}`)) continue;
        files.push({ path: join(dir, name), ...parsed });
      }
    }
    return files.sort((a, b) => a.time.getTime() - b.time.getTime() || a.repeat - b.repeat);
  }

  /** Day stamps that can hold snapshots inside the window. */
  daysIn(window: Window): string[] {
    const first = window.from ? dayStamp(window.from) : '';
    const last = window.to ? dayStamp(window.to) : '99999999';
    return this.days.filter((day) => day >= first && day <= last);
  }

  /**
   * Every snapshot of kind in the window, ascending by time, and the usual spacing of snapshots
   * (judged on the whole days the window touches, so that a short window still knows it).
   */
  select(kind: SnapshotKind, window: Window): Selection {
    const all = this.daysIn(window).flatMap((day) => this.dayFiles(day, kind));
    return { kind, files: all.filter((f) => inWindow(window, f.time)), interval: typicalInterval(all) };
  }

  /** The oldest and newest snapshot of kind in the whole archive (reads two day directories). */
  span(kind: SnapshotKind): { first: SnapshotFile; last: SnapshotFile } | null {
    let first: SnapshotFile | undefined;
    let last: SnapshotFile | undefined;
    for (const day of this.days) if ((first = this.dayFiles(day, kind)[0])) break;
    for (const day of [...this.days].reverse()) if ((last = this.dayFiles(day, kind).at(-1))) break;
    return first && last ? { first, last } : null;
  }

  /**
   * Snapshots of kind in the window, nearest to target first (on a tie the earlier one), reading
   * day directories outwards from target's day only as far as the caller consumes.
   */
  *byDistance(kind: SnapshotKind, target: Date, window: Window): Generator<SnapshotFile> {
    const days = this.daysIn(window);
    const targetDay = dayStamp(target);
    const t = target.getTime();
    const inside = (f: SnapshotFile) => inWindow(window, f.time);
    const earlier = walk(
      days.filter((d) => d <= targetDay).reverse(),
      (day) => this.dayFiles(day, kind).filter((f) => inside(f) && f.time.getTime() <= t).reverse(),
    );
    const later = walk(
      days.filter((d) => d >= targetDay),
      (day) => this.dayFiles(day, kind).filter((f) => inside(f) && f.time.getTime() > t),
    );
    let a = earlier.next();
    let b = later.next();
    while (!a.done || !b.done) {
      if (b.done || (!a.done && t - a.value.time.getTime() <= b.value.time.getTime() - t)) {
        yield a.value as SnapshotFile;
        a = earlier.next();
      } else {
        yield b.value;
        b = later.next();
      }
    }
  }
}

function* walk(days: string[], files: (day: string) => SnapshotFile[]): Generator<SnapshotFile> {
  for (const day of days) yield* files(day);
}
