import { Subject } from 'rxjs';
import { reflector } from '../../lib/runtime/reflector.js';
import { store } from '../../lib/runtime/store.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';

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
});
