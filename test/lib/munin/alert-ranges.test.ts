import { describe, expect, it } from 'vitest';
import { AlertRanges } from '../../../lib/munin/alert-ranges.js';

const DEFAULTS = [
  { kind: 'connected', critical: '1:' },
  { kind: 'disk', warning: '1:', critical: '0.5:' },
];

describe('AlertRanges', () => {
  it('gives the defaults of a kind when nothing is set', () => {
    const ranges = new AlertRanges({}, DEFAULTS, /^drbd\w+$/);
    expect(ranges.of('disk', 'drbd0disk')).toEqual({ warning: '1:', critical: '0.5:' });
    expect(ranges.of('connected', 'drbd0connected')).toEqual({ warning: undefined, critical: '1:' });
    expect(ranges.of('nosuchkind', 'x')).toEqual({});
  });

  it('lets a kind setting replace a default, off remove it, and a field setting win over both', () => {
    const ranges = new AlertRanges(
      { disk_warning: ' 0.9: ', connected_critical: 'off', drbd3disk_critical: '0:', drbd3disk_warning: 'off', other_warning: '5', drbd0_resource: 'r0' },
      DEFAULTS,
      /^drbd\w+$/,
    );
    expect(ranges.of('disk', 'drbd0disk')).toEqual({ warning: '0.9:', critical: '0.5:' });
    expect(ranges.of('connected', 'drbd0connected')).toEqual({ warning: undefined, critical: undefined });
    expect(ranges.of('disk', 'drbd3disk')).toEqual({ warning: undefined, critical: '0:' });
    // A setting whose name does not match the plugin's field pattern is not a field's.
    expect(ranges.of('disk', 'other')).toEqual({ warning: '0.9:', critical: '0.5:' });
  });

  it('keeps the kind default for the level a field setting does not name', () => {
    const ranges = new AlertRanges({ drbd1disk_warning: '0.7:' }, DEFAULTS, /^drbd\w+$/);
    expect(ranges.of('disk', 'drbd1disk')).toEqual({ warning: '0.7:', critical: '0.5:' });
  });
});
