import { Subject } from 'rxjs';
import { reflector } from '../../lib/runtime/reflector.js';
import { store } from '../../lib/runtime/store.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';
import { WatcherError } from '../../lib/runtime/watcher-error.js';
import type { WatcherItem } from '../../lib/runtime/watcher.js';

interface Cm {
  metadata: { name: string; namespace: string };
  data?: Record<string, string>;
}
const cm = (name: string, v = '1'): Cm => ({ metadata: { name, namespace: 'ns' }, data: { v } });

describe('reflector', () => {
  it('applies each event to the store before passing it on', () => {
    const { reader, writer } = store<Cm>();
    const events = new Subject<WatcherEvent<Cm>>();
    const sizesSeen: Array<[string, number]> = [];
    reflector(writer, events).subscribe((e) => sizesSeen.push([e.type, reader.size]));
    events.next({ type: 'init' });
    events.next({ type: 'initApply', object: cm('a') });
    events.next({ type: 'initDone' });
    events.next({ type: 'apply', object: cm('b') });
    events.next({ type: 'delete', object: cm('a') });
    expect(sizesSeen).toEqual([['init', 0], ['initApply', 0], ['initDone', 1], ['apply', 2], ['delete', 1]]);
  });

  it('passes errors and completion through', () => {
    const { writer } = store<Cm>();
    const events = new Subject<WatcherEvent<Cm>>();
    const seen: string[] = [];
    reflector(writer, events).subscribe({ error: (e: Error) => seen.push(e.message) });
    events.error(new Error('boom'));
    expect(seen).toEqual(['boom']);
  });

  it('marks the store stale when it stops, ready again only after the next complete listing', () => {
    const { reader, writer } = store<Cm>();
    const listing = (events: Subject<WatcherEvent<Cm>>, v: string): void => {
      events.next({ type: 'init' });
      events.next({ type: 'initApply', object: cm('a', v) });
      events.next({ type: 'initDone' });
    };
    const first = new Subject<WatcherEvent<Cm>>();
    const sub = reflector(writer, first).subscribe();
    listing(first, '1');
    expect(reader.isReady()).toBe(true);
    sub.unsubscribe();
    expect(reader.isReady()).toBe(false);
    expect(reader.get({ name: 'a', namespace: 'ns' })?.data?.v).toBe('1'); // still readable
    const second = new Subject<WatcherEvent<Cm>>();
    reflector(writer, second).subscribe();
    second.next({ type: 'init' });
    second.next({ type: 'initApply', object: cm('a', '2') });
    expect(reader.isReady()).toBe(false);
    second.next({ type: 'initDone' });
    expect(reader.isReady()).toBe(true);
    expect(reader.get({ name: 'a', namespace: 'ns' })?.data?.v).toBe('2');
  });

  it('passes the error items of watcherWithErrors through without applying them', () => {
    const { reader, writer } = store<Cm>();
    const items = new Subject<WatcherItem<Cm>>();
    const seen: string[] = [];
    reflector<Cm, WatcherItem<Cm>>(writer, items).subscribe((i) => seen.push(i.type));
    items.next({ type: 'error', error: new WatcherError('initialListFailed', 'forbidden') });
    listingOf(items);
    expect(seen).toEqual(['error', 'init', 'initApply', 'initDone']);
    expect(reader.size).toBe(1);
  });
});

function listingOf(items: Subject<WatcherItem<Cm>>): void {
  items.next({ type: 'init' });
  items.next({ type: 'initApply', object: cm('a') });
  items.next({ type: 'initDone' });
}
