// Regression tests of issue 16 for the controller's work queue: a timed-out reconcile keeps its
// object locked until it has really ended (defect 4), a throwing metrics sink or error policy
// cannot lose an object (defect 5), stale requeues are dropped (defect 6), and leadership is a
// hard boundary for running reconciles. Promise reconciles run in virtual time (VirtualClock).
import { BehaviorSubject, Observable, Subject } from 'rxjs';
import { Action, ErrorPolicy } from '../../lib/runtime/action.js';
import { Controller, ControllerError, type ControllerResult, type ReconcileInfo } from '../../lib/runtime/controller.js';
import { InMemoryMetrics, METRICS, type MetricsSink } from '../../lib/runtime/metrics.js';
import { reflector } from '../../lib/runtime/reflector.js';
import { store } from '../../lib/runtime/store.js';
import type { DrainReport } from '../../lib/runtime/work-queue.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';
import type { KubeObject } from '../../lib/core/resource.js';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { isAbortedError } from '../../lib/client/errors.js';
import { ConfigMap } from '../../lib/core/builtins.js';
import { VirtualClock } from './support/virtual-clock.js';
import { cm, until, watchServer } from './support/watch-server.js';

const obj = (name: string, rv = '1'): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name, namespace: 'ns', resourceVersion: rv },
});

/** A controller on a store fed by a Subject, on a virtual clock; records overlapping runs. */
function harness(clock: VirtualClock, config: Record<string, unknown> = {}) {
  const { reader, writer } = store<KubeObject>();
  const events = new Subject<WatcherEvent<KubeObject>>();
  const controller = Controller.fromReflector(reader, reflector(writer, events), { scheduler: clock.scheduler, ...config });
  const running = new Set<string>();
  const overlaps: string[] = [];
  const starts: string[] = [];
  /** Wraps a Promise reconcile: logs `name:rv@time` at start and notes overlaps. */
  const tracked =
    (body: (o: KubeObject, info: ReconcileInfo, call: number) => Promise<Action>) =>
    async (o: KubeObject, _ctx: unknown, info: ReconcileInfo): Promise<Action> => {
      const name = o.metadata?.name ?? '';
      if (running.has(name)) overlaps.push(`${name}@${clock.now()}`);
      running.add(name);
      starts.push(`${name}:${o.metadata?.resourceVersion}@${clock.now()}`);
      try {
        return await body(o, info, starts.length);
      } finally {
        running.delete(name);
      }
    };
  const list = (...objects: KubeObject[]): void => {
    events.next({ type: 'init' });
    for (const o of objects) events.next({ type: 'initApply', object: o });
    events.next({ type: 'initDone' });
  };
  /** Runs `reconcile` while `leader$` (starting as leader) says so; drain reports land in `drains`. */
  const runLed = (reconcile: ReturnType<typeof tracked>, leaderDrainTimeoutMs: number) => {
    const leader$ = new BehaviorSubject(true);
    const drains: DrainReport[] = [];
    const sub = controller.run(reconcile, ErrorPolicy.backoff(), {}, { leader$, onDrained: (r) => drains.push(r), leaderDrainTimeoutMs }).subscribe();
    return { leader$, drains, sub };
  };
  return { controller, events, list, overlaps, runLed, starts, tracked };
}

describe('Controller work queue (issue 16)', () => {
  let clock: VirtualClock;
  beforeEach(() => {
    clock = new VirtualClock();
  });

  describe('reconcileTimeoutMs (defect 4)', () => {
    it('keeps the object locked until a timed-out Promise reconcile has really ended, and aborts its signal', async () => {
      const h = harness(clock, { reconcileTimeoutMs: 50 });
      let aborted: unknown;
      const reconcile = h.tracked(async (_o, info, call) => {
        if (call === 1) {
          info.signal.addEventListener('abort', () => (aborted = info.signal.reason));
          // ignores its signal: settles only at 200
          return clock.after(200, Action.awaitChange());
        }
        return Action.awaitChange();
      });
      const results: ControllerResult[] = [];
      const sub = h.controller.run(reconcile, ErrorPolicy.backoff(), {}).subscribe((r) => results.push(r));
      h.list(obj('a'));
      await clock.advanceTo(1_000);
      sub.unsubscribe();
      expect(h.overlaps).toEqual([]);
      // the failure is reported at 50; the retry (due at 55) waits until the first run ended at 200
      expect(h.starts).toEqual(['a:1@0', 'a:1@200']);
      expect(results.map((r) => r.type)).toEqual(['failed', 'reconciled']);
      expect((results[0] as { error: ControllerError }).error.reason).toBe('reconcileTimeout');
      expect(aborted).toBeInstanceOf(ControllerError);
    });

    it('cancels a timed-out Observable reconcile at once and retries after the backoff', async () => {
      const h = harness(clock, { reconcileTimeoutMs: 50 });
      const starts: number[] = [];
      let unsubscribedAt = -1;
      const reconcile = (): Observable<Action> =>
        new Observable<Action>(() => {
          starts.push(clock.now());
          return () => (unsubscribedAt = clock.now());
        });
      const sub = h.controller.run(reconcile, ErrorPolicy.requeueAfter(10), {}).subscribe();
      h.list(obj('a'));
      await clock.advanceTo(75);
      sub.unsubscribe();
      expect(unsubscribedAt).toBeGreaterThanOrEqual(50);
      expect(starts).toEqual([0, 60]);
    });
  });

  describe('reconcileTimeoutMs with an API call that hangs (defect 4, real time)', () => {
    it('aborts the call through info.signal and starts the retry only after the call has ended', async () => {
      // the first GET hangs forever, the second is answered
      const server = await watchServer([
        () => undefined,
        (res) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(cm('a', '2')));
        },
      ]);
      const api = Api.namespaced(new Client({ server: server.url }, { retry: false }), ConfigMap, 'ns');
      const { reader, writer } = store<KubeObject>();
      const events = new Subject<WatcherEvent<KubeObject>>();
      const log: string[] = [];
      const errors: unknown[] = [];
      let active = 0;
      const results: ControllerResult[] = [];
      const sub = Controller.fromReflector(reader, reflector(writer, events), { reconcileTimeoutMs: 100 })
        .run(
          async (o: KubeObject, _ctx: unknown, info: ReconcileInfo) => {
            if (active > 0) log.push('overlap');
            active++;
            log.push('start');
            try {
              await api.get(o.metadata?.name ?? '', {}, { signal: info.signal });
              return Action.awaitChange();
            } catch (e) {
              errors.push(e);
              throw e;
            } finally {
              log.push('end');
              active--;
            }
          },
          ErrorPolicy.backoff(),
          {},
        )
        .subscribe((r) => results.push(r));
      try {
        events.next({ type: 'init' });
        events.next({ type: 'initApply', object: obj('a') });
        events.next({ type: 'initDone' });
        await until(() => results.some((r) => r.type === 'reconciled'), 5_000, 'the retry to succeed');
      } finally {
        sub.unsubscribe();
        await server.close();
      }
      expect(log).toEqual(['start', 'end', 'start', 'end']);
      expect(results.map((r) => r.type)).toEqual(['failed', 'reconciled']);
      expect((results[0] as { error: ControllerError }).error.reason).toBe('reconcileTimeout');
      expect(errors).toHaveLength(1);
      // the hanging call was torn down: rejected with the abort (the signal's reason, or AbortedError)
      const timeout = (results[0] as { error: ControllerError }).error;
      expect(errors[0] === timeout || isAbortedError(errors[0])).toBe(true);
      expect(server.seen).toHaveLength(2);
    });
  });

  describe('failures around a reconcile (defect 5)', () => {
    /** A sink that throws on the first `reconcile_total` increment. */
    const throwingOnce = (): MetricsSink & { thrown: number } => {
      const inner = new InMemoryMetrics();
      const sink = {
        thrown: 0,
        inc(name: string, labels: Record<string, string>, by?: number) {
          if (name === METRICS.reconcileTotal && sink.thrown === 0) {
            sink.thrown++;
            throw new Error('sink is broken');
          }
          inner.inc(name, labels, by);
        },
        set: inner.set.bind(inner),
        observe: inner.observe.bind(inner),
      };
      return sink;
    };

    it('releases the object when the metrics sink throws after a sync reconcile, and reports it', async () => {
      const h = harness(clock, { metrics: throwingOnce() });
      const seen: string[] = [];
      const results: ControllerResult[] = [];
      const sub = h.controller
        .run((o: KubeObject) => (seen.push(`${o.metadata?.resourceVersion}@${clock.now()}`), Action.awaitChange()), ErrorPolicy.backoff(), {})
        .subscribe((r) => results.push(r));
      h.list(obj('a'));
      await clock.advanceTo(10);
      h.events.next({ type: 'apply', object: obj('a', '2') });
      await clock.advanceTo(20);
      sub.unsubscribe();
      // the change at 10 is reconciled: the key was not lost
      expect(seen).toEqual(['1@0', '2@10']);
      const internal = results.find((r) => r.type === 'internalError');
      expect(internal?.type === 'internalError' && internal.error.reason).toBe('metricsFailed');
      expect(internal?.type === 'internalError' && (internal.error.cause as Error).message).toBe('sink is broken');
    });

    it('releases the object when the metrics sink throws after a rejected Promise, without an unhandled rejection', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const h = harness(clock, { metrics: throwingOnce() });
        const seen: string[] = [];
        const results: ControllerResult[] = [];
        const sub = h.controller
          .run(
            async (o: KubeObject) => {
              seen.push(`${o.metadata?.resourceVersion}@${clock.now()}`);
              if (o.metadata?.resourceVersion === '1') throw new Error('reconcile failed');
              return Action.awaitChange();
            },
            ErrorPolicy.requeueAfter(1_000),
            {},
          )
          .subscribe((r) => results.push(r));
        h.list(obj('a'));
        await clock.advanceTo(10);
        h.events.next({ type: 'apply', object: obj('a', '2') });
        await clock.advanceTo(20);
        await new Promise((resolve) => setImmediate(resolve));
        sub.unsubscribe();
        expect(seen).toEqual(['1@0', '2@10']);
        expect(results.map((r) => r.type)).toEqual(['failed', 'internalError', 'reconciled']);
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it('reports an error policy that throws as a typed result and still retries with the backoff', async () => {
      const h = harness(clock);
      const seen: number[] = [];
      const results: ControllerResult[] = [];
      const policy = (): Action => {
        throw new Error('policy is broken');
      };
      let calls = 0;
      const sub = h.controller
        .run(
          () => {
            seen.push(clock.now());
            if (++calls === 1) throw new Error('first attempt fails');
            return Action.awaitChange();
          },
          policy,
          {},
        )
        .subscribe((r) => results.push(r));
      h.list(obj('a'));
      await clock.advanceTo(100);
      sub.unsubscribe();
      expect(seen).toEqual([0, 5]);
      expect(results.map((r) => r.type)).toEqual(['failed', 'internalError', 'reconciled']);
      const internal = results[1];
      expect(internal?.type === 'internalError' && internal.error.reason).toBe('errorPolicyFailed');
    });
  });

  describe('overall retry limit', () => {
    const secondAttempts = async (config: Record<string, unknown>): Promise<number[]> => {
      const h = harness(clock, { concurrency: 0, ...config });
      const attempts = new Map<string, number[]>();
      const sub = h.controller
        .run(
          (o: KubeObject) => {
            const name = o.metadata?.name ?? '';
            const times = attempts.get(name) ?? [];
            times.push(clock.now());
            attempts.set(name, times);
            if (times.length === 1) throw new Error('API server is down');
            return Action.awaitChange();
          },
          ErrorPolicy.backoff(),
          {},
        )
        .subscribe();
      h.list(...Array.from({ length: 150 }, (_, i) => obj(`w${i}`)));
      await clock.advanceTo(10_000);
      sub.unsubscribe();
      return [...attempts.values()].map((t) => t[1] ?? -1).sort((a, b) => a - b);
    };

    it('spaces retries after a burst of 100 at 10 per second, over the per-object backoff', async () => {
      const retries = await secondAttempts({});
      expect(retries.filter((t) => t === 5)).toHaveLength(100);
      expect(retries.slice(100, 103)).toEqual([100, 200, 300]);
      expect(retries[149]).toBe(5_000);
    });

    it('can be configured or turned off', async () => {
      expect(new Set(await secondAttempts({ retryRateLimit: false }))).toEqual(new Set([5]));
    });
  });

  describe('stale requeues (defect 6)', () => {
    it('drops the requeue of a run when a change during that run led to a newer run that said awaitChange', async () => {
      const h = harness(clock);
      const reconcile = h.tracked(async (o) =>
        o.metadata?.resourceVersion === '1' ? clock.after(10, Action.requeue(100)) : Action.awaitChange(),
      );
      const sub = h.controller.run(reconcile, ErrorPolicy.backoff(), {}).subscribe();
      h.list(obj('a'));
      await clock.advanceTo(5);
      h.events.next({ type: 'apply', object: obj('a', '2') });
      await clock.advanceTo(500);
      sub.unsubscribe();
      // run 1 (0–10) asked for a requeue at 110, but the change at 5 ran at 10 and said awaitChange
      expect(h.starts).toEqual(['a:1@0', 'a:2@10']);
    });

    it('drops the error backoff of a run when a newer run that started for a change succeeded', async () => {
      const h = harness(clock);
      const reconcile = h.tracked(async (o) => {
        if (o.metadata?.resourceVersion === '1') {
          await clock.after(10, undefined);
          throw new Error('v1 is broken');
        }
        return Action.awaitChange();
      });
      const sub = h.controller.run(reconcile, ErrorPolicy.requeueAfter(100), {}).subscribe();
      h.list(obj('a'));
      await clock.advanceTo(5);
      h.events.next({ type: 'apply', object: obj('a', '2') });
      await clock.advanceTo(500);
      sub.unsubscribe();
      expect(h.starts).toEqual(['a:1@0', 'a:2@10']);
    });
  });

  describe('leadership', () => {
    it('never runs an object twice at once when leadership returns while its reconcile still runs', async () => {
      const h = harness(clock);
      const reconcile = h.tracked(async (o, _info, call) => (call === 1 ? clock.after(100, Action.awaitChange()) : Action.awaitChange()));
      const { leader$, drains, sub } = h.runLed(reconcile, 30);
      h.list(obj('a'));
      await clock.advanceTo(10);
      leader$.next(false);
      await clock.advanceTo(20);
      leader$.next(true);
      // the new term's listing asks for `a` at once; its first reconcile still runs until 100
      h.list(obj('a', '2'));
      await clock.advanceTo(300);
      sub.unsubscribe();
      expect(h.overlaps).toEqual([]);
      expect(h.starts).toEqual(['a:1@0', 'a:2@100']);
      // leadership came back before the drain ended: no drain report
      expect(drains).toEqual([]);
    });

    it('stops starting work at once, aborts running reconciles and reports the drain when they have ended', async () => {
      const h = harness(clock, { concurrency: 1 });
      let aborted: unknown;
      const reconcile = h.tracked(async (_o, info) => {
        // ends 15 ms after its signal aborts
        await new Promise<void>((resolve) => info.signal.addEventListener('abort', () => clock.scheduler.schedule(resolve, 15)));
        aborted = info.signal.reason;
        return Action.awaitChange();
      });
      const { leader$, drains, sub } = h.runLed(reconcile, 1_000);
      h.list(obj('a'), obj('b'));
      await clock.advanceTo(10);
      leader$.next(false);
      await clock.advanceTo(500);
      sub.unsubscribe();
      expect(h.starts).toEqual(['a:1@0']);
      expect((aborted as ControllerError).reason).toBe('reconcileCancelled');
      expect(drains).toEqual([{ cause: 'gateClosed', abandoned: 0, at: 25 }]);
    });

    it('reports the drain at its bound with the reconciles that are still running', async () => {
      const h = harness(clock);
      const reconcile = h.tracked(async () => clock.after(1_000, Action.awaitChange()));
      const { leader$, drains, sub } = h.runLed(reconcile, 40);
      h.list(obj('a'), obj('b'));
      await clock.advanceTo(10);
      leader$.next(false);
      await clock.advanceTo(100);
      sub.unsubscribe();
      expect(drains).toEqual([{ cause: 'gateClosed', abandoned: 2, at: 50 }]);
    });

    it('completes after a shutdown together with leader$, and reports the drain first', async () => {
      const h = harness(clock);
      const leader$ = new BehaviorSubject(true);
      const stop$ = new Subject<void>();
      const reconcile = h.tracked(async () => clock.after(30, Action.awaitChange()));
      const events: string[] = [];
      h.controller
        .shutdownOn(stop$)
        .run(reconcile, ErrorPolicy.backoff(), {}, { leader$, onDrained: (r) => events.push(`drained:${r.cause}@${r.at}`) })
        .subscribe({ next: (r) => events.push(`${r.type}@${clock.now()}`), complete: () => events.push(`complete@${clock.now()}`) });
      h.list(obj('a'));
      await clock.advanceTo(10);
      stop$.next();
      await clock.advanceTo(100);
      expect(events).toEqual(['reconciled@30', 'drained:stopped@30', 'complete@30']);
    });
  });
});
