// Type tests of the controller API: the Action and result unions, reconcilers returning an Action,
// a Promise or an Observable, typed contexts, and the finalizer and leader-election signatures.
import type { ConfigMap } from '../../lib/core/api/core/v1.js';
import { NEVER, of, type Observable } from 'rxjs';
import { expectTypeOf } from 'expect-type';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { ConfigMap as ConfigMapType, Lease } from '../../lib/core/builtins.js';
import { Action, ErrorPolicy, type FailureInfo } from '../../lib/runtime/action.js';
import { Controller, type ControllerResult, type Reconciler } from '../../lib/runtime/controller.js';
import { finalizer, type FinalizerEvent } from '../../lib/runtime/finalizer.js';
import { leaderElection, leaseLeadership, type Leadership } from '../../lib/runtime/leader-election.js';
import { Predicates, predicate } from '../../lib/runtime/predicates.js';
import type { WatcherError } from '../../lib/runtime/watcher-error.js';
import type { ControllerRef, ReconcileInfo } from '../../lib/runtime/reconcile-reason.js';

const client = new Client({ server: 'http://127.0.0.1:8001' });
const cms = Api.namespaced(client, ConfigMapType, 'default');
interface Ctx {
  readonly prefix: string;
}

// Actions narrow on `type`.
const action = Action.requeue(1000);
if (action.type === 'requeue') expectTypeOf(action.afterMs).toEqualTypeOf<number>();
// @ts-expect-error awaitChange has no delay
Action.awaitChange().afterMs;

// A typed Api gives a controller of its object type.
const controller = Controller.for(cms);
expectTypeOf(controller).toEqualTypeOf<Controller<ConfigMap>>();
expectTypeOf(controller.owns(cms)).toEqualTypeOf<Controller<ConfigMap>>();

// Reconcilers may return an Action, a Promise of one or an Observable of them; the context is typed.
const sync: Reconciler<ConfigMap, Ctx> = () => Action.awaitChange();
const promised: Reconciler<ConfigMap, Ctx> = async (cm, ctx) => (cm.data?.[ctx.prefix] ? Action.awaitChange() : Action.requeue(5));
const streamed: Reconciler<ConfigMap, Ctx> = () => of(Action.awaitChange());
void [sync, promised, streamed];
// @ts-expect-error a reconciler must produce an Action
const wrong: Reconciler<ConfigMap, Ctx> = async () => 'done';
void wrong;

const results = controller.run(
  (cm, ctx: Ctx, info) => {
    expectTypeOf(cm).toEqualTypeOf<ConfigMap>();
    expectTypeOf(info).toEqualTypeOf<ReconcileInfo>();
    expectTypeOf(info.signal).toEqualTypeOf<AbortSignal>();
    return Action.awaitChange();
  },
  (error, ref, ctx, attempt) => {
    expectTypeOf(error).toBeUnknown();
    expectTypeOf(ref).toEqualTypeOf<ControllerRef>();
    expectTypeOf(ctx).toEqualTypeOf<Ctx>();
    expectTypeOf(attempt).toEqualTypeOf<FailureInfo>();
    return Action.requeue(attempt.backoffMs);
  },
  { prefix: 'x' },
  { leader$: NEVER },
);
expectTypeOf(results).toEqualTypeOf<Observable<ControllerResult>>();
results.subscribe((r) => {
  if (r.type === 'failed') expectTypeOf(r.error).toBeUnknown();
  // @ts-expect-error only failures carry an error
  if (r.type === 'reconciled') void r.error;
  if (r.type === 'watchError') expectTypeOf(r.error).toEqualTypeOf<WatcherError>();
  // @ts-expect-error a watch failure has no ref: narrow on type first
  void r.ref;
});

// One options object: settings, the primary watch, the store and a predicate typed by the object.
const configured = Controller.for(cms, {
  name: 'cms',
  watcher: { labelSelector: 'app=web' },
  store: { transform: (cm) => (expectTypeOf(cm).toEqualTypeOf<ConfigMap>(), cm) },
  predicate: Predicates.or(Predicates.generation, predicate('data', (cm: ConfigMap) => JSON.stringify(cm.data))),
});
expectTypeOf(configured).toEqualTypeOf<Controller<ConfigMap>>();
// the old positional form still compiles with three or four arguments
expectTypeOf(Controller.for(cms, { labelSelector: 'app=web' }, { name: 'cms' })).toEqualTypeOf<Controller<ConfigMap>>();
// and with two (deprecated): a watcher config alone
expectTypeOf(Controller.for(cms, { labelSelector: 'app=web' })).toEqualTypeOf<Controller<ConfigMap>>();
// @ts-expect-error one object mixing the two forms: selectors go under `watcher`
Controller.for(cms, { labelSelector: 'app=web', name: 'cms' });
expectTypeOf(configured.isLive()).toEqualTypeOf<boolean>();
// @ts-expect-error the context must match the error policy's
controller.run(sync, ErrorPolicy.backoff<{ other: number }>(), { prefix: 'x' });

// finalizer works on an Api of the object's kind and hands the handler the same type.
void finalizer(cms, 'example.com/cleanup', {} as ConfigMap, (event) => {
  expectTypeOf(event).toEqualTypeOf<FinalizerEvent<ConfigMap>>();
  return Action.awaitChange();
});

// leaderElection takes an Api of Leases and gives leadership as booleans.
expectTypeOf(leaderElection(Api.namespaced(client, Lease, 'default'), { leaseName: 'l', identity: 'me' })).toEqualTypeOf<Observable<boolean>>();
// @ts-expect-error a ConfigMap Api is not a Lease Api
leaderElection(cms, { leaseName: 'l', identity: 'me' });
// leaseLeadership gives a shared leader$ and an awaitable resign.
const leadership = leaseLeadership(Api.namespaced(client, Lease, 'default'), { leaseName: 'l', identity: 'me' });
expectTypeOf(leadership).toEqualTypeOf<Leadership>();
expectTypeOf(leadership.resign()).toEqualTypeOf<Promise<void>>();
