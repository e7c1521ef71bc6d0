// lio-munin-<version>-1.x86_64.rpm, made with rpmbuild (Debian's rpm package) from the same
// payload: %config(noreplace) for the configuration files, scriptlets doing what the .deb's
// maintainer scripts do.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DOC_DIR, EXECUTABLE, NODE_LICENSES, type Entry } from './payload.js';
import { DESCRIPTION, maintainerScript, stage, SUMMARY, type Compression, type PackageInfo } from './stage.js';

export const RPM_RELEASE = '1';

export async function buildRpm(entries: Entry[], info: PackageInfo, outDir: string, compression: Compression): Promise<string> {
  const top = resolve(outDir, 'rpmbuild');
  const root = join(top, 'stage');
  rmSync(top, { recursive: true, force: true });
  const docs: Entry[] = [
    { kind: 'file', path: `${DOC_DIR}/README.md`, mode: 0o644, content: info.readme },
    { kind: 'file', path: `${DOC_DIR}/copyright`, mode: 0o644, content: info.copyright },
    { kind: 'file', path: NODE_LICENSES, mode: 0o644, content: gzipSync(info.nodeLicenses, { level: 9 }) },
  ];
  const all = [...entries, ...docs];
  stage(root, all);
  const files = all.map((e) => {
    if (e.kind === 'link') return e.path;
    if (e.conffile) return `%config(noreplace) ${e.path}`;
    if (e.path.startsWith(DOC_DIR)) return `%doc ${e.path}`;
    return `%attr(${(e.mode & 0o7777).toString(8)},root,root) ${e.path}`;
  });
  const spec = [
    'Name: lio-munin',
    `Version: ${info.version}`,
    `Release: ${RPM_RELEASE}`,
    `Summary: ${SUMMARY}`,
    'License: GPL-2.0-or-later',
    'Recommends: munin-node',
    // The executable is stripped already; rpmbuild's own stripping would lose the injected application.
    '%global debug_package %{nil}',
    '%global __os_install_post %{nil}',
    '%global _build_id_links none',
    `%global _binary_payload ${compression === 'xz' ? 'w6.xzdio' : 'w1.gzdio'}`,
    '',
    '%description',
    ...DESCRIPTION.map((line) => line.replace(/%/g, '%%')),
    '',
    '%install',
    `cp -a ${root}/. %{buildroot}/`,
    '',
    '%files',
    `%dir ${dirname(EXECUTABLE)}`,
    `%dir ${DOC_DIR}`,
    ...files,
    '',
    '%post -p /bin/sh',
    maintainerScript('post.rpm'),
    '%preun -p /bin/sh',
    maintainerScript('preun.rpm'),
    '%postun -p /bin/sh',
    maintainerScript('postun.rpm'),
  ].join('\n');
  const specFile = join(top, 'lio-munin.spec');
  mkdirSync(top, { recursive: true });
  writeFileSync(specFile, spec);
  await promisify(execFile)(
    'rpmbuild',
    ['-bb', '--target', 'x86_64', '--define', `_topdir ${top}`, '--define', `_rpmdir ${resolve(outDir)}`, '--define', '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm', specFile],
    { maxBuffer: 16 * 2 ** 20 },
  );
  return join(outDir, `lio-munin-${info.version}-${RPM_RELEASE}.x86_64.rpm`);
}
