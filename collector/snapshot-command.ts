// `lio-collector snapshot stats|full`: checks the root and archive, takes the snapshot, reports.
// The stats snapshot is started every minute, so its usual command line is also read here, by
// node:util's parseArgs, without loading commander and the rest of the command line (a
// measurable part of a snapshot: bench/README.md). Whatever this reader does not take exactly
// (help, a mistake, anything unusual) goes to the full command line (program.ts), so that every
// message and check stays commander's.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError, nonEmptyPath, UserError } from '../lib/errors.js';
import { CANONICAL_ROOT, DEFAULT_ARCHIVE, type SnapshotKind } from '../lib/archive/layout.js';
import { DEFAULT_CRM_MON } from '../lib/cluster/crm-mon.js';
import { DEFAULT_DRBD_PROC } from '../lib/kernel/drbd.js';
import { DEFAULT_DRBDSETUP } from '../lib/kernel/drbdsetup.js';
import { reportInfo, reportProblem } from './log.js';
import { checkRoot, isDirectoryAt } from './directories.js';
import { takeSnapshot } from './snapshot.js';

export interface SnapshotCommandOptions {
  root: string;
  archive: string;
  drbdProc: string;
  drbd: boolean;
  /** DRBD 9: the drbdsetup run for the events2 entry. */
  drbdsetup: string;
  /** crm_mon for the [crm_mon] entry; false: none. */
  crmMon: string | false;
  /** Write beside an existing snapshot of the same name, never over it. */
  keepExisting?: boolean;
  verbose: boolean;
}

/** The archive directory, resolved; an error if something other than a directory is there. */
export function checkArchive(archive: string): string {
  const path = resolve(nonEmptyPath('--archive', archive));
  isDirectoryAt('archive', path); // when missing, the first snapshot creates it
  return path;
}

export async function snapshotCommand(kind: SnapshotKind, options: SnapshotCommandOptions): Promise<void> {
  const name = `snapshot ${kind}`;
  const root = checkRoot(options.root);
  const archive = checkArchive(options.archive);
  const started = Date.now();
  let result;
  try {
    result = await takeSnapshot(
      { root, archive, kind, drbdProc: options.drbd ? nonEmptyPath('--drbd-proc', options.drbdProc) : null, drbdsetup: nonEmptyPath('--drbdsetup', options.drbdsetup), crmMon: options.crmMon === false ? null : nonEmptyPath('--crm-mon', options.crmMon), keepExisting: options.keepExisting },
      {
        unreadable: options.verbose ? (path, err) => reportInfo(`${name}: ${path}: empty entry, ${describeError(err)}`) : undefined,
        problem: (message) => reportProblem(`${name}: ${message}`),
      },
    );
  } catch (err) {
    throw new UserError(`${name}: ${describeError(err)}`);
  }
  if (options.verbose) {
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    reportInfo(`${name}: wrote ${result.path} (${result.entries} entries, ${result.bytes} bytes) in ${seconds} s`);
  }
}

/**
 * A snapshot command line (the arguments after the program's name) with its options, or null
 * for anything else: another command, help, an unknown or malformed option, a bad kind.
 */
export function parseSnapshotCommandLine(args: readonly string[]): { kind: SnapshotKind; options: SnapshotCommandOptions } | null {
  // Commander takes no option before the command, so neither does this.
  if (args[0] !== 'snapshot') return null;
  let parsed;
  try {
    parsed = parseArgs({
      args: args.slice(1),
      strict: true,
      allowPositionals: true,
      options: {
        root: { type: 'string' },
        archive: { type: 'string' },
        'drbd-proc': { type: 'string' },
        'no-drbd': { type: 'boolean' },
        drbdsetup: { type: 'string' },
        'crm-mon': { type: 'string' },
        'no-crm-mon': { type: 'boolean' },
        'keep-existing': { type: 'boolean' },
        verbose: { type: 'boolean' },
      },
    });
  } catch {
    return null;
  }
  const { positionals, values } = parsed;
  if (positionals.length !== 1 || (positionals[0] !== 'stats' && positionals[0] !== 'full')) return null;
  return {
    kind: positionals[0],
    options: {
      root: values.root ?? CANONICAL_ROOT,
      archive: values.archive ?? DEFAULT_ARCHIVE,
      drbdProc: values['drbd-proc'] ?? DEFAULT_DRBD_PROC,
      drbd: !values['no-drbd'],
      drbdsetup: values.drbdsetup ?? DEFAULT_DRBDSETUP,
      crmMon: values['no-crm-mon'] ? false : (values['crm-mon'] ?? DEFAULT_CRM_MON),
      keepExisting: values['keep-existing'] ?? false,
      verbose: values.verbose ?? false,
    },
  };
}
