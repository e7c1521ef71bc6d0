// Runs a status command (drbdsetup events2, crm_mon) with a bounded time, for the plugins and the
// collector: neither may hang on a stuck cluster or kernel. The command runs in a session and
// process group of its own (the child calls setsid() before it executes the command: spawnSync's
// `detached`, which Node passes to libuv as for spawn), so that on a timeout the whole group is
// killed, not only the command (a wrapper script's children would otherwise live on); util-linux's
// setsid program would cost one more exec per run. On Node 20 and 24 the command is started
// through the binding child_process.spawnSync itself calls (spawnSyncBinding below), without
// loading child_process; elsewhere child_process is loaded when a command is really run.
import type * as ChildProcess from 'node:child_process';
import type * as Fs from 'node:fs';
import type * as Util from 'node:util';
import { builtin } from './lazy.js';

const MAX_OUTPUT = 64 * 1024 * 1024;
const SIGKILL = 9;

export type CommandRun =
  | { ok: true; output: string }
  /**
   * refused: the command may not be run, or it was refused what it asked, as this user.
   * exitStatus: the status it exited with, when it ran and exited non-zero.
   */
  | { ok: false; refused: boolean; reason: string; output?: string; exitStatus?: number };

export interface BoundedCommand {
  path: string;
  args: readonly string[];
  timeoutS: number;
  /** Said after "<path> not found: " (e.g. "install drbd-utils or set env.drbdsetup"). */
  notFound: string;
  /** stderr of a failed run that means the command was refused (e.g. /Permission denied/). */
  refusedText: RegExp;
  /** Extra environment (e.g. CIB_file); LC_ALL is C, so that messages can be recognised. */
  env?: Record<string, string | undefined>;
}

/** 'executable' when path is a file with an execute bit for someone, else what it is instead. */
function executableKind(path: string): string {
  try {
    const st = builtin<typeof Fs>('node:fs').statSync(path);
    if (!st.isFile()) return 'not a file';
    return (st.mode & 0o111) === 0 ? `not executable (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})` : 'executable';
  } catch {
    // Cannot even be looked at: a directory above it is closed to this user.
    return 'executable';
  }
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 200);
}

/** Runs the command; never throws, never waits much longer than timeoutS. */
export function runBounded(command: BoundedCommand): CommandRun {
  const { path, args, timeoutS } = command;
  const shown = `${path} ${args.join(' ')}`;
  // Told apart before the run: a command that is missing, or that this user may not run.
  try {
    builtin<typeof Fs>('node:fs').accessSync(path, builtin<typeof Fs>('node:fs').constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, refused: false, reason: `${path} not found: ${command.notFound}` };
    if (code === 'EACCES' || code === 'EPERM') {
      // A file nobody may execute (mode 0644, a directory) is not cured by root: only one with
      // execute bits that this user lacks (drbd-utils' 4750 root:haclient) is a refusal.
      const kind = executableKind(path);
      if (kind !== 'executable') return { ok: false, refused: false, reason: `${path}: ${kind}` };
      return { ok: false, refused: true, reason: `${path}: ${code}` };
    }
    return { ok: false, refused: false, reason: `${shown} failed: ${code ?? String(err)}` };
  }
  const run = spawnSync(path, args, {
    env: { ...process.env, ...command.env, LC_ALL: 'C' },
    // At least 1 ms: spawnSync takes a timeout of 0 for none at all.
    timeoutMs: Math.max(1, Math.ceil(timeoutS * 1000)),
  });
  const code = run.error;
  if (code === 'ETIMEDOUT') {
    // The command was killed; its group may still hold children (the command's pid is the
    // group's id).
    try {
      if (run.pid) process.kill(-run.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
    return { ok: false, refused: false, reason: `${shown} did not finish within ${timeoutS} s and was killed` };
  }
  if (code) return { ok: false, refused: false, reason: `${shown} failed: ${code}` };
  if (run.status !== 0) {
    const said = firstLine(run.stderr) || firstLine(run.stdout);
    const how = run.signal ? `was killed by ${run.signal}` : `exited with ${run.status}`;
    const failed = { ok: false as const, refused: command.refusedText.test(run.stderr), reason: `${shown} ${how}${said ? `: ${said}` : ''}`, output: run.stdout };
    return run.status === null ? failed : { ...failed, exitStatus: run.status };
  }
  return { ok: true, output: run.stdout };
}

/** What a spawnSync gives back, the output as UTF-8 text; error: the error code (e.g. ETIMEDOUT). */
interface SpawnResult {
  pid: number;
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  error?: string;
}

/** Node's own synchronous spawn, which child_process.spawnSync calls after checking its options. */
interface SpawnSyncBinding {
  spawn(options: object): { pid: number; status: number | null; signal: string | null; output: Array<Uint8Array | null> | null; error?: number };
}

// child_process is the one module the pacemaker plugin loads that `node -e 0` does not: loading it
// (net, stream, dgram and ~20 more modules) costs more instructions than reading crm_mon's output
// and making all the graphs (bench/README.md). The spawn_sync binding, which
// child_process.spawnSync calls with the options below, is reached through process.binding,
// which lists it among the bindings it keeps for compatibility. Only on Node 20 (checked from a
// checkout) and 24 (the packaged executable's), whose option format this is (a wrong option
// would abort Node, not throw), and not under --pending-deprecation, where process.binding
// prints a deprecation warning; else child_process.
function spawnSyncBinding(): SpawnSyncBinding | null {
  if (!/^v(20|24)\./.test(process.version) || process.execArgv.includes('--pending-deprecation') || /--pending-deprecation/.test(process.env.NODE_OPTIONS ?? '') || process.env.NODE_PENDING_DEPRECATION === '1') return null;
  try {
    return (process as unknown as { binding(name: string): SpawnSyncBinding }).binding('spawn_sync');
  } catch {
    return null;
  }
}

/**
 * Runs path with args in a session of its own (see the top), stdin closed, stdout and stderr
 * read whole (up to 64 MiB), killed with SIGKILL after timeoutMs.
 */
function spawnSync(path: string, args: readonly string[], options: { env: Record<string, string | undefined>; timeoutMs: number }): SpawnResult {
  const binding = spawnSyncBinding();
  if (!binding) {
    const run = builtin<typeof ChildProcess>('node:child_process').spawnSync(path, args, {
      // Node's types and documentation name `detached` for spawn only; spawnSync takes the same
      // normalized options (test/lib/bounded-command.test.ts checks the group).
      detached: true,
      // UTF-8: DRBD 9 peer and resource names, cluster node names.
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: MAX_OUTPUT,
      env: options.env,
    } as ChildProcess.SpawnSyncOptionsWithStringEncoding);
    return { pid: run.pid, status: run.status, signal: run.signal, stdout: run.stdout ?? '', stderr: run.stderr ?? '', error: (run.error as NodeJS.ErrnoException | undefined)?.code ?? run.error?.message };
  }
  // As child_process.spawnSync (Node 20, 24) hands them on: argv with the file first, the
  // environment as NAME=value (unset ones left out), the pipes as the child sees them.
  const envPairs: string[] = [];
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) envPairs.push(`${name}=${value}`);
  const run = binding.spawn({
    file: path,
    args: [path, ...args],
    envPairs,
    detached: true,
    stdio: [{ type: 'ignore' }, { type: 'pipe', readable: false, writable: true }, { type: 'pipe', readable: false, writable: true }],
    timeout: options.timeoutMs,
    killSignal: SIGKILL,
    maxBuffer: MAX_OUTPUT,
  });
  // UTF-8: DRBD 9 peer and resource names, cluster node names.
  const text = (data: Uint8Array | null | undefined) => (data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8') : '');
  return {
    pid: run.pid,
    status: run.status,
    signal: run.signal,
    stdout: text(run.output?.[1]),
    stderr: text(run.output?.[2]),
    // A negative errno (e.g. -110): its name, as child_process's error code would be.
    error: run.error === undefined ? undefined : builtin<typeof Util>('node:util').getSystemErrorName(run.error),
  };
}
