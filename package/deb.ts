// lio-munin_<version>_amd64.deb, made with dpkg-deb from the payload, with maintainer scripts
// and documentation as Debian policy asks (compressed changelog, copyright, md5sums).
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DOC_DIR, EXECUTABLE, NODE_LICENSES, type Entry } from './payload.js';
import { DESCRIPTION, MAINTAINER, maintainerScript, stage, SUMMARY, type Compression, type PackageInfo } from './stage.js';

const LINTIAN_OVERRIDES = '/usr/share/lintian/overrides/lio-munin';

function shlibsDepends(executable: string): string {
  // dpkg-shlibdeps wants a debian/control to read; the package needs nothing else from it.
  const dir = mkdtempSync(join(tmpdir(), 'lio-munin-shlibs-'));
  try {
    mkdirSync(join(dir, 'debian'));
    writeFileSync(join(dir, 'debian/control'), 'Source: lio-munin\n\nPackage: lio-munin\nArchitecture: amd64\n');
    const result = spawnSync('dpkg-shlibdeps', ['-O', `-e${executable}`], { cwd: dir, encoding: 'utf8' });
    const depends = /^shlibs:Depends=(.*)$/m.exec(result.stdout)?.[1];
    if (result.status !== 0 || !depends) throw new Error(`dpkg-shlibdeps failed: ${result.stderr}`);
    return depends;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const debianDate = (date: Date) => spawnSync('date', ['-R', '-u', '-d', `@${Math.floor(date.getTime() / 1000)}`], { encoding: 'utf8' }).stdout.trim();

export async function buildDeb(entries: Entry[], info: PackageInfo, outDir: string, compression: Compression): Promise<string> {
  const root = join(outDir, 'deb-root');
  rmSync(root, { recursive: true, force: true });
  const gz = (text: string | Buffer) => gzipSync(text, { level: 9 });
  const changelog = `lio-munin (${info.version}) unstable; urgency=medium\n\n  * lio-munin ${info.version}: README.md (/usr/share/doc/lio-munin/README.md.gz).\n\n -- ${MAINTAINER}  ${debianDate(info.date)}\n`;
  const docs: Entry[] = [
    { kind: 'file', path: `${DOC_DIR}/copyright`, mode: 0o644, content: info.copyright },
    // A native package (no Debian revision): changelog.gz, not changelog.Debian.gz.
    { kind: 'file', path: `${DOC_DIR}/changelog.gz`, mode: 0o644, content: gz(changelog) },
    { kind: 'file', path: `${DOC_DIR}/README.md.gz`, mode: 0o644, content: gz(info.readme) },
    { kind: 'file', path: NODE_LICENSES, mode: 0o644, content: gz(info.nodeLicenses) },
    { kind: 'file', path: LINTIAN_OVERRIDES, mode: 0o644, content: readFileSync('package/lintian-overrides') },
  ];
  const all = [...entries, ...docs];
  stage(root, all);

  const files = all.filter((e): e is Extract<Entry, { kind: 'file' }> => e.kind === 'file');
  const installedKiB = Math.ceil(files.reduce((sum, f) => sum + f.content.length, 0) / 1024);
  const control = [
    'Package: lio-munin',
    `Version: ${info.version}`,
    'Architecture: amd64',
    `Maintainer: ${MAINTAINER}`,
    `Installed-Size: ${installedKiB}`,
    `Depends: ${shlibsDepends(resolve(root, EXECUTABLE.slice(1)))}`,
    'Recommends: munin-node',
    'Suggests: drbd-utils',
    'Section: admin',
    'Priority: optional',
    `Description: ${SUMMARY}`,
    ...DESCRIPTION.map((line) => (line === '' ? ' .' : ` ${line}`)),
    '',
  ].join('\n');
  const debian = join(root, 'DEBIAN');
  mkdirSync(debian, { mode: 0o755 });
  writeFileSync(join(debian, 'control'), control);
  writeFileSync(join(debian, 'conffiles'), files.filter((f) => f.conffile).map((f) => f.path + '\n').join(''));
  writeFileSync(
    join(debian, 'md5sums'),
    files
      .filter((f) => !f.conffile)
      .map((f) => `${createHash('md5').update(f.content).digest('hex')}  ${f.path.slice(1)}\n`)
      .join(''),
  );
  for (const name of ['postinst', 'prerm', 'postrm']) {
    writeFileSync(join(debian, name), maintainerScript(`${name}.deb`));
    chmodSync(join(debian, name), 0o755);
  }
  for (const name of ['control', 'conffiles', 'md5sums']) chmodSync(join(debian, name), 0o644);

  const deb = join(outDir, `lio-munin_${info.version}_amd64.deb`);
  await promisify(execFile)('dpkg-deb', ['--root-owner-group', ...(compression === 'xz' ? ['-Zxz'] : ['-Zgzip', '-z1']), '--build', root, deb]);
  return deb;
}
