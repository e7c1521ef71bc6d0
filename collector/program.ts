// The full command line of lio-collector: the collector's commands (snapshot, prune, run) and
// the archive reader (archive ...), each concern registering its own subcommands.
import { Command } from 'commander';
import { registerCollectorCommands } from './cli.js';

/** Runs the command given by argv (process.argv's form); resolves when it is done. */
export async function runCommandLine(argv: readonly string[]): Promise<unknown> {
  const program = new Command('lio-collector')
    .description('Keeps the LIO configfs statistics in per-day gzip archives, and reads them back after an incident.')
    .showHelpAfterError();
  registerCollectorCommands(program);

  // The archive reader is most of the code, and snapshots start every minute: load it only for
  // `archive ...` and for the top-level help that lists it.
  const first = argv[2];
  if (first === undefined || first === 'archive' || first === 'help' || first.startsWith('-')) {
    const archive = await import('./archive/cli.js');
    archive.registerArchiveCommands(program);
  }
  return program.parseAsync([...argv]);
}
