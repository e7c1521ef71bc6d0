// Times on the archive reader's command line and in its output. Snapshots are named by local
// minute, so every time here is a local minute: seconds are dropped.
import { UserError } from '../../lib/errors.js';

/** A time window, both ends included; null = open. */
export interface Window {
  from: Date | null;
  to: Date | null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD HH:MM`, local time: how every command prints a snapshot's time. */
export function formatMinute(time: Date): string {
  return `${pad(time.getFullYear(), 4)}-${pad(time.getMonth() + 1)}-${pad(time.getDate())} ${pad(time.getHours())}:${pad(time.getMinutes())}`;
}

/** `HH:MM`, local time. */
export function formatClock(time: Date): string {
  return `${pad(time.getHours())}:${pad(time.getMinutes())}`;
}

/** `YYYY-MM-DD`, local time. */
export function formatDay(time: Date): string {
  return formatMinute(time).slice(0, 10);
}

export function startOfMinute(time: Date): Date {
  const t = new Date(time.getTime());
  t.setSeconds(0, 0);
  return t;
}

const ABSOLUTE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/;
const CLOCK = /^(\d{1,2}):(\d{2})$/;
export const RELATIVE = /^-((?:\d+[dhm])+)$/;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 };
const MAX_RELATIVE_MS = 100 * 366 * 86_400_000;

export const TIME_FORMATS = 'YYYY-MM-DD HH:MM (local), YYYY-MM-DD, HH:MM (today), YYYYMMDDHHMM, now, or relative like -2h, -30m, -1d, -1h30m';

/**
 * Parses a time given on the command line: local `YYYY-MM-DD HH:MM` (or with a T), `YYYY-MM-DD`
 * (midnight), `HH:MM` (today), the `YYYYMMDDHHMM` of a file name, `now`, or relative to now
 * (`-2h`, `-1d12h`).
 * `what` names the argument in the error message.
 */
export function parseTime(text: string, now: Date, what: string): Date {
  const trimmed = text.trim();
  const fail = () => new UserError(`invalid ${what} "${text}": expected ${TIME_FORMATS}`);
  if (trimmed === 'now') return startOfMinute(now);
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    let ms = 0;
    for (const [, n, unit] of relative[1].matchAll(/(\d+)([dhm])/g)) ms += Number(n) * UNIT_MS[unit];
    // Further back than any archive (or than Date can count): a typing error, not a window.
    if (!(ms <= MAX_RELATIVE_MS)) throw new UserError(`invalid ${what} "${text}": more than 100 years before now`);
    return startOfMinute(new Date(now.getTime() - ms));
  }
  const clock = CLOCK.exec(trimmed);
  if (clock) return parseTime(`${formatDay(now)} ${clock[1].padStart(2, '0')}:${clock[2]}`, now, what);
  const m = ABSOLUTE.exec(trimmed) ?? COMPACT.exec(trimmed);
  if (!m) throw fail();
  const [y, mo, d, h = '00', mi = '00'] = m.slice(1);
  const time = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  // Date rolls 2026-02-30 over into March: reject what does not read back the same. A local
  // time skipped by a daylight-saving change also fails here, which is right: no snapshot has it.
  if (formatMinute(time) !== `${y}-${mo}-${d} ${h}:${mi}`) {
    throw new UserError(`invalid ${what} "${text}": no such local time`);
  }
  return time;
}

/** The window given by --from/--to (either may be absent); rejects from after to. */
export function parseWindow(from: string | undefined, to: string | undefined, now: Date): Window {
  const window: Window = {
    from: from === undefined ? null : parseTime(from, now, '--from'),
    to: to === undefined ? null : parseTime(to, now, '--to'),
  };
  if (window.from && window.to && window.from > window.to) {
    throw new UserError(`--from ${formatMinute(window.from)} is after --to ${formatMinute(window.to)}`);
  }
  return window;
}

export function inWindow(window: Window, time: Date): boolean {
  return (!window.from || time >= window.from) && (!window.to || time <= window.to);
}

export function describeWindow(window: Window): string {
  if (window.from && window.to) return `between ${formatMinute(window.from)} and ${formatMinute(window.to)}`;
  if (window.from) return `since ${formatMinute(window.from)}`;
  if (window.to) return `until ${formatMinute(window.to)}`;
  return 'at all';
}
