// The collector's two output channels. Problems go to stderr, one line each, so that journald
// (or cron's mail) shows exactly what went wrong; routine progress only with --verbose, on stdout.
import { describeError } from '../lib/errors.js';

export function reportProblem(message: string): void {
  process.stderr.write(`lio-collector: ${message}\n`);
}

/** Set once stdout failed (a full disk, a reader gone): later lines are dropped, not retried. */
let stdoutFailed = false;

export function reportInfo(message: string): void {
  if (stdoutFailed) return;
  if (process.stdout.listenerCount('error') === 0) {
    // One line and a non-zero status for ENOSPC or EPIPE on stdout, never a stack trace.
    process.stdout.on('error', (err) => {
      if (stdoutFailed) return;
      stdoutFailed = true;
      reportProblem(`cannot write to standard output: ${err.code === 'EPIPE' ? 'its reader closed it (EPIPE)' : describeError(err)}`);
      process.exitCode = 1;
    });
  }
  process.stdout.write(`lio-collector: ${message}\n`);
}
