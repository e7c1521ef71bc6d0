// lio-collector: the statistics collector's command line (snapshot, prune, run) and the
// archive reader (archive ...). Each concern registers its own subcommands.
import { Command } from 'commander';
import { registerCollectorCommands } from './cli.js';
import { registerArchiveCommands } from './archive/cli.js';

const program = new Command('lio-collector')
  .description('Keeps the LIO configfs statistics in per-day gzip archives, and reads them back after an incident.')
  .showHelpAfterError();
registerCollectorCommands(program);
registerArchiveCommands(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`lio-collector: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
