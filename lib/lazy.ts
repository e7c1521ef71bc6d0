// Node built-in modules that only some runs need are loaded on first use, not at start: a plugin
// starts every five minutes on every node, and most runs never hash a name or start a process.

/** The built-in module name (e.g. 'node:crypto'), loaded now if it is not yet. */
export function builtin<T>(name: string): T {
  // process.getBuiltinModule (Node 20.16+) works in the CommonJS bundles and in the ES modules
  // the tests run; require covers older Node 20 releases, which run only the bundles.
  if (typeof process.getBuiltinModule === 'function') return process.getBuiltinModule(name) as T;
  return require(name) as T;
}
