// The entry point of every plugin: the mode from argv, the environment munin-node gives, stdout.
import { UserError } from '../errors.js';
import { StdoutOutput } from './output.js';
import { runMode, warn, type Graph, type Plugin } from './protocol.js';

/** Entry point shared by all plugins: prints, and exits non-zero only for a wrong mode. */
export function main(plugin: Plugin<Graph | Graph[]>): void {
  const out = new StdoutOutput();
  try {
    runMode(plugin, process.argv[2], process.env, out);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    warn(err.message);
    process.exitCode = 2;
  }
  out.flush();
  // All is written: exiting now spares the garbage collection V8 would run in the event loop first,
  // for a process about to end (bench/README.md). Not when stdout fell back to Node's stream,
  // which is still writing.
  if (out.complete) process.exit();
}
