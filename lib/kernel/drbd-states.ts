// What DRBD's state words mean, from the kernel's own name tables (drbd_strings.c: DRBD 0.7,
// 8.0-8.4 and 9). A word not listed here is a state this code does not know (a future DRBD):
// its meaning is null, never a guess, so that nothing unknown passes for healthy.

/** Connection states in which the peer is connected (DRBD 8 cs:, and DRBD 9 debugfs `cs:`). */
const CONNECTED_8 = [
  'Connected', 'StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID',
  'SyncSource', 'SyncTarget', 'VerifyS', 'VerifyT', 'PausedSyncS', 'PausedSyncT', 'Ahead', 'Behind',
  'SkippedSyncS', 'SkippedSyncT',
  // DRBD 9 replication states (its /proc/drbd in debugfs style prints them as cs:).
  'Established',
];
const DISCONNECTED_8 = [
  'StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure',
  'ProtocolError', 'TearDown', 'WFConnection', 'WFReportParams', 'Unconfigured',
  // DRBD 9 connection states.
  'Connecting', 'Off',
];
/** DRBD 9's connection states (`connection:`); its replication states are the connected ones above. */
const CONNECTED_9 = ['Connected'];
const DISCONNECTED_9 = ['StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError', 'TearDown', 'Connecting'];

const RESYNCING = ['StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID', 'SyncSource', 'SyncTarget', 'PausedSyncS', 'PausedSyncT', 'SkippedSyncS', 'SkippedSyncT'];
const NOT_RESYNCING = ['Connected', 'Established', 'VerifyS', 'VerifyT', 'Ahead', 'Behind', 'Off', ...DISCONNECTED_8];

/** How good a disk state is for redundancy. */
export type DiskHealth =
  /** UpToDate. */
  | 'up-to-date'
  /** Present but not (known to be) up to date: Inconsistent, Outdated, Consistent, DUnknown, and the passing states. */
  | 'degraded'
  /** No usable disk: Failed, Diskless. */
  | 'failed';

const DISK_HEALTH: Record<string, DiskHealth> = {
  UpToDate: 'up-to-date',
  Consistent: 'degraded',
  Inconsistent: 'degraded',
  Outdated: 'degraded',
  DUnknown: 'degraded',
  Attaching: 'degraded',
  Negotiating: 'degraded',
  Detaching: 'degraded',
  Failed: 'failed',
  Diskless: 'failed',
};

export const ROLES = ['Primary', 'Secondary', 'Unknown'];

function meaning(word: string | null, yes: readonly string[], no: readonly string[]): boolean | null {
  if (word === null) return null;
  if (yes.includes(word)) return true;
  return no.includes(word) ? false : null;
}

/** Whether a DRBD 8 connection state (cs:) means connected; null for a word not known. */
export const isConnected8 = (cs: string | null) => meaning(cs, CONNECTED_8, DISCONNECTED_8);

/** Whether a DRBD 9 connection state (connection:) means connected; null for a word not known. */
export const isConnected9 = (connection: string | null) => meaning(connection, CONNECTED_9, DISCONNECTED_9);

/** Whether a DRBD 8 cs: or DRBD 9 replication: state is a resync (running, paused or starting). */
export const isResyncing = (state: string | null) => meaning(state, RESYNCING, NOT_RESYNCING);

/** The health of a disk state; null for a word not known. */
export function diskHealth(disk: string | null): DiskHealth | null {
  return disk !== null && Object.hasOwn(DISK_HEALTH, disk) ? DISK_HEALTH[disk]! : null;
}
