// One vocabulary for errors, shared by every program.
//
// A UserError is something the administrator can act on (a bad option, a missing directory, a
// damaged manifest): the programs print its message as one line and exit non-zero, never a stack
// trace. Anything else that escapes is a bug and keeps its stack.

export class UserError extends Error {
  override name = 'UserError';
}

/**
 * The value of a path option, refused when empty: `--root ""` (an unset shell variable) would
 * otherwise mean the current directory.
 */
export function nonEmptyPath(option: string, value: string): string {
  if (value === '') throw new UserError(`${option} is empty: give a path (write . for the current directory)`);
  return value;
}

/** The errno code of a system error ("ENOENT"), or undefined for anything else. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The shortest useful name of an error, for one-line problem reports: its code, else its message. */
export function briefError(err: unknown): string {
  return errorCode(err) ?? (err instanceof Error ? err.message : String(err));
}

/** An error as a short phrase: "no space left on device (ENOSPC)" rather than Node's "ENOSPC: ..., write". */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = errorCode(err);
  if (code !== undefined && err.message.startsWith(`${code}: `)) {
    // Node's system errors read "CODE: description, syscall 'path'": keep the description.
    const description = err.message.slice(code.length + 2).replace(/, \w+( '.*')?$/, '');
    return `${description} (${code})`;
  }
  return err.message;
}
