// npm run package: the packages' single executable, lio-munin_<version>_amd64.deb and
// lio-munin-<version>-1.x86_64.rpm, in dist/package/. Nothing is rebuilt while the sources it is
// made of are unchanged (dist/package/inputs.sha256): tests and bench call it freely.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDeb } from './deb.js';
import { buildExecutable, NODE_LICENSE, NODE_PACKAGE } from './executable.js';
import { NODE_LICENSES, payload } from './payload.js';
import { buildRpm, RPM_RELEASE } from './rpm.js';
import type { Compression, PackageInfo } from './stage.js';

export const OUT = 'dist/package';
/**
 * LIO_MUNIN_PACKAGE_COMPRESSION=fast: gzip -1 instead of xz -6, for trying changes to the
 * packages on a busy machine (xz takes minutes there); the packages are then about 40 MiB.
 */
const COMPRESSION: Compression = process.env.LIO_MUNIN_PACKAGE_COMPRESSION === 'fast' ? 'fast' : 'xz';
const INPUTS = ['lib', 'plugins', 'collector', 'installer', 'package', 'systemd', 'cron', 'README.md', 'package.json', 'package-lock.json', 'LICENSE'];

function inputsHash(): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) add(join(path, name));
    else hash.update(`${path}\0`).update(readFileSync(path)).update('\0');
  };
  for (const input of INPUTS) add(input);
  hash.update(`compression ${COMPRESSION}`);
  return hash.digest('hex');
}

/** Our license, and Node.js's own: the first part of its LICENSE file, up to the libraries'. */
function licenses(): Pick<PackageInfo, 'copyright' | 'nodeLicenses'> {
  const node = readFileSync(NODE_LICENSE, 'utf8');
  const end = node.indexOf('The Node.js license applies to all parts of Node.js that are not externally');
  if (end < 0) throw new Error(`${NODE_LICENSE}: not the layout expected (Node.js's license, then its libraries')`);
  const copyright =
    'lio-munin: Munin plugins and statistics collector for LIO iSCSI targets and DRBD.\n' +
    'Copyright (C) 2026 the lio-munin authors.\n' +
    'License: GPL-2.0-or-later; on Debian systems, the full text of the GNU General Public\n' +
    'License version 2 can be found in /usr/share/common-licenses/GPL-2.\n\n' +
    `/usr/lib/lio-munin/lio-munin contains Node.js ${NODE_PACKAGE.version} (the npm package ${NODE_PACKAGE.name})\n` +
    'and the npm packages commander, node-cron and picomatch (MIT license). The licenses of the\n' +
    `libraries Node.js is built with are in ${NODE_LICENSES}. Node.js's license:\n\n` +
    node.slice(0, end);
  return { copyright: Buffer.from(copyright), nodeLicenses: Buffer.from(node) };
}

/** `--executable`: only the executable (bench, development), without the packages. */
async function main(executableOnly: boolean): Promise<void> {
  const version = JSON.parse(readFileSync('package.json', 'utf8')).version as string;
  const hash = inputsHash();
  const executable = join(OUT, 'sea', 'lio-munin');
  const upToDate = (stamp: string, outputs: string[]) => existsSync(stamp) && readFileSync(stamp, 'utf8') === hash && outputs.every((f) => existsSync(f));
  const seaStamp = join(OUT, 'sea', 'inputs.sha256');
  if (!upToDate(seaStamp, [executable])) {
    await buildExecutable(join(OUT, 'sea'));
    writeFileSync(seaStamp, hash);
  }
  const built = [executable];
  if (!executableOnly) {
    const stamp = join(OUT, 'inputs.sha256');
    const deb = join(OUT, `lio-munin_${version}_amd64.deb`);
    const rpm = join(OUT, `lio-munin-${version}-${RPM_RELEASE}.x86_64.rpm`);
    if (!upToDate(stamp, [deb, rpm])) {
      const info: PackageInfo = { version, date: new Date(), readme: readFileSync('README.md'), ...licenses() };
      const content = readFileSync(executable);
      // Compressing each takes minutes: both at once.
      await Promise.all([buildDeb(payload(content, 'deb'), info, OUT, COMPRESSION), buildRpm(payload(content, 'rpm'), info, OUT, COMPRESSION)]);
      writeFileSync(stamp, hash);
    }
    built.push(deb, rpm);
  }
  for (const file of built) console.log(`${file}: ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`);
}

main(process.argv.includes('--executable')).catch((err: unknown) => {
  console.error(`npm run package: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
