// The programs of the packages' executable: each a script kept as an asset of the executable with
// its V8 code cache (package/executable.ts), compiled only when it is the program run. The
// executable's main script holds only the dispatcher: Node copies all of it into V8 at every start.
import { dirname } from 'node:path';
import { builtin } from '../lib/lazy.js';

/**
 * How package/executable.ts wraps a program's CommonJS bundle into the script it keeps, and how
 * this module calls it: a function of what Node gives a CommonJS module (require: the bundles need
 * only built-ins; node-cron, in the collector's daemon, takes its path from __filename).
 */
export const SCRIPT_HEAD = '(function (require, module, exports, __filename, __dirname) {';
export const SCRIPT_TAIL = '\n})';

export const scriptAsset = (program: string) => `${program}.js`;
export const cacheAsset = (program: string) => `${program}.cache`;

function requireBuiltin(id: string): unknown {
  const found = process.getBuiltinModule(id);
  if (found === undefined) throw new Error(`require('${id}'): the packaged programs can load only Node.js's built-in modules`);
  return found;
}

/** Runs a program kept as a script asset (package/executable.ts). */
export function runScriptAsset(program: string): void {
  const sea = builtin<typeof import('node:sea')>('node:sea');
  const { Script } = builtin<typeof import('node:vm')>('node:vm');
  // The executable's own bytes, not copied (an ArrayBuffer for a raw asset); esbuild writes ASCII
  // only, so latin1 is the cheapest way to a V8 string.
  const asset = (key: string) => Buffer.from(sea.getRawAsset(key) as ArrayBuffer);
  const script = new Script(asset(scriptAsset(program)).toString('latin1'), { filename: program, cachedData: asset(cacheAsset(program)) });
  if (script.cachedDataRejected) process.stderr.write(`${program}: warning: the code cache of the executable was rejected (made under other V8 options)\n`);
  const module = { exports: {} };
  // As Node gives them to a single executable application's main script: the executable's path.
  const { execPath } = process;
  type Wrapper = (require: (id: string) => unknown, module: { exports: object }, exports: object, filename: string, dirname: string) => void;
  (script.runInThisContext() as Wrapper)(requireBuiltin, module, module.exports, execPath, dirname(execPath));
}
