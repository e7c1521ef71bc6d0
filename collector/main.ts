// lio-collector: the statistics collector and its archive reader. A plain snapshot or metrics
// command line, as cron or the daemon start one every minute, runs without loading the full
// command line.
import { reportProblem } from './log.js';
import { parseSnapshotCommandLine, snapshotCommand } from './snapshot-command.js';

function fail(err: unknown): void {
  reportProblem(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}

const fullCommandLine = () => import('./program.js').then((program) => program.runCommandLine(process.argv));

const args = process.argv.slice(2);
const snapshot = parseSnapshotCommandLine(args);
if (snapshot) {
  snapshotCommand(snapshot.kind, snapshot.options).catch(fail);
} else if (args[0] === 'metrics') {
  import('./metrics-command.js')
    .then((metrics) => {
      const options = metrics.parseMetricsCommandLine(args);
      return options ? metrics.metricsCommand(options) : fullCommandLine();
    })
    .catch(fail);
} else {
  fullCommandLine().catch(fail);
}
