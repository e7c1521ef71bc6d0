import { describe, expect, it } from 'vitest';
import { cleanName, FieldNames, MAX_FIELD_NAME } from '../../../lib/munin/field-names.js';
import type { Graph } from '../../../lib/munin/protocol.js';
import { renderConfig, renderValues } from '../../support/render.js';

describe('cleanName (the original plugins\' cleaning)', () => {
  it('lowercases, turns - into _ and drops everything else', () => {
    expect(cleanName('iqn.2016-09.com.Example:iSCSItgt01')).toBe('iqn2016_09comexampleiscsitgt01');
    expect(cleanName('21:00:00:24:ff:31:4c:48')).toBe('21000024ff314c48');
  });
});

describe('FieldNames', () => {
  const names = (...candidates: Array<[string, string]>) => {
    const fieldNames = new FieldNames();
    return candidates.map(([name, identity]) => fieldNames.next(name, identity));
  };

  it('keeps valid distinct names as they are', () => {
    expect(names(['drbd0dr', 'a'], ['drbd10dr', 'b'])).toEqual(['drbd0dr', 'drbd10dr']);
  });

  it('makes names valid: no leading digit, no reserved root, only [A-Za-z0-9_]', () => {
    expect(names(['0abc', 'a'], ['root', 'b'], ['a.b-c', 'c'])).toEqual(['_0abc', '_root', 'a_b_c']);
  });

  it('tells colliding names apart by a hash of their identity; the first keeps its name', () => {
    const result = names(['x', '/a'], ['x', '/b'], ['x', '/c']);
    expect(result[0]).toBe('x');
    expect(result[1]).toMatch(/^x_[0-9a-f]{8}$/);
    expect(result[2]).toMatch(/^x_[0-9a-f]{8}$/);
    expect(new Set(result).size).toBe(3);
    // The suffix depends on the identity only, not on the position.
    expect(names(['x', '/z'], ['x', '/b'])[1]).toBe(result[1]);
  });

  it('shortens over-long names deterministically to MAX_FIELD_NAME', () => {
    const long = 'a'.repeat(300);
    const [one, two] = names([long, '/one'], [long, '/two']);
    expect(one!.length).toBe(MAX_FIELD_NAME);
    expect(two!.length).toBe(MAX_FIELD_NAME);
    expect(one).not.toBe(two);
    expect(names([long, '/one'])[0]).toBe(one);
  });
});

describe('rendering', () => {
  const graph: Graph = {
    attributes: [['graph_title', 'T'], ['graph_vlabel', 'bytes per ${graph_period}']],
    fields: [
      { name: 'a', label: 'A', info: 'about a', type: 'DERIVE', min: 0, cdef: 'a,1024,*', value: '12' },
      { name: 'b', label: 'B', type: 'GAUGE', value: null },
    ],
  };
  it('prints config lines in a fixed order and U for unknown values', () => {
    expect(renderConfig(graph)).toBe(
      'graph_title T\ngraph_vlabel bytes per ${graph_period}\na.label A\na.info about a\na.type DERIVE\na.min 0\na.cdef a,1024,*\nb.label B\nb.type GAUGE\n',
    );
    expect(renderValues(graph)).toBe('a.value 12\nb.value U\n');
  });
});
