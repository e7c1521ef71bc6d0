// Builds one self-contained executable per entry point with esbuild.
// Plugins are started every five minutes on every node: each is a single file that loads only
// Node built-ins. The header comment of each plugin source (its documentation and the
// `#%# family=auto` / `#%# capabilities=autoconf` magic markers) is copied into the built file,
// since munin-node-configure reads the markers from the installed executable.
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

/** The plugins: plugins/list.json, the one list the installer and the tests read too. */
const PLUGINS = JSON.parse(readFileSync('plugins/list.json', 'utf8'));

/**
 * Node runs plugins with V8's optimizing compilers off (Sparkplug, the baseline compiler, is the
 * highest tier). A plugin lives a fraction of a second: optimizing its loops in the background
 * does not pay back within it, and Node waits for those compilations before it exits
 * (bench/README.md has the figures). env -S (coreutils 8.30) passes the option;
 * `lio-munin install` keeps it in its `#!<node>` line.
 */
const PLUGIN_SHEBANG = '#!/usr/bin/env -S node --max-opt=1';

/**
 * Plugins that start Node with V8's default flags instead. pacemaker runs crm_mon, so it loads
 * node:child_process and the 20-odd built-in modules under it (net, stream, dgram, ...). Node
 * compiles its built-ins from the code cache it ships only under the flags that cache was made
 * with: with --max-opt=1 the cache is rejected and each of them is compiled from source, which
 * costs pacemaker far more than the optimizing compilers, which it never starts, could (figures
 * in bench/README.md).
 */
const DEFAULT_FLAGS_PLUGINS = new Set(['pacemaker']);

/** Entry points other than plugins: [source, output]. Each is built only if its source exists. */
const PROGRAMS = [
  ['collector/main.ts', 'dist/collector/lio-collector'],
  ['installer/lio-munin.ts', 'dist/lio-munin'],
  ['test/demo.ts', 'dist/demo.js'],
  ['bench/bench.ts', 'dist/bench.js'],
  ['package/build.ts', 'dist/package.js'],
];

function headerComment(source) {
  const match = /^\/\*[\s\S]*?\*\//.exec(readFileSync(source, 'utf8'));
  return match ? match[0] : '';
}

/**
 * minify: whitespace and local names too, for the plugins: V8 pre-parses every function of a
 * script at each start, and a plugin starts every five minutes on every node (a 100-minor
 * drbd_state fetch 1.6 million instructions less, bench/README.md). The banner (the header
 * comment with the magic markers) is kept as it is; error names are set in the code, not taken
 * from class names.
 */
async function bundle(entry, outfile, banner, minify = false) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // CommonJS: an installed plugin has no package.json beside it, and Node 20 reads an
    // extensionless file without one as CommonJS.
    format: 'cjs',
    minifySyntax: true,
    minifyWhitespace: minify,
    minifyIdentifiers: minify,
    legalComments: 'none',
    // node-cron's ES build computes a path from import.meta.url when it loads, which a CommonJS
    // bundle does not have: its `import('node-cron')` gets the package's CommonJS build.
    alias: { 'node-cron': './node_modules/node-cron/dist/node-cron.cjs' },
    banner: { js: banner },
    // package/build.ts drives esbuild, which cannot be bundled (it finds its binary at run time).
    external: ['esbuild'],
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
}

mkdirSync('dist/plugins', { recursive: true });
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
await Promise.all([
  ...PLUGINS.map((name) =>
    bundle(`plugins/${name}.ts`, `dist/plugins/${name}`, `${DEFAULT_FLAGS_PLUGINS.has(name) ? '#!/usr/bin/env node' : PLUGIN_SHEBANG}\n${headerComment(`plugins/${name}.ts`)}`, true),
  ),
  ...PROGRAMS.filter(([source]) => existsSync(source)).map(([source, out]) =>
    bundle(source, out, out.endsWith('.js') ? '' : '#!/usr/bin/env node'),
  ),
]);
