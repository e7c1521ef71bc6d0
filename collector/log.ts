// The collector's two output channels. Problems go to stderr, one line each, so that journald
// (or cron's mail) shows exactly what went wrong; routine progress only with --verbose, on stdout.

export function reportProblem(message: string): void {
  process.stderr.write(`lio-collector: ${message}\n`);
}

export function reportInfo(message: string): void {
  process.stdout.write(`lio-collector: ${message}\n`);
}
