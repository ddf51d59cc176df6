import { NEVER, Subject, of, type Observable } from 'rxjs';
import type { ObjectList } from '../../lib/core/object.js';
import type { WatchEvent } from '../../lib/core/response.js';
import { ReflectorRegistry, sharedReflector } from '../../lib/runtime/shared-reflector.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';
import type { WatchSource } from '../../lib/runtime/watcher.js';

interface Cm {
  metadata: { name: string; namespace: string; resourceVersion: string };
}
const cm = (name: string, rv: string): Cm => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const label = (e: WatcherEvent<Cm>): string => (e.type === 'init' || e.type === 'initDone' ? e.type : `${e.type}:${e.object.metadata.name}`);

/** A source whose LIST answers at once and whose WATCH is a Subject the test drives. */
function source(): WatchSource<Cm> & { lists: number; watches: number; events: Subject<WatchEvent<Cm>> } {
  const events = new Subject<WatchEvent<Cm>>();
  const api = {
    lists: 0,
    watches: 0,
    events,
    list$: (): Observable<ObjectList<Cm>> => {
      api.lists++;
      return of<ObjectList<Cm>>({ metadata: { resourceVersion: '1' }, items: [cm('a', '1')] });
    },
    watch: (): Observable<WatchEvent<Cm>> => {
      api.watches++;
      return events;
    },
  };
  return api;
}

async function tick(): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
}

describe('sharedReflector', () => {
  it('serves many subscribers from one watch; a late one first gets the current state', async () => {
    const api = source();
    const shared = sharedReflector(api, { initialListStrategy: 'listWatch' });
    const first: string[] = [];
    const s1 = shared.events$.subscribe((e) => first.push(label(e)));
    await shared.reader.ready();
    await tick();
    api.events.next({ type: 'ADDED', object: cm('b', '2') });
    const late: string[] = [];
    const s2 = shared.events$.subscribe((e) => late.push(label(e)));
    api.events.next({ type: 'DELETED', object: cm('a', '3') });
    expect(api.lists).toBe(1);
    expect(api.watches).toBe(1);
    expect(first).toEqual(['init', 'initApply:a', 'initDone', 'apply:b', 'delete:a']);
    expect(late).toEqual(['init', 'initApply:a', 'initApply:b', 'initDone', 'delete:a']);
    s1.unsubscribe();
    s2.unsubscribe();
    expect(api.events.observed).toBe(false);
  });

  it('keeps the registry to one reflector per resource, namespace and selectors', () => {
    const registry = new ReflectorRegistry();
    const make = (ns: string) => ({ resourceType: { group: '', version: 'v1', plural: 'configmaps' }, namespace: ns, list$: () => NEVER, watch: () => NEVER });
    const a = registry.reflector(make('ns1'), { labelSelector: 'app=web' });
    expect(registry.reflector(make('ns1'), { labelSelector: 'app=web' })).toBe(a);
    expect(registry.reflector(make('ns2'), { labelSelector: 'app=web' })).not.toBe(a);
    expect(registry.reflector(make('ns1'), { labelSelector: 'app=db' })).not.toBe(a);
    expect(registry.size).toBe(3);
  });
});
