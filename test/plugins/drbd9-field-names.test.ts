// Field names with several DRBD 9 peers: drbd<minor> + cleaned peer name + suffix, distinct
// across minors and peers, the same whatever order drbdsetup prints the lines in.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRBD_GRAPHS, drbdPlugin } from '../../plugins/graphs/drbd.js';
import { tempDir } from '../support/tmp.js';
import { DRBD9_PROC } from '../support/fake-drbdsetup.js';

const device = (resource: string, minor: number) =>
  `exists device name:${resource} volume:0 minor:${minor} disk:UpToDate read:1 written:2 al-writes:3 bm-writes:4 upper-pending:0 lower-pending:0`;
const peer = (resource: string, conn: string, id: number, sent: number) =>
  `exists peer-device name:${resource} peer-node-id:${id} conn-name:${conn} volume:0 replication:Established received:0 sent:${sent} out-of-sync:0 pending:0 unacked:0`;

const LINES = [
  device('r1', 1), peer('r1', '0x', 1, 11), peer('r1', 'y', 2, 12),
  device('r10', 10), peer('r10', 'x', 1, 101), peer('r10', 'z', 2, 102),
  // node-a and node.a both clean to node_a.
  device('r2', 2), peer('r2', 'node-a', 1, 21), peer('r2', 'node.a', 2, 22),
];

describe('per-peer field names', () => {
  const dir = tempDir();
  const sentFields = (lines: string[]) => {
    writeFileSync(`${dir}/events2`, lines.join('\n') + '\nexists -\n');
    const graph = drbdPlugin(DRBD_GRAPHS.drbd, { drbd_proc: DRBD9_PROC.pathname, drbd_events2: `${dir}/events2` }).graph(true);
    return [...graph.fields].filter((f) => f.label.includes('network send')).map((f) => [f.name, f.value, f.label]);
  };

  it('a peer name starting with a digit gets a _, so drbd1 + 0x never reads as drbd10 + x', () => {
    const fields = sentFields(LINES);
    expect(fields.slice(0, 2)).toEqual([
      ['drbd1_0xns', '11', 'drbd1 network send (peer 0x)'],
      ['drbd1yns', '12', 'drbd1 network send (peer y)'],
    ]);
    expect(fields.slice(4)).toEqual([
      ['drbd10xns', '101', 'drbd10 network send (peer x)'],
      ['drbd10zns', '102', 'drbd10 network send (peer z)'],
    ]);
  });

  it('peers whose names clean alike get distinct names; the first by name keeps the plain one', () => {
    const [a, b] = sentFields(LINES).slice(2, 4);
    expect(a).toEqual(['drbd2node_ans', '21', 'drbd2 network send (peer node-a)']);
    expect(b![0]).toMatch(/^drbd2node_ans_[0-9a-f]{8}$/);
    expect(b!.slice(1)).toEqual(['22', 'drbd2 network send (peer node.a)']);
  });

  it('the names do not depend on the order of the lines', () => {
    expect(sentFields([...LINES].reverse())).toEqual(sentFields(LINES));
  });
});
