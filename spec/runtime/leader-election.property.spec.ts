import fc from 'fast-check';
import { NEVER, Observable, defer, delay, mergeMap, of, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ApiError } from '../../lib/client/errors.js';
import { leaderElection, type Lease, type LeaseApi } from '../../lib/runtime/leader-election.js';

/** What one request of the leader does: answer after `before` ms (the write happens then) and `after` more ms, fail, or hang. */
type Fate = { kind: 'ok'; before: number; after: number } | { kind: 'fail'; after: number } | { kind: 'hang' };

const fate: fc.Arbitrary<Fate> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ok' as const), before: fc.integer({ min: 0, max: 12_000 }), after: fc.integer({ min: 0, max: 12_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), after: fc.integer({ min: 0, max: 12_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hang' as const) }) },
);

describe('leaderElection (property)', () => {
  it('never lets a standby lead while the old leader still thinks it leads, whatever the latency of its requests', () => {
    fc.assert(
      fc.property(fc.array(fate, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 5_000 }), (fates, standbyAt) => {
        const ts = new TestScheduler(() => undefined);
        const intervals: Record<string, Array<[number, number]>> = { a: [], b: [] };
        ts.run(() => {
          let lease: Lease | undefined;
          let rv = 0;
          const path = '/apis/coordination.k8s.io/v1/namespaces/ns/leases/l';
          const conflict = (): Observable<never> => throwError(() => new ApiError({ verb: 'replace', method: 'PUT', path }, 409, { code: 409 }));
          const server: LeaseApi = {
            get$: () => defer(() => (lease ? of(structuredClone(lease)) : throwError(() => new ApiError({ verb: 'get', method: 'GET', path }, 404, { code: 404 })))),
            create$: (l) => defer(() => (lease ? conflict() : of(structuredClone((lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++rv) } }))))),
            replace$: (_n, l) =>
              defer(() =>
                l.metadata?.resourceVersion !== lease?.metadata?.resourceVersion
                  ? conflict()
                  : of(structuredClone((lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++rv) } }))),
              ),
          };
          // a's writes (create/replace) after the first follow `fates`: the server applies a write
          // `before` ms after it was sent and a's client sees the answer `after` ms later.
          let n = 0;
          const slow = <T>(send: () => Observable<T>): Observable<T> =>
            defer(() => {
              const f = n === 0 ? undefined : fates[(n - 1) % fates.length];
              n += 1;
              if (f === undefined) return send();
              if (f.kind === 'hang') return NEVER;
              if (f.kind === 'fail') return timer(f.after, ts).pipe(mergeMap(() => throwError(() => new Error('503'))));
              return timer(f.before, ts).pipe(mergeMap(send), delay(f.after, ts));
            });
          const a: LeaseApi = { get$: server.get$, create$: (l) => slow(() => server.create$(l)), replace$: (nm, l) => slow(() => server.replace$(nm, l)) };
          const follow = (id: string, api: LeaseApi, from: number): void => {
            ts.schedule(() => {
              const sub = leaderElection(api, { leaseName: 'l', identity: id, scheduler: ts, releaseOnCancel: false }).subscribe((leading) => {
                const list = intervals[id]!;
                if (leading) list.push([ts.now(), Infinity]);
                else if (list.length > 0 && list[list.length - 1]![1] === Infinity) list[list.length - 1]![1] = ts.now();
              });
              ts.schedule(() => sub.unsubscribe(), 200_000 - from);
            }, from);
          };
          follow('a', a, 0);
          follow('b', server, standbyAt);
          ts.flush();
        });
        for (const [aFrom, aTo] of intervals.a!) {
          for (const [bFrom, bTo] of intervals.b!) {
            // half-open intervals [from, to): a step-down and a take-over at the same instant do not overlap
            if (aFrom < bTo && bFrom < aTo) throw new Error(`a led ${aFrom}–${aTo} while b led ${bFrom}–${bTo}`);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
