// The small XML reader crm_mon's output goes through: what it reads, and that it refuses, never
// guesses, what it cannot follow.
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../../lib/cluster/xml.js';

describe('parseXml', () => {
  it('elements, attributes (entities decoded), nesting, text; declarations and comments skipped', () => {
    const doc = `<?xml version="1.0"?>\n<!-- c -->\n<a x="1" y='&lt;3.15.1 &amp; &#65;&#x42;'>\n  <b/>\n  <c z="">t &gt; u</c>\n</a>\n`;
    expect(parseXml(doc)).toEqual({
      name: 'a',
      attributes: { x: '1', y: '<3.15.1 & AB' },
      text: '',
      children: [
        { name: 'b', attributes: {}, children: [], text: '' },
        { name: 'c', attributes: { z: '' }, children: [], text: 't > u' },
      ],
    });
  });

  it('refuses what is cut short, mismatched, doubled or not XML', () => {
    expect(() => parseXml('<a><b x="1"/>')).toThrow('<a> is not closed (cut short?)');
    expect(() => parseXml('<a><b></a>')).toThrow('</a> closes <b> at offset 6');
    expect(() => parseXml('<a/><b/>')).toThrow('a second root element <b> at offset 4');
    expect(() => parseXml('<a><b x="1</a>')).toThrow('not well-formed XML at offset 3');
    expect(() => parseXml('502 Bad Gateway')).toThrow('no XML element');
  });
});
