// The collector's two output channels. Problems go to stderr, one line each, so that journald
// (or cron's mail) shows exactly what went wrong; routine progress only with --verbose, on stdout.
// `metrics` prints its text on stdout.
import { describeError, errorCode } from '../lib/errors.js';
import { writeStdout } from '../lib/stdout.js';

export function reportProblem(message: string): void {
  process.stderr.write(`lio-collector: ${message}\n`);
}

/** Set once stdout failed (a full disk, a reader gone): later lines are dropped, not retried. */
let stdoutFailed = false;

/** One line and a non-zero status for ENOSPC or EPIPE on stdout, never a stack trace. */
function stdoutError(err: unknown): void {
  if (stdoutFailed) return;
  stdoutFailed = true;
  reportProblem(`cannot write to standard output: ${errorCode(err) === 'EPIPE' ? 'its reader closed it (EPIPE)' : describeError(err)}`);
  process.exitCode = 1;
}

export function reportInfo(message: string): void {
  if (stdoutFailed) return;
  if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', stdoutError);
  process.stdout.write(`lio-collector: ${message}\n`);
}

/**
 * Writes a command's whole output to stdout through its file descriptor (lib/stdout.ts). A full
 * disk or a reader gone: one line, exit status 1.
 */
export function writeOutput(text: string): void {
  writeStdout(text, stdoutError);
}
