// lio-collector: the statistics collector's command line (snapshot, prune, run) and the
// archive reader (archive ...). Each concern registers its own subcommands.
import { Command } from 'commander';
import { registerCollectorCommands } from './cli.js';

const program = new Command('lio-collector')
  .description('Keeps the LIO configfs statistics in per-day gzip archives, and reads them back after an incident.')
  .showHelpAfterError();
registerCollectorCommands(program);

// The archive reader is most of the code, and snapshots start every minute: load it only for
// `archive ...` and for the top-level help that lists it.
const first = process.argv[2];
if (first === undefined || first === 'archive' || first === 'help' || first.startsWith('-')) {
  const archive = require('./archive/cli.js') as typeof import('./archive/cli.js');
  archive.registerArchiveCommands(program);
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`lio-collector: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
