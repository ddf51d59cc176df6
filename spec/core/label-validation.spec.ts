/**
 * Label key and value syntax, as the API server checks it.
 */
import { isValidLabelKey, isValidLabelValue, labelKeyProblem, labelValueProblem } from '../../lib/core/label-validation.js';

describe('label-validation', () => {
  it.each(['a', 'app', 'A.b_c-9', 'example.com/x', 'app.kubernetes.io/name', `${'a'.repeat(253)}/${'b'.repeat(63)}`, 'x-1.y/Z'])(
    'accepts key %s',
    (key) => {
      expect(labelKeyProblem(key)).toBeUndefined();
      expect(isValidLabelKey(key)).toBe(true);
    },
  );

  it.each([
    ['', /name part must not be empty/],
    ['/x', /prefix part must not be empty/],
    ['x/', /name part must not be empty/],
    ['-a', /name part must be alphanumeric/],
    ['a_', /name part must be alphanumeric/],
    ['a b', /name part must be alphanumeric/],
    ['Example.com/x', /lowercase DNS subdomain/],
    ['ex..com/x', /lowercase DNS subdomain/],
    ['-ex.com/x', /lowercase DNS subdomain/],
    ['a/b/c', /name part must be alphanumeric/],
    ['k'.repeat(64), /at most 63/],
    [`${'p'.repeat(254)}/k`, /at most 253/],
  ])('rejects key %j', (key, problem) => {
    expect(labelKeyProblem(key)).toMatch(problem);
    expect(isValidLabelKey(key)).toBe(false);
  });

  it('accepts empty and well-formed values, rejects others', () => {
    for (const ok of ['', 'v', 'v1.2-rc_3', 'x'.repeat(63)]) expect(isValidLabelValue(ok)).toBe(true);
    expect(labelValueProblem('x'.repeat(64))).toMatch(/at most 63/);
    expect(labelValueProblem('-x')).toMatch(/must be empty or alphanumeric/);
    expect(labelValueProblem('x/y')).toMatch(/must be empty or alphanumeric/);
    expect(isValidLabelValue('a b')).toBe(false);
  });
});
