// Turning cumulative counters into deltas and rates. LIO's counters count from the moment their
// object was created: a failover to the other node or a reconfiguration recreates the objects,
// and the counters start again from zero (a reset). The *_mbytes counters are 32 bits wide
// (the kernel truncates them with (u32)) and wrap at 2^32 MiB; the others are 64 bits wide.
// Neither may show up as a huge or negative rate. Values and increases are BigInts: a 64-bit
// counter above 2^53 is not exact as a float (2^64-121 and 2^64-61 are the same double).

export const WRAP = 2n ** 32n;
/** The widths a counter can wrap at: 2^32 (the *_mbytes counters) and 2^64. */
const WRAPS = [WRAP, 2n ** 64n];
/**
 * A drop is taken for a wrap only when the value was within this much of 2^32 (or 2^64) and the
 * increase across the wrap is below it too: 2^28 MiB in a minute would be 4 TiB/s, 2^28 commands
 * 4 million per second. Every other drop is a reset.
 */
export const WRAP_MARGIN = 2n ** 28n;
/** More digits than a 128-bit number has is not a counter (and not worth a BigInt). */
const MAX_DIGITS = 39;

export type CounterEvent = 'reset' | 'wrap';

export interface Sample {
  /** ms since the epoch */
  time: number;
  value: bigint;
}

export interface Step {
  /** Increase since the previous sample; null for the first sample and after a reset. */
  delta: bigint | null;
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
export function parseCounter(text: string): bigint | null {
  const trimmed = text.trim();
  return trimmed.length <= MAX_DIGITS && /^\d+$/.test(trimmed) ? BigInt(trimmed) : null;
}

/** The width (2^32 or 2^64) a counter at value would wrap at. */
export function wrapOf(value: bigint): bigint {
  return WRAPS.find((wrap) => value < wrap) ?? WRAPS[WRAPS.length - 1];
}

export function step(previous: Sample | null, current: Sample): Step {
  if (!previous) return { delta: null, seconds: null, rate: null, event: null };
  const seconds = (current.time - previous.time) / 1000;
  let delta: bigint | null = current.value - previous.value;
  let event: CounterEvent | null = null;
  if (delta < 0n) {
    const wrap = wrapOf(previous.value);
    const wrapped = wrap - previous.value + current.value;
    if (previous.value < wrap && wrapped <= WRAP_MARGIN) {
      delta = wrapped;
      event = 'wrap';
    } else {
      delta = null;
      event = 'reset';
    }
  }
  // The rate is a measurement, a float; only the counter and its increase must stay exact.
  return { delta, seconds, rate: delta === null || seconds <= 0 ? null : Number(delta) / seconds, event };
}
