// Helpers for the installer tests: a built checkout to install from, the installer run as a
// program, and snapshots of a staging root to compare before and after.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const INSTALLER = join(REPO, 'dist/lio-munin');
export { PLUGIN_NAMES as PLUGINS } from '../support/munin-run.js';
export const FORCED_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** A fresh copy of a built checkout under dir: dist/plugins, dist/collector, systemd/ and cron/. */
export function builtCheckout(dir: string): string {
  const from = join(dir, 'checkout');
  rmSync(from, { recursive: true, force: true });
  for (const rel of ['dist/plugins', 'dist/collector/lio-collector', 'systemd/lio-collector.service', 'cron/lio-collector', 'cron/lio-collector-metrics']) {
    cpSync(join(REPO, rel), join(from, rel), { recursive: true });
  }
  return from;
}

/** A node interpreter at a path outside munin-node's PATH, as with nvm or /opt installs. */
export function nodeOutsidePath(dir: string): string {
  const node = join(dir, 'opt/node-v20/bin/node');
  mkdirSync(dirname(node), { recursive: true });
  symlinkSync(process.execPath, node);
  return node;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  lines: string[];
}

export function lioMunin(args: string[], options: { uid?: number; gid?: number } = {}): Run {
  if (options.uid !== undefined) {
    // Another user may not reach the checkout (a clone into `mktemp -d`): run a copy.
    const dir = mkdtempSync(join(tmpdir(), 'lio-munin-installer-'));
    try {
      chmodSync(dir, 0o755);
      cpSync(INSTALLER, join(dir, 'lio-munin'));
      return runInstaller(join(dir, 'lio-munin'), args, options);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return runInstaller(INSTALLER, args, options);
}

function runInstaller(installer: string, args: string[], options: { uid?: number; gid?: number }): Run {
  const run = spawnSync(process.execPath, [installer, ...args], { encoding: 'utf8', timeout: 120_000, ...options });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, lines: run.stdout.split('\n').filter((l) => l !== '') };
}

export type Snapshot = Record<string, string>;

/** Every path under root with its type, mode, content hash or link target, and mtime. */
export function snapshot(root: string): Snapshot {
  const result: Snapshot = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = lstatSync(path);
      const rel = path.slice(root.length);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) result[rel] = `link -> ${readlinkSync(path)}`;
      else if (st.isDirectory()) {
        result[rel] = `dir ${mode}`;
        walk(path);
      } else result[rel] = `file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16)} ${st.mtimeMs}`;
    }
  };
  walk(root);
  return result;
}

/** Runs a program the way munin-node starts a plugin: user nobody, empty environment, fixed PATH. */
export function asMuninNode(program: string, env: Record<string, string>, args: string[] = []): Run {
  const pairs = Object.entries({ PATH: FORCED_PATH, LC_ALL: 'C', LANG: 'C', ...env }).map(([k, v]) => `${k}=${v}`);
  const run = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', 'env', '-i', ...pairs, program, ...args], {
    encoding: 'utf8',
    cwd: '/',
    timeout: 30_000,
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, lines: run.stdout.split('\n').filter((l) => l !== '') };
}

/** A DRBD 8.4 /proc/drbd with minors 0 and 10 and the given counters on minor 0. */
export function procDrbd84(counters: { ns: number; nr: number; dw: number; dr: number; al: number; bm: number; oos: number }): string {
  const line = (c: typeof counters) =>
    `    ns:${c.ns} nr:${c.nr} dw:${c.dw} dr:${c.dr} al:${c.al} bm:${c.bm} lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:${c.oos}`;
  return [
    'version: 8.4.11 (api:1/proto:86-101)',
    'GIT-hash: 66145a308421e9c124ec391a7848ac20203bb03c build by root@storage1, 2020-06-01 10:00:00',
    ' 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----',
    line(counters),
    '',
    '10: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----',
    line({ ns: 10, nr: 0, dw: 10, dr: 20, al: 1, bm: 2, oos: 0 }),
    '',
  ].join('\n');
}
