// INTERIM stand-in for collector/snapshot.ts's takeSnapshot while the collector is being written:
// same options, same file format (collector/layout.ts). Removed once takeSnapshot lands.
import { gzipSync } from 'node:zlib';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalPath, snapshotRelativePath, type SnapshotKind } from '../../collector/layout.js';

export const SECRET_PLACEHOLDER = '<secret not archived>';
export interface SnapshotOptions { root: string; archive: string; kind: SnapshotKind; now?: Date; drbdProc?: string | null; }
export interface SnapshotResult { path: string; entries: number; bytes: number; }

function walk(dir: string, out: string[]): void {
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const name of names) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) walk(p, out);
    else out.push(p);
  }
}

const STATS = [
  /^core\/[^/]+\/[^/]+\/statistics\//,
  /^[^/]+\/[^/]+\/fabric_statistics\//,
  /^[^/]+\/[^/]+\/tpgt_\d+\/acls\/[^/]+\/fabric_statistics\//,
  /^[^/]+\/[^/]+\/tpgt_\d+\/acls\/[^/]+\/[^/]+\/statistics\//,
  /^[^/]+\/[^/]+\/tpgt_\d+\/lun\/[^/]+\/statistics\//,
];

export async function takeSnapshot(o: SnapshotOptions): Promise<SnapshotResult> {
  const files: string[] = [];
  walk(o.root, files);
  const chosen = files
    .filter((f) => o.kind === 'full' || STATS.some((r) => r.test(f.slice(o.root.length + 1))))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let text = '';
  for (const f of chosen) {
    let content = '';
    try { content = f.slice(f.lastIndexOf('/') + 1).startsWith('password') ? `${SECRET_PLACEHOLDER}\n` : lstatSync(f).isSymbolicLink() ? '' : readFileSync(f, 'utf8'); } catch { /* empty */ }
    text += `[${canonicalPath(o.root, f)}]\n${content}\n`;
  }
  if (o.kind === 'stats' && o.drbdProc) {
    try { text += `[/proc/drbd]\n${readFileSync(o.drbdProc, 'utf8')}\n`; } catch { /* none */ }
  }
  const path = join(o.archive, snapshotRelativePath(o.kind, o.now ?? new Date()));
  mkdirSync(dirname(path), { recursive: true });
  const gz = gzipSync(text);
  writeFileSync(path, gz);
  return { path, entries: chosen.length, bytes: gz.length };
}
