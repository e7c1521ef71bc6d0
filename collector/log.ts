// The collector's two output channels. Problems go to stderr, one line each, so that journald
// (or cron's mail) shows exactly what went wrong; routine progress only with --verbose, on stdout.
// `metrics` prints its text on stdout.
import { writeSync } from 'node:fs';
import { describeError, errorCode, UserError } from '../lib/errors.js';

export function reportProblem(message: string): void {
  process.stderr.write(`lio-collector: ${message}\n`);
}

/** Set once stdout failed (a full disk, a reader gone): later lines are dropped, not retried. */
let stdoutFailed = false;

const stdoutProblem = (err: unknown) => `cannot write to standard output: ${errorCode(err) === 'EPIPE' ? 'its reader closed it (EPIPE)' : describeError(err)}`;

export function reportInfo(message: string): void {
  if (stdoutFailed) return;
  if (process.stdout.listenerCount('error') === 0) {
    // One line and a non-zero status for ENOSPC or EPIPE on stdout, never a stack trace.
    process.stdout.on('error', (err) => {
      if (stdoutFailed) return;
      stdoutFailed = true;
      reportProblem(stdoutProblem(err));
      process.exitCode = 1;
    });
  }
  process.stdout.write(`lio-collector: ${message}\n`);
}

/**
 * Writes a command's whole output to stdout through its file descriptor: process.stdout would
 * first load Node's stream modules, and for a pipe its net modules, a measurable part of a
 * `metrics` run (bench/README.md). A stdout that takes no more now (non-blocking, EAGAIN) gets
 * the rest through process.stdout, which waits for it. A full disk or a reader gone is a
 * UserError: one line, exit status 1.
 */
export function writeOutput(text: string): void {
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
  } catch (err) {
    if (errorCode(err) !== 'EAGAIN') throw new UserError(stdoutProblem(err));
    process.stdout.write(bytes.subarray(written));
  }
}
