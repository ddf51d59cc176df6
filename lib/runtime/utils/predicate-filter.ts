/**
 * `predicateFilter(predicate)`: drops watcher events whose object did not change in the way the
 * predicate asks about. Memory stays bounded by the live objects: a Map of fingerprints keyed by
 * namespace/name, cleaned on every delete and replaced by each complete listing.
 *
 * @module
 */
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { KubeObject } from '../../core/resource.js';
import { storeKey } from '../store.js';
import { evaluatePredicate, predicateLeaves, type Predicate } from '../predicates.js';
import type { WatcherEvent } from '../watcher-event.js';

type Fingerprints = readonly (string | number | undefined)[];

function keyOf(object: unknown): string {
  return storeKey(object as KubeObject);
}

/**
 * Passes `apply` and `initApply` events only when `predicate` holds for the change since the
 * object was last seen (a first sighting counts as changed). `init`, `initDone` and `delete` always
 * pass. Memory: one small fingerprint array per live object; deletes remove it, and each complete
 * listing (`initDone`) drops the objects it no longer contains.
 *
 * ## Example
 * ```ts
 * watcher(deployments).pipe(predicateFilter(Predicates.generation), appliedObjects())
 *   .subscribe((d) => console.log('spec changed', d.metadata?.name));
 * ```
 */
export function predicateFilter<K>(predicate: Predicate<NoInfer<K>>): MonoTypeOperatorFunction<WatcherEvent<K>> {
  const leaves = predicateLeaves(predicate);
  return (source) =>
    new Observable<WatcherEvent<K>>((subscriber) => {
      let seen = new Map<string, Fingerprints>();
      let listing: Map<string, Fingerprints> | undefined;
      const changed = new Array<boolean>(leaves.length);
      const check = (object: K, into: Map<string, Fingerprints>): boolean => {
        const key = keyOf(object);
        const before = seen.get(key);
        const now: (string | number | undefined)[] = new Array(leaves.length);
        for (let i = 0; i < leaves.length; i++) {
          now[i] = leaves[i]!(object);
          changed[i] = before === undefined || before[i] !== now[i];
        }
        into.set(key, now);
        return evaluatePredicate(predicate, changed).holds;
      };
      return source.subscribe({
        next: (e) => {
          switch (e.type) {
            case 'init':
              listing = new Map();
              subscriber.next(e);
              return;
            case 'initApply':
              if (check(e.object, (listing ??= new Map()))) subscriber.next(e);
              return;
            case 'initDone':
              if (listing !== undefined) seen = listing;
              listing = undefined;
              subscriber.next(e);
              return;
            case 'apply':
              if (check(e.object, seen)) subscriber.next(e);
              return;
            case 'delete':
              seen.delete(keyOf(e.object));
              listing?.delete(keyOf(e.object));
              subscriber.next(e);
              return;
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
