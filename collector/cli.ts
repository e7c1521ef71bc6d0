// The collector's subcommands: `snapshot stats|full`, `prune`, `run` (the daemon) and `metrics` (Prometheus).
// Bad option values end the program with one line on stderr and a non-zero exit status (the
// error thrown here is printed by main.ts).
import { Argument, Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { runDaemon } from './daemon.js';
import { CANONICAL_ROOT, DEFAULT_ARCHIVE, type SnapshotKind } from '../lib/archive/layout.js';
import { DEFAULT_DRBD_PROC } from '../lib/kernel/drbd.js';
import { nonEmptyPath } from '../lib/errors.js';
import { DEFAULT_CRM_MON } from '../lib/cluster/crm-mon.js';
import {
  checkCron,
  DEFAULT_FULL_CRON,
  DEFAULT_PRUNE_CRON,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_STATS_CRON,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_METRICS_CRON,
  parseRetentionDays,
  parseTimeoutSeconds,
} from './options.js';
import { pruneArchive } from './prune.js';
import { selfCommand } from '../lib/self-command.js';
import { reportInfo, reportProblem } from './log.js';
import { checkRoot } from './directories.js';
import { checkArchive, snapshotCommand, type SnapshotCommandOptions } from './snapshot-command.js';
import { checkTextfileDir, metricsCommand, TEXTFILE_NAME } from './metrics-command.js';
import { DEFAULT_DRBDSETUP } from '../lib/kernel/drbdsetup.js';

type CommonOptions = SnapshotCommandOptions;

interface RunOptions extends CommonOptions {
  retentionDays: string;
  statsCron: string;
  fullCron: string;
  pruneCron: string;
  timeout: string;
  textfile?: string;
  metricsCron: string;
  drbdsetup: string;
}

const rootOption = () => new Option('--root <dir>', 'LIO configfs directory to read').default(CANONICAL_ROOT);
const archiveOption = () => new Option('--archive <dir>', 'archive directory, created 0750 if missing').default(DEFAULT_ARCHIVE);
const retentionOption = () =>
  new Option('--retention-days <days>', "keep the snapshots of this many days before today, and today's").default(
    DEFAULT_RETENTION_DAYS,
    DEFAULT_RETENTION_DAYS,
  );
const drbdOptions = () => [
  new Option('--drbd-proc <path>', 'DRBD status appended to stats snapshots as [/proc/drbd], if the file exists').default(DEFAULT_DRBD_PROC),
  new Option('--no-drbd', 'no DRBD entry in stats snapshots'),
  new Option('--crm-mon <path>', 'Pacemaker cluster state appended to stats snapshots as [crm_mon], if crm_mon exists').default(DEFAULT_CRM_MON),
  new Option('--no-crm-mon', 'no [crm_mon] entry in stats snapshots'),
];
const drbdsetupOption = () => new Option('--drbdsetup <path>', 'DRBD 9: drbdsetup, run as `drbdsetup events2 --now --statistics`').default(DEFAULT_DRBDSETUP);
const verboseOption = (what: string) => new Option('--verbose', `print ${what} (stdout)`);

function pruneCommand(options: { archive: string; retentionDays: string; verbose: boolean }): void {
  const retentionDays = parseRetentionDays(options.retentionDays);
  const archive = checkArchive(options.archive);
  let problems = 0;
  const removed = pruneArchive({ archive, retentionDays }, (message) => {
    problems++;
    reportProblem(message);
  });
  if (options.verbose) {
    reportInfo(
      `prune: older than ${retentionDays} days, removed snapshots: ${removed.files.length}, ` +
        `day directories: ${removed.directories.length}; leftover temporary files: ${removed.tempFiles.length}`,
    );
  }
  if (problems > 0) process.exitCode = 1;
}

async function runCommand(options: RunOptions): Promise<void> {
  const retentionDays = parseRetentionDays(options.retentionDays);
  const timeoutSeconds = parseTimeoutSeconds(options.timeout);
  const statsCron = await checkCron('--stats-cron', options.statsCron);
  const fullCron = await checkCron('--full-cron', options.fullCron);
  const pruneCron = await checkCron('--prune-cron', options.pruneCron);
  await runDaemon({
    root: checkRoot(options.root),
    archive: checkArchive(options.archive),
    retentionDays,
    statsCron,
    fullCron,
    pruneCron,
    timeoutSeconds,
    drbdProc: options.drbd ? resolve(nonEmptyPath('--drbd-proc', options.drbdProc)) : null,
    crmMon: options.crmMon === false ? null : resolve(nonEmptyPath('--crm-mon', options.crmMon)),
    drbdsetup: nonEmptyPath('--drbdsetup', options.drbdsetup),
    textfile: options.textfile === undefined ? null : { dir: checkTextfileDir(options.textfile), cron: await checkCron('--metrics-cron', options.metricsCron) },
    verbose: options.verbose,
    self: selfCommand(),
  });
}

export function registerCollectorCommands(program: Command): void {
  const snapshot = program
    .command('snapshot')
    .description('take one snapshot now: "stats" (the statistics subtrees and /proc/drbd) or "full" (every file of the tree)')
    .addArgument(new Argument('<kind>', 'what to archive').choices(['stats', 'full']))
    .addOption(rootOption())
    .addOption(archiveOption());
  for (const option of drbdOptions()) snapshot.addOption(option);
  snapshot.addOption(drbdsetupOption());
  snapshot.addOption(new Option('--keep-existing', 'never replace a snapshot of the same minute: write NAME-2.gz (-3 ...) beside it'));
  snapshot.addOption(verboseOption('the file written, and each file that read empty with the reason')).action((kind: SnapshotKind, options: CommonOptions) => snapshotCommand(kind, options));

  const prune = program
    .command('prune')
    .description('delete snapshots older than the retention, and day directories left empty; nothing else')
    .addOption(archiveOption())
    .addOption(retentionOption())
    .addOption(verboseOption('how much was removed'))
    .action(pruneCommand);

  const run = program
    .command('run')
    .description('the daemon: takes the snapshots and prunes on schedule until SIGTERM or SIGINT')
    .addOption(rootOption())
    .addOption(archiveOption())
    .addOption(retentionOption())
    .addOption(new Option('--stats-cron <expr>', 'schedule of stats snapshots (cron, 5 fields or 6 with seconds first)').default(DEFAULT_STATS_CRON))
    .addOption(new Option('--full-cron <expr>', 'schedule of full snapshots').default(DEFAULT_FULL_CRON))
    .addOption(new Option('--prune-cron <expr>', 'schedule of pruning').default(DEFAULT_PRUNE_CRON))
    .addOption(
      new Option('--timeout <seconds>', 'kill a snapshot or prune still running after this long (a hung configfs read)').default(
        DEFAULT_TIMEOUT_SECONDS,
        DEFAULT_TIMEOUT_SECONDS,
      ),
    );
  for (const option of drbdOptions()) run.addOption(option);
  run
    .addOption(new Option('--textfile <dir>', `also write the Prometheus metrics to DIR/${TEXTFILE_NAME} on schedule (node_exporter's textfile collector)`))
    .addOption(new Option('--metrics-cron <expr>', 'schedule of the metrics written with --textfile').default(DEFAULT_METRICS_CRON))
    .addOption(drbdsetupOption());
  run.addOption(verboseOption("each job's end, and the jobs' own --verbose lines")).action(runCommand);

  const metrics = program
    .command('metrics')
    .description('print the current LIO, iSCSI and DRBD metrics in the Prometheus text format, or write them for node_exporter')
    .addOption(rootOption());
  metrics
    .addOption(new Option('--drbd-proc <path>', 'DRBD status to read (on DRBD 9 only its version lines: the state comes from drbdsetup)').default(DEFAULT_DRBD_PROC))
    .addOption(new Option('--no-drbd', 'no DRBD metrics'))
    .addOption(drbdsetupOption())
    .addOption(new Option('--textfile <dir>', `write DIR/${TEXTFILE_NAME} atomically instead of printing`))
    .addOption(new Option('--verbose', 'list the values that could not be read (stderr)'))
    .action(metricsCommand);
  // A bad value gets its one-line reason, not the help text after it.
  for (const command of [snapshot, prune, run, metrics]) command.showHelpAfterError(false);

  program.addHelpText('after', () => collectorOptionsHelp([snapshot, prune, run, metrics]));
}

/** The options of each collector command with their defaults, for `lio-collector --help`. */
function collectorOptionsHelp(commands: Command[]): string {
  const lines = ['', 'Collector commands and their options:'];
  for (const command of commands) {
    lines.push(`  ${command.name() === 'snapshot' ? 'snapshot stats|full' : command.name()}`);
    for (const option of command.options) {
      const fallback =
        option.defaultValue === undefined ? '' : ` (default: ${option.defaultValueDescription ?? JSON.stringify(option.defaultValue)})`;
      lines.push(...wrap(`${option.flags.padEnd(24)} ${option.description}${fallback}`, 4, 29));
    }
  }
  lines.push('', 'Archive files: ARCHIVE/YYYYMMDD/lio-statistics-YYYYMMDDHHMM.gz (stats),', '               ARCHIVE/YYYYMMDD/lio-YYYYMMDDHHMM.gz (full).');
  return lines.join('\n');
}

/** text as lines of at most 80 columns: indent before the first, hang before the others. */
function wrap(text: string, indent: number, hang: number): string[] {
  const lines: string[] = [];
  let line = ' '.repeat(indent);
  for (const word of text.split(/(?<=\S) (?=\S)/)) {
    if (line.trim() && line.length + 1 + word.length > 80) {
      lines.push(line);
      line = ' '.repeat(hang) + word.trimStart();
    } else {
      line += line.trim() ? ` ${word}` : word;
    }
  }
  return [...lines, line];
}
