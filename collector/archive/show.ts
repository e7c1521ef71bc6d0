// archive show TIME: the snapshot nearest to TIME, decompressed, exactly as archived.
import type { Context } from './context.js';
import { nearestSnapshot } from './nearest.js';
import { parseTime } from './time.js';

export async function runShow(ctx: Context, time: string, options: { full?: boolean }): Promise<number> {
  const target = parseTime(time, ctx.now, 'TIME');
  const { text } = nearestSnapshot(ctx, options.full ? 'full' : 'stats', target);
  ctx.out.write(text.toString('utf8'));
  return 0;
}
