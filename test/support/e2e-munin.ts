// The real Munin for the end-to-end test: munin-node in a private mount namespace (so the host's
// /etc/munin is never touched), the master's programs run as user munin under a frozen fake
// clock, and readers for what they leave behind (munin's datafile, RRD files).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frozenClockEnv } from './faketime.js';
import { PACKAGES } from './package.js';

/** A TCP port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** One munin-node command on a fresh connection; returns the answer's lines (without `.`). */
export function muninCommand(port: number, command: string, timeoutMs = 30_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`munin-node did not answer "${command}" within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\nquit\n`));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const lines = text.split('\n').filter((l) => l !== '');
      if (!lines[0]?.startsWith('# munin node at ')) return reject(new Error(`not a munin-node banner: ${JSON.stringify(text.slice(0, 200))}`));
      resolve(lines.slice(1).filter((l) => l !== '.'));
    });
  });
}

export interface MuninNode {
  pid: number;
  /** Output of munin-node itself (not its log file). */
  output(): string;
  /** SIGTERM to its process group, SIGKILL after 10 s; resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts the real munin-node in a private mount namespace where each [source, mountpoint] pair
 * is bind-mounted first, e.g. a staged /etc/munin over the real one. The mounts vanish with the
 * namespace when munin-node exits; the host never sees them.
 */
export async function startMuninNode(binds: Array<[string, string]>, config: string, port: number): Promise<MuninNode> {
  const mounts = binds.map((_, i) => `mount --bind "\${${2 * i + 1}}" "\${${2 * i + 2}}"`).join('\n'); // ${10}: $10 is $1 then 0
  const script = `${mounts}\nexec munin-node --config "${config}" --foreground`;
  const child: ChildProcess = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-ec', script, 'sh', ...binds.flat()], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const node: MuninNode = {
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (!running) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
  // Ready once it answers with its banner.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!running) throw new Error(`munin-node exited at start:\n${output}`);
    try {
      await muninCommand(port, 'version', 2_000);
      return node;
    } catch (err) {
      if (Date.now() > deadline) {
        await node.stop();
        throw new Error(`munin-node did not listen on 127.0.0.1:${port}: ${(err as Error).message}\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * A test's munin-node for host on a free port: its munin-node.conf written into etcDir, etcDir
 * and pluginsDir mounted where Munin expects them, and its state, logs and pid under nodeDir.
 */

/**
 * One end-to-end Munin setup at a time on this machine. The packaged-executable test runs the whole
 * end-to-end suite again in a child vitest while the main suite's own end-to-end files run: three
 * Munin masters and their nodes at once on two cores made munin-update runs fail. A directory is
 * the lock (mkdir is atomic); one whose holder is gone is taken over. Held per process, released
 * when its last node stops; LIO_MUNIN_E2E_LOCK_HELD (set by the holder for its child) skips it.
 */
const E2E_LOCK = join(tmpdir(), 'lio-munin-e2e.lock');
let lockDepth = 0;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireE2eLock(): Promise<void> {
  if (process.env.LIO_MUNIN_E2E_LOCK_HELD === '1') return;
  if (lockDepth++ > 0) return;
  // A holder that never lets go (a file that failed before stopping its node) is waited for 15 min at most.
  const giveUp = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(E2E_LOCK);
      writeFileSync(join(E2E_LOCK, 'pid'), String(process.pid));
      return;
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(E2E_LOCK, 'pid'), 'utf8'));
      } catch {
        // being written or removed right now
      }
      if ((Number.isInteger(holder) && !pidAlive(holder)) || Date.now() > giveUp) rmSync(E2E_LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export function releaseE2eLock(): void {
  if (process.env.LIO_MUNIN_E2E_LOCK_HELD === '1' || lockDepth === 0) return;
  if (--lockDepth === 0) rmSync(E2E_LOCK, { recursive: true, force: true });
}

export async function startTestNode(nodeDir: string, host: string, etcDir: string, pluginsDir: string): Promise<{ node: MuninNode; port: number }> {
  await acquireE2eLock();
  const port = await freePort();
  if (process.env.LIO_MUNIN_E2E_PLUGINS === 'package') pluginsDir = packagedPlugins(nodeDir, pluginsDir);
  for (const dir of ['state/plugin-state', 'log', 'run']) mkdirSync(join(nodeDir, dir), { recursive: true });
  writeFileSync(
    join(etcDir, 'munin-node.conf'),
    [
      'log_level 4',
      `log_file ${nodeDir}/log/munin-node.log`,
      `pid_file ${nodeDir}/run/munin-node.pid`,
      'background 0',
      'setsid 0',
      'user root',
      'group root',
      'ignore_file [\\#~]$',
      'ignore_file \\.bak$',
      'allow ^127\\.0\\.0\\.1$',
      'host 127.0.0.1',
      `port ${port}`,
      `host_name ${host}`,
      '',
    ].join('\n'),
  );
  const node = await startMuninNode(
    [
      [etcDir, '/etc/munin'],
      [pluginsDir, '/usr/share/munin/plugins'],
      [join(nodeDir, 'state'), '/var/lib/munin-node'],
      [join(nodeDir, 'log'), '/var/log/munin'],
      [join(nodeDir, 'run'), '/run/munin'],
    ],
    '/etc/munin/munin-node.conf',
    port,
  );
  const stop = node.stop.bind(node);
  let released = false;
  node.stop = async () => {
    await stop();
    if (!released) releaseE2eLock();
    released = true;
  };
  return { node, port };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `YYYY-MM-DD hh:mm:ss` in UTC: libfaketime's absolute, frozen clock (read with TZ=UTC). */
function frozenClock(epoch: number): string {
  return new Date(epoch * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Runs a Munin master program as user munin (they refuse root), with the clock frozen at epoch,
 * so that every update lands at a known time. home: a directory of munin's for fontconfig.
 */
export function asMuninAt(epoch: number, home: string, program: string, args: string[]): Run {
  // The clock is preloaded into the program only, through env(1) once it runs as munin: a
  // libfaketime in root's setpriv would share its state in a form that user munin cannot open.
  const clock = Object.entries(frozenClockEnv(frozenClock(epoch))).map(([k, v]) => `${k}=${v}`);
  const run = spawnSync('setpriv', ['--reuid=munin', '--regid=munin', '--init-groups', '--', 'env', ...clock, program, ...args], {
    encoding: 'utf8',
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', TZ: 'UTC', LC_ALL: 'C', HOME: home, XDG_CACHE_HOME: `${home}/.cache` },
    cwd: '/',
    timeout: 180_000,
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * With LIO_MUNIN_E2E_PLUGINS=package (test/package/e2e.test.ts): a plugin directory like
 * pluginsDir, but every plugin a link to the packages' executable, as the packages install them
 * (LIO_MUNIN_E2E_EXECUTABLE: another multi-call executable, e.g. bun's, bench/README.md).
 */
function packagedPlugins(nodeDir: string, pluginsDir: string): string {
  const dir = join(nodeDir, 'packaged-plugins');
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(pluginsDir)) {
    if (!existsSync(join(dir, name))) symlinkSync(process.env.LIO_MUNIN_E2E_EXECUTABLE ?? PACKAGES.executable, join(dir, name));
  }
  return dir;
}

/** munin's datafile: `group;host:plugin.field.attribute value` -> map of `plugin.field.attribute`. */
export function readDatafile(path: string, host: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith(`${host}:`)) continue;
    const space = line.indexOf(' ');
    result.set(line.slice(host.length + 1, space), line.slice(space + 1));
  }
  return result;
}

/** `rrdtool fetch FILE AVERAGE` rows at a 300 s resolution: epoch -> value (NaN for unknown). */
export function rrdFetch(file: string, start: number, end: number): Map<number, number> {
  const run = spawnSync('rrdtool', ['fetch', file, 'AVERAGE', '-r', '300', '-s', String(start), '-e', String(end)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`rrdtool fetch ${file}: ${run.stderr}`);
  const rows = new Map<number, number>();
  for (const line of run.stdout.split('\n')) {
    const m = /^(\d+): (\S+)$/.exec(line.trim());
    if (!m) continue;
    const value = /^-?nan$/i.test(m[2]!) ? NaN : Number(m[2]);
    if (!/nan/i.test(m[2]!) && !Number.isFinite(value)) throw new Error(`rrdtool fetch ${file}: unreadable value ${m[2]}`);
    rows.set(Number(m[1]), value);
  }
  return rows;
}
