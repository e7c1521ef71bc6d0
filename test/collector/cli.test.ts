// The command line: bad values end with one line on stderr and a non-zero status; --help
// documents every option with its default.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSnapshotCommandLine } from '../../collector/snapshot-command.js';
import { requireBuiltCollector, runCollector } from '../support/collector-cli.js';
import { tempDir } from '../support/tmp.js';

beforeAll(() => requireBuiltCollector());

describe('bad values: one line on stderr, exit status 1, nothing written', () => {
  const dir = tempDir('lio-collector-');
  const archive = `${dir}/archive`;
  const root = dir; // any directory will do for the checks before a snapshot
  writeFileSync(`${dir}/file`, 'x');

  const cases: [string, string[], string][] = [
    ['an invalid minute', ['run', '--root', root, '--stats-cron', '61 * * * *'], '--stats-cron "61 * * * *" is not a valid cron expression: bad minute field "61"'],
    ['too few fields', ['run', '--root', root, '--full-cron', '* * * *'], '--full-cron "* * * *" is not a valid cron expression: expected 5 or 6 fields but got 4'],
    ['a word', ['run', '--root', root, '--prune-cron', 'daily'], '--prune-cron "daily" is not a valid cron expression: expected 5 or 6 fields but got 1'],
    ['an invalid second', ['run', '--root', root, '--stats-cron', '60 * * * * *'], '--stats-cron "60 * * * * *" is not a valid cron expression: bad second field "60"'],
    ['a missing root (run)', ['run', '--root', `${dir}/none`, '--archive', archive], `root ${dir}/none: no such directory`],
    ['a missing root (snapshot)', ['snapshot', 'stats', '--root', `${dir}/none`, '--archive', archive], `root ${dir}/none: no such directory`],
    ['a root that is a file', ['snapshot', 'full', '--root', `${dir}/file`, '--archive', archive], `root ${dir}/file: not a directory`],
    ['an archive that is a file', ['snapshot', 'stats', '--root', root, '--archive', `${dir}/file`], `archive ${dir}/file: not a directory`],
    ['a retention of 0', ['prune', '--archive', archive, '--retention-days', '0'], '--retention-days must be a whole number of days, 1 or more (got "0")'],
    ['a negative retention', ['prune', '--archive', archive, '--retention-days=-3'], '--retention-days must be a whole number of days, 1 or more (got "-3")'],
    ['a fractional retention', ['run', '--root', root, '--retention-days', '1.5'], '--retention-days must be a whole number of days, 1 or more (got "1.5")'],
    ['a timeout of 0', ['run', '--root', root, '--timeout', '0'], '--timeout must be a number of seconds, more than 0 and at most 86400 (got "0")'],
    ['a timeout in words', ['run', '--root', root, '--timeout', 'long'], '--timeout must be a number of seconds, more than 0 and at most 86400 (got "long")'],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      expect(runCollector(args)).toEqual({ status: 1, signal: null, stdout: '', stderr: `lio-collector: ${message}\n` });
    });
  }

  it('an unknown kind or option: commander says so in one line', () => {
    expect(runCollector(['snapshot', 'hourly', '--root', root])).toEqual({
      status: 1,
      signal: null,
      stdout: '',
      stderr: "error: command-argument value 'hourly' is invalid for argument 'kind'. Allowed choices are stats, full.\n",
    });
    expect(runCollector(['prune', '--retention', '30'])).toEqual({ status: 1, signal: null, stdout: '', stderr: "error: unknown option '--retention'\n" });
  });

  it('none of them created the archive directory', () => {
    expect(existsSync(archive)).toBe(false);
  });
});

describe('--help', () => {
  const runOptions: [string, string][] = [
    ['--root <dir>', '(default: "/sys/kernel/config/target")'],
    ['--archive <dir>', '(default: "/var/log/lio")'],
    ['--retention-days <days>', '(default: 365)'],
    ['--stats-cron <expr>', '(default: "* * * * *")'],
    ['--full-cron <expr>', '(default: "59 * * * *")'],
    ['--prune-cron <expr>', '(default: "58 23 * * *")'],
    ['--timeout <seconds>', '(default: 50)'],
    ['--drbd-proc <path>', '(default: "/proc/drbd")'],
    ['--no-drbd', ''],
    ['--crm-mon <path>', '(default: "/usr/sbin/crm_mon")'],
    ['--no-crm-mon', ''],
    ['--textfile <dir>', ''],
    ['--metrics-cron <expr>', '(default: "* * * * *")'],
    ['--drbdsetup <path>', '(default: "/usr/sbin/drbdsetup")'],
    ['--verbose', ''],
  ];
  /** The help text of one option: from its flags to the next option. */
  const optionText = (help: string, flags: string) => {
    const start = help.indexOf(`  ${flags} `);
    expect(start, `${flags} in the help`).toBeGreaterThan(-1);
    const rest = help.slice(start + flags.length + 2);
    const end = rest.search(/\n {2,4}-/);
    return rest.slice(0, end === -1 ? undefined : end).replace(/\s+/g, ' ');
  };

  it('run --help: every option with its default', () => {
    const run = runCollector(['run', '--help']);
    expect(run.status).toBe(0);
    for (const [flags, fallback] of runOptions) expect(optionText(run.stdout, flags)).toContain(fallback);
  });

  it('lio-collector --help: every option of every collector command with its default', () => {
    const help = runCollector(['--help']);
    expect(help.status).toBe(0);
    const collectorPart = help.stdout.slice(help.stdout.indexOf('Collector commands and their options:'));
    const sections = Object.fromEntries(
      ['snapshot stats|full', 'prune', 'run', 'metrics'].map((name, i, all) => {
        const start = collectorPart.indexOf(`\n  ${name}\n`);
        const end = i + 1 < all.length ? collectorPart.indexOf(`\n  ${all[i + 1]}\n`) : collectorPart.indexOf('\n\n', start + 1);
        return [name, collectorPart.slice(start, end)];
      }),
    );
    const expected: Record<string, [string, string][]> = {
      'snapshot stats|full': [
        ...runOptions.filter(([flags]) => ['--root', '--archive', '--drbd-proc', '--no-drbd', '--crm-mon', '--no-crm-mon', '--drbdsetup', '--verbose'].includes(flags.split(' ')[0])),
        ['--keep-existing', 'never replace a snapshot of the same minute: write NAME-2.gz (-3 ...) beside it'],
      ],
      prune: runOptions.filter(([flags]) => ['--archive', '--retention-days', '--verbose'].includes(flags.split(' ')[0])),
      run: runOptions,
      metrics: runOptions.filter(([flags]) => ['--root', '--drbd-proc', '--no-drbd', '--drbdsetup', '--textfile', '--verbose'].includes(flags.split(' ')[0])),
    };
    for (const [name, options] of Object.entries(expected)) {
      for (const [flags, fallback] of options) expect(optionText(sections[name], flags)).toContain(fallback);
      expect(sections[name].match(/^ {4}--\S+/gm)).toHaveLength(options.length);
    }
  });
});

describe('the snapshot command line read without commander (the per-minute path)', () => {
  const defaults = { root: '/sys/kernel/config/target', archive: '/var/log/lio', drbdProc: '/proc/drbd', drbd: true, drbdsetup: '/usr/sbin/drbdsetup', crmMon: '/usr/sbin/crm_mon', keepExisting: false, verbose: false };

  it('takes every option of `snapshot`, in any order and either form, the last of a repeated one', () => {
    expect(parseSnapshotCommandLine(['snapshot', 'stats'])).toEqual({ kind: 'stats', options: defaults });
    expect(parseSnapshotCommandLine(['snapshot', '--root=/r', 'full', '--archive', '/a', '--no-drbd', '--verbose', '--drbd-proc', '/d', '--root', '/r2'])).toEqual({
      kind: 'full',
      options: { root: '/r2', archive: '/a', drbdProc: '/d', drbd: false, drbdsetup: '/usr/sbin/drbdsetup', crmMon: '/usr/sbin/crm_mon', keepExisting: false, verbose: true },
    });
    expect(parseSnapshotCommandLine(['snapshot', 'stats', '--drbdsetup', '/s'])).toEqual({ kind: 'stats', options: { ...defaults, drbdsetup: '/s' } });
    expect(parseSnapshotCommandLine(['snapshot', 'stats', '--keep-existing'])).toEqual({ kind: 'stats', options: { ...defaults, keepExisting: true } });
    expect(parseSnapshotCommandLine(['snapshot', 'stats', '--crm-mon', '/c'])).toEqual({ kind: 'stats', options: { ...defaults, crmMon: '/c' } });
    expect(parseSnapshotCommandLine(['snapshot', 'stats', '--no-crm-mon'])).toEqual({ kind: 'stats', options: { ...defaults, crmMon: false } });
    expect(parseSnapshotCommandLine(['snapshot', '--', 'stats'])).toEqual({ kind: 'stats', options: defaults });
  });

  it('leaves everything else to commander: other commands, help, unknown or malformed options, a bad or missing kind', () => {
    for (const args of [
      [],
      ['prune'],
      ['--root', '/r', 'snapshot', 'stats'], // commander takes no option before the command
      ['snapshot'],
      ['snapshot', 'hourly'],
      ['snapshot', 'stats', 'full'],
      ['snapshot', 'stats', '--help'],
      ['snapshot', 'stats', '-h'],
      ['snapshot', 'stats', '--drbd'],
      ['snapshot', 'stats', '--verbose=yes'],
      ['snapshot', 'stats', '--root'],
      ['snapshot', 'stats', '--arch', '/a'],
    ]) {
      expect(parseSnapshotCommandLine(args), args.join(' ')).toBeNull();
    }
  });

  it('the snapshot runs; help and mistakes still read as commander writes them', () => {
    const dir = tempDir('lio-collector-');
    mkdirSync(`${dir}/target/core/iblock_0/disk1/statistics/scsi_lu`, { recursive: true });
    writeFileSync(`${dir}/target/core/iblock_0/disk1/statistics/scsi_lu/read_mbytes`, '42\n');
    const taken = runCollector(['snapshot', 'stats', '--root', `${dir}/target`, '--archive', `${dir}/archive`, '--no-drbd', '--no-crm-mon', '--verbose']);
    expect(taken.status).toBe(0);
    expect(taken.stdout).toMatch(/^lio-collector: snapshot stats: wrote .*\/lio-statistics-\d{12}\.gz \(1 entries, \d+ bytes\) in \d+\.\d\d s\n$/);
    expect(runCollector(['snapshot', '--help']).stdout).toContain('Usage: lio-collector snapshot [options] <kind>');
    expect(runCollector(['snapshot', 'stats', '--drbd'])).toEqual({ status: 1, signal: null, stdout: '', stderr: "error: unknown option '--drbd'\n(Did you mean --no-drbd?)\n" });
  });
});
