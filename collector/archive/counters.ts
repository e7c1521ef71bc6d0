// Turning cumulative counters into deltas and rates. LIO's counters count from the moment their
// object was created: a failover to the other node or a reconfiguration recreates the objects,
// and the counters start again from zero (a reset). The *_mbytes counters are 32 bits wide
// (the kernel truncates them with (u32)) and wrap at 2^32 MiB. Neither may show up as a huge or
// negative rate.

export const WRAP = 2 ** 32;
/**
 * A drop is taken for a 32-bit wrap only when the value was within this much of 2^32 and the
 * increase across the wrap is below it too: 2^28 MiB in a minute would be 4 TiB/s, 2^28 commands
 * 4 million per second. Every other drop is a reset.
 */
export const WRAP_MARGIN = 2 ** 28;

export type CounterEvent = 'reset' | 'wrap';

export interface Sample {
  /** ms since the epoch */
  time: number;
  value: number;
}

export interface Step {
  /** Increase since the previous sample; null for the first sample and after a reset. */
  delta: number | null;
  /** Real seconds since the previous sample (more than the interval across a gap). */
  seconds: number | null;
  /** delta / seconds: MiB/s for *_mbytes, per second otherwise. */
  rate: number | null;
  event: CounterEvent | null;
}

/** The unit of a counter's rate, from its name. */
export function rateUnit(path: string): string {
  return path.endsWith('_mbytes') ? 'MiB/s' : '/s';
}

/** A counter value as archived (decimal digits), or null for anything else. */
export function parseCounter(text: string): number | null {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : null;
}

export function step(previous: Sample | null, current: Sample): Step {
  if (!previous) return { delta: null, seconds: null, rate: null, event: null };
  const seconds = (current.time - previous.time) / 1000;
  let delta: number | null = current.value - previous.value;
  let event: CounterEvent | null = null;
  if (delta < 0) {
    const wrapped = WRAP - previous.value + current.value;
    if (previous.value < WRAP && wrapped <= WRAP_MARGIN) {
      delta = wrapped;
      event = 'wrap';
    } else {
      delta = null;
      event = 'reset';
    }
  }
  return { delta, seconds, rate: delta === null || seconds <= 0 ? null : delta / seconds, event };
}
