// A frozen clock for a program and its children, through libfaketime preloaded directly rather than
// the faketime wrapper: the wrapper makes a POSIX semaphore and shared memory named after its pid
// and does not always remove them (killed, or run under setpriv), and once pids wrap around
// (pid_max 32768 here) a new wrapper meets its predecessor's and stops with "sem_open: File exists".
import { spawnSync } from 'node:child_process';

/** The library faketime preloads (package libfaketime, a dependency of faketime), wherever the architecture puts it. */
export const LIBFAKETIME =
  spawnSync('dpkg', ['-L', 'libfaketime'], { encoding: 'utf8' }).stdout.split('\n').find((p) => p.endsWith('/faketime/libfaketime.so.1')) ??
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** The environment that freezes the clock at `YYYY-MM-DD hh:mm:ss` (libfaketime's absolute form; read with TZ=UTC). */
export function frozenClockEnv(clock: string): Record<string, string> {
  return { LD_PRELOAD: LIBFAKETIME, FAKETIME: clock };
}
