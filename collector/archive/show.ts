// archive show TIME: the snapshot nearest to TIME, decompressed, exactly as archived.
import type { Context } from './context.js';
import { nearestSnapshot } from './nearest.js';
import { parseTime } from './time.js';

/** C0 controls but tab and newline, DEL, and the C1 controls (U+0080-U+009F). */
const TERMINAL_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export async function runShow(ctx: Context, time: string, options: { full?: boolean }): Promise<number> {
  const target = parseTime(time, ctx.now, 'TIME');
  const { text } = nearestSnapshot(ctx, options.full ? 'full' : 'stats', target);
  // Byte for byte into a pipe or file; on a terminal, control characters (an escape sequence in
  // a name or a value) are shown as \xNN instead of being obeyed.
  if (ctx.out.isTTY) ctx.out.write(text.toString('utf8').replace(TERMINAL_CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  else ctx.out.writeBytes(text);
  return 0;
}

