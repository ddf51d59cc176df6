import { TestScheduler } from 'rxjs/testing';
import { map, type Observable } from 'rxjs';
import { scheduler, type ScheduleRequest } from '../../lib/runtime/scheduler.js';

/** A request per marble value: `a+30` asks for object `a` 30 ms after the value arrives. */
function requests(ts: TestScheduler, source: Observable<string>): Observable<ScheduleRequest<string, string>> {
  return source.pipe(
    map((spec) => {
      const [ref = '', delay = '0', reason = spec] = spec.split(/[+@]/);
      return { ref, runAt: ts.now() + Number(delay), reason };
    }),
  );
}

describe('scheduler', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  const keyed = { key: (ref: string) => ref };

  it('emits a request that is due now at once, and a delayed one at its time', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = requests(ts, cold('a 9ms b', { a: 'a+0', b: 'b+20' }));
      const out = input.pipe(scheduler(keyed, ts), map((item) => item.ref));
      expectObservable(out).toBe('a 29ms b', { a: 'a', b: 'b' });
    });
  });

  it('keeps the earliest time when the later request comes first', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = requests(ts, cold('x 4ms y', { x: 'a+50@late', y: 'a+10@early' }));
      const out = input.pipe(scheduler(keyed, ts), map((item) => `${item.ref}:${item.reason}`));
      // requested at 5 for +10: due at 15; the request due at 50 is gone.
      expectObservable(out).toBe('15ms e', { e: 'a:early' });
    });
  });

  it('drops a later request for an object that is already scheduled earlier', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = requests(ts, cold('x 4ms y', { x: 'a+10@early', y: 'a+50@late' }));
      const out = input.pipe(scheduler(keyed, ts), map((item) => `${item.ref}:${item.reason}`));
      expectObservable(out).toBe('10ms e', { e: 'a:early' });
    });
  });

  it('keeps objects independent', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = requests(ts, cold('(xy)', { x: 'a+10', y: 'b+5' }));
      const out = input.pipe(scheduler(keyed, ts), map((item) => item.ref));
      expectObservable(out).toBe('5ms b 4ms a', { a: 'a', b: 'b' });
    });
  });

  it('debounces on the trailing edge: every request in the window pushes the run out', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = requests(ts, cold('a 2ms a 2ms a 29ms a', { a: 'a+0' }));
      const out = input.pipe(scheduler({ ...keyed, debounce: 10 }, ts), map((item) => item.ref));
      // requests at 0, 3, 6 → one run at 16; the request at 36 runs at 46.
      expectObservable(out).toBe('16ms a 29ms a', { a: 'a' });
    });
  });

  it('reports when the object was first queued, across replacements', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = requests(ts, cold('a 2ms a', { a: 'a+0' }));
      const out = input.pipe(scheduler({ ...keyed, debounce: 10 }, ts), map((item) => item.queuedAt));
      expectObservable(out).toBe('13ms q', { q: 0 });
    });
  });

  it('completes once the input has completed and nothing is pending', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = requests(ts, cold('a|', { a: 'a+20' }));
      const out = input.pipe(scheduler(keyed, ts), map((item) => item.ref));
      expectObservable(out).toBe('20ms (a|)', { a: 'a' });
    });
  });

  it('drops pending runs on unsubscribe', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = requests(ts, cold('a b', { a: 'a+5', b: 'b+50' }));
      const out = input.pipe(scheduler(keyed, ts), map((item) => item.ref));
      expectObservable(out, '^ 9ms !').toBe('5ms a', { a: 'a' });
    });
  });
});
