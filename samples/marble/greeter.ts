// A reconciler written as an Observable pipeline, so its timing can be tested with marbles: it stamps a
// ConfigMap with a greeting through `ctx.stamp$` (in production `api.patch$`, cold and cancellable) and asks to
// be run again in a minute. Errors go to the controller's error policy (per-object exponential backoff).
import type { ConfigMap } from 'rxkube/core';
import { Action, Controller, ErrorPolicy, type ControllerConfig, type ControllerResult } from 'rxkube/runtime';
import type { Store, WatcherEvent } from 'rxkube/runtime';
import { map, type Observable } from 'rxjs';
import { Api, type Client } from 'rxkube/client';
import { ConfigMap as ConfigMapType, Patch } from 'rxkube/core';

/** What the reconciler needs from the outside world. */
export interface GreeterContext {
  /** Writes `greeting` into the ConfigMap `name`; emits once when done. */
  stamp$(name: string, greeting: string): Observable<unknown>;
}

/** How long until an object is checked again after a successful reconcile. */
export const RECHECK_MS = 60_000;

/** The reconciler: idempotent, Observable-based. */
export function reconcileGreeter(cm: ConfigMap, ctx: GreeterContext): Observable<Action> {
  const name = cm.metadata?.name ?? '';
  return ctx.stamp$(name, `hello, ${name}`).pipe(map(() => Action.requeue(RECHECK_MS)));
}

/** Runs the greeter over a store and its event stream (how the marble test and production wire it alike). */
export function runGreeter(
  reader: Store<ConfigMap>,
  events$: Observable<WatcherEvent<ConfigMap>>,
  ctx: GreeterContext,
  config: ControllerConfig = {},
): Observable<ControllerResult> {
  return Controller.fromReflector(reader, events$, { name: 'greeter', debounce: 10, ...config }).run(
    reconcileGreeter,
    ErrorPolicy.backoff(),
    ctx,
  );
}

/** The production context: a merge patch through the Api's Observable twin. */
export function greeterContext(client: Client, namespace: string): GreeterContext {
  const configMaps = Api.namespaced(client, ConfigMapType, namespace);
  return { stamp$: (name, greeting) => configMaps.patch$(name, Patch.merge({ data: { greeting } })) };
}
