// The daemon: node-cron starts each scheduled job as a child process of this same program
// (`lio-collector snapshot stats ...`). A hung configfs read blocks the thread that makes it and
// cannot be cancelled from inside the process; in a child it only costs that child, which is
// killed after the timeout while the daemon goes on serving the other schedules. A job is never
// started again while its previous child still runs: the original's minute snapshots piled up
// behind a hung read.
import { spawn, type ChildProcess } from 'node:child_process';
import type { ScheduledTask } from 'node-cron';
import { minuteStamp } from '../lib/archive/layout.js';
import { formatMinute } from './archive/time.js';
import { loadNodeCron } from './node-cron.js';
import { reportInfo, reportProblem } from './log.js';
import { startTicker, type ClockStep } from './ticker.js';

export interface DaemonOptions {
  root: string;
  archive: string;
  retentionDays: number;
  statsCron: string;
  fullCron: string;
  pruneCron: string;
  timeoutSeconds: number;
  /** null: no DRBD entry. */
  drbdProc: string | null;
  /** DRBD 9: the drbdsetup that stats snapshots and metrics run. */
  drbdsetup: string;
  /** null: no [crm_mon] entry. */
  crmMon?: string | null;
  /** Prometheus metrics written to dir on schedule (`metrics --textfile`); null: none. */
  textfile?: { dir: string; cron: string } | null;
  verbose: boolean;
  /** The command that starts this program: [node, script]. */
  self: string[];
}

interface Job {
  /** As in the log: "snapshot stats". */
  name: string;
  cron: string;
  args: string[];
  /** Whether the job writes a snapshot named after its minute. */
  snapshot: boolean;
  /** node-cron's matcher of cron (local time); the task itself is never started. */
  task: ScheduledTask;
  /** The last second it was due and started (ms since the epoch), or null. */
  lastDue: number | null;
  /** The newest minute (YYYYMMDDHHMM, local) it was started for: an older one comes again after the clock went back. */
  newestMinute: string;
  child: ChildProcess | null;
  startedAt: Date | null;
  /** Kills the child at the timeout. */
  timer: NodeJS.Timeout | null;
}

const clock = (time: Date) => time.toTimeString().slice(0, 8);
/** A backward step shorter than this (an NTP correction) repeats no run; a longer one repeats the minutes it goes back over. */
const MINUTE_MS = 60_000;

/** The log line of a clock step. */
export function describeStep(step: ClockStep): string {
  const seconds = Math.round(Math.abs(step.actual - step.expected) / 1000);
  const way = step.actual > step.expected ? 'forward' : 'back';
  const stamp = (ms: number) => `${formatMinute(new Date(ms))}:${clock(new Date(ms)).slice(6)}`;
  const after = way === 'forward' ? 'the runs due in between are skipped' : seconds * 1000 < MINUTE_MS ? 'no run is repeated' : 'the minutes gone back over are snapshotted again, beside the earlier files';
  return `clock stepped ${way} by ${seconds} s (from ${stamp(step.expected)} to ${stamp(step.actual)}): schedules follow the new time, ${after}`;
}

/** Runs until SIGTERM or SIGINT, then waits (bounded) for the jobs in progress. */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const cron = await loadNodeCron();
  const info = options.verbose ? reportInfo : () => {};
  const verbose = options.verbose ? ['--verbose'] : [];
  const where = ['--root', options.root, '--archive', options.archive];
  const drbd = options.drbdProc === null ? ['--no-drbd'] : ['--drbd-proc', options.drbdProc, '--drbdsetup', options.drbdsetup];
  const crm = options.crmMon === undefined ? [] : options.crmMon === null ? ['--no-crm-mon'] : ['--crm-mon', options.crmMon];
  const specs: Array<Pick<Job, 'name' | 'cron' | 'args'>> = [
    { name: 'snapshot stats', cron: options.statsCron, args: ['snapshot', 'stats', ...where, ...drbd, ...crm, ...verbose] },
    { name: 'snapshot full', cron: options.fullCron, args: ['snapshot', 'full', ...where, ...verbose] },
    {
      name: 'prune',
      cron: options.pruneCron,
      args: ['prune', '--archive', options.archive, '--retention-days', String(options.retentionDays), ...verbose],
    },
  ];
  if (options.textfile) {
    const { dir, cron: metricsCron } = options.textfile;
    const args = ['metrics', '--root', options.root, ...drbd, '--textfile', dir];
    specs.push({ name: 'metrics', cron: metricsCron, args });
  }
  const jobs: Job[] = specs.map((job) => ({
    ...job,
    snapshot: job.args[0] === 'snapshot',
    task: cron.createTask(job.cron, () => {}, { name: job.name }),
    lastDue: null,
    newestMinute: '',
    child: null,
    startedAt: null,
    timer: null,
  }));
  const timeoutMs = options.timeoutSeconds * 1000;
  let stopping = false;
  let onChildExit = () => {};

  const start = (job: Job, due: number) => {
    if (stopping) return;
    if (job.child) {
      reportProblem(
        `${job.name}: skipped at ${clock(new Date())}, the previous one (pid ${job.child.pid}, started ${clock(job.startedAt!)}) is still running`,
      );
      return;
    }
    job.lastDue = due;
    // A minute older than one already written comes again after the clock went back (or in the
    // hour repeated when daylight saving time ends): its snapshot goes beside the earlier one.
    const minute = minuteStamp(new Date(due));
    const keep = job.snapshot && minute < job.newestMinute ? ['--keep-existing'] : [];
    if (minute > job.newestMinute) job.newestMinute = minute;
    const child = spawn(options.self[0], [...options.self.slice(1), ...job.args, ...keep], { stdio: ['ignore', 'inherit', 'inherit'] });
    job.child = child;
    job.startedAt = new Date();
    let timedOut = false;
    const timer = (job.timer = setTimeout(() => {
      timedOut = true;
      reportProblem(`${job.name}: no result after ${options.timeoutSeconds} s (a hung configfs read?), killing pid ${child.pid}`);
      child.kill('SIGKILL');
    }, timeoutMs));
    const finish = () => {
      clearTimeout(timer);
      if (job.child === child) job.child = null;
      onChildExit();
    };
    child.on('error', (err) => {
      reportProblem(`${job.name}: cannot start ${options.self.join(' ')}: ${err.message}`);
      finish();
    });
    child.on('exit', (code, signal) => {
      // A child that fails says why itself; only a death it could not report is logged here.
      if (signal && !timedOut) reportProblem(`${job.name}: pid ${child.pid} ended by ${signal}`);
      else if (code === 0) info(`${job.name}: done in ${((Date.now() - job.startedAt!.getTime()) / 1000).toFixed(2)} s`);
      finish();
    });
  };

  const onTick = (seconds: number[]) => {
    for (const job of jobs) {
      // After a short backward step the seconds already run come again: they are not run twice.
      const due = seconds.filter((s) => (job.lastDue === null || s > job.lastDue) && job.task.match(new Date(s))).at(-1);
      if (due !== undefined) start(job, due);
    }
  };
  const onStep = (step: ClockStep) => {
    reportProblem(describeStep(step));
    if (step.actual > step.expected || step.expected - step.actual >= MINUTE_MS) for (const job of jobs) job.lastDue = null;
  };
  const ticker = startTicker(onTick, onStep);
  info(`running: ${jobs.map((j) => `${j.name} "${j.cron}"`).join(', ')}; timeout ${options.timeoutSeconds} s`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  stopping = true;
  ticker.stop();
  for (const job of jobs) await job.task.destroy();
  const running = () => jobs.filter((job) => job.child);
  if (running().length > 0) {
    info(`${signal}: waiting for ${running().map((j) => j.name).join(', ')}`);
    // Each child is killed at its timeout anyway; a child stuck in the kernel may not die even
    // then, so the wait is bounded.
    await new Promise<void>((resolve) => {
      const giveUp = setTimeout(resolve, timeoutMs + 5000);
      onChildExit = () => {
        if (running().length === 0) {
          clearTimeout(giveUp);
          resolve();
        }
      };
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
  }
  for (const job of running()) {
    reportProblem(`${job.name}: exiting with pid ${job.child!.pid} still running, killing it`);
    clearTimeout(job.timer!);
    job.child!.kill('SIGKILL');
    job.child!.unref();
  }
  info(`${signal}: stopped`);
}
