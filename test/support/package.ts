// The packages of `npm run package`, built once for all test files (dist/package.js keeps them
// while their sources are unchanged; flock makes concurrent test files wait for one build), and a
// scratch system to install them in: this machine's /usr, /etc and /var under overlays in a
// private mount namespace, with no node on any path. What the packages do there never reaches
// the host, and vanishes with the namespace.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHECKOUT = fileURLToPath(new URL('../..', import.meta.url));
export const PACKAGE_DIR = join(CHECKOUT, 'dist/package');
const VERSION = (JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')) as { version: string }).version;
export const PACKAGES = {
  version: VERSION,
  executable: join(PACKAGE_DIR, 'sea/lio-munin'),
  deb: join(PACKAGE_DIR, `lio-munin_${VERSION}_amd64.deb`),
  rpm: join(PACKAGE_DIR, `lio-munin-${VERSION}-1.x86_64.rpm`),
};
/** Building both packages takes minutes on a busy machine (compressing 100 MiB twice). */
export const PACKAGE_BUILD_TIMEOUT_MS = 20 * 60_000;

/** Builds what is out of date; `executableOnly` skips the .deb and the .rpm. */
export function buildPackages(executableOnly = false): void {
  mkdirSync(PACKAGE_DIR, { recursive: true });
  const args = [join(PACKAGE_DIR, '.lock'), process.execPath, join(CHECKOUT, 'dist/package.js'), ...(executableOnly ? ['--executable'] : [])];
  const run = spawnSync('flock', args, { cwd: CHECKOUT, encoding: 'utf8', timeout: PACKAGE_BUILD_TIMEOUT_MS });
  if (run.status !== 0) throw new Error(`npm run package failed: ${run.error?.message ?? ''}${run.stderr}${run.stdout}`);
}

export interface ScratchRun {
  stdout: string;
  stderr: string;
  status: number | null;
}

// Overlays over /usr (with /bin, /sbin, /lib: links into /usr on Debian 12), /etc and /var; an
// empty /run (no running munin-node or systemd is seen, none is restarted); node removed.
const PRELUDE = `
for d in usr etc var; do
  mkdir -p "$SCRATCH/upper/$d" "$SCRATCH/work/$d"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$SCRATCH/upper/$d,workdir=$SCRATCH/work/$d" "/$d"
done
mount -t tmpfs tmpfs /run
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
for dir in $(echo "$PATH" | tr : ' '); do rm -f "$dir/node" "$dir/nodejs"; done
`;

/**
 * Runs script (sh -e) as root in a fresh scratch system; args are $1... Files to share with the
 * test go through a directory outside /usr, /etc and /var (a tempDir under /tmp).
 */
export function inScratchSystem(script: string, args: string[] = []): ScratchRun {
  const scratch = mkdtempSync(join(tmpdir(), 'lio-munin-scratch-'));
  try {
    const run = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-ec', `${PRELUDE}\n${script}`, 'sh', ...args], {
      encoding: 'utf8',
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', SCRATCH: scratch, LANG: 'C', LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10 * 60_000,
      maxBuffer: 64 * 2 ** 20,
    });
    if (run.error) throw run.error;
    return { stdout: run.stdout, stderr: run.stderr, status: run.status };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Splits output into sections started by `=== name` lines. */
export function sections(output: string): Record<string, string> {
  const result: Record<string, string> = {};
  let name = '';
  for (const line of output.replace(/\n$/, '').split('\n')) {
    const header = /^=== (.+)$/.exec(line);
    if (header) result[(name = header[1]!)] = '';
    else result[name] = (result[name] ?? '') + line + '\n';
  }
  return result;
}
