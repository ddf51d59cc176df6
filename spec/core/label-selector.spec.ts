/**
 * Label selectors: parsing (with error positions), printing, matching, conversion from a
 * Kubernetes LabelSelector, and fast-check properties for round trips and matching agreement.
 */
import fc from 'fast-check';
import type { LabelSelector as K8sLabelSelector, LabelSelectorRequirement } from '../../lib/core/api/meta/v1.js';
import { InvalidRequestError } from '../../lib/core/errors.js';
import { LabelSelector, LabelSelectorError, printRequirement, type LabelRequirement } from '../../lib/core/label-selector.js';

function parseError(selector: string): LabelSelectorError {
  try {
    LabelSelector.parse(selector);
  } catch (e) {
    expect(e).toBeInstanceOf(LabelSelectorError);
    return e as LabelSelectorError;
  }
  throw new Error(`expected ${JSON.stringify(selector)} to be rejected`);
}

describe('LabelSelector', () => {
  describe('parse', () => {
    it('parses every operator', () => {
      expect(LabelSelector.parse('a=1,b==2,c!=3,d in (x,y),e notin (z),f,!g,h>4,i<5').requirements).toEqual([
        { key: 'a', operator: 'Equals', value: '1' },
        { key: 'b', operator: 'Equals', value: '2' },
        { key: 'c', operator: 'NotEquals', value: '3' },
        { key: 'd', operator: 'In', values: ['x', 'y'] },
        { key: 'e', operator: 'NotIn', values: ['z'] },
        { key: 'f', operator: 'Exists' },
        { key: 'g', operator: 'DoesNotExist' },
        { key: 'h', operator: 'GreaterThan', value: '4' },
        { key: 'i', operator: 'LessThan', value: '5' },
      ]);
    });

    it('ignores whitespace between tokens', () => {
      expect(LabelSelector.parse('  app =  web ,\ttier in ( fe , be ) , ! canary ').print()).toBe('app=web,tier in (fe,be),!canary');
    });

    it('reads the empty string as the empty selector', () => {
      expect(LabelSelector.parse('').isEmpty()).toBe(true);
      expect(LabelSelector.parse('   ').requirements).toEqual([]);
      expect(LabelSelector.parse('').matches({ any: 'thing' })).toBe(true);
    });

    it('reads empty values like the API server', () => {
      expect(LabelSelector.parse('a=,b!=').requirements).toEqual([
        { key: 'a', operator: 'Equals', value: '' },
        { key: 'b', operator: 'NotEquals', value: '' },
      ]);
      expect(LabelSelector.parse('a in ()').requirements).toEqual([{ key: 'a', operator: 'In', values: [''] }]);
      expect(LabelSelector.parse('a in (,x,x,)').requirements).toEqual([{ key: 'a', operator: 'In', values: ['', 'x'] }]);
    });

    it('accepts prefixed keys and the words in/notin as keys and values', () => {
      expect(LabelSelector.parse('app.kubernetes.io/name=in,in notin (notin)').requirements).toEqual([
        { key: 'app.kubernetes.io/name', operator: 'Equals', value: 'in' },
        { key: 'in', operator: 'NotIn', values: ['notin'] },
      ]);
    });

    it.each([
      ['a in b', 5, 'b', /found 'b' at position 5, expected '\('/],
      ['a,', 2, '', /found end of string at position 2/],
      ['a=b c', 4, 'c', /expected ',' or end of string/],
      ['a in (x', 7, '', /found end of string at position 7/],
      ['a in (x y)', 8, 'y', /expected ',' or '\)'/],
      ['!a=b', 2, '=', /found '=' at position 2/],
      [',a', 0, ',', /expected a label key or '!'/],
      ['a>b', 2, 'b', /an integer after '>'/],
      ['a = = b', 4, '=', /expected a label value/],
      ['a foo', 2, 'foo', /expected '=', '==', '!=', 'in', 'notin'/],
    ])('rejects %j at position %i, token %j', (selector, position, token, message) => {
      const err = parseError(selector);
      expect(err.position).toBe(position);
      expect(err.token).toBe(token);
      expect(err.selector).toBe(selector);
      expect(err.message).toMatch(message);
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect(err.reason).toBe('invalidSelector');
      expect(err.context).toEqual({ selector, position, token });
    });

    it('validates keys and values with the position of the token', () => {
      const badKey = parseError('ok=1,-bad=1');
      expect([badKey.position, badKey.token]).toEqual([5, '-bad']);
      expect(badKey.message).toMatch(/key '-bad' at position 5: name part must/);

      const badPrefix = parseError('Example.com/x');
      expect(badPrefix.message).toMatch(/prefix part must be a lowercase DNS subdomain/);

      const badValue = parseError('a in (ok,bad_)');
      expect([badValue.position, badValue.token]).toEqual([9, 'bad_']);

      const longValue = parseError(`a=${'v'.repeat(64)}`);
      expect(longValue.message).toMatch(/at most 63 characters/);

      expect(parseError(`${'k'.repeat(64)}`).message).toMatch(/name part must be at most 63/);
      expect(parseError(`${'p'.repeat(254)}/k`).message).toMatch(/prefix part must be at most 253/);
      expect(LabelSelector.parse(`${'p'.repeat(253)}/${'k'.repeat(63)}`).requirements).toHaveLength(1);
    });
  });

  describe('matches', () => {
    const labels = { app: 'web', tier: 'fe', replicas: '5' };

    it.each([
      ['app=web', true],
      ['app==db', false],
      ['missing=x', false],
      ['app!=db', true],
      ['app!=web', false],
      ['missing!=x', true],
      ['tier in (fe,be)', true],
      ['tier in (be)', false],
      ['missing in (x)', false],
      ['tier notin (be)', true],
      ['tier notin (fe)', false],
      ['missing notin (x)', true],
      ['app', true],
      ['missing', false],
      ['!missing', true],
      ['!app', false],
      ['replicas>4', true],
      ['replicas>5', false],
      ['replicas<6', true],
      ['app>1', false],
      ['missing<1', false],
      ['app=web,tier=be', false],
      ['app=web,tier=fe,!canary', true],
    ])('%s → %s', (selector, expected) => {
      expect(LabelSelector.parse(selector).matches(labels)).toBe(expected);
    });

    it('treats missing labels as none and ignores inherited properties', () => {
      expect(LabelSelector.parse('!app').matches(undefined)).toBe(true);
      expect(LabelSelector.parse('constructor').matches({})).toBe(false);
      expect(LabelSelector.parse('toString notin (x)').matches({})).toBe(true);
    });

    it('matches the empty value set of "in ()" only against an empty label', () => {
      const sel = LabelSelector.parse('a in ()');
      expect(sel.matches({ a: '' })).toBe(true);
      expect(sel.matches({ a: 'x' })).toBe(false);
      expect(sel.matches({})).toBe(false);
    });
  });

  describe('builder', () => {
    it('chains requirements and prints them in order', () => {
      const sel = LabelSelector.everything().eq('app', 'web').ne('track', 'canary').in('tier', ['fe', 'be']).notIn('zone', ['a']).exists('x').doesNotExist('y');
      expect(sel.print()).toBe('app=web,track!=canary,tier in (fe,be),zone notin (a),x,!y');
      expect(`${sel}`).toBe(sel.print());
      expect(sel.and(LabelSelector.parse('z=1')).print()).toBe(`${sel.print()},z=1`);
    });

    it('is immutable', () => {
      const base = LabelSelector.everything().eq('a', '1');
      base.eq('b', '2');
      expect(base.print()).toBe('a=1');
      expect(Object.isFrozen(base.requirements)).toBe(true);
    });

    it('checks keys and values of built requirements', () => {
      expect(() => LabelSelector.everything().eq('bad key', 'x')).toThrow(LabelSelectorError);
      expect(() => LabelSelector.everything().in('a', [])).toThrow(/needs at least one value/);
      expect(() => LabelSelector.of({ key: 'a', operator: 'GreaterThan', value: 'x' })).toThrow(/must be an integer/);
      expect(() => LabelSelector.everything().eq('a', 'b c')).toThrow(/value 'b c'/);
    });
  });

  describe('fromLabelSelector', () => {
    it('converts matchLabels and matchExpressions', () => {
      const sel = LabelSelector.fromLabelSelector({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['fe', 'be'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'team', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist', values: [] },
        ],
      });
      expect(sel.print()).toBe('app=web,tier in (fe,be),env notin (dev),team,!legacy');
    });

    it('selects everything for {}', () => {
      expect(LabelSelector.fromLabelSelector({}).matches({ a: 'b' })).toBe(true);
    });

    it('rejects unknown operators and misplaced values', () => {
      expect(() => LabelSelector.fromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toThrow(
        /operator 'Gt' on 'a' is not one of In, NotIn, Exists, DoesNotExist/,
      );
      expect(() => LabelSelector.fromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['1'] }] })).toThrow(/must have no values/);
      expect(() => LabelSelector.fromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] })).toThrow(/needs at least one value/);
      expect(() => LabelSelector.fromLabelSelector({ matchLabels: { a: 'not valid' } })).toThrow(LabelSelectorError);
    });
  });
});

// ---- properties --------------------------------------------------------------------------------

/** Small pools make generated labels and selectors collide, so matching is exercised both ways. */
const labelName = fc.oneof(
  fc.constantFrom('app', 'tier', 'in', 'notin', 'a.b_c-d', 'X9'),
  fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?$/),
);
const key = fc.oneof(
  { weight: 3, arbitrary: labelName },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('example.com', 'app.kubernetes.io', 'x-1.y'), labelName).map(([p, n]) => `${p}/${n}`) },
);
const value = fc.oneof(fc.constant(''), fc.constantFrom('web', 'db', 'in', '7', '12'), fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,6}[A-Za-z0-9])?$/));
const integer = fc.nat({ max: 20 }).map(String);

const requirement: fc.Arbitrary<LabelRequirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('Equals' as const, 'NotEquals' as const), value }),
  fc.record({ key, operator: fc.constantFrom('GreaterThan' as const, 'LessThan' as const), value: integer }),
  fc.record({ key, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(value, { minLength: 1, maxLength: 4 }) }),
  fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
);
const selector = fc.array(requirement, { maxLength: 5 }).map((rs) => LabelSelector.of(...rs));
const labels = fc.dictionary(key, fc.oneof(value, integer), { maxKeys: 6 });
const space = fc.constantFrom('', ' ', '  ', '\t');

/** A second, independent printer: every token separated by random whitespace, `==` sometimes. */
function spacedPrint(reqs: readonly LabelRequirement[], gaps: readonly string[], doubleEquals: boolean): string {
  let n = 0;
  const gap = (): string => gaps[n++ % gaps.length] ?? '';
  const tokens = (r: LabelRequirement): string[] => {
    switch (r.operator) {
      case 'Equals':
        return [r.key, doubleEquals ? '==' : '=', r.value];
      case 'NotEquals':
        return [r.key, '!=', r.value];
      case 'GreaterThan':
        return [r.key, '>', r.value];
      case 'LessThan':
        return [r.key, '<', r.value];
      case 'In':
      case 'NotIn':
        // keywords need real whitespace around them
        return [r.key, ` ${r.operator === 'In' ? 'in' : 'notin'} `, '(', r.values.join(`${gap()},${gap()}`), ')'];
      case 'Exists':
        return [r.key];
      case 'DoesNotExist':
        return ['!', r.key];
    }
  };
  return reqs.map((r) => tokens(r).map((t) => `${gap()}${t}`).join('')).join(`${gap()},`) + gap();
}

/** The Kubernetes semantics of a LabelSelector object, written out independently of the parser. */
function oracle(sel: K8sLabelSelector, l: Record<string, string>): boolean {
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(l, k);
  const labelsOk = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => has(k) && l[k] === v);
  const exprOk = (sel.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case 'In':
        return has(e.key) && (e.values ?? []).includes(l[e.key]!);
      case 'NotIn':
        return !has(e.key) || !(e.values ?? []).includes(l[e.key]!);
      case 'Exists':
        return has(e.key);
      default:
        return !has(e.key);
    }
  });
  return labelsOk && exprOk;
}

const expression: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(value, { minLength: 1, maxLength: 3 }) }),
  fc.record({ key, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
);
const k8sSelector: fc.Arbitrary<K8sLabelSelector> = fc.record(
  { matchLabels: fc.dictionary(key, value, { maxKeys: 3 }), matchExpressions: fc.array(expression, { maxLength: 3 }) },
  { requiredKeys: [] },
);

describe('LabelSelector properties', () => {
  it('print(parse(print(s))) round-trips and parse gives back the same requirements', () => {
    fc.assert(
      fc.property(selector, (sel) => {
        const printed = sel.print();
        const parsed = LabelSelector.parse(printed);
        expect(parsed.requirements).toEqual(sel.requirements);
        expect(parsed.print()).toBe(printed);
      }),
      { numRuns: 500 },
    );
  });

  it('parses the same requirements whatever the whitespace and = / ==', () => {
    fc.assert(
      fc.property(selector, fc.array(space, { minLength: 1, maxLength: 7 }), fc.boolean(), (sel, gaps, doubleEquals) => {
        expect(LabelSelector.parse(spacedPrint(sel.requirements, gaps, doubleEquals)).requirements).toEqual(sel.requirements);
      }),
      { numRuns: 500 },
    );
  });

  it('the parsed form matches exactly what the built selector matches', () => {
    fc.assert(
      fc.property(selector, labels, (sel, l) => {
        expect(LabelSelector.parse(sel.print()).matches(l)).toBe(sel.matches(l));
      }),
      { numRuns: 1000 },
    );
  });

  it('fromLabelSelector, printed and parsed, agrees with the Kubernetes semantics of the object', () => {
    fc.assert(
      fc.property(k8sSelector, labels, (obj, l) => {
        const built = LabelSelector.fromLabelSelector(obj);
        const expected = oracle(obj, l);
        expect(built.matches(l)).toBe(expected);
        expect(LabelSelector.parse(built.print()).matches(l)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('each requirement prints to a selector that parses back to itself', () => {
    fc.assert(
      fc.property(requirement, (r) => {
        const [normalised] = LabelSelector.of(r).requirements;
        expect(LabelSelector.parse(printRequirement(normalised!)).requirements).toEqual([normalised]);
      }),
    );
  });
});
