// lio-munin: installs the Munin plugins, their plugin-conf.d settings and the collector from a
// built checkout (`npm run build`), and uninstalls exactly what it installed.
//   sudo node dist/lio-munin install [--all] [--dry-run] ...
//   sudo node dist/lio-munin uninstall [--dry-run]
import { DEFAULT_CRM_MON } from '../lib/cluster/crm-mon.js';
import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { nonEmptyPath, UserError } from '../lib/errors.js';
import { DEFAULT_TARGET_ROOT } from '../lib/kernel/configfs.js';
import { DEFAULT_DRBD_PROC } from '../lib/kernel/drbd.js';
import { PLUGINS } from './munin.js';
import { MANIFEST } from './manifest.js';
import { DEFAULTS, install, uninstall, type Outcome } from './steps.js';

const print = (line: string) => process.stdout.write(line + '\n');

/** The checkout this program was built in: dist/lio-munin -> the directory above dist/. */
function thisCheckout(): string {
  const script = process.argv[1] ? realpathSync(process.argv[1]) : process.cwd();
  return resolve(dirname(script), '..');
}

function requireRoot(destdir: string, dryRun: boolean): void {
  if (destdir || dryRun || process.getuid?.() === 0) return;
  throw new UserError('this writes to /usr, /etc and /var/lib: run it as root (sudo), or stage it with --destdir DIR, or look first with --dry-run');
}

function finish(outcome: Outcome): void {
  for (const problem of outcome.problems) process.stderr.write(`lio-munin: ${problem}\n`);
  if (outcome.problems.length > 0) process.exitCode = 1;
}

/** An option's path, absolute; an empty one is refused (it would be the current directory). */
const absolute = (option: string) => (value: string) => resolve(nonEmptyPath(option, value));

const program = new Command('lio-munin')
  .description('Installs the lio-munin Munin plugins and the lio-collector statistics collector, and uninstalls them.')
  .showHelpAfterError();

program
  .command('install')
  .description(
    `Copy the plugins (${PLUGINS.join(', ')}) to the Munin plugin directory with an absolute #! node path, enable those whose autoconf says yes ` +
      '(as munin-node would run them), write plugin-conf.d/lio-munin, install lio-collector with its systemd unit and cron.d files (snapshots; Prometheus metrics), ' +
      `and record everything in ${MANIFEST}. Running it again changes only what is out of date.`,
  )
  .option('--destdir <dir>', 'stage every path under this directory (packaging, tests)', absolute('--destdir'))
  .option('--prefix <dir>', 'lio-collector goes to PREFIX/bin', (value: string) => nonEmptyPath('--prefix', value), DEFAULTS.prefix)
  .option('--plugin-dir <dir>', 'the Munin plugin library', (value: string) => nonEmptyPath('--plugin-dir', value), DEFAULTS.pluginDir)
  .option('--munin-conf-dir <dir>', 'munin-node configuration: its plugins/ and plugin-conf.d/', (value: string) => nonEmptyPath('--munin-conf-dir', value), DEFAULTS.muninConfDir)
  .option('--node <path>', 'node interpreter to write into each #! line (default: the node running this)', absolute('--node'))
  .option('--all', 'enable all the plugins whatever autoconf says (both nodes of a failover pair)', false)
  .option('--target-root <dir>', `write env.target_root DIR (LIO configfs root; default ${DEFAULT_TARGET_ROOT}, left commented)`, absolute('--target-root'))
  .option('--drbd-proc <file>', `write env.drbd_proc FILE (default ${DEFAULT_DRBD_PROC}, left commented)`, absolute('--drbd-proc'))
  .option('--crm-mon <file>', `write env.crm_mon FILE; Pacemaker counts as present (group haclient for the pacemaker plugin) where it is (default ${DEFAULT_CRM_MON}, left commented)`, absolute('--crm-mon'))
  .option('--from <dir>', 'the built checkout to install from (default: the one this lio-munin belongs to)', absolute('--from'))
  .option('--dry-run', 'print what would be done, change nothing', false)
  .action((opts: { destdir?: string; prefix: string; pluginDir: string; muninConfDir: string; node?: string; all: boolean; targetRoot?: string; drbdProc?: string; crmMon?: string; from?: string; dryRun: boolean }) => {
    requireRoot(opts.destdir ?? '', opts.dryRun);
    finish(
      install(
        {
          destdir: opts.destdir ?? '',
          prefix: opts.prefix,
          pluginDir: opts.pluginDir,
          muninConfDir: opts.muninConfDir,
          node: opts.node ?? process.execPath,
          from: opts.from ?? thisCheckout(),
          all: opts.all,
          dryRun: opts.dryRun,
          targetRoot: opts.targetRoot,
          drbdProc: opts.drbdProc,
          crmMon: opts.crmMon,
        },
        print,
      ),
    );
  });

program
  .command('uninstall')
  .description(
    `Remove what install recorded in ${MANIFEST}: files changed since they were installed are kept, files that were in the way ` +
      'are put back, directories are removed when empty.',
  )
  .option('--destdir <dir>', 'the staging directory given to install', absolute('--destdir'))
  .option('--dry-run', 'print what would be done, change nothing', false)
  .action((opts: { destdir?: string; dryRun: boolean }) => {
    requireRoot(opts.destdir ?? '', opts.dryRun);
    finish(uninstall({ destdir: opts.destdir ?? '', dryRun: opts.dryRun }, print));
  });

try {
  program.parse(process.argv);
} catch (err) {
  // Our own errors and the system's (EACCES, ENOSPC...) both say what and where in one line.
  if (!(err instanceof Error)) throw err;
  process.stderr.write(`lio-munin: ${err.message}\n`);
  process.exitCode = 1;
}
