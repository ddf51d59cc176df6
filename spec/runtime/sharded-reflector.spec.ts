// shardedReflector: the store holds the shard's objects, server-side or client-side; a restart
// for a changed shard passes on what moved or changed, not what stayed the same.
import { BehaviorSubject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { BucketSet } from '../../lib/runtime/bucket-set.js';
import { shardBucketOf, shardedReflector } from '../../lib/runtime/sharded-reflector.js';
import { store } from '../../lib/runtime/store.js';
import type { WatcherItem } from '../../lib/runtime/watcher.js';
import { ObjectServer, type Obj } from './support/object-server.js';

const uid = (i: number): string => `${i.toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-${(i * 2654435761).toString(16).padStart(12, '0').slice(-12)}`;

describe('shardedReflector', () => {
  for (const serverSide of [true, false]) {
    it(`should keep exactly the shard's objects in the store and pass on only moved or changed ones after a restart (${serverSide ? 'server' : 'client'}-side)`, () => {
      const ts = new TestScheduler(() => undefined);
      ts.run(() => {
        const server = new ObjectServer(ts, serverSide, 3);
        for (let i = 0; i < 40; i++) server.put(`o${i}`, uid(i), '1');
        const bucket = (name: string): number => shardBucketOf(server.objects.get(name)!, 4);
        const { reader, writer } = store<Obj>();
        const active$ = new BehaviorSubject(BucketSet.of(4, [0, 1]));
        const seen: WatcherItem<Obj>[] = [];
        const sub = shardedReflector(server.client('a'), { reader, writer }, active$, { serverSide, scheduler: ts, restartDelayMs: 10 }).subscribe((e) => seen.push(e));
        const names = (): string[] => reader.list().map((o) => o.metadata.name).sort();
        const expected = (set: number[]): string[] => [...server.objects.keys()].filter((n) => set.includes(bucket(n))).sort();
        ts.schedule(() => {
          expect(names()).toEqual(expected([0, 1]));
          seen.length = 0;
          // One object that stays in the shard changes while the watch restarts: the relist has it.
          const stays = [...server.objects.keys()].find((n) => bucket(n) === 0)!;
          active$.next(BucketSet.of(4, [0, 2]));
          ts.schedule(() => server.put(stays, '', '2'), 11);
          ts.schedule(() => {
            expect(names()).toEqual(expected([0, 2]));
            const passed = seen.filter((e) => e.type === 'initApply' || e.type === 'apply').map((e) => (e as { object: Obj }).object.metadata.name);
            // Bucket 2 moved in: all of it; bucket 0 stayed: only the object that changed.
            expect(passed.filter((n) => bucket(n) === 2).sort()).toEqual(expected([2]));
            expect(passed.filter((n) => bucket(n) === 0)).toEqual([stays]);
            sub.unsubscribe();
          }, 500);
        }, 100);
      });
    });
  }

  it('should make an empty shard an empty, ready store', () => {
    const ts = new TestScheduler(() => undefined);
    ts.run(() => {
      const server = new ObjectServer(ts, true, 3);
      server.put('a', uid(1), '1');
      const { reader, writer } = store<Obj>();
      const sub = shardedReflector(server.client('a'), { reader, writer }, new BehaviorSubject(BucketSet.empty(4)), { serverSide: true, scheduler: ts }).subscribe();
      ts.schedule(() => {
        expect(reader.isReady()).toBe(true);
        expect(reader.size).toBe(0);
        expect(server.sent.get('a') ?? 0).toBe(0);
        sub.unsubscribe();
      }, 1_000);
    });
  });
});
