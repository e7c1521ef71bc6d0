// Missing snapshots. The collector takes a stats snapshot every minute and a full one every hour
// by default, but both schedules can be changed: the expected spacing is taken from the names in
// the archive (the most common spacing), and times are real times, so a daylight-saving change
// (local names jumping an hour) is not a gap.

export const MINUTE = 60_000;

/** The most common spacing between consecutive snapshots (ties: the smaller); 1 min if unknown. */
export function typicalInterval(files: ReadonlyArray<{ time: Date }>): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < files.length; i++) {
    const spacing = Math.round((files[i].time.getTime() - files[i - 1].time.getTime()) / MINUTE) * MINUTE;
    if (spacing > 0) counts.set(spacing, (counts.get(spacing) ?? 0) + 1);
  }
  let best = MINUTE;
  let bestCount = 0;
  for (const [spacing, count] of counts) {
    if (count > bestCount || (count === bestCount && spacing < best)) [best, bestCount] = [spacing, count];
  }
  return best;
}

/** How many snapshots are missing between two times, given the expected interval. */
export function missingBetween(previous: number, current: number, interval: number): number {
  return Math.max(0, Math.round((current - previous) / interval) - 1);
}

export interface Gap {
  /** The first and the last missing snapshot time. */
  first: Date;
  last: Date;
  missing: number;
}

export function gapBetween(previous: number, current: number, interval: number): Gap | null {
  const missing = missingBetween(previous, current, interval);
  if (missing === 0) return null;
  return { first: new Date(previous + interval), last: new Date(current - interval), missing };
}

/** Gaps between consecutive files. */
export function findGaps(files: ReadonlyArray<{ time: Date }>, interval: number): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < files.length; i++) {
    const gap = gapBetween(files[i - 1].time.getTime(), files[i].time.getTime(), interval);
    if (gap) gaps.push(gap);
  }
  return gaps;
}
