// `lio-collector metrics`: the current metrics in the Prometheus text format, on stdout or, with
// --textfile DIR, into DIR/lio-munin.prom for node_exporter's textfile collector. The file is
// written under a hidden temporary name and renamed: node_exporter reads only `*.prom` files, so
// it never sees a half-written one.
// Like a stats snapshot, this runs every minute (from cron): its usual command line is read here,
// by node:util's parseArgs, without loading commander and the rest of the command line; anything
// else goes to the full command line (program.ts), whose messages and checks stay commander's.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CANONICAL_ROOT } from '../lib/archive/layout.js';
import { DEFAULT_DRBD_PROC } from '../lib/kernel/drbd.js';
import { writeFileAtomic } from '../lib/atomic-file.js';
import { describeError, nonEmptyPath, UserError } from '../lib/errors.js';
import { DEFAULT_DRBDSETUP, DEFAULT_DRBDSETUP_TIMEOUT_S } from '../lib/kernel/drbdsetup.js';
import { formatText } from '../lib/prometheus/exposition.js';
import { reportInfo, reportProblem, writeOutput } from './log.js';
import { collectMetrics } from './metrics.js';
import { checkRoot, isDirectoryAt } from './directories.js';

export const TEXTFILE_NAME = 'lio-munin.prom';

export interface MetricsCommandOptions {
  root: string;
  drbdProc: string;
  drbd: boolean;
  drbdsetup: string;
  textfile?: string;
  verbose?: boolean;
}

/** The --textfile directory, resolved, or an error saying why it cannot be written to. */
export function checkTextfileDir(textfile: string): string {
  const dir = resolve(nonEmptyPath('--textfile', textfile));
  if (!isDirectoryAt('--textfile', dir)) throw new UserError(`--textfile ${dir}: no such directory`);
  return dir;
}

export function metricsCommand(options: MetricsCommandOptions): void {
  const root = checkRoot(options.root);
  // Empty paths are refused as `snapshot` and `run` refuse them, not taken as the defaults.
  const drbd = options.drbd ? { proc: nonEmptyPath('--drbd-proc', options.drbdProc), drbdsetup: nonEmptyPath('--drbdsetup', options.drbdsetup), timeoutS: DEFAULT_DRBDSETUP_TIMEOUT_S } : null;
  const { families, problems } = collectMetrics({ root: root === '/' ? '' : root, drbd });
  const text = formatText(families);
  if (options.verbose) for (const problem of problems) reportProblem(`not read: ${problem}`);
  if (options.textfile === undefined) {
    writeOutput(text);
    return;
  }
  const path = join(checkTextfileDir(options.textfile), TEXTFILE_NAME);
  try {
    writeFileAtomic(path, text, 0o644);
  } catch (err) {
    throw new UserError(`${path} not written: ${describeError(err)}`);
  }
  if (options.verbose) reportInfo(`${path}: ${families.reduce((n, f) => n + f.samples.length, 0)} samples`);
}

/** A metrics command line (the arguments after the program's name) with its options, or null for anything else. */
export function parseMetricsCommandLine(args: readonly string[]): MetricsCommandOptions | null {
  if (args[0] !== 'metrics') return null;
  let parsed;
  try {
    parsed = parseArgs({
      args: args.slice(1),
      strict: true,
      allowPositionals: false,
      options: {
        root: { type: 'string' },
        'drbd-proc': { type: 'string' },
        'no-drbd': { type: 'boolean' },
        drbdsetup: { type: 'string' },
        textfile: { type: 'string' },
        verbose: { type: 'boolean' },
      },
    });
  } catch {
    return null;
  }
  const { values } = parsed;
  return {
    root: values.root ?? CANONICAL_ROOT,
    drbdProc: values['drbd-proc'] ?? DEFAULT_DRBD_PROC,
    drbd: !values['no-drbd'],
    drbdsetup: values.drbdsetup ?? DEFAULT_DRBDSETUP,
    ...(values.textfile === undefined ? {} : { textfile: values.textfile }),
    ...(values.verbose ? { verbose: true } : {}),
  };
}
