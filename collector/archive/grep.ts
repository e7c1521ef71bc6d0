// archive grep PATTERN: zgrep over the window, but every match says which snapshot (time) and
// which [path] it belongs to:  2026-11-20 10:42  /sys/.../scsi_auth_intr/write_mbytes  51234
import { requireSnapshots, type Context } from './context.js';
import { UserError } from '../../lib/errors.js';
import { compileGlob, SEGMENT_HINT } from './glob.js';
import { scanSnapshots } from './reader.js';
import { summarise } from './context.js';
import { matchingEntries, matchingValueLines, shownPath } from '../../lib/archive/entry-reader.js';
import { formatMinute } from './time.js';

export interface GrepOptions {
  /** Regular expression on the value lines. */
  value?: string;
  full?: boolean;
}

/** A regular expression from the command line, or a one-line error naming the option. */
export function compileRegex(source: string, what: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new UserError(`invalid ${what} "${source}": ${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')}`);
  }
}

/** Returns 0 when something matched, 1 when nothing did (as grep does). */
export async function runGrep(ctx: Context, pattern: string | undefined, options: GrepOptions): Promise<number> {
  if (pattern === undefined && options.value === undefined) {
    throw new UserError('grep needs a path PATTERN, --value REGEX, or both');
  }
  const matcher = compileGlob(pattern ?? '**');
  const valueRegex = options.value === undefined ? null : compileRegex(options.value, '--value');
  const selection = requireSnapshots(ctx, options.full ? 'full' : 'stats');
  const verdicts = new Map<string, boolean>();
  let matches = 0;
  const result = await scanSnapshots(selection.files, ctx.report, (file, text) => {
    const time = formatMinute(file.time);
    let lines = '';
    if (valueRegex && !matcher.needle) {
      // No literal path to search for: let the value expression find its lines instead.
      for (const { path, line } of matchingValueLines(text, valueRegex, matcher, verdicts)) {
        lines += line === '' ? `${time}  ${shownPath(path)}\n` : `${time}  ${shownPath(path)}  ${line}\n`;
        matches++;
      }
      ctx.out.write(lines);
      return;
    }
    for (const entry of matchingEntries(text, matcher, verdicts)) {
      // A multi-line value (an info file, /proc/drbd) gives one output line per value line.
      for (const line of entry.value.split('\n')) {
        if (valueRegex && !valueRegex.test(line)) continue;
        lines += line === '' ? `${time}  ${shownPath(entry.path)}\n` : `${time}  ${shownPath(entry.path)}  ${line}\n`;
        matches++;
      }
    }
    ctx.out.write(lines);
  }, ctx.out);
  summarise(ctx, result);
  if (matches > 0) return 0;
  ctx.report.note(`no match in ${result.read} ${selection.kind} snapshots${pattern === undefined ? '' : SEGMENT_HINT}`);
  return 1;
}
