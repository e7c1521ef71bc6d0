// The collector's two output channels. Problems go to stderr, one line each, so that journald
// (or cron's mail) shows exactly what went wrong; routine progress only with --verbose, on stdout.

export function reportProblem(message: string): void {
  process.stderr.write(`lio-collector: ${message}\n`);
}

export function reportInfo(message: string): void {
  process.stdout.write(`lio-collector: ${message}\n`);
}

/** An error as a short phrase: "no space left on device (ENOSPC)" rather than Node's "ENOSPC: ..., write". */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && err.message.startsWith(`${code}: `)) {
    // Node's system errors read "CODE: description, syscall 'path'": keep the description.
    const description = err.message.slice(code.length + 2).replace(/, \w+( '.*')?$/, '');
    return `${description} (${code})`;
  }
  return err.message;
}

/** The errno code of a system error ("ENOENT"), or undefined. */
export function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}
