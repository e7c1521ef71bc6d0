// The directories a command line names (--root, --archive, --textfile): checked before anything
// is read or written, each problem said in one line. Apart from snapshot.ts, which loads the
// archive writer and zlib that `metrics` does not need.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeError, errorCode, nonEmptyPath, UserError } from '../lib/errors.js';

/**
 * Whether a directory is at path (resolved): false when nothing is there; an error, naming it
 * as what, when something else is there or it cannot be looked at.
 */
export function isDirectoryAt(what: string, path: string): boolean {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw new UserError(`${what} ${path}: ${describeError(err)}`);
  }
  if (!isDirectory) throw new UserError(`${what} ${path}: not a directory`);
  return true;
}

/** The root directory, resolved, or an error saying why it cannot be read. */
export function checkRoot(root: string): string {
  const path = resolve(nonEmptyPath('--root', root));
  if (!isDirectoryAt('root', path)) throw new UserError(`root ${path}: no such directory`);
  return path;
}
