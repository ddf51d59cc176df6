/**
 * `rxkube/runtime`: Observables over the client — watcher, reflector and store, stream utilities,
 * wait conditions, and the controller built on them.
 *
 * @module
 */
export * from './backoff.js';
export * from './watcher-event.js';
export * from './watcher-error.js';
export * from './watcher-step.js';
export { watcher, watcherWithErrors, type WatchSource, type WatcherConfig, type WatcherItem } from './watcher.js';
export * from './store.js';
export * from './reflector.js';
export * from './shared-reflector.js';
export * from './watch-object.js';
export * from './metadata-watcher.js';
export * from './predicates.js';
export * from './utils/applied-objects.js';
export * from './utils/touched-objects.js';
export * from './utils/event-modify.js';
export * from './utils/predicate-filter.js';
export * from './utils/default-backoff.js';
export * from './wait/conditions.js';
export * from './wait/await-condition.js';
export * from './wait/delete-and-finalize.js';
// The controller and its parts.
export * from './action.js';
export * from './reconcile-backoff.js';
export * from './reconcile-reason.js';
export * from './scheduler.js';
export * from './runner.js';
export * from './work-queue.js';
export * from './token-bucket.js';
export * from './controller.js';
export * from './controller-error.js';
export * from './reconcile-one.js';
export * from './shutdown-on-signal.js';
export * from './finalizer.js';
export * from './event-recorder.js';
export * from './leader-election.js';
export * from './metrics.js';
// Sharding one controller across replicas.
export * from './bucket-set.js';
export * from './shard-assignment.js';
export * from './shard-error.js';
export * from './shard-gate.js';
export * from './shard-membership.js';
export * from './shard-support.js';
export * from './shard-guard.js';
export * from './sharded-reflector.js';
