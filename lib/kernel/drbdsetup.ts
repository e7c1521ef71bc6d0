// Runs `drbdsetup events2 --now --statistics` with a bounded time, for the DRBD 9 path of the
// plugins and the collector. child_process is loaded only when drbdsetup is really run, so the
// DRBD 8 path (and every LIO plugin) starts without it.
import type * as ChildProcess from 'node:child_process';
import { statSync } from 'node:fs';
import { builtin } from '../lazy.js';

export const DEFAULT_DRBDSETUP = '/usr/sbin/drbdsetup';
export const EVENTS2_ARGS = ['events2', '--now', '--statistics'] as const;
/** Well under Munin's plugin timeout (10 s documented, 60 s in munin-node 2.0). */
export const DEFAULT_DRBDSETUP_TIMEOUT_S = 5;

export type Events2Run =
  | { ok: true; output: string }
  /** refused: drbdsetup may not be run or may not talk to the kernel as this user. */
  | { ok: false; refused: boolean; reason: string };

// drbd-utils installs drbdsetup setuid root, mode 4750, group haclient when that group exists
// (user/v9/Makefile.in): other users get EACCES. A kernel that refuses the netlink request makes
// drbdsetup exit 20 with "received netlink error reply: <strerror>" (generic_get in
// user/v9/drbdsetup.c); "Permission denied. CAP_SYS_ADMIN necessary" is drbdsetup's own text for
// the ERR_PERM reply code (its error_messages[]), which older DRBD kernels sent.
const REFUSED_TEXT = /Operation not permitted|Permission denied|CAP_SYS_ADMIN/i;

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 200);
}

/** 'executable' when path is a file with an execute bit for someone, else what it is instead. */
function executableKind(path: string): string {
  try {
    const st = statSync(path);
    if (!st.isFile()) return 'not a file';
    return (st.mode & 0o111) === 0 ? `not executable (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})` : 'executable';
  } catch {
    // Cannot even be looked at: a directory above it is closed to this user.
    return 'executable';
  }
}

/** SIGKILL to the process group led by pid (spawnSync killed only its leader). */
function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing of it is left.
  }
}

/**
 * Runs `<path> events2 --now --statistics`; never throws, never waits longer than timeoutS.
 * setting names what chose path, for the hint when it is missing (e.g. "env.drbdsetup").
 */
export function runEvents2(path: string, timeoutS: number, setting?: string): Events2Run {
  const command = `${path} ${EVENTS2_ARGS.join(' ')}`;
  const options: ChildProcess.SpawnSyncOptionsWithStringEncoding & { detached: boolean } = {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    // At least 1 ms: spawnSync takes a timeout of 0 for none at all.
    timeout: Math.max(1, Math.ceil(timeoutS * 1000)),
    killSignal: 'SIGKILL',
    // Its own process group (setsid), so that a timeout kills what it started too (a wrapper's
    // children). spawnSync honours detached as spawn does; @types/node leaves it out.
    detached: true,
    maxBuffer: 64 * 1024 * 1024,
    // Messages in English, so that a refusal can be recognised.
    env: { ...process.env, LC_ALL: 'C' },
  };
  const run = builtin<typeof ChildProcess>('node:child_process').spawnSync(path, EVENTS2_ARGS, options);
  const code = (run.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ETIMEDOUT') killGroup(run.pid);
  if (code === 'ETIMEDOUT') return { ok: false, refused: false, reason: `${command} did not finish within ${timeoutS} s and was killed` };
  if (code === 'ENOENT') return { ok: false, refused: false, reason: `${path} not found: install drbd-utils${setting ? ` or set ${setting}` : ''}` };
  if (code === 'EACCES' || code === 'EPERM') {
    // A file nobody may execute (mode 0644, a directory) is not cured by root: only one with
    // execute bits that this user lacks (drbd-utils' 4750 root:haclient) is a refusal.
    const kind = executableKind(path);
    if (kind !== 'executable') return { ok: false, refused: false, reason: `${path}: ${kind}` };
    return { ok: false, refused: true, reason: `${path}: ${code}` };
  }
  if (run.error) return { ok: false, refused: false, reason: `${command} failed: ${code ?? run.error.message}` };
  if (run.status !== 0) {
    const said = firstLine(run.stderr) || firstLine(run.stdout);
    const how = run.signal ? `was killed by ${run.signal}` : `exited with ${run.status}`;
    return { ok: false, refused: REFUSED_TEXT.test(run.stderr), reason: `${command} ${how}${said ? `: ${said}` : ''}` };
  }
  return { ok: true, output: run.stdout };
}
