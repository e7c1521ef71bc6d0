// Fake `drbdsetup` programs for the DRBD 9 tests: small sh scripts that behave like drbdsetup
// does when it works, is refused, hangs, fails or prints something else. munin-run starts the
// plugins as nobody, so the scripts and what they read are world-readable and executable.
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';

export const DRBD9_PROC = new URL('../fixtures/proc-drbd/hwameistor-drbd9-1.txt', import.meta.url);
export const DRBD9_FIXTURES = new URL('../fixtures/drbd9/', import.meta.url);

/** Writes an executable sh script `dir/name` with the given body and returns its path. */
export function script(dir: string, name: string, body: string, mode = 0o755): string {
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/${name}`;
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

/** drbdsetup that prints the file's content for exactly `events2 --now --statistics`. */
export function workingDrbdsetup(dir: string, name: string, events2File: string): string {
  return script(
    dir,
    name,
    [
      '[ "$*" = "events2 --now --statistics" ] || { echo "unexpected arguments: $*" >&2; exit 20; }',
      `exec cat '${events2File}'`,
    ].join('\n'),
  );
}

/** drbdsetup whose netlink request the kernel refuses (drbd-utils generic_get: exit 20). */
export function netlinkRefusedDrbdsetup(dir: string, name: string): string {
  return script(dir, name, "echo 'received netlink error reply: Operation not permitted' >&2\nexit 20");
}

/**
 * drbdsetup installed as drbd-utils does on a node with the haclient group (mode 4750, group
 * haclient): users outside that group, like nobody, get EACCES. Here: mode 0750, root's group.
 */
export function rootOnlyDrbdsetup(dir: string, name: string, events2File: string): string {
  return script(dir, name, `exec cat '${events2File}'`, 0o750);
}

/** drbdsetup that never answers; writes its pid to pidFile first (the dir must be writable). */
export function hangingDrbdsetup(dir: string, name: string, pidFile: string): string {
  return script(dir, name, `echo $$ > '${pidFile}'\nexec sleep 120`);
}

/** drbdsetup that exits 0 but prints something that is not events2 output. */
export function garbageDrbdsetup(dir: string, name: string): string {
  return script(dir, name, "echo '<html><body>502 Bad Gateway</body></html>'\necho 'exists'");
}

/** drbdsetup that fails the way it does without the drbd module's netlink family. */
export function failingDrbdsetup(dir: string, name: string): string {
  return script(dir, name, "echo \"Could not connect to 'drbd' generic netlink family\" >&2\nexit 20");
}

/** A directory anyone may write (MUNIN_PLUGSTATE for plugins run as nobody). */
export function writableDir(path: string): string {
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o777);
  return path;
}

/** Copies a test/fixtures/drbd9 sample (or the DRBD 9 /proc/drbd) into dir, world-readable. */
export function copyFixture(from: URL, to: string): string {
  copyFileSync(from, to);
  chmodSync(to, 0o644);
  return to;
}

/**
 * `events2 --now --statistics` of a 4-node resource (this node and three peers), shaped after
 * the 4-node example of the LINBIT DRBD 9 user's guide (resource home, minor 0, peers nina, nino,
 * nono). Written for these tests: the guide shows only `status` output for it.
 */
export const THREE_PEERS_EVENTS2 = [
  'exists resource name:home role:Secondary suspended:no write-ordering:none',
  'exists connection name:home peer-node-id:0 conn-name:nina connection:Connected role:Secondary congested:no ap-in-flight:0 rs-in-flight:0',
  'exists connection name:home peer-node-id:2 conn-name:nino connection:Connected role:Secondary congested:no ap-in-flight:0 rs-in-flight:0',
  'exists connection name:home peer-node-id:3 conn-name:nono connection:Connecting role:Unknown congested:no ap-in-flight:0 rs-in-flight:0',
  'exists device name:home volume:0 minor:0 disk:UpToDate client:no quorum:yes size:1048412 read:0 written:1048412 al-writes:0 bm-writes:48 upper-pending:0 lower-pending:0 al-suspended:no blocked:no',
  'exists peer-device name:home peer-node-id:0 conn-name:nina volume:0 replication:Established peer-disk:UpToDate peer-client:no resync-suspended:no received:1048412 sent:0 out-of-sync:0 pending:0 unacked:0',
  'exists peer-device name:home peer-node-id:2 conn-name:nino volume:0 replication:Established peer-disk:UpToDate peer-client:no resync-suspended:no received:0 sent:0 out-of-sync:0 pending:0 unacked:0',
  'exists peer-device name:home peer-node-id:3 conn-name:nono volume:0 replication:Off peer-disk:DUnknown peer-client:no resync-suspended:no received:0 sent:0 out-of-sync:1048412 pending:0 unacked:0',
  'exists -',
  '',
].join('\n');

/**
 * drbdsetup as a wrapper script that starts a child which never ends, then never answers itself;
 * writes the child's pid to pidFile (the dir must be writable).
 */
export function wrapperHangingDrbdsetup(dir: string, name: string, pidFile: string): string {
  return script(dir, name, `sleep 120 &\necho $! > '${pidFile}'\nwait`);
}

/**
 * `events2 --now --statistics` of `resources` resources of `volumes` volumes each (minors from 0
 * in that order), every volume with two peers, peer-a and peer-b: the size of a large DRBD 9
 * node (the tests' and bench's 20,000 volumes). Minor m reads 7m+1 KiB, writes 11m+2, has made
 * 3m+3 activity-log writes and m+4 bitmap writes; to peer n (1, 2) it sent 13m+n and received 5m+n.
 */
export function scaledEvents2(resources: number, volumes: number): string {
  const lines: string[] = [];
  const peers: Array<[number, string]> = [
    [1, 'peer-a'],
    [2, 'peer-b'],
  ];
  let minor = 0;
  for (let r = 0; r < resources; r++) {
    const name = `r${r}`;
    lines.push(`exists resource name:${name} role:Primary suspended:no write-ordering:flush`);
    for (const [id, peer] of peers) lines.push(`exists connection name:${name} peer-node-id:${id} conn-name:${peer} connection:Connected role:Secondary congested:no`);
    for (let v = 0; v < volumes; v++) {
      const m = minor++;
      lines.push(
        `exists device name:${name} volume:${v} minor:${m} disk:UpToDate client:no quorum:yes size:1048576 read:${7 * m + 1} written:${11 * m + 2} al-writes:${3 * m + 3} bm-writes:${m + 4} upper-pending:0 lower-pending:0 al-suspended:no blocked:no`,
      );
      for (const [id, peer] of peers) {
        lines.push(
          `exists peer-device name:${name} peer-node-id:${id} conn-name:${peer} volume:${v} replication:Established peer-disk:UpToDate peer-client:no resync-suspended:no received:${5 * m + id} sent:${13 * m + id} out-of-sync:0 pending:0 unacked:0`,
        );
      }
    }
  }
  lines.push('exists -');
  return `${lines.join('\n')}\n`;
}
