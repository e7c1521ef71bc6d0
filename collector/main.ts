// lio-collector: the statistics collector and its archive reader. A plain snapshot command line,
// as cron or the daemon start one every minute, runs without loading the full command line.
import { reportProblem } from './log.js';
import { parseSnapshotCommandLine, snapshotCommand } from './snapshot-command.js';

function fail(err: unknown): void {
  reportProblem(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}

const snapshot = parseSnapshotCommandLine(process.argv.slice(2));
if (snapshot) {
  snapshotCommand(snapshot.kind, snapshot.options).catch(fail);
} else {
  import('./program.js').then((program) => program.runCommandLine(process.argv)).catch(fail);
}
