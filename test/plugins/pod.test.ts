// The plugins' documentation: the header comment of each built plugin is POD, as in Munin's own
// plugins, so podchecker passes it and pod2text and munindoc render it. podchecker and pod2text
// come with Debian's perl, munindoc with munin-node (perldoc itself needs perl-doc, which
// munin-node only recommends).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIST_PLUGINS, PLUGIN_NAMES } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';

const SECTIONS = ['NAME', 'APPLICABLE SYSTEMS', 'CONFIGURATION', 'INTERPRETATION', 'MAGIC MARKERS', 'BUGS', 'AUTHOR', 'LICENSE'];

function run(command: string, args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * What is wrong with the documentation of the built plugin at path, named name: nothing (an
 * empty list) when the POD is clean, lies wholly in the comment after the #! line, renders with
 * exactly the eight sections in order and a NAME line, and holds the magic markers verbatim.
 */
function podProblems(path: string, name: string): string[] {
  const problems: string[] = [];
  const check = run('podchecker', [path]);
  const said = check.stdout + check.stderr;
  if (check.status !== 0 || /WARNING|ERROR/.test(said) || !said.includes('pod syntax OK')) problems.push(`podchecker (exit ${check.status}): ${said.trim()}`);

  const text = readFileSync(path, 'utf8');
  const header = /^#![^\n]*\n\/\*\n(=head1 NAME\n[\s\S]*?\n=cut\n)\*\/\n/.exec(text);
  if (!header) problems.push('no comment from =head1 NAME to =cut right after the #! line');
  else if (/^=[a-zA-Z]/m.test(text.slice(header[0].length))) problems.push('a POD command after the header comment');
  // munin-node-configure reads the markers line by line from the whole file; the installer wants
  // these exact strings. A verbatim paragraph, as in Munin's own plugins.
  if (!/\n=head1 MAGIC MARKERS\n[\s\S]*\n\n #%# family=auto\n #%# capabilities=autoconf\n\n/.test(header?.[1] ?? '')) {
    problems.push('the MAGIC MARKERS section lacks the verbatim lines " #%# family=auto" and " #%# capabilities=autoconf"');
  }

  const rendered = run('pod2text', [path]);
  if (rendered.status !== 0) problems.push(`pod2text (exit ${rendered.status}): ${rendered.stderr.trim()}`);
  const headings = rendered.stdout.split('\n').filter((line) => /^\S/.test(line));
  if (headings.join('|') !== SECTIONS.join('|')) problems.push(`rendered sections: ${headings.join(', ')}`);
  if (!new RegExp(`^NAME\\n    ${name} - Munin plugin: \\S`).test(rendered.stdout)) problems.push(`no "${name} - Munin plugin: ..." line under NAME`);
  return problems;
}

/**
 * munindoc's output for plugin, with munindoc searching only dir/plugins: it looks plugins up by
 * name in Munin::Common::Defaults' directories and takes no path, so those are set before
 * /usr/bin/munindoc runs. PERLDOC=-T: to stdout, no pager.
 */
function munindoc(dir: string, plugin: string): { status: number | null; stdout: string; stderr: string } {
  const script =
    'my $dir = shift; ' +
    '$Munin::Common::Defaults::MUNIN_LIBDIR = $Munin::Common::Defaults::MUNIN_CONFDIR = $Munin::Common::Defaults::MUNIN_PERLLIB = $dir; ' +
    'do "/usr/bin/munindoc"; die $@ || "munindoc did not exit: $!\\n";';
  return run('perl', ['-MMunin::Common::Defaults', '-e', script, dir, plugin], { PERLDOC: '-T' });
}

describe('the documentation of the built plugins', () => {
  const dir = tempDir();
  // munindoc runs perldoc, which as root drops to user nobody: a world-readable copy.
  beforeAll(() => cpSync(DIST_PLUGINS, `${dir}/plugins`, { recursive: true }));

  for (const plugin of PLUGIN_NAMES) {
    it(`${plugin}: POD that podchecker passes, with the eight sections, NAME line and magic markers`, () => {
      expect(podProblems(`${DIST_PLUGINS}/${plugin}`, plugin)).toEqual([]);
    });

    it(`${plugin}: munindoc renders it as pod2text does`, () => {
      const shown = munindoc(dir, plugin);
      expect(shown.stderr).toBe('');
      expect(shown.status).toBe(0);
      expect(shown.stdout).toMatch(new RegExp(`^NAME\\n    ${plugin} - `));
      expect(shown.stdout).toBe(run('pod2text', [`${DIST_PLUGINS}/${plugin}`]).stdout);
    });
  }

  it('munindoc, pointed this way, fails on a plugin that is not there', () => {
    const shown = munindoc(dir, 'no_such_plugin');
    expect(shown.status).not.toBe(0);
    expect(shown.stderr).toContain('Could not find plugin');
  });
});

describe('the checks themselves', () => {
  const dir = tempDir();
  const built = () => readFileSync(`${DIST_PLUGINS}/lio_read`, 'utf8');
  const broken: Record<string, (text: string) => string> = {
    'no =cut': (t) => t.replace('\n=cut\n', '\n'),
    'no BUGS section': (t) => t.replace(/\n=head1 BUGS\n[\s\S]*?\n(?==head1 )/, '\n'),
    'sections out of order': (t) => t.replace('=head1 AUTHOR', '=head1 X').replace('=head1 LICENSE', '=head1 AUTHOR').replace('=head1 X', '=head1 LICENSE'),
    'an unclosed formatting code': (t) => t.replace('C<san>', 'C<san'),
    'an empty subsection (a podchecker warning, exit 0)': (t) => t.replace('\n=head1 BUGS\n', '\n=head2 Nothing\n\n=head1 BUGS\n'),
    'no blank line before a heading': (t) => t.replace('\n\n=head1 CONFIGURATION', '\n=head1 CONFIGURATION'),
    'a marker with the comment prefix': (t) => t.replace('\n #%# family=auto\n', '\n * #%# family=auto\n'),
    'another NAME line': (t) => t.replace('\nlio_read - Munin plugin:', '\nlio_read: Munin plugin:'),
  };
  beforeAll(() => mkdirSync(`${dir}/broken`));

  it('find nothing wrong in the built file as it is', () => {
    expect(podProblems(`${DIST_PLUGINS}/lio_read`, 'lio_read')).toEqual([]);
  });

  for (const [what, breakIt] of Object.entries(broken)) {
    it(`catch ${what}`, () => {
      const text = breakIt(built());
      expect(text).not.toBe(built());
      const path = `${dir}/broken/lio_read`;
      writeFileSync(path, text);
      expect(podProblems(path, 'lio_read')).not.toEqual([]);
    });
  }
});
