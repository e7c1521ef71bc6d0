// Runs the built collector (dist/collector/lio-collector) the way cron and systemd start it, and
// reads its archives back. The tests exercise the real single-file executable, so it must be
// built from the current sources first (`npm test` does; alone: `node build.mjs`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const COLLECTOR = fileURLToPath(new URL('../../dist/collector/lio-collector', import.meta.url));
const SOURCES = fileURLToPath(new URL('../../collector', import.meta.url));

/** Throws unless the built collector is at least as new as the collector's own sources (not archive/). */
export function requireBuiltCollector(): void {
  let built: number;
  try {
    built = statSync(COLLECTOR).mtimeMs;
  } catch {
    throw new Error(`${COLLECTOR} is missing: run \`node build.mjs\` (or \`npm test\`) first`);
  }
  const newest = readdirSync(SOURCES)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => statSync(`${SOURCES}/${name}`).mtimeMs)
    .reduce((a, b) => Math.max(a, b), 0);
  if (newest > built) throw new Error(`${COLLECTOR} is older than collector/: run \`node build.mjs\` first`);
}

export interface CollectorRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `lio-collector ARGS` to the end. shellPrefix runs first in the same sh (umask, ulimit...). */
export function runCollector(args: string[], options: { shellPrefix?: string; timeoutMs?: number } = {}): CollectorRun {
  const result = options.shellPrefix
    ? spawnSync('sh', ['-c', `${options.shellPrefix}; exec "$@"`, 'sh', COLLECTOR, ...args], { encoding: 'utf8', timeout: options.timeoutMs ?? 60_000 })
    : spawnSync(COLLECTOR, args, { encoding: 'utf8', timeout: options.timeoutMs ?? 60_000 });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** A collector started in the background, with its output so far. */
export interface RunningCollector {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  /** Resolves with the exit status (or signal name) once it has ended. */
  exited: Promise<number | string>;
}

/** Starts `lio-collector ARGS`, with env added to this process's environment. */
export function startCollector(args: string[], env: Record<string, string> = {}): RunningCollector {
  const child = spawn(COLLECTOR, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, output, exited };
}

/** Polls until check() gives a truthy value, or throws after timeoutMs. */
export async function waitFor<T>(what: string, check: () => T, timeoutMs = 30_000, stepMs = 5): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

export function gunzipText(path: string): string {
  return gunzipSync(readFileSync(path)).toString('utf8');
}

/** Relative paths of every file under dir (recursive), sorted. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8', withFileTypes: false })
    .filter((name) => statSync(`${dir}/${name}`).isFile())
    .sort();
}

/**
 * The snapshot text that the original scripts' approach gives for root (bash globs for the
 * statistics subtrees, `find ! -type d | LC_ALL=C sort`, then `[PATH]`, content, blank line),
 * written independently of the collector's code, with our two rules applied: secrets replaced by
 * the placeholder, and only regular files read (never a symlink, never a FIFO). One perl process
 * prints the entries, since a cat per file takes minutes on a busy machine.
 */
export function referenceText(root: string, kind: 'stats' | 'full'): string {
  const script = `
set -e -o pipefail
shopt -s nullglob extglob
cd "$1"
if [ "$2" = stats ]; then
  dirs=(core/*/*/statistics !(core)/*/fabric_statistics !(core)/*/tpgt_*/acls/*/fabric_statistics !(core)/*/tpgt_*/acls/*/*/statistics !(core)/*/tpgt_*/lun/*/statistics)
else
  dirs=(*)
fi
[ \${#dirs[@]} -gt 0 ] || exit 0
find "\${dirs[@]}" ! -type d -print0 | LC_ALL=C sort -z | perl -0 -ne '
  chomp;
  print "[/sys/kernel/config/target/$_]\\n";
  if (m{(^|/)password[^/]*$}) { print "<secret not archived>\\n" }
  elsif (-f $_ && ! -l $_ && open(my $f, "<", $_)) { local $/; print scalar <$f> // "" }
  print "\\n";
'
`;
  const result = spawnSync('bash', ['-c', script, 'reference', root, kind], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`reference script failed: ${result.stderr}`);
  return result.stdout;
}
