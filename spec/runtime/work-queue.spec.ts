import { TestScheduler } from 'rxjs/testing';
import { Observable, Subject, map, of, throwError, type ObservableInput } from 'rxjs';
import { workQueue, type DrainReport, type WorkCancellation, type WorkQueueOptions } from '../../lib/runtime/work-queue.js';
import type { ScheduleRequest, ScheduledItem } from '../../lib/runtime/scheduler.js';

type Item = ScheduledItem<string, string>;

describe('workQueue', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  /** `a+30@r!` asks for `a` 30 ms after the value arrives, for reason `r`, at low priority (`!`). */
  const req = (spec: string): ScheduleRequest<string, string> => {
    const [, ref = '', delay = '0', reason = ref, low] = /^(\w+)(?:\+(\d+))?(?:@(\w+))?(!)?$/.exec(spec) ?? [];
    return { ref, runAt: ts.now() + Number(delay), reason, priority: low ? 'low' : 'high' };
  };
  const opts = (more: Partial<WorkQueueOptions<string, string, string>> = {}): WorkQueueOptions<string, string, string> => ({
    key: (ref) => ref,
    ...more,
  });
  /** Work that takes `ms` of virtual time, then emits `<ref>:<reason>@<start>`; logs starts and cancellations. */
  const slow =
    (ms: number | ((item: Item) => number), log: string[] = []) =>
    (item: Item, cancellation: WorkCancellation): ObservableInput<string> =>
      new Observable<string>((sub) => {
        const started = ts.now();
        log.push(`start ${item.ref}@${started}`);
        cancellation.onCancel((reason) => log.push(`cancel ${item.ref}@${ts.now()}:${String(reason)}`));
        const timer = ts.schedule(() => {
          sub.next(`${item.ref}:${item.reason}@${started}`);
          sub.complete();
        }, typeof ms === 'number' ? ms : ms(item));
        return () => timer.unsubscribe();
      });

  it('runs a due request at once and a delayed one at its time; the earliest request wins', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold('a 4ms b 4ms c', { a: 'a+50@late', b: 'a+10@early', c: 'b+0' }).pipe(map(req));
      const out = input.pipe(workQueue(slow(0), opts(), ts));
      expectObservable(out).toBe('10ms c 4ms e', { c: 'b:b@10', e: 'a:early@15' });
    });
  });

  it('pushes the run out with each change inside the debounce window', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold('a 4ms b 4ms c', { a: 'a@1', b: 'a@2', c: 'a@3' }).pipe(map(req));
      expectObservable(input.pipe(workQueue(slow(0), opts({ debounce: 20 }), ts))).toBe('30ms x', { x: 'a:3@30' });
    });
  });

  it('holds requests for a running key, its own requeue included; the earliest wins across the run', () => {
    ts.run(({ expectObservable }) => {
      const requests = new Subject<ScheduleRequest<string, string>>();
      // each run of `a` asks for a requeue in 100 ms when it ends (at +10)
      const work = (item: Item, c: WorkCancellation): ObservableInput<string> =>
        new Observable<string>((sub) => {
          const started = ts.now();
          const timer = ts.schedule(() => {
            if (item.reason !== 'change') requests.next({ ref: 'a', runAt: ts.now() + 100, reason: 'requeue' });
            sub.next(`${item.reason}@${started}`);
            sub.complete();
          }, 10);
          c.onCancel(() => undefined);
          return () => timer.unsubscribe();
        });
      ts.schedule(() => requests.next(req('a@first')), 1);
      ts.schedule(() => requests.next(req('a@change')), 6);
      // first runs 1–11 and asks for a requeue at 111; the change at 6 wins: runs at 11 and asks nothing
      expectObservable(requests.pipe(workQueue(work, opts(), ts)), '^ 300ms !').toBe('11ms x 9ms y', { x: 'first@1', y: 'change@11' });
    });
  });

  it('starts due low-priority requests after the high-priority ones', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold('(abcd)', { a: 'a!', b: 'b!', c: 'c', d: 'b' }).pipe(map(req));
      const out = input.pipe(workQueue(slow(10), opts({ concurrency: 1, ready$: cold('-t', { t: true }) }), ts));
      // ready at 1: c (high), then b (raised to high by its second request), then a
      expectObservable(out).toBe('11ms x 9ms y 9ms z', { x: 'c:c@1', y: 'b:b@11', z: 'a:a@21' });
    });
  });

  it('gives every 8th start to a waiting low-priority request, so endless high-priority work cannot starve it', () => {
    ts.run(({ flush }) => {
      const requests = new Subject<ScheduleRequest<string, string>>();
      const starts: string[] = [];
      // `h` asks for itself again 1 ms after each run (a high-priority requeue), forever
      const work = (item: Item): ObservableInput<string> =>
        new Observable<string>((sub) => {
          starts.push(item.ref);
          const timer = ts.schedule(() => {
            if (item.ref === 'h') requests.next({ ref: 'h', runAt: ts.now(), reason: 'requeue' });
            sub.complete();
          }, 1);
          return () => timer.unsubscribe();
        });
      const sub = requests.pipe(workQueue(work, opts({ concurrency: 1 }), ts)).subscribe();
      requests.next(req('h'));
      requests.next(req('l!'));
      ts.schedule(() => sub.unsubscribe(), 30);
      flush();
      // h started at once; then at most 8 queued starts of h before l
      expect(starts.indexOf('l')).toBeGreaterThan(0);
      expect(starts.indexOf('l')).toBeLessThanOrEqual(9);
    });
  });

  it('starts nothing while not ready, and does not stop running work when readiness drops', () => {
    ts.run(({ cold, expectObservable }) => {
      const log: string[] = [];
      const input = cold('a 9ms b', { a: 'a', b: 'b' }).pipe(map(req));
      const ready$ = cold('t 4ms f 19ms t', { t: true, f: false });
      const out = input.pipe(workQueue(slow(10, log), opts({ ready$ }), ts));
      // b comes at 10, while not ready (5–25)
      expectObservable(out).toBe('10ms x 24ms y', { x: 'a:a@0', y: 'b:b@25' });
    });
  });

  it('closes the gate: starts nothing, cancels running work, reports the drain, and runs the cancelled key again on reopening', () => {
    ts.run(({ cold, hot, expectObservable, flush }) => {
      const log: string[] = [];
      const drains: DrainReport[] = [];
      const input = cold('(ab) 4ms c', { a: 'a', b: 'b', c: 'c' }).pipe(map(req));
      const gate$ = hot('t 2ms f 19ms t', { t: true, f: false });
      // a ends 4 ms after its cancellation; b ignores it and runs 10 ms
      const work = (item: Item, c: WorkCancellation): ObservableInput<string> =>
        new Observable<string>((sub) => {
          const started = ts.now();
          log.push(`start ${item.ref}@${started}`);
          let timer = ts.schedule(() => (sub.next(`${item.ref}@${started}`), sub.complete()), 10);
          c.onCancel(() => {
            if (item.ref !== 'a') return;
            timer.unsubscribe();
            timer = ts.schedule(() => sub.complete(), 4);
          });
          return () => timer.unsubscribe();
        });
      const out = input.pipe(workQueue(work, opts({ gate$, onDrained: (d) => drains.push(d), drainTimeoutMs: 100 }), ts));
      // closed at 3: a ends at 7, b (ignoring its cancellation) at 10, when the drain is reported; c
      // comes at 8. Reopened at 23: the cancelled a and b run again, and c.
      expectObservable(out).toBe('10ms x 22ms (acb)', { x: 'b@0', a: 'a@23', c: 'c@23', b: 'b@23' });
      flush();
      expect(log).toEqual(['start a@0', 'start b@0', 'start a@23', 'start c@23', 'start b@23']);
      expect(drains).toEqual([{ cause: 'gateClosed', abandoned: 0, at: 10 }]);
    });
  });

  it('never starts a key twice when the gate reopens before its cancelled run has ended', () => {
    ts.run(({ cold, hot, flush }) => {
      const log: string[] = [];
      const drains: DrainReport[] = [];
      const input = cold('a 9ms b', { a: 'a', b: 'a' }).pipe(map(req));
      const gate$ = hot('t 4ms f 1ms t', { t: true, f: false });
      input.pipe(workQueue(slow(50, log), opts({ gate$, onDrained: (d) => drains.push(d) }), ts)).subscribe();
      flush();
      expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a@0', 'start a@50']);
      expect(drains).toEqual([]);
    });
  });

  it('reports a drain at its bound with the work still running', () => {
    ts.run(({ cold, hot, flush }) => {
      const drains: DrainReport[] = [];
      const input = cold('(ab)', { a: 'a', b: 'b' }).pipe(map(req));
      input.pipe(workQueue(slow(100), opts({ gate$: hot('t 9ms f', { t: true, f: false }), drainTimeoutMs: 20, onDrained: (d) => drains.push(d) }), ts)).subscribe();
      flush();
      expect(drains).toEqual([{ cause: 'gateClosed', abandoned: 2, at: 30 }]);
    });
  });

  it('releases the key when the work errors or throws, through onError', () => {
    ts.run(({ cold, expectObservable }) => {
      let calls = 0;
      const work = (item: Item): ObservableInput<string> => {
        calls++;
        if (calls === 1) throw new Error('threw');
        if (calls === 2) return throwError(() => new Error('errored'));
        return of(`ok ${item.reason}`);
      };
      const input = cold('a 1ms b 1ms c', { a: 'a@1', b: 'a@2', c: 'a@3' }).pipe(map(req));
      const out = input.pipe(workQueue(work, opts({ onError: (item, e) => `${item.reason}:${(e as Error).message}` }), ts));
      expectObservable(out).toBe('x 1ms y 1ms z', { x: '1:threw', y: '2:errored', z: 'ok 3' });
    });
  });

  it('errors the output when the work errors and there is no onError', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold('a', { a: 'a' }).pipe(map(req));
      expectObservable(input.pipe(workQueue(() => throwError(() => new Error('boom')), opts(), ts))).toBe('#', undefined, new Error('boom'));
    });
  });

  it('stops: drops pending keys, lets running work finish, reports the drain and completes', () => {
    ts.run(({ cold, hot, expectObservable, flush }) => {
      const log: string[] = [];
      const drains: DrainReport[] = [];
      const input = cold('(ab) 2ms c', { a: 'a', b: 'b', c: 'c' }).pipe(map(req));
      const out = input.pipe(workQueue(slow(10, log), opts({ concurrency: 1, stop$: hot('-s'), onDrained: (d) => drains.push(d) }), ts));
      expectObservable(out).toBe('10ms (x|)', { x: 'a:a@0' });
      flush();
      expect(log).toEqual(['start a@0']);
      expect(drains).toEqual([{ cause: 'stopped', abandoned: 0, at: 10 }]);
    });
  });

  it('cancels and unsubscribes work still running at the shutdown bound', () => {
    ts.run(({ cold, hot, expectObservable, flush }) => {
      const log: string[] = [];
      const drains: DrainReport[] = [];
      const input = cold('a', { a: 'a' }).pipe(map(req));
      const out = input.pipe(workQueue(slow(100, log), opts({ stop$: hot('--s'), shutdownTimeoutMs: 20, onDrained: (d) => drains.push(d) }), ts));
      expectObservable(out).toBe('22ms |');
      flush();
      expect(log).toEqual(['start a@0', 'cancel a@22:stopped']);
      expect(drains).toEqual([{ cause: 'stopped', abandoned: 1, at: 22 }]);
    });
  });

  it('completes when the input has completed and all work is done', () => {
    ts.run(({ cold, expectObservable }) => {
      const input = cold('a|', { a: 'a+5' }).pipe(map(req));
      expectObservable(input.pipe(workQueue(slow(10), opts(), ts))).toBe('15ms (x|)', { x: 'a:a@5' });
    });
  });

  it('reports the number of due items not yet started (an item that starts at once never counts)', () => {
    ts.run(({ cold, flush }) => {
      const depths: number[] = [];
      const input = cold('(abc)', { a: 'a', b: 'b', c: 'c' }).pipe(map(req));
      input.pipe(workQueue(slow(10), opts({ concurrency: 1, onDepth: (d) => depths.push(d) }), ts)).subscribe();
      flush();
      expect(depths).toEqual([1, 2, 1, 0]);
    });
  });

  it('drains a long backlog of synchronous work without growing the stack', () => {
    const ready$ = new Subject<boolean>();
    const requests = new Subject<ScheduleRequest<string, string>>();
    let done = 0;
    requests.pipe(workQueue((item: Item) => of(item.ref), { key: (r: string) => r, ready$ }, ts)).subscribe(() => done++);
    for (let i = 0; i < 50_000; i++) requests.next({ ref: `k${i}`, runAt: 0, reason: 'x' });
    ready$.next(true);
    expect(done).toBe(50_000);
  });

  it('yields to the scheduler instead of spinning when synchronous work asks for itself at once, forever', () => {
    ts.run(({ flush }) => {
      const requests = new Subject<ScheduleRequest<string, string>>();
      let runs = 0;
      const sub = requests
        .pipe(
          workQueue(
            (item: Item) => {
              runs++;
              requests.next({ ref: item.ref, runAt: ts.now(), reason: 'again' });
              return of(item.ref);
            },
            { key: (r: string) => r },
            ts,
          ),
        )
        .subscribe();
      requests.next({ ref: 'a', runAt: 0, reason: 'first' });
      // it returned: the first run started at once, then the loop was cut after the budget (1 due + 1024)
      // and continues on the scheduler
      expect(runs).toBe(1026);
      sub.unsubscribe();
      flush();
    });
  });
});
