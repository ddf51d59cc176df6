// store({ compact: true }) keeps each object as the bytes of its JSON and decodes it on read: whatever
// is written, every read must show what a store of objects shows.
import fc from 'fast-check';
import { parseWatchLine } from '../../lib/core/error-boundary.js';
import { sourceTextOf, withSourceText } from '../../lib/core/source-text.js';
import { dropManagedFields, store, storeKey, type Store, type StoreOptions } from '../../lib/runtime/store.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';

interface Pod {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; managedFields?: { manager?: string; operation?: string }[] };
  spec?: { nodeName?: string; note?: string };
}

/** The event the watcher makes of a watch line: its object, with the line beside it. */
function fromLine(type: 'apply' | 'initApply' | 'delete', object: Pod): WatcherEvent<Pod> {
  const decoded = parseWatchLine<Pod>(JSON.stringify({ type: type === 'delete' ? 'DELETED' : 'MODIFIED', object }));
  if (!('type' in decoded) || decoded.type === 'BOOKMARK' || decoded.type === 'ERROR') throw new Error('bad line');
  return withSourceText({ type, object: decoded.object }, sourceTextOf(decoded));
}

const NAMES = ['a', 'b', 'c', 'd'];
const NAMESPACES = ['ns1', 'ns2'];
const NODES = ['n1', 'n2'];

const podArb: fc.Arbitrary<Pod> = fc.record({
  name: fc.constantFrom(...NAMES),
  namespace: fc.constantFrom(...NAMESPACES),
  tier: fc.option(fc.constantFrom('fe', 'be'), { nil: undefined }),
  node: fc.option(fc.constantFrom(...NODES), { nil: undefined }),
  // Any code points, lone surrogates included (JSON escapes them; UTF-8 could not carry them as they are).
  note: fc.option(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => `x${String.fromCharCode(u)}`)), { nil: undefined }),
  managed: fc.boolean(),
}).map(({ name, namespace, tier, node, note, managed }) => ({
  metadata: {
    name,
    namespace,
    ...(tier === undefined ? {} : { labels: { tier } }),
    ...(managed ? { managedFields: [{ manager: 'm', operation: 'Apply' }] } : {}),
  },
  ...(node === undefined && note === undefined ? {} : { spec: { ...(node === undefined ? {} : { nodeName: node }), ...(note === undefined ? {} : { note }) } }),
}));

type Op =
  | { readonly op: 'init' | 'initDone' | 'stale' }
  | { readonly op: 'apply' | 'initApply' | 'delete'; readonly pod: Pod; readonly withLine: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom<Op>({ op: 'init' }, { op: 'initDone' }, { op: 'stale' }),
  fc.record({ op: fc.constantFrom('apply' as const, 'initApply' as const, 'delete' as const), pod: podArb, withLine: fc.boolean() }),
);

/** A fresh event for one store (the stores must not share objects: a transform changes them in place). */
function eventOf(op: Op): WatcherEvent<Pod> {
  if (!('pod' in op)) {
    if (op.op === 'stale') throw new Error('not an event');
    return { type: op.op };
  }
  return op.withLine ? fromLine(op.op, op.pod) : { type: op.op, object: structuredClone(op.pod) };
}

/** Everything a reader shows, as plain data. */
function view(reader: Store<Pod>) {
  const byKey = (xs: Pod[]) => [...xs].sort((x, y) => storeKey(x).localeCompare(storeKey(y)));
  return {
    size: reader.size,
    ready: reader.isReady(),
    get: NAMESPACES.flatMap((namespace) => NAMES.map((name) => reader.get({ name, namespace }) ?? null)),
    list: byKey(reader.list()),
    fe: byKey(reader.filter('tier=fe')),
    found: reader.find((p) => p.spec?.nodeName === 'n1') === undefined,
    nodes: NODES.map((n) => byKey(reader.byIndex('node', n))),
  };
}

describe('store({ compact: true })', () => {
  it('shows what a store of objects shows, for any sequence of events, with and without a transform', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), fc.boolean(), (ops, transformed) => {
        const options = (compact: boolean): StoreOptions<Pod> => ({
          compact,
          indexes: { node: (p) => (p.spec?.nodeName === undefined ? [] : [p.spec.nodeName]) },
          ...(transformed ? { transform: dropManagedFields } : {}),
        });
        const plain = store<Pod>(options(false));
        const compact = store<Pod>(options(true));
        const seen = { plain: [] as unknown[], compact: [] as unknown[] };
        const subs = [plain.reader.changes$.subscribe((e) => seen.plain.push(structuredClone(e))), compact.reader.changes$.subscribe((e) => seen.compact.push(structuredClone(e)))];
        for (const op of ops) {
          if (op.op === 'stale') {
            plain.writer.stale?.();
            compact.writer.stale?.();
          } else {
            plain.writer.apply(eventOf(op));
            compact.writer.apply(eventOf(op));
          }
          expect(view(compact.reader)).toEqual(view(plain.reader));
        }
        expect(seen.compact).toEqual(seen.plain);
        const listing = (reader: Store<Pod>) => {
          const out: unknown[] = [];
          reader.listing$().subscribe((e) => out.push(e)).unsubscribe();
          return out;
        };
        expect(listing(compact.reader)).toEqual(listing(plain.reader));
        subs.forEach((s) => s.unsubscribe());
      }),
      { numRuns: 300 },
    );
  });

  it('returns a new object on every read, so a change to one changes nothing in the store', () => {
    const { reader, writer } = store<Pod>({ compact: true });
    writer.apply(fromLine('apply', { metadata: { name: 'a', namespace: 'ns', labels: { tier: 'fe' } } }));
    const first = reader.get({ name: 'a', namespace: 'ns' })!;
    first.metadata.labels!['tier'] = 'changed';
    const second = reader.get({ name: 'a', namespace: 'ns' })!;
    expect(second).not.toBe(first);
    expect(second.metadata.labels).toEqual({ tier: 'fe' });
  });

  it('keeps the watch line as it came, so a change made in place to the decoded object is not kept (transform is the way)', () => {
    const { reader, writer } = store<Pod>({ compact: true });
    const event = fromLine('apply', { metadata: { name: 'a', namespace: 'ns' }, spec: { note: 'as sent' } });
    if (event.type !== 'apply') throw new Error('unreachable');
    event.object.spec!.note = 'changed on the way';
    writer.apply(event);
    expect(reader.get({ name: 'a', namespace: 'ns' })?.spec?.note).toBe('as sent');
    // With a transform the store keeps the transformed object, encoded again.
    const transformed = store<Pod>({ compact: true, transform: (p) => ({ ...p, spec: { note: 'transformed' } }) });
    transformed.writer.apply(fromLine('apply', { metadata: { name: 'a', namespace: 'ns' }, spec: { note: 'as sent' } }));
    expect(transformed.reader.get({ name: 'a', namespace: 'ns' })?.spec?.note).toBe('transformed');
  });

  it('keeps an event with no line by encoding its object', () => {
    const { reader, writer } = store<Pod>({ compact: true });
    writer.apply({ type: 'apply', object: { metadata: { name: 'é', namespace: 'ns' }, spec: { note: '雪 \u{1F600}' } } });
    expect(reader.get({ name: 'é', namespace: 'ns' })).toEqual({ metadata: { name: 'é', namespace: 'ns' }, spec: { note: '雪 \u{1F600}' } });
  });
});
