// Property test of the controller's work queue (issue 16) in virtual time, with Promise, Observable
// and sync reconciles: over random updates, requeues, errors, timeouts and leadership flips, no
// object is ever reconciled twice at once (a run counts until it has really ended: its Promise
// settled, its Observable ended), and every object's last change is reconciled after it by a run
// that leadership did not cancel, once leadership stays.
import fc from 'fast-check';
import { BehaviorSubject, Observable, Subject } from 'rxjs';
import { Action, ErrorPolicy } from '../../lib/runtime/action.js';
import { Controller, ControllerError, type ReconcileInfo } from '../../lib/runtime/controller.js';
import { reflector } from '../../lib/runtime/reflector.js';
import { store } from '../../lib/runtime/store.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';
import type { KubeObject } from '../../lib/core/resource.js';
import { VirtualClock } from './support/virtual-clock.js';

const NAMES = ['a', 'b', 'c'];

interface Behaviour {
  kind: 'sync' | 'promise' | 'observable';
  durationMs: number;
  outcome: 'awaitChange' | 'requeue' | 'error';
  requeueMs: number;
  /** A Promise reconcile that does not stop when its signal aborts. */
  ignoresSignal: boolean;
}

const behaviour: fc.Arbitrary<Behaviour> = fc.record({
  kind: fc.constantFrom('sync', 'promise', 'observable'),
  durationMs: fc.integer({ min: 0, max: 30 }),
  outcome: fc.constantFrom('awaitChange', 'requeue', 'error'),
  // ≥ 1: a requeue(0) loop never lets virtual time advance
  requeueMs: fc.integer({ min: 1, max: 40 }),
  ignoresSignal: fc.boolean(),
});

const op = fc.record({
  gapMs: fc.integer({ min: 0, max: 20 }),
  op: fc.oneof(
    fc.record({ type: fc.constant('update' as const), object: fc.integer({ min: 0, max: NAMES.length - 1 }) }),
    fc.record({ type: fc.constant('leader' as const), leading: fc.boolean() }),
  ),
});

interface Run {
  name: string;
  version: number;
  at: number;
  cancelled: boolean;
}

const objectOf = (name: string, version: number): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name, namespace: 'ns', resourceVersion: String(version) },
});

describe('Controller work queue (property)', () => {
  it('never overlaps runs of one object and loses no last change, over random updates, failures, timeouts and leadership flips', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 30 }),
        fc.array(behaviour, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(undefined, 12),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom(0, 4),
        async (ops, behaviours, reconcileTimeoutMs, concurrency, debounce) => {
          const clock = new VirtualClock();
          const world = new Map<string, number>(NAMES.map((n, i) => [n, i + 1]));
          const lastChange = new Map<string, { version: number; at: number }>(NAMES.map((n, i) => [n, { version: i + 1, at: 0 }]));
          let version = NAMES.length;
          const updates = new Subject<WatcherEvent<KubeObject>>();
          // A watch that lists the world on each (re)subscription, as a real one does when leadership returns.
          const events$ = new Observable<WatcherEvent<KubeObject>>((sub) => {
            sub.next({ type: 'init' });
            for (const [name, v] of world) sub.next({ type: 'initApply', object: objectOf(name, v) });
            sub.next({ type: 'initDone' });
            return updates.subscribe(sub);
          });
          const leader$ = new BehaviorSubject(true);
          const running = new Set<string>();
          const overlaps: string[] = [];
          const runs: Run[] = [];
          let call = 0;

          const reconcile = (o: KubeObject, _ctx: unknown, info: ReconcileInfo): Action | Promise<Action> | Observable<Action> => {
            const name = o.metadata?.name ?? '';
            const b = behaviours[call++ % behaviours.length]!;
            if (running.has(name)) overlaps.push(`${name}@${clock.now()}`);
            running.add(name);
            const run: Run = { name, version: Number(o.metadata?.resourceVersion), at: clock.now(), cancelled: false };
            runs.push(run);
            info.signal.addEventListener('abort', () => {
              const reason = info.signal.reason as unknown;
              if (reason instanceof ControllerError && reason.reason === 'reconcileCancelled') run.cancelled = true;
            });
            const outcome = (): Action => {
              if (b.outcome === 'error') throw new Error(`reconcile of ${name} failed`);
              return b.outcome === 'requeue' ? Action.requeue(b.requeueMs) : Action.awaitChange();
            };
            if (b.kind === 'sync') {
              running.delete(name);
              return outcome();
            }
            if (b.kind === 'promise') {
              return new Promise<Action>((resolve, reject) => {
                const timer = clock.scheduler.schedule(() => {
                  running.delete(name);
                  try {
                    resolve(outcome());
                  } catch (e) {
                    reject(e);
                  }
                }, b.durationMs);
                if (!b.ignoresSignal) {
                  info.signal.addEventListener('abort', () => {
                    timer.unsubscribe();
                    running.delete(name);
                    reject(info.signal.reason);
                  });
                }
              });
            }
            return new Observable<Action>((sub) => {
              const timer = clock.scheduler.schedule(() => {
                running.delete(name);
                try {
                  sub.next(outcome());
                  sub.complete();
                } catch (e) {
                  sub.error(e);
                }
              }, b.durationMs);
              return () => {
                timer.unsubscribe();
                running.delete(name);
              };
            });
          };

          const { reader, writer } = store<KubeObject>();
          const config = { scheduler: clock.scheduler, concurrency, debounce, ...(reconcileTimeoutMs ? { reconcileTimeoutMs } : {}) };
          const sub = Controller.fromReflector(reader, reflector(writer, events$), config)
            .run(reconcile, ErrorPolicy.backoff(), {}, { leader$, leaderDrainTimeoutMs: 10 })
            .subscribe();

          for (const { gapMs, op: o } of ops) {
            await clock.advance(gapMs);
            if (o.type === 'leader') {
              leader$.next(o.leading);
            } else {
              const name = NAMES[o.object]!;
              version++;
              world.set(name, version);
              lastChange.set(name, { version, at: clock.now() });
              if (leader$.value) updates.next({ type: 'apply', object: objectOf(name, version) });
            }
          }
          await clock.advance(1);
          leader$.next(true);
          await clock.advance(2_000);
          sub.unsubscribe();

          expect(overlaps).toEqual([]);
          for (const [name, last] of lastChange) {
            const seen = runs.some((r) => r.name === name && r.version === last.version && r.at >= last.at && !r.cancelled);
            expect({ name, last, seen }).toEqual({ name, last, seen: true });
          }
        },
      ),
      {
        numRuns: 150,
        examples: [
          // overlapped on 0e26eaf: leadership lost and back while Promise reconciles still ran
          [[{ gapMs: 0, op: { type: 'leader', leading: false } }], [{ kind: 'promise', durationMs: 2, outcome: 'awaitChange', requeueMs: 1, ignoresSignal: false }], undefined, 0, 0],
          // starved a listed object behind endless requeues (strict priority, concurrency 1)
          [[{ gapMs: 0, op: { type: 'update', object: 0 } }], [{ kind: 'promise', durationMs: 1, outcome: 'requeue', requeueMs: 1, ignoresSignal: false }], undefined, 1, 0],
        ],
      },
    );
  }, 120_000);
});
