// The real Munin for the end-to-end test: munin-node in a private mount namespace (so the host's
// /etc/munin is never touched), the master's programs run as user munin under a frozen fake
// clock, and readers for what they leave behind (munin's datafile, RRD files).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { frozenClockEnv, LIBFAKETIME } from './faketime.js';
import { PACKAGES } from './package.js';

/**
 * Stops an end-to-end test at once, saying what to install, unless it runs as root with Munin's
 * node and master programs, rrdtool and libfaketime (the frozen clock), plus its own tools
 * (packages: what to apt-get install, as .ci/run does).
 */
export function requireE2eSetup(tools: string[], packages = 'munin munin-node rrdtool faketime'): void {
  if (process.getuid?.() !== 0) throw new Error('the end-to-end test needs root: a mount namespace for munin-node, which drops to user nobody');
  for (const tool of ['/usr/sbin/munin-node', '/usr/share/munin/munin-update', '/usr/bin/rrdtool', LIBFAKETIME, ...tools]) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install ${packages} (as .ci/run does)`);
  }
}

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

/** A test's Munin master: every directory temporary, under dir. */
export interface MuninMaster {
  dir: string;
  dbdir: string;
  htmldir: string;
  conf: string;
  /** Where the contact's command appends what munin-limits sends (in a directory of munin's). */
  alertFile: string;
}

export function muninMaster(dir: string): MuninMaster {
  return { dir, dbdir: join(dir, 'db'), htmldir: join(dir, 'www'), conf: join(dir, 'munin.conf'), alertFile: join(dir, 'alerts', 'alerts.txt') };
}

/** A host the master polls: `[group;host]` at 127.0.0.1:port. */
export interface PolledHost {
  group: string;
  host: string;
  port: number;
}

/**
 * The master's directories and munin.conf, all owned by munin. With contact, every host has the
 * contact `test`, whose command appends what munin-limits sends to master.alertFile.
 */
export function setUpMaster(master: MuninMaster, hosts: PolledHost[], options: { contact: boolean }): void {
  const dirs = ['db', 'www', 'log', 'run', 'home', ...(options.contact ? ['alerts'] : [])];
  for (const dir of dirs) mkdirSync(join(master.dir, dir), { recursive: true });
  writeFileSync(
    master.conf,
    [
      `dbdir ${master.dbdir}`,
      `htmldir ${master.htmldir}`,
      `logdir ${master.dir}/log`,
      `rundir ${master.dir}/run`,
      'tmpldir /etc/munin/templates',
      'staticdir /etc/munin/static',
      'graph_strategy cron',
      'html_strategy cron',
      ...(options.contact ? [`contact.test.command tee -a ${master.alertFile} > /dev/null`] : []),
      ...hosts.flatMap(({ group, host, port }) => [
        `[${group};${host}]`,
        '    address 127.0.0.1',
        `    port ${port}`,
        '    use_node_name yes',
        ...(options.contact ? ['    contacts test'] : []),
      ]),
      '',
    ].join('\n'),
  );
  const uid = Number(spawnSync('id', ['-u', 'munin'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'munin'], { encoding: 'utf8' }).stdout.trim());
  for (const dir of ['', ...dirs]) chownSync(join(master.dir, dir), uid, gid);
}

/**
 * A master program (munin-update, munin-limits, munin-html, munin-graph) on master's munin.conf,
 * as user munin at epoch. Fails the test on a non-zero exit or on errors in its stderr (and on
 * warnings unless allowWarnings).
 */
export function runMunin(master: MuninMaster, epoch: number, program: string, args: string[] = [], options: { allowWarnings?: boolean } = {}): Run {
  const config = program === 'munin-update' ? '--config_file' : '--config';
  const run = asMuninAt(epoch, join(master.dir, 'home'), `/usr/share/munin/${program}`, [config, master.conf, ...args]);
  const complaint = options.allowWarnings ? /error|fatal|unknown option/i : /error|fatal|warn|unknown option/i;
  expect(run.stderr.split('\n').filter((l) => complaint.test(l))).toEqual([]);
  if (run.status !== 0) {
    // Seen now and then in full runs on a loaded machine, never alone: what Munin said, for the next person.
    const log = join(master.dir, `log/${program}.log`);
    console.error(`${program} exited ${run.status}:`, run.stdout, run.stderr, existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '');
  }
  expect(run.status).toBe(0);
  return run;
}

/**
 * One munin-cron cycle at epoch: munin-update, then munin-limits (as /usr/bin/munin-cron runs
 * them). Returns what the contact's command received ('' if it was not run). spawnSync returns
 * only once the contact's command has closed the stderr it inherits from munin-limits, so its
 * output is complete by then.
 */
export function muninCycle(master: MuninMaster, epoch: number): string {
  runMunin(master, epoch, 'munin-update', ['--nofork']);
  rmSync(master.alertFile, { force: true });
  runMunin(master, epoch, 'munin-limits');
  return existsSync(master.alertFile) ? readFileSync(master.alertFile, 'utf8') : '';
}

/**
 * For a cycle whose alert text was not what a test expected: what the contact's file holds a few
 * seconds later (text that arrived only then came after munin-limits had exited), and the end of
 * munin-update's and munin-limits' logs. Seen once in a full run on a loaded machine (pacemaker
 * step 4: nothing received, yet the next cycle's OK showed that munin-limits had seen the warning).
 */
export function cycleDiagnosis(master: MuninMaster, received: string): string {
  spawnSync('sleep', ['3']);
  const now = existsSync(master.alertFile) ? readFileSync(master.alertFile, 'utf8') : '(no file)';
  const tail = (program: string) => {
    const log = join(master.dir, `log/${program}.log`);
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-12).join('\n') : '(no log)';
  };
  return [
    `received: ${JSON.stringify(received)}`,
    `the contact's file 3 s later: ${now === received ? 'the same' : JSON.stringify(now)}`,
    `munin-update.log:\n${tail('munin-update')}`,
    `munin-limits.log:\n${tail('munin-limits')}`,
  ].join('\n');
}

/** One message of munin-limits' default text: its header line and its `\t...s:` lines. */
export function alertMessage(group: string, host: string, graph: string, ...lines: string[]): string {
  return `${group} :: ${host} :: ${graph}\n${lines.map((l) => `\t${l}\n`).join('')}\n`;
}

/**
 * munin-limits walks Perl hashes, so the order of the messages (one per graph) and of the
 * fields within a line (`\tCRITICALs: a, b.`) changes from run to run. This sorts both and
 * keeps every character; a text of another shape is returned as it is. fieldSeparator splits a
 * line's fields: a comma followed by how a field's label starts (a comma alone would also split
 * the extinfo within a field).
 */
export function canonicalAlerts(text: string, fieldSeparator: RegExp): string {
  // Each message is munin's text (ending in a newline) and the newline munin-limits adds.
  if (!text.endsWith('\n\n')) return text;
  return (
    text
      .slice(0, -2)
      .split(/\n\n(?=\S)/)
      .map((message) =>
        message
          .split('\n')
          .map((line) => {
            const m = /^(\t[A-Z]+s:)(.*)\.$/.exec(line);
            return m ? m[1] + m[2]!.split(fieldSeparator).sort().join(',') + '.' : line;
          })
          .join('\n'),
      )
      .sort()
      .join('\n\n') + '\n\n'
  );
}

/**
 * munin-html, then munin-graph drawing each of host's graphs (`path`: GRAPH or GRAPH/CHILD) over
 * [from, end]: Debian's munin-graph --cron draws what dbdir/graphs lists, and a `pinpoint=START,END`
 * entry is a custom period, as munin-cgi-graph draws for the zoom page. Each drawing must exist
 * and be larger than 10 kB; it is copied to artifacts as ARTIFACT-scenarios.png.
 */
export function drawScenarioGraphs(
  master: MuninMaster,
  polled: { group: string; host: string },
  from: number,
  end: number,
  graphs: Array<{ path: string; artifact: string }>,
  artifacts: string,
): void {
  runMunin(master, end, 'munin-html');
  const pinpoint = `pinpoint=${from},${end}`;
  writeFileSync(join(master.dbdir, 'graphs'), graphs.map((g) => `/${polled.group}/${polled.host}/${g.path}-${pinpoint}.png\n`).join(''));
  runMunin(master, end, 'munin-graph', ['--cron']);
  mkdirSync(artifacts, { recursive: true });
  for (const graph of graphs) {
    const drawn = join(master.htmldir, polled.group, polled.host, `${graph.path}-${pinpoint}.png`);
    expect(existsSync(drawn), drawn).toBe(true);
    expect(statSync(drawn).size, drawn).toBeGreaterThan(10_000);
    copyFileSync(drawn, join(artifacts, `${graph.artifact}-scenarios.png`));
  }
}

/**
 * With LIO_MUNIN_E2E_PLUGINS=package (test/package/e2e.test.ts): a plugin directory like
 * pluginsDir, but every plugin a link to the packages' executable, as the packages install them
 * (LIO_MUNIN_E2E_EXECUTABLE: another multi-call executable, e.g. bun's, bench/README.md).
 * The executable is copied under nodeDir first: munin-node runs plugins as nobody, who may not
 * reach the checkout's (a clone made in `mktemp -d` is 0700; exec then fails with status 42).
 */
function packagedPlugins(nodeDir: string, pluginsDir: string): string {
  const dir = join(nodeDir, 'packaged-plugins');
  mkdirSync(dir, { recursive: true });
  const executable = join(nodeDir, 'lio-munin');
  if (!existsSync(executable)) copyFileSync(process.env.LIO_MUNIN_E2E_EXECUTABLE ?? PACKAGES.executable, executable);
  for (const name of readdirSync(pluginsDir)) {
    if (!existsSync(join(dir, name))) symlinkSync(executable, join(dir, name));
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
