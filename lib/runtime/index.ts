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
