// The text format's escaping, checked by the real promtool parsing what we print.
import { describe, expect, test } from 'vitest';
import { formatText } from '../../../lib/prometheus/exposition.js';
import { checkMetrics } from '../../support/prometheus.js';

describe('formatText', () => {
  test('label values escape backslash, double quote and line feed; HELP escapes backslash and line feed', () => {
    const text = formatText([
      { name: 'x_total', type: 'counter', help: 'a\\b\nc "q"', samples: [{ labels: [['initiator', 'iqn.1993-08.org.debian:01:a"b\\c\nd']], value: '5' }] },
      { name: 'empty', type: 'gauge', help: 'no samples: not printed', samples: [] },
    ]);
    expect(text).toBe('# HELP x_total a\\\\b\\nc "q"\n# TYPE x_total counter\nx_total{initiator="iqn.1993-08.org.debian:01:a\\"b\\\\c\\nd"} 5\n');
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });

  test('a counter without _total or a bad label name is a bug, thrown', () => {
    expect(() => formatText([{ name: 'x', type: 'counter', help: 'h', samples: [{ labels: [], value: '1' }] }])).toThrow('counter x lacks _total');
    expect(() => formatText([{ name: 'x', type: 'gauge', help: 'h', samples: [{ labels: [['a-b', 'v']], value: '1' }] }])).toThrow('bad label name "a-b"');
  });
});
