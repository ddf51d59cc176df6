import { TestScheduler } from 'rxjs/testing';
import { Observable, map, tap, type ObservableInput } from 'rxjs';
import { runner } from '../../lib/runtime/runner.js';

interface Item {
  key: string;
  tag: string;
}
const item = (spec: string): Item => ({ key: spec.charAt(0), tag: spec });

describe('runner', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  /** Work that takes `ms` of virtual time and then emits `<tag>@<start time>`. */
  const slow =
    (ms: number, log?: string[]) =>
    (it: Item): ObservableInput<string> =>
      new Observable<string>((sub) => {
        const started = ts.now();
        log?.push(`start ${it.tag}@${started}`);
        const timer = ts.schedule(() => {
          sub.next(`${it.tag}@${started}`);
          sub.complete();
        }, ms);
        return () => timer.unsubscribe();
      });

  it('never runs one object twice at once; items arriving meanwhile collapse into one follow-up', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold<string>('a 1ms b 1ms c 1ms d', { a: 'a1', b: 'a2', c: 'a3', d: 'a4' }).pipe(map(item));
      const out = input.pipe(runner(slow(10), {}, ts));
      // a1 runs 0–10; a2, a3, a4 collapse into one run (the first that waited) from 10 to 20.
      expectObservable(out).toBe('10ms x 9ms y', { x: 'a1@0', y: 'a2@10' });
    });
  });

  it('runs different objects in parallel up to the concurrency limit', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold<string>('(abc)', { a: 'a', b: 'b', c: 'c' }).pipe(map(item));
      const out = input.pipe(runner(slow(10), { concurrency: 2 }, ts));
      expectObservable(out).toBe('10ms (xy) 6ms z', { x: 'a@0', y: 'b@0', z: 'c@10' });
    });
  });

  it('treats concurrency 0 as unbounded', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold<string>('(abc)', { a: 'a', b: 'b', c: 'c' }).pipe(map(item));
      const out = input.pipe(runner(slow(10), { concurrency: 0 }, ts));
      expectObservable(out).toBe('10ms (xyz)', { x: 'a@0', y: 'b@0', z: 'c@0' });
    });
  });

  it('deduplicates an object that waits for a free slot', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold<string>('(ab) 1ms (bb)', { a: 'a', b: 'b' }).pipe(map(item));
      const out = input.pipe(runner(slow(10), { concurrency: 1 }, ts));
      // b waits for a; the two later b's merge into the waiting one.
      expectObservable(out).toBe('10ms x 9ms y', { x: 'a@0', y: 'b@10' });
    });
  });

  it('starts nothing before ready, then runs what waited (deduplicated)', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold<string>('a b a', { a: 'a', b: 'b' }).pipe(map(item));
      const ready = cold('-----(r|)');
      const out = input.pipe(runner(slow(10), { ready }, ts));
      expectObservable(out).toBe('15ms (xy)', { x: 'a@5', y: 'b@5' });
    });
  });

  it('completes when the input has completed and all work is done', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold<string>('a|', { a: 'a' }).pipe(map(item));
      expectObservable(input.pipe(runner(slow(10), {}, ts))).toBe('10ms (x|)', { x: 'a@0' });
    });
  });

  it('stops gracefully: queued items are dropped, running ones finish, then it completes', () => {
    ts.run(({ cold, hot, expectObservable }) => {
      const log: string[] = [];
      const input = cold<string>('(ab) 9ms c', { a: 'a', b: 'b', c: 'c' }).pipe(map(item));
      const stop$ = hot('--s');
      const out = input.pipe(runner(slow(10, log), { concurrency: 1, stop$ }, ts));
      expectObservable(out).toBe('10ms (x|)', { x: 'a@0' });
      ts.flush();
      expect(log).toEqual(['start a@0']);
    });
  });

  it('cancels work still running when the shutdown timeout ends', () => {
    ts.run(({ cold, hot, expectObservable }) => {
      const input = cold<string>('a', { a: 'a' }).pipe(map(item));
      const stop$ = hot('--s');
      const out = input.pipe(runner(slow(100), { stop$, shutdownTimeoutMs: 20 }, ts));
      expectObservable(out).toBe('22ms |');
    });
  });

  it('lets running work finish after an unsubscribe, for up to the shutdown timeout', () => {
    ts.run(({ cold, expectObservable, flush }) => {
      const done: string[] = [];
      const input = cold<string>('(ab)', { a: 'a', b: 'b' }).pipe(map(item));
      const work = (it: Item): ObservableInput<string> =>
        slow(it.key === 'a' ? 10 : 100)(it) as Observable<string>;
      const out = input.pipe(
        runner((it: Item) => (work(it) as Observable<string>).pipe(tap((v) => done.push(v))), { shutdownTimeoutMs: 30 }, ts),
      );
      expectObservable(out, '^ 4ms !').toBe('');
      flush();
      // a finished inside the grace period; b (100 ms) was cancelled at 5 + 30.
      expect(done).toEqual(['a@0']);
    });
  });

  it('propagates an error of the work', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold<string>('a', { a: 'a' }).pipe(map(item));
      const out = input.pipe(runner(() => cold('--#', undefined, new Error('boom')), {}, ts));
      expectObservable(out).toBe('--#', undefined, new Error('boom'));
    });
  });

  it('reports the number of waiting items', () => {
    ts.run(({ cold, flush }) => {
      const depths: number[] = [];
      const input = cold<string>('(abc)', { a: 'a', b: 'b', c: 'c' }).pipe(map(item));
      input.pipe(runner(slow(10), { concurrency: 1, onDepth: (d) => depths.push(d) }, ts)).subscribe();
      flush();
      expect(depths).toEqual([1, 0, 1, 2, 1, 0]);
    });
  });
});
