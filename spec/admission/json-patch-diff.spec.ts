/**
 * jsonPatchDiff: applying the patch gives the desired object exactly, the patch is never longer than
 * fast-json-patch's `compare`, and the patches for common admission changes are the obvious ones.
 * fast-json-patch (a devDependency) is the oracle that applies the patches.
 */
import fc from 'fast-check';
import { applyPatch, compare, deepClone, type Operation } from 'fast-json-patch';
import { escapePointerToken, JsonPatchError, jsonPatchDiff } from '../../lib/admission/json-patch-diff';

// Keys with the characters a JSON pointer must escape, and ones that look like array indexes.
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a', 'b', '~', '/', 'a/b', '~1', '0', '-', 'app.kubernetes.io/name'))
  .filter((k) => k !== '__proto__');
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 5 }), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
})).value;
const object = fc.dictionary(key, json, { maxKeys: 6 });

/** An object and a variant of it made by a few random edits, closer to what a webhook does than two unrelated values. */
const edited = object.chain((base) =>
  fc.array(fc.tuple(fc.nat(), key, json, fc.constantFrom('set', 'delete', 'push', 'shift')), { maxLength: 4 }).map((edits) => {
    const copy = deepClone(base) as Record<string, unknown>;
    for (const [n, k, v, what] of edits) {
      const keys = Object.keys(copy);
      const target = keys.length > 0 && n % 2 === 0 ? (keys[n % keys.length] as string) : k;
      const current = copy[target];
      if (what === 'delete') delete copy[target];
      else if (what === 'push' && Array.isArray(current)) current.push(v);
      else if (what === 'shift' && Array.isArray(current)) current.shift();
      else copy[target] = v;
    }
    return [base, copy] as const;
  }),
);

const apply = (doc: unknown, ops: readonly unknown[]) => applyPatch(deepClone(doc), deepClone(ops) as Operation[], true, false).newDocument;
/** What the value is once sent as JSON (-0 becomes 0). */
const wire = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
const size = (ops: readonly unknown[]) => ops.reduce<number>((n, op) => n + JSON.stringify(op).length + 1, 0);

describe('jsonPatchDiff', () => {
  it('turns any object into any other (fast-json-patch applies the patch, validating each operation)', () => {
    fc.assert(
      fc.property(object, object, (from, to) => {
        expect(apply(from, jsonPatchDiff(from, to))).toEqual(wire(to));
      }),
      { numRuns: 1000 },
    );
  });

  it('turns an object into an edited copy, with a patch no longer than fast-json-patch compare()', () => {
    fc.assert(
      fc.property(edited, ([from, to]) => {
        const ours = jsonPatchDiff(from, to);
        expect(apply(from, ours)).toEqual(wire(to));
        expect(size(ours)).toBeLessThanOrEqual(size(compare(from as object, to as object)));
      }),
      { numRuns: 1000 },
    );
  });

  it('is empty for equal values and does not touch its inputs', () => {
    fc.assert(
      fc.property(object, (value) => {
        const before = JSON.stringify(value);
        expect(jsonPatchDiff(value, deepClone(value))).toEqual([]);
        expect(JSON.stringify(value)).toBe(before);
      }),
    );
  });

  it('adds a label with one add, escaping / in the key', () => {
    const from = { metadata: { name: 'a', labels: { team: 'x' } }, data: { k: 'v' } };
    const to = { metadata: { name: 'a', labels: { team: 'x', 'app.kubernetes.io/name': 'web' } }, data: { k: 'v' } };
    expect(jsonPatchDiff(from, to)).toEqual([{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' }]);
    expect(jsonPatchDiff({ metadata: { name: 'a' } }, { metadata: { name: 'a', labels: { a: '1' } } })).toEqual([{ op: 'add', path: '/metadata/labels', value: { a: '1' } }]);
  });

  it('removes an array element in the middle with one remove, not a replace of every later index', () => {
    const from = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }] } };
    const to = { spec: { containers: [{ name: 'a' }, { name: 'c' }, { name: 'd' }] } };
    expect(jsonPatchDiff(from, to)).toEqual([{ op: 'remove', path: '/spec/containers/1' }]);
    expect(jsonPatchDiff(to, from)).toEqual([{ op: 'add', path: '/spec/containers/1', value: { name: 'b' } }]);
  });

  it('treats undefined object members as absent and honours toJSON, as JSON.stringify does', () => {
    expect(jsonPatchDiff({ a: 1, b: 2 }, { a: 1, b: undefined })).toEqual([{ op: 'remove', path: '/b' }]);
    const when = new Date('2026-01-02T03:04:05.000Z');
    expect(jsonPatchDiff({}, { when })).toEqual([{ op: 'add', path: '/when', value: '2026-01-02T03:04:05.000Z' }]);
  });

  it('refuses what JSON cannot hold, naming where it is', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: [unknown, string][] = [
      [{ spec: { n: NaN } }, '/spec/n'],
      [{ spec: { n: Infinity } }, '/spec/n'],
      [{ f: () => 1 }, '/f'],
      [{ list: [1, undefined] }, '/list/1'],
      [{ big: 1n }, '/big'],
      [{ 'a/b': { c: cyclic } }, '/a~1b/c/self'],
    ];
    for (const [to, pointer] of cases) {
      let caught: unknown;
      try {
        jsonPatchDiff({}, to);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(JsonPatchError);
      expect((caught as JsonPatchError).pointer).toBe(pointer);
    }
  });

  it('escapes pointer tokens as RFC 6901 says', () => {
    expect(escapePointerToken('a~/b')).toBe('a~0~1b');
    expect(escapePointerToken('~1')).toBe('~01');
  });
});
