// `lio-collector archive list|show|grep|series|diff|plot|export`: reading the snapshot archive after an
// incident. Every command takes --archive and a --from/--to window and opens only the files in it.
import { Command, Option } from 'commander';
import { DEFAULT_ARCHIVE } from '../../lib/archive/layout.js';
import { Archive } from './catalog.js';
import type { Context } from './context.js';
import { runDiff } from './diff.js';
import { runExport } from './export.js';
import { nonEmptyPath, UserError } from '../../lib/errors.js';
import { runGrep } from './grep.js';
import { runList } from './list.js';
import { Output, type OutStream } from './output.js';
import { runPlot } from './plot.js';
import { Reporter, type ErrStream } from './report.js';
import { runSeries } from './series.js';
import { runShow } from './show.js';
import { parseWindow, RELATIVE, startOfMinute, TIME_FORMATS } from './time.js';

export interface ArchiveIo {
  stdout: OutStream;
  stderr: ErrStream;
  now: () => Date;
  /** Called with a command's non-zero exit status (grep without a match). */
  setExitCode: (code: number) => void;
}

const processIo: ArchiveIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  now: () => new Date(),
  setExitCode: (code) => (process.exitCode = code),
};

/** The window grep, series and plot read when --from is not given: the hour up to --to. */
const DEFAULT_SPAN_MS = 60 * 60_000;

interface CommonOptions {
  archive: string;
  from?: string;
  to?: string;
}

function withWindow(command: Command, lastHour: boolean): Command {
  return command
    .option('--archive <dir>', 'archive directory', DEFAULT_ARCHIVE)
    .option('--from <time>', `start of the window, included (default: ${lastHour ? '1 hour before --to' : 'the oldest snapshot'})`)
    .option('--to <time>', `end of the window, included (default: ${lastHour ? 'now' : 'the newest snapshot'})`);
}

/**
 * `show 2026-11-20 10:42` without quotes arrives as two arguments: a date followed by a clock
 * time is joined back into one time.
 */
export function joinTimeArguments(args: string[]): string[] {
  // show and diff let unknown options through, so that a relative time (-2h) is taken as a TIME
  // without `--`; any other word with a leading dash is still refused as an option.
  const unknown = args.find((arg) => arg.startsWith('-') && !RELATIVE.test(arg.trim()));
  if (unknown !== undefined) throw new UserError(`unknown option '${unknown}'`);
  const times: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(args[i]) && /^\d{1,2}:\d{2}$/.test(args[i + 1] ?? '')) {
      times.push(`${args[i]} ${args[i + 1].padStart(5, '0')}`);
      i++;
    } else times.push(args[i]);
  }
  return times;
}

/** Registers `archive list|show|grep|series|diff|plot`. */
export function registerArchiveCommands(program: Command, io: ArchiveIo = processIo): void {
  const archive = program
    .command('archive')
    .description('read the snapshot archive: list, show, grep, series, diff, plot, export')
    .addHelpText('after', `\nTimes (--from, --to, TIME): ${TIME_FORMATS}.`);

  /** Runs a command with its context; sets the exit code it returns. */
  const run =
    <A extends unknown[]>(hourByDefault: boolean, body: (ctx: Context, options: Record<string, unknown>, ...args: A) => Promise<number>) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const options = command.opts<CommonOptions & Record<string, unknown>>();
      const now = io.now();
      const window = parseWindow(options.from, options.to, now);
      if (hourByDefault) {
        window.to ??= startOfMinute(now);
        window.from ??= new Date(window.to.getTime() - DEFAULT_SPAN_MS);
      }
      const report = new Reporter(io.stderr);
      const out = new Output(io.stdout);
      const ctx: Context = { archive: new Archive(nonEmptyPath('--archive', options.archive), (m) => report.warn(m)), window, now, out, report };
      const code = await body(ctx, options, ...(args.slice(0, -2) as A));
      out.flush();
      await new Promise(setImmediate); // a failed write is reported on a later tick
      if (out.failure) throw new UserError(`cannot write the output: ${out.failure.code ?? out.failure.message}`);
      if (code !== 0) io.setExitCode(code);
    };

  withWindow(archive.command('list'), false)
    .description('snapshots per day: count, first and last time, size, and every gap (missing minutes)')
    .option('--verify', 'decompress every file to find corrupt ones (default: names and sizes only)')
    .option('--stats', 'only the minute statistics snapshots')
    .option('--full', 'only the hourly full snapshots')
    .action(
      run<[]>(false, (ctx, o) =>
        runList(ctx, { verify: Boolean(o.verify), kinds: o.stats && !o.full ? ['stats'] : o.full && !o.stats ? ['full'] : undefined }),
      ),
    );

  withWindow(archive.command('show'), false)
    .description('print the snapshot nearest to TIME (stats, or full with --full), decompressed')
    .argument('<time...>', 'the time wanted, e.g. "2026-11-20 10:42" or -2h')
    .allowUnknownOption()
    .option('--full', 'the nearest hourly full snapshot instead')
    .action(
      run<[string[]]>(false, (ctx, o, words) => {
        const times = joinTimeArguments(words);
        if (times.length !== 1) throw new UserError(`show takes one TIME, got ${times.length}: ${times.join(', ')}`);
        return runShow(ctx, times[0], { full: Boolean(o.full) });
      }),
    );

  withWindow(archive.command('grep'), true)
    .description('matching entries of every snapshot in the window, as "TIME  PATH  VALUE" lines (exit 1 when none)')
    .argument('[pattern]', 'glob on paths: * within a path segment, ** across, ?, [abc], {a,b}; without a leading / it matches the end of paths')
    .option('--value <regex>', 'only value lines matching this regular expression')
    .option('--full', 'search the hourly full snapshots instead of the statistics')
    .action(run<[string | undefined]>(true, (ctx, o, pattern) => runGrep(ctx, pattern, { value: o.value as string | undefined, full: Boolean(o.full) })));

  withWindow(archive.command('series'), true)
    .description('each matching counter per snapshot: value, delta, rate (MiB/s for *_mbytes, per second otherwise), resets, wraps, gaps')
    .argument('<pathglob>', 'glob on paths, e.g. "lun_0/statistics/scsi_tgt_port/write_mbytes"')
    .addOption(new Option('--csv', 'CSV rows in time order').conflicts('json'))
    .option('--json', 'a JSON document with rows in time order')
    .option('--full', 'read the hourly full snapshots instead of the statistics')
    .action(
      run<[string]>(true, (ctx, o, pattern) => runSeries(ctx, pattern, { format: o.csv ? 'csv' : o.json ? 'json' : 'table', full: Boolean(o.full) })),
    );

  withWindow(archive.command('diff'), false)
    .description('entries added, removed and changed between the snapshots nearest to TIME1 and TIME2 (full snapshots by default)')
    .argument('<times...>', 'TIME1 TIME2, e.g. "2026-11-20 09:59" "2026-11-20 10:59", or -2h now')
    .allowUnknownOption()
    .option('--stats', 'compare the minute statistics snapshots instead')
    .option('--counters', 'also list changed values under statistics directories (counted only, by default)')
    .option('--brief', 'one line per added or removed directory (ACL, LUN, backstore) instead of one per entry')
    .action(
      run<[string[]]>(false, (ctx, o, words) => {
        const times = joinTimeArguments(words);
        if (times.length !== 2) throw new UserError(`diff takes two times, TIME1 and TIME2; got ${times.length}: ${times.join(', ')}`);
        return runDiff(ctx, times[0], times[1], { stats: Boolean(o.stats), counters: Boolean(o.counters), brief: Boolean(o.brief) });
      }),
    );

  withWindow(archive.command('plot'), true)
    .description('the rates of the matching counters as a self-contained SVG line chart')
    .argument('<pathglob>', 'glob on paths, as for series')
    .requiredOption('--out <file>', 'the SVG file to write')
    .option('--full', 'read the hourly full snapshots instead of the statistics')
    .action(run<[string]>(true, (ctx, o, pattern) => runPlot(ctx, pattern, { out: o.out as string, full: Boolean(o.full) })));

  withWindow(archive.command('export'), true)
    .description('the stats snapshots as OpenMetrics with timestamps (the metrics of `lio-collector metrics`), for promtool tsdb create-blocks-from openmetrics')
    .argument('[pathglob]', 'only the archived entries whose path matches, as for grep (default: all)')
    .action(run<[string | undefined]>(true, (ctx, _o, pattern) => runExport(ctx, pattern)));
}
