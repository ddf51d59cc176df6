import { evaluatePredicate, predicate, predicateLeaves, Predicates } from '../../lib/runtime/predicates.js';

describe('Predicates', () => {
  it('flattens a combined predicate into its fingerprint leaves, in order', () => {
    const p = Predicates.and(Predicates.generation, Predicates.or(Predicates.labels, Predicates.not(Predicates.finalizers)));
    expect(predicateLeaves(p)).toEqual([Predicates.generation.kind === 'fingerprint' && Predicates.generation.fingerprint, expect.any(Function), expect.any(Function)]);
  });

  it('evaluates and/or/not over which leaves changed', () => {
    const p = Predicates.and(Predicates.generation, Predicates.or(Predicates.labels, Predicates.not(Predicates.finalizers)));
    expect(evaluatePredicate(p, [true, true, true]).holds).toBe(true);
    expect(evaluatePredicate(p, [true, false, true]).holds).toBe(false);
    expect(evaluatePredicate(p, [true, false, false]).holds).toBe(true);
    expect(evaluatePredicate(p, [false, true, false]).holds).toBe(false);
  });

  it('fingerprints labels and annotations independently of key order', () => {
    const leaf = Predicates.labels;
    if (leaf.kind !== 'fingerprint') throw new Error('expected a leaf');
    expect(leaf.fingerprint({ metadata: { labels: { a: '1', b: '2' } } })).toBe(leaf.fingerprint({ metadata: { labels: { b: '2', a: '1' } } }));
    expect(leaf.fingerprint({ metadata: { labels: { a: '1' } } })).not.toBe(leaf.fingerprint({ metadata: { labels: { a: '2' } } }));
    // a key/value split cannot collide with another
    expect(leaf.fingerprint({ metadata: { labels: { ab: 'c' } } })).not.toBe(leaf.fingerprint({ metadata: { labels: { a: 'bc' } } }));
  });

  it('builds custom predicates from a fingerprint function', () => {
    const replicas = predicate('replicas', (d: { spec?: { replicas?: number } }) => d.spec?.replicas);
    expect(replicas.kind === 'fingerprint' && replicas.fingerprint({ spec: { replicas: 3 } })).toBe(3);
  });
});
