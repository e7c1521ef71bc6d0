// An empty path option (`--root "$UNSET"`) is refused with one line, never taken for the current
// directory (issue 18): the built lio-collector and lio-munin.
import { existsSync, mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lioMunin } from '../installer/setup.js';
import { runCollector } from '../support/collector-cli.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-empty-options-');
const shown = (args: readonly string[]) => args.map((a) => (a === '' ? '""' : a.replaceAll(dir, 'DIR'))).join(' ');
const message = (option: string) => `${option} is empty: give a path (write . for the current directory)`;

describe('empty path options', () => {
  mkdirSync(`${dir}/target`);
  const cases: Array<[string[], string]> = [
    [['snapshot', 'stats', '--root', '', '--archive', `${dir}/archive`, '--no-drbd'], message('--root')],
    [['snapshot', 'full', '--root', `${dir}/target`, '--archive', ''], message('--archive')],
    [['snapshot', 'stats', '--root', `${dir}/target`, '--archive', `${dir}/archive`, '--drbd-proc', ''], `snapshot stats: ${message('--drbd-proc')}`],
    [['prune', '--archive', ''], message('--archive')],
    [['run', '--root', '', '--archive', `${dir}/archive`], message('--root')],
    [['archive', 'list', '--archive', ''], message('--archive')],
    [['archive', 'grep', 'x', '--archive', ''], message('--archive')],
    [['metrics', '--root', `${dir}/target`, '--drbd-proc', ''], message('--drbd-proc')],
    [['metrics', '--root', `${dir}/target`, '--drbdsetup', ''], message('--drbdsetup')],
    [['metrics', '--root', `${dir}/target`, '--textfile', ''], message('--textfile')],
    [['run', '--root', `${dir}/target`, '--archive', `${dir}/archive`, '--textfile', ''], message('--textfile')],
  ];
  for (const [args, expected] of cases) {
    it(`lio-collector ${shown(args)}: one line, exit 1, nothing written`, () => {
      expect(runCollector(args)).toMatchObject({ status: 1, stdout: '', stderr: `lio-collector: ${expected}\n` });
      expect(existsSync(`${dir}/archive`)).toBe(false);
    });
  }

  for (const [args, option] of [
    [['install', '--destdir', ''], '--destdir'],
    [['uninstall', '--destdir', ''], '--destdir'],
    [['install', '--destdir', `${dir}/stage`, '--prefix', ''], '--prefix'],
    [['install', '--destdir', `${dir}/stage`, '--from', ''], '--from'],
  ] as const) {
    it(`lio-munin ${shown(args)}: one line, exit 1, nothing written`, () => {
      expect(lioMunin([...args])).toMatchObject({ status: 1, stdout: '', stderr: `lio-munin: ${message(option)}\n` });
      expect(existsSync(`${dir}/stage`)).toBe(false);
    });
  }
});
