/**
 * Field selectors: building, escaping, parsing and local matching.
 */
import fc from 'fast-check';
import { FieldSelector, FieldSelectorError, escapeFieldValue } from '../../lib/core/field-selector.js';

describe('FieldSelector', () => {
  it('builds and prints terms in order', () => {
    const fs = FieldSelector.eq('metadata.name', 'web').ne('status.phase', 'Running');
    expect(fs.print()).toBe('metadata.name=web,status.phase!=Running');
    expect(`${fs}`).toBe('metadata.name=web,status.phase!=Running');
    expect(FieldSelector.ne('spec.nodeName', '').print()).toBe('spec.nodeName!=');
  });

  it('combines selectors with and, leaving both unchanged', () => {
    const a = FieldSelector.eq('a', '1');
    const b = FieldSelector.ne('b', '2');
    expect(a.and(b).print()).toBe('a=1,b!=2');
    expect(a.print()).toBe('a=1');
    expect(FieldSelector.everything().isEmpty()).toBe(true);
    expect(FieldSelector.everything().print()).toBe('');
  });

  it('escapes backslash, comma and equals in values', () => {
    expect(escapeFieldValue('a\\b,c=d')).toBe('a\\\\b\\,c\\=d');
    expect(FieldSelector.eq('metadata.name', 'x,y=z').print()).toBe('metadata.name=x\\,y\\=z');
  });

  it('parses =, == and != and unescapes values', () => {
    expect(FieldSelector.parse('a=1,b==2,c!=x\\,y').requirements).toEqual([
      { field: 'a', operator: 'Equals', value: '1' },
      { field: 'b', operator: 'Equals', value: '2' },
      { field: 'c', operator: 'NotEquals', value: 'x,y' },
    ]);
    expect(FieldSelector.parse('').isEmpty()).toBe(true);
  });

  it('rejects terms it cannot understand, naming them', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['a', 'a', /cannot understand 'a'/],
      ['a=1,b', 'b', /cannot understand 'b'/],
      ['a=x\\y', 'a=x\\y', /bad escape '\\y'/],
      ['a=b=c', 'a=b=c', /unescaped '='/],
      ['=x', '', /must be non-empty/],
    ];
    for (const [selector, token, message] of cases) {
      let caught: unknown;
      try {
        FieldSelector.parse(selector);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(FieldSelectorError);
      expect((caught as FieldSelectorError).token).toBe(token);
      expect((caught as FieldSelectorError).message).toMatch(message);
      expect((caught as FieldSelectorError).reason).toBe('invalidSelector');
    }
  });

  it('rejects bad field names when building', () => {
    expect(() => FieldSelector.eq('', 'x')).toThrow(FieldSelectorError);
    expect(() => FieldSelector.eq('a b', 'x')).toThrow(/without spaces/);
  });

  it('matches field values, reading missing fields as empty', () => {
    const fs = FieldSelector.eq('metadata.namespace', 'default').ne('spec.nodeName', '');
    expect(fs.matches({ 'metadata.namespace': 'default', 'spec.nodeName': 'n1' })).toBe(true);
    expect(fs.matches({ 'metadata.namespace': 'default' })).toBe(false);
    expect(fs.matches({ 'metadata.namespace': 'other', 'spec.nodeName': 'n1' })).toBe(false);
  });

  it('round-trips any value through print and parse', () => {
    const field = fc.stringMatching(/^[a-z][a-zA-Z.]{0,12}$/);
    const term = fc.record({ field, operator: fc.constantFrom('Equals' as const, 'NotEquals' as const), value: fc.string({ maxLength: 12 }) });
    fc.assert(
      fc.property(fc.array(term, { maxLength: 4 }), (terms) => {
        const fs = terms.reduce((acc, t) => (t.operator === 'Equals' ? acc.eq(t.field, t.value) : acc.ne(t.field, t.value)), FieldSelector.everything());
        // An empty first term's value still prints as `field=`, so nothing is dropped.
        expect(FieldSelector.parse(fs.print()).requirements).toEqual(terms);
      }),
      { numRuns: 500 },
    );
  });
});
