// What both packages share: the staged tree, the description, the maintainer scripts.
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PLUGINS, type Entry } from './payload.js';

/** The project's identity (its commits'). */
export const MAINTAINER = 'Seed e300b16a maintainers <maintainers@users.noreply.r-seed-e300b16a.example>';
export const SUMMARY = 'Munin plugins and statistics collector for LIO iSCSI targets and DRBD';
export const DESCRIPTION = [
  'Munin plugins for HA iSCSI storage servers built of LIO, DRBD and Pacemaker,',
  'and lio-collector, which archives the raw LIO and DRBD statistics.',
  '',
  'One self-contained executable (Node.js 24 inside): no Node.js is needed on',
  'the host. Plugins whose autoconf says yes are enabled on the first',
  'installation; the collector is installed disabled (systemd unit, cron.d',
  'files for snapshots and for Prometheus metrics).',
];

/** xz (the release) or fast (gzip -1, trying changes). */
export type Compression = 'xz' | 'fast';

export interface PackageInfo {
  version: string;
  date: Date;
  readme: Buffer;
  /** Our license and Node.js's own (an MIT license). */
  copyright: Buffer;
  /** The licenses of the libraries Node.js is built with (its LICENSE file), shipped beside it. */
  nodeLicenses: Buffer;
}

/** Writes the entries under root (modes as given, directories 0755). */
export function stage(root: string, entries: Entry[]): void {
  for (const entry of entries) {
    const path = join(root, entry.path);
    for (let dir = dirname(path); dir.length > root.length; dir = dirname(dir)) {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o755);
    }
    if (entry.kind === 'link') symlinkSync(entry.target, path);
    else {
      writeFileSync(path, entry.content);
      chmodSync(path, entry.mode);
    }
  }
}

/** A maintainer script of package/scripts/ with the shared functions put in. */
export function maintainerScript(name: string): string {
  // Replacer functions: a replacement string would read the scripts' `$'` as a pattern.
  const functions = readFileSync('package/scripts/functions.sh', 'utf8').replace("'@PLUGINS@'", () => `'${PLUGINS.join(' ')}'`);
  return readFileSync(`package/scripts/${name}`, 'utf8').replace('@FUNCTIONS@\n', () => functions);
}
