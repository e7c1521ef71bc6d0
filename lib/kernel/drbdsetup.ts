// Runs `drbdsetup events2 --now --statistics` with a bounded time, for the DRBD 9 path of the
// plugins and the collector (through lib/bounded-command.ts, which loads child_process only when
// drbdsetup is really run, so the DRBD 8 path and every LIO plugin start without it).
import { runBounded, type CommandRun } from '../bounded-command.js';

export const DEFAULT_DRBDSETUP = '/usr/sbin/drbdsetup';
export const EVENTS2_ARGS = ['events2', '--now', '--statistics'] as const;
/** Well under Munin's plugin timeout (10 s documented, 60 s in munin-node 2.0). */
export const DEFAULT_DRBDSETUP_TIMEOUT_S = 5;

/** refused: drbdsetup may not be run or may not talk to the kernel as this user. */
export type Events2Run = CommandRun;

// drbd-utils installs drbdsetup setuid root, mode 4750, group haclient when that group exists
// (user/v9/Makefile.in): other users get EACCES. A kernel that refuses the netlink request makes
// drbdsetup exit 20 with "received netlink error reply: <strerror>" (generic_get in
// user/v9/drbdsetup.c); "Permission denied. CAP_SYS_ADMIN necessary" is drbdsetup's own text for
// the ERR_PERM reply code (its error_messages[]), which older DRBD kernels sent.
const REFUSED_TEXT = /Operation not permitted|Permission denied|CAP_SYS_ADMIN/i;

/**
 * Runs `<path> events2 --now --statistics`; never throws, never waits longer than timeoutS.
 * setting names what chose path, for the hint when it is missing (e.g. "env.drbdsetup").
 */
export function runEvents2(path: string, timeoutS: number, setting?: string): Events2Run {
  return runBounded({ path, args: EVENTS2_ARGS, timeoutS, notFound: `install drbd-utils${setting ? ` or set ${setting}` : ''}`, refusedText: REFUSED_TEXT });
}
