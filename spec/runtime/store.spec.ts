import { Pod as PodType } from '../../lib/core/builtins.js';
import { ObjectRef } from '../../lib/core/object-ref.js';
import { store, dropManagedFields, storeKey } from '../../lib/runtime/store.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';

interface Pod {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; managedFields?: unknown[] };
  spec?: { nodeName?: string };
}
const pod = (name: string, labels: Record<string, string> = {}, nodeName?: string, namespace = 'ns'): Pod => ({
  metadata: { name, namespace, labels },
  ...(nodeName === undefined ? {} : { spec: { nodeName } }),
});
const listing = (...pods: Pod[]): WatcherEvent<Pod>[] => [{ type: 'init' }, ...pods.map((object) => ({ type: 'initApply' as const, object })), { type: 'initDone' }];

describe('store', () => {
  it('gets objects by name and namespace, lists, finds and counts them', () => {
    const { reader, writer } = store<Pod>();
    listing(pod('a'), pod('b'), pod('c', {}, undefined, 'other')).forEach((e) => writer.apply(e));
    expect(reader.size).toBe(3);
    expect(reader.get({ name: 'a', namespace: 'ns' })?.metadata.name).toBe('a');
    expect(reader.get({ name: 'a', namespace: 'other' })).toBeUndefined();
    expect(reader.list().map((p) => p.metadata.name).sort()).toEqual(['a', 'b', 'c']);
    expect(reader.find((p) => p.metadata.namespace === 'other')?.metadata.name).toBe('c');
    expect(storeKey({ name: 'x' })).toBe('/x');
    expect(reader.get(ObjectRef.from(PodType, 'c', 'other'))?.metadata.name).toBe('c');
  });

  it('keeps the old state during a relist and swaps in the complete listing on initDone', () => {
    const { reader, writer } = store<Pod>();
    listing(pod('a'), pod('b')).forEach((e) => writer.apply(e));
    writer.apply({ type: 'init' });
    writer.apply({ type: 'initApply', object: pod('c') });
    expect(reader.list().map((p) => p.metadata.name).sort()).toEqual(['a', 'b']);
    writer.apply({ type: 'initDone' });
    expect(reader.list().map((p) => p.metadata.name)).toEqual(['c']);
  });

  it('applies and deletes after the listing', () => {
    const { reader, writer } = store<Pod>();
    listing(pod('a')).forEach((e) => writer.apply(e));
    writer.apply({ type: 'apply', object: pod('a', { v: '2' }) });
    writer.apply({ type: 'apply', object: pod('b') });
    writer.apply({ type: 'delete', object: pod('a') });
    expect(reader.list().map((p) => p.metadata.name)).toEqual(['b']);
  });

  it('is ready after the first complete listing, as a Promise and an Observable', async () => {
    const { reader, writer } = store<Pod>();
    const seen: boolean[] = [];
    reader.ready$.subscribe((r) => seen.push(r));
    let resolved = false;
    const ready = reader.ready().then(() => (resolved = true));
    writer.apply({ type: 'init' });
    writer.apply({ type: 'initApply', object: pod('a') });
    await Promise.resolve();
    expect(resolved).toBe(false);
    expect(reader.isReady()).toBe(false);
    writer.apply({ type: 'initDone' });
    await ready;
    expect(resolved).toBe(true);
    listing().forEach((e) => writer.apply(e));
    expect(seen).toEqual([false, true]);
  });

  it('filters by label selector string, labels object or LabelSelector', () => {
    const { reader, writer } = store<Pod>();
    listing(pod('a', { app: 'web', tier: 'fe' }), pod('b', { app: 'web', tier: 'be' }), pod('c', { app: 'db' })).forEach((e) => writer.apply(e));
    expect(reader.filter('app=web').map((p) => p.metadata.name).sort()).toEqual(['a', 'b']);
    expect(reader.filter('app in (web,db),tier!=fe').map((p) => p.metadata.name).sort()).toEqual(['b', 'c']);
    expect(reader.filter({ app: 'db' }).map((p) => p.metadata.name)).toEqual(['c']);
  });

  it('keeps secondary indexes up to date on apply, delete and relist', () => {
    const { reader, writer } = store<Pod>({ indexes: { node: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
    listing(pod('a', {}, 'n1'), pod('b', {}, 'n1'), pod('c', {}, 'n2')).forEach((e) => writer.apply(e));
    const names = (node: string): string[] => reader.byIndex('node', node).map((p) => p.metadata.name).sort();
    expect(names('n1')).toEqual(['a', 'b']);
    writer.apply({ type: 'apply', object: pod('a', {}, 'n2') });
    expect(names('n1')).toEqual(['b']);
    expect(names('n2')).toEqual(['a', 'c']);
    writer.apply({ type: 'delete', object: pod('c', {}, 'n2') });
    expect(names('n2')).toEqual(['a']);
    listing(pod('d', {}, 'n3')).forEach((e) => writer.apply(e));
    expect(names('n1')).toEqual([]);
    expect(names('n2')).toEqual([]);
    expect(names('n3')).toEqual(['d']);
  });

  it('builds an index added later from the objects already stored, with many values per object', () => {
    const { reader, writer } = store<Pod>();
    listing(pod('a', { app: 'web', tier: 'fe' }), pod('b', { app: 'db' })).forEach((e) => writer.apply(e));
    reader.addIndex('labelKeys', (p) => Object.keys(p.metadata.labels ?? {}));
    expect(reader.byIndex('labelKeys', 'app').map((p) => p.metadata.name).sort()).toEqual(['a', 'b']);
    expect(reader.byIndex('labelKeys', 'tier').map((p) => p.metadata.name)).toEqual(['a']);
    expect(() => reader.byIndex('nope', 'x')).toThrow(/no index named 'nope'/);
  });

  it('runs the transform before storing', () => {
    const { reader, writer } = store<Pod>({ transform: dropManagedFields });
    const p = pod('a');
    p.metadata.managedFields = [{ manager: 'kubectl' }];
    listing(p).forEach((e) => writer.apply(e));
    expect(reader.get({ name: 'a', namespace: 'ns' })?.metadata).not.toHaveProperty('managedFields');
  });

  it('emits a snapshot on state$ once ready and after each change, shared between subscribers', () => {
    const { reader, writer } = store<Pod>();
    const a: string[][] = [];
    const b: string[][] = [];
    const s1 = reader.state$.subscribe((s) => a.push(s.map((p) => p.metadata.name).sort()));
    writer.apply({ type: 'apply', object: pod('early') }); // before ready: no snapshot
    listing(pod('x')).forEach((e) => writer.apply(e));
    writer.apply({ type: 'apply', object: pod('y') });
    const s2 = reader.state$.subscribe((s) => b.push(s.map((p) => p.metadata.name).sort()));
    writer.apply({ type: 'delete', object: pod('x') });
    s1.unsubscribe();
    s2.unsubscribe();
    expect(a).toEqual([['x'], ['x', 'y'], ['y']]);
    expect(b).toEqual([['x', 'y'], ['y']]);
  });

  it('emits changes once applied, with each complete listing in one burst', () => {
    const { reader, writer } = store<Pod>();
    const changes: string[] = [];
    reader.changes$.subscribe((e) => changes.push(e.type === 'init' || e.type === 'initDone' ? e.type : `${e.type}:${e.object.metadata.name}`));
    writer.apply({ type: 'init' });
    writer.apply({ type: 'initApply', object: pod('a') });
    expect(changes).toEqual([]);
    writer.apply({ type: 'initDone' });
    writer.apply({ type: 'apply', object: pod('b') });
    writer.apply({ type: 'delete', object: pod('a') });
    expect(changes).toEqual(['init', 'initApply:a', 'initDone', 'apply:b', 'delete:a']);
  });

  it('gives a late subscriber the current state as one listing, then the changes', () => {
    const { reader, writer } = store<Pod>();
    listing(pod('a'), pod('b')).forEach((e) => writer.apply(e));
    const late: string[] = [];
    reader.listing$().subscribe((e) => late.push(e.type === 'init' || e.type === 'initDone' ? e.type : `${e.type}:${e.object.metadata.name}`));
    writer.apply({ type: 'apply', object: pod('c') });
    expect(late).toEqual(['init', 'initApply:a', 'initApply:b', 'initDone', 'apply:c']);
  });
});
