// Leadership as a hard boundary, the leader's side (issue 16, defect 2): with `{ leadership }`, run() releases
// the Lease only after its reconciles drained and completes once the release is answered; no reconcile starts
// unless the leadership is valid by the clock at that moment; the drain after a loss is bounded by the time a
// standby needs to take over.
import { BehaviorSubject, Subject } from 'rxjs';
import { Action, ErrorPolicy } from '../../lib/runtime/action.js';
import { Controller, type ReconcileInfo } from '../../lib/runtime/controller.js';
import { leaseLeadership, type Lease, type LeaseApi, type Leadership } from '../../lib/runtime/leader-election.js';
import { reflector } from '../../lib/runtime/reflector.js';
import { store } from '../../lib/runtime/store.js';
import type { DrainReport } from '../../lib/runtime/work-queue.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';
import type { KubeObject } from '../../lib/core/resource.js';
import { SingleLeaseServer } from './support/single-lease-server.js';
import { VirtualClock } from './support/virtual-clock.js';

const obj = (name: string, rv = '1'): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'ns', resourceVersion: rv } });

function harness(clock: VirtualClock) {
  const { reader, writer } = store<KubeObject>();
  const events = new Subject<WatcherEvent<KubeObject>>();
  const controller = Controller.fromReflector(reader, reflector(writer, events), { scheduler: clock.scheduler });
  const log: string[] = [];
  const list = (...objects: KubeObject[]): void => {
    events.next({ type: 'init' });
    for (const o of objects) events.next({ type: 'initApply', object: o });
    events.next({ type: 'initDone' });
  };
  const started = (o: KubeObject): void => void log.push(`start:${o.metadata?.name}:${o.metadata?.resourceVersion}@${clock.now()}`);
  return { controller, list, log, started };
}

/** A leadership whose answers the test sets by hand. */
function manualLeadership(stepDownGraceMs = 5_000) {
  const leader$ = new BehaviorSubject(true);
  const state = { valid: true, resigned: 0 };
  const leadership: Leadership = {
    leader$,
    stepDownGraceMs,
    isLeader: () => state.valid && leader$.value,
    resign: async () => void (state.resigned += 1),
  };
  return { leadership, leader$, state };
}

describe('Controller with leadership', () => {
  let clock: VirtualClock;
  beforeEach(() => {
    clock = new VirtualClock();
  });

  it('on shutdown drains the reconciles, then releases the Lease, then completes', async () => {
    const h = harness(clock);
    const server = new SingleLeaseServer();
    const base = server.api();
    const api: LeaseApi = {
      ...base,
      replace$: (name: string, lease: Lease) => {
        if (lease.spec?.holderIdentity === undefined) h.log.push(`release@${clock.now()}`);
        return base.replace$(name, lease);
      },
    };
    const leadership = leaseLeadership(api, { leaseName: 'l', identity: 'a', scheduler: clock.scheduler });
    const stop$ = new Subject<void>();
    const reconcile = async (o: KubeObject): Promise<Action> => (h.started(o), clock.after(30, Action.awaitChange()));
    h.controller
      .shutdownOn(stop$)
      .run(reconcile, ErrorPolicy.backoff(), {}, { leadership })
      .subscribe({ next: (r) => h.log.push(`${r.type}@${clock.now()}`), complete: () => h.log.push(`complete@${clock.now()}`) });
    h.list(obj('a'));
    await clock.advanceTo(10);
    expect(server.lease?.spec?.holderIdentity).toBe('a');
    stop$.next();
    await clock.advanceTo(5_000);
    expect(h.log).toEqual(['start:a:1@0', 'reconciled@30', 'release@30', 'complete@30']);
    expect(server.lease?.spec?.holderIdentity).toBeUndefined();
    // final: the campaign is over, nothing renews the Lease any more
    const rv = server.lease?.metadata?.resourceVersion;
    await clock.advanceTo(20_000);
    expect(server.lease?.metadata?.resourceVersion).toBe(rv);
  });

  it('starts no reconcile when the leadership is no longer valid by the clock, although leader$ has not said so yet', async () => {
    const h = harness(clock);
    const { leadership, leader$, state } = manualLeadership();
    const reconcile = (o: KubeObject, _ctx: unknown, info: ReconcileInfo): Action => (h.started(o), void info, Action.requeue(50));
    const sub = h.controller.run(reconcile, ErrorPolicy.backoff(), {}, { leadership }).subscribe();
    h.list(obj('a'));
    await clock.advanceTo(20);
    // as in a process resumed after a freeze: the Lease expired, the step-down timer has not run yet
    state.valid = false;
    await clock.advanceTo(200);
    expect(h.log).toEqual(['start:a:1@0']);
    leader$.next(false);
    await clock.advanceTo(300);
    state.valid = true;
    leader$.next(true);
    h.list(obj('a', '2'));
    await clock.advanceTo(320);
    sub.unsubscribe();
    expect(h.log).toEqual(['start:a:1@0', 'start:a:2@300']);
  });

  it('bounds the drain after a loss by the time a standby needs to take over (stepDownGraceMs)', async () => {
    const h = harness(clock);
    const { leadership, leader$ } = manualLeadership(40);
    const drains: DrainReport[] = [];
    const reconcile = async (o: KubeObject): Promise<Action> => (h.started(o), clock.after(1_000, Action.awaitChange()));
    const sub = h.controller.run(reconcile, ErrorPolicy.backoff(), {}, { leadership, onDrained: (r) => drains.push(r) }).subscribe();
    h.list(obj('a'));
    await clock.advanceTo(10);
    leader$.next(false);
    await clock.advanceTo(100);
    sub.unsubscribe();
    expect(drains).toEqual([{ cause: 'gateClosed', abandoned: 1, at: 50 }]);
  });
});
