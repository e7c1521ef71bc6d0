// The daemon (`lio-collector run`) when the wall clock is stepped (NTP step, `date -s`) and when
// daylight saving time ends. The daemon and its snapshot children run under libfaketime, reading
// an offset from a file the test replaces while they run; the monotonic clock stays real, as it
// does when a real clock is stepped.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildLioTree, seedSystem } from '../support/lio-tree.js';
import { listFiles, requireBuiltCollector, startCollector, waitFor, type RunningCollector } from '../support/collector-cli.js';
import { LIBFAKETIME } from '../support/faketime.js';
import { tempDir } from '../support/tmp.js';

beforeAll(() => requireBuiltCollector());

let daemon: RunningCollector | undefined;
afterEach(() => {
  daemon?.child.kill('SIGKILL');
  daemon = undefined;
});

/** A clock for the daemon whose offset from the real time the test sets and changes. */
class SteppedClock {
  /** Fake minus real time, ms. */
  private offset = 0;
  constructor(readonly file: string) {}

  env(zone: string): Record<string, string> {
    return { LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: this.file, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1', TZ: zone };
  }

  /** The daemon's time now. */
  now(): number {
    return Date.now() + this.offset;
  }

  /** Steps the daemon's clock by whole seconds. */
  step(seconds: number): void {
    this.write(this.offset + seconds * 1000);
  }

  /** Sets the daemon's clock to time (ms since the epoch), now. */
  set(time: number): void {
    this.write(time - Date.now());
  }

  private write(offset: number): void {
    this.offset = offset;
    // Replaced, never rewritten in place: libfaketime reads the file at every clock call.
    writeFileSync(`${this.file}.new`, `${offset < 0 ? '-' : '+'}${(Math.abs(offset) / 1000).toFixed(3)}\n`);
    renameSync(`${this.file}.new`, this.file);
  }
}

/** A snapshot file planted before the daemon starts, as if written an hour (or a clock step) earlier. */
function plant(path: string): Buffer {
  const content = gzipSync('earlier\n');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return content;
}

const written = (stdout: string, archive: string) =>
  [...stdout.matchAll(/^lio-collector: snapshot stats: wrote (\S+) \(/gm)].map((m) => m[1].slice(archive.length + 1));

function setup() {
  const dir = tempDir('lio-collector-clock-');
  const root = `${dir}/target`;
  const archive = `${dir}/archive`;
  buildLioTree(root, seedSystem());
  const clock = new SteppedClock(`${dir}/clock`);
  const args = (statsCron: string) => [
    'run',
    ...['--root', root, '--archive', archive, '--no-drbd', '--no-crm-mon', '--verbose', '--timeout', '20'],
    ...['--stats-cron', statsCron, '--full-cron', '0 0 1 1 *', '--prune-cron', '0 0 1 1 *'],
  ];
  return { archive, clock, args };
}

async function stop(d: RunningCollector): Promise<void> {
  d.child.kill('SIGTERM');
  expect(await d.exited).toBe(0);
}

describe('clock steps under run', () => {
  it('a step back of an hour: the next minute is snapshotted at once, beside the file of the first pass, with one line', async () => {
    const { archive, clock, args } = setup();
    const earlier = plant(`${archive}/20261130/lio-statistics-202611301102.gz`);
    clock.set(Date.UTC(2026, 10, 30, 12, 0, 57));
    daemon = startCollector(args('0 * * * * *'), clock.env('UTC'));
    const d = daemon;
    await waitFor('the 12:01 snapshot', () => written(d.output.stdout, archive).length === 1, 30_000);
    // Back to 11:01:50-11:01:59 (the 12:01 snapshot ends before 12:01:09).
    clock.step(-3550);
    await waitFor('the 11:02 snapshot', () => written(d.output.stdout, archive).length === 2, 30_000);
    await stop(d);
    expect(written(d.output.stdout, archive)).toEqual(['20261130/lio-statistics-202611301201.gz', '20261130/lio-statistics-202611301102-2.gz']);
    expect(d.output.stderr).toMatch(
      /^lio-collector: clock stepped back by 3550 s \(from 2026-11-30 12:01:0\d to 2026-11-30 11:01:5\d\): schedules follow the new time, the minutes gone back over are snapshotted again, beside the earlier files\n$/,
    );
    expect(listFiles(archive)).toEqual([
      '20261130/lio-statistics-202611301102-2.gz',
      '20261130/lio-statistics-202611301102.gz',
      '20261130/lio-statistics-202611301201.gz',
    ]);
    expect(readFileSync(`${archive}/20261130/lio-statistics-202611301102.gz`)).toEqual(earlier);
  }, 90_000);

  it('a step back of seconds repeats no run: 12:00:50 and 12:01:00 come again and are not run twice', async () => {
    const { archive, clock, args } = setup();
    clock.set(Date.UTC(2026, 10, 30, 12, 0, 57));
    daemon = startCollector(args('*/10 * * * * *'), clock.env('UTC'));
    const d = daemon;
    await waitFor('the 12:01:00 snapshot', () => written(d.output.stdout, archive).length === 1, 30_000);
    clock.step(-15);
    // 12:01:10 is the only run due again before 12:01:20; a repeated 12:00:50 or 12:01:00 would
    // have been written by 12:01:18 too.
    await waitFor('12:01:18 on the stepped clock', () => clock.now() >= Date.UTC(2026, 10, 30, 12, 1, 18), 60_000, 50);
    await stop(d);
    expect(written(d.output.stdout, archive)).toEqual(['20261130/lio-statistics-202611301201.gz', '20261130/lio-statistics-202611301201.gz']);
    expect(d.output.stderr).toMatch(
      /^lio-collector: clock stepped back by 15 s \(from 2026-11-30 12:01:\d\d to 2026-11-30 12:00:\d\d\): schedules follow the new time, no run is repeated\n$/,
    );
    expect(listFiles(archive)).toEqual(['20261130/lio-statistics-202611301201.gz']);
  }, 120_000);

  it('a step forward of two hours: one line, not one per minute skipped, and the next minute on time', async () => {
    const { archive, clock, args } = setup();
    clock.set(Date.UTC(2026, 10, 30, 12, 0, 57));
    daemon = startCollector(args('0 * * * * *'), clock.env('UTC'));
    const d = daemon;
    await waitFor('the 12:01 snapshot', () => written(d.output.stdout, archive).length === 1, 30_000);
    // On to 14:01:50-14:01:59.
    clock.step(7250);
    await waitFor('the 14:02 snapshot', () => written(d.output.stdout, archive).length === 2, 30_000);
    await stop(d);
    expect(written(d.output.stdout, archive)).toEqual(['20261130/lio-statistics-202611301201.gz', '20261130/lio-statistics-202611301402.gz']);
    expect(d.output.stderr).toMatch(
      /^lio-collector: clock stepped forward by 7250 s \(from 2026-11-30 12:01:0\d to 2026-11-30 14:01:5\d\): schedules follow the new time, the runs due in between are skipped\n$/,
    );
  }, 90_000);

  it('the hour repeated when daylight saving time ends is snapshotted again, beside the first pass', async () => {
    const { archive, clock, args } = setup();
    // 2026-10-25 in Berlin: 02:59:59 CEST is followed by 02:00:00 CET.
    const firstPass = plant(`${archive}/20261025/lio-statistics-202610250200.gz`);
    clock.set(Date.UTC(2026, 9, 25, 0, 59, 52)); // 02:59:52 CEST
    daemon = startCollector(args('0 * * * * *'), clock.env('Europe/Berlin'));
    const d = daemon;
    await waitFor('the 02:00 CET snapshot', () => written(d.output.stdout, archive).length === 1, 30_000);
    await stop(d);
    expect(written(d.output.stdout, archive)).toEqual(['20261025/lio-statistics-202610250200-2.gz']);
    expect(d.output.stderr).toBe('');
    expect(readFileSync(`${archive}/20261025/lio-statistics-202610250200.gz`)).toEqual(firstPass);
  }, 60_000);
});
