// How a program starts itself again (the collector daemon starts each snapshot so).
import { builtin } from './lazy.js';

/**
 * The command line that runs this program again: `node <script>` from a checkout; in the
 * packages' single executable, the link it was started through (process.argv[1]), since the
 * executable picks the program by the name it is started as.
 */
export function selfCommand(): string[] {
  const sea = builtin<typeof import('node:sea')>('node:sea');
  return sea.isSea() ? [process.argv[1]!] : [process.execPath, process.argv[1]!];
}
