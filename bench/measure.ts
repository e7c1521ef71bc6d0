// Times whole processes, as munin-node or cron start them, and reads their peak memory.
//
// The commands of one group are run round-robin (one run of each, then the next round), so that
// a change in the machine's load during the group weighs on every command alike: ratios between
// commands of one group are what the targets are about.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Command {
  /** Unique within its group, e.g. `lio_read fetch 4x16x16`. */
  name: string;
  file: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Runs before every run (e.g. to empty an archive directory); not timed. */
  prepare?: () => void;
  /** Returns what is wrong with a finished run, or null when it did its job. */
  check?: (run: RunOutput) => string | null;
}

export interface RunOutput {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Spread {
  /** Milliseconds of each run, in run order. */
  runs: number[];
  median: number;
  min: number;
  max: number;
}

export type Measurement =
  | { ok: true; spread: Spread; last: RunOutput; peakRssKiB: number | null }
  | { ok: false; problem: string };

/**
 * The environment every measured command runs in: what cron and munin-node give a job (PATH,
 * HOME, a locale) plus the command's own settings, not the environment of the shell the bench
 * was started from. That one can carry NODE_OPTIONS or NODE_EXTRA_CA_CERTS, which change every
 * Node start (on the machine of bench/results.md NODE_EXTRA_CA_CERTS, the whole CA bundle,
 * added about 45 ms to each), and neither is there when the plugins and the collector run.
 */
export function jobEnvironment(settings: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', ...settings };
}

/** A run that takes longer than this is stopped and reported as a failure. */
const RUN_TIMEOUT_MS = 10 * 60_000;

function runOnce(command: Command): { ms: number; output: RunOutput } {
  command.prepare?.();
  const start = process.hrtime.bigint();
  const result = spawnSync(command.file, command.args, {
    env: command.env ?? jobEnvironment(),
    // stdout is a pipe, as munin-node reads it; the text is kept for the checks.
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: RUN_TIMEOUT_MS,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // A command that cannot be started (e.g. a plugin an older build with --plugins lacks) fails
  // like any other, shown as failed in the tables, and the bench goes on.
  if (result.error) return { ms, output: { status: null, signal: null, stdout: '', stderr: `cannot run ${command.file}: ${result.error.message}` } };
  return { ms, output: { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr } };
}

/** The reason a run failed: exit status, signal or the command's own check. */
function problemOf(command: Command, output: RunOutput): string | null {
  if (output.signal) return `killed by ${output.signal}`;
  if (output.status !== 0) return `exit status ${output.status}: ${firstLine(output.stderr)}`;
  return command.check?.(output) ?? null;
}

export function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 200) || '(no message)';
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Times every command `runs` times after `warmups` untimed runs, round-robin, then reads the
 * peak RSS of each from one more run under GNU time (when available: see peakRssTool).
 * A command whose run fails is dropped from the following rounds and reported with the reason.
 * A command listed several times runs that many times per round, all its runs counting: a
 * reference that every other command is compared with is worth sampling more often.
 */
export function measureGroup(commands: Command[], runs: number, warmups = 1): Map<string, Measurement> {
  const times = new Map<string, number[]>(commands.map((c) => [c.name, []]));
  const last = new Map<string, RunOutput>();
  const failed = new Map<string, string>();
  for (let round = -warmups; round < runs; round++) {
    for (const command of commands) {
      if (failed.has(command.name)) continue;
      const { ms, output } = runOnce(command);
      const problem = problemOf(command, output);
      if (problem) {
        failed.set(command.name, problem);
        continue;
      }
      if (round >= 0) times.get(command.name)!.push(ms);
      last.set(command.name, output);
    }
  }
  const results = new Map<string, Measurement>();
  for (const command of commands) {
    if (results.has(command.name)) continue;
    const problem = failed.get(command.name);
    if (problem) {
      results.set(command.name, { ok: false, problem });
      continue;
    }
    const ms = times.get(command.name)!;
    const spread = { runs: ms, median: median(ms), min: Math.min(...ms), max: Math.max(...ms) };
    results.set(command.name, { ok: true, spread, last: last.get(command.name)!, peakRssKiB: peakRss(command) });
  }
  return results;
}

const GNU_TIME = '/usr/bin/time';
let rssTool: boolean | undefined;

/** Whether peak RSS can be measured: GNU time (Debian package `time`) reports the child's ru_maxrss. */
export function peakRssAvailable(): boolean {
  if (rssTool === undefined) {
    const probe = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' });
    rssTool = probe.status === 0 && /^\d+\s*$/.test(probe.stderr);
  }
  return rssTool;
}

export const PEAK_RSS_MISSING = 'peak RSS not measured: GNU time not found (Debian: apt-get install time)';

/** Peak RSS in KiB of one run of command (the largest process of a pipeline), or null. */
function peakRss(command: Command): number | null {
  if (!peakRssAvailable()) return null;
  const dir = mkdtempSync(join(tmpdir(), 'lio-bench-rss-'));
  try {
    command.prepare?.();
    const out = join(dir, 'rss');
    const result = spawnSync(GNU_TIME, ['-f', '%M', '-o', out, command.file, ...command.args], {
      env: command.env ?? jobEnvironment(),
      stdio: ['ignore', 'ignore', 'ignore'],
      timeout: RUN_TIMEOUT_MS,
    });
    if (result.status !== 0) return null;
    const kib = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
    return Number.isFinite(kib) ? kib : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
