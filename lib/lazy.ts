// Loading on first use what only some runs need: a plugin starts every five minutes on every
// node, and a stats snapshot every minute. Two ways, one for each kind of module:
// - Node's built-ins, from synchronous code: builtin() below;
// - our own modules and packages: `await import('...')`, which esbuild bundles and evaluates only
//   when the import runs (collector/main.ts, collector/program.ts, collector/node-cron.ts).

/** The built-in module name (e.g. 'node:crypto'), loaded now if it is not yet. */
export function builtin<T>(name: string): T {
  // process.getBuiltinModule (Node 20.16+) works in the CommonJS bundles and in the ES modules
  // the tests run; require covers older Node 20 releases, which run only the bundles.
  if (typeof process.getBuiltinModule === 'function') return process.getBuiltinModule(name) as T;
  return require(name) as T;
}
