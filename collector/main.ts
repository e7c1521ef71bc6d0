// lio-collector: the statistics collector and its archive reader. A plain snapshot or metrics
// command line, as cron or the daemon start one every minute, runs without loading the full
// command line; each loads only its own command's modules (esbuild runs a bundled module's
// top level when its import() runs): `metrics` never starts zlib or the archive writer.
import { reportProblem } from './log.js';

function fail(err: unknown): void {
  reportProblem(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}

const fullCommandLine = () => import('./program.js').then((program) => program.runCommandLine(process.argv));

const args = process.argv.slice(2);
if (args[0] === 'snapshot') {
  import('./snapshot-command.js')
    .then((snapshot) => {
      const line = snapshot.parseSnapshotCommandLine(args);
      return line ? snapshot.snapshotCommand(line.kind, line.options) : fullCommandLine();
    })
    .catch(fail);
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
