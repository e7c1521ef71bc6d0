// The daemon's clock: a tick on every whole second of the wall clock, and a check on each tick
// that the wall clock moved as the monotonic one did. node-cron's own timer is not used: it
// computes the next run from local clock fields, so it skips the first pass of the hour repeated
// when daylight saving time ends; after a backward step it waits out the step's length (its timer
// was set for the run due before the step); after a forward step it reports every run skipped.
// Here a step is reported once, and the schedules simply follow the new time.

/** A wall clock further than this from where the monotonic clock puts it has been stepped. */
export const STEP_TOLERANCE_MS = 2000;
/** A wake-up this early still counts as the second it was set for (timers round to ms). */
const EARLY_MS = 50;
const MAX_CATCH_UP_MS = 3600 * 1000;

export interface ClockStep {
  /** Where the wall clock should be (ms since the epoch), by the monotonic clock. */
  expected: number;
  /** Where it is. */
  actual: number;
}

export interface Ticker {
  stop(): void;
}

/**
 * Calls onTick with the whole seconds (ms since the epoch, ascending) the wall clock passed since
 * the last call: usually one; the seconds a busy event loop slept through come together, late;
 * the seconds a clock step jumped over never come. onStep comes first, once per step.
 */
export function startTicker(onTick: (seconds: number[]) => void, onStep: (step: ClockStep) => void): Ticker {
  let timer: NodeJS.Timeout | undefined;
  let armedWall = 0;
  let armedMono = 0;
  let last = Math.floor(Date.now() / 1000) * 1000;

  const arm = (after: number) => {
    armedWall = Date.now();
    armedMono = performance.now();
    const next = Math.max(after, Math.floor(armedWall / 1000) * 1000) + 1000;
    timer = setTimeout(tick, next - armedWall);
  };
  const tick = () => {
    const now = Date.now();
    const expected = armedWall + (performance.now() - armedMono);
    const second = Math.floor((now + EARLY_MS) / 1000) * 1000;
    if (Math.abs(now - expected) > STEP_TOLERANCE_MS) {
      onStep({ expected, actual: now });
      onTick([second]);
    } else {
      const seconds: number[] = [];
      // A job runs at most once per tick anyway: an event loop stopped for hours looks at the last one.
      for (let s = Math.max(last + 1000, second - MAX_CATCH_UP_MS); s <= second; s += 1000) seconds.push(s);
      if (seconds.length > 0) onTick(seconds);
    }
    last = second;
    arm(second);
  };
  arm(last);
  return {
    stop: () => clearTimeout(timer),
  };
}
