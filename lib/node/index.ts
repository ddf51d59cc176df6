/**
 * `rxkube/node`: Node-only adapters of the pod streams — Node `Readable`/`Writable`/`Duplex` streams
 * over exec sessions and forwarded ports (with back-pressure both ways), and copying files and
 * directories to and from a pod through `tar` over exec, like `kubectl cp`.
 *
 * ## Example
 * ```ts
 * import { copyFromPod, execStreams } from 'rxkube/node';
 * await copyFromPod(pods, 'web-0', '/var/log/app', './app-logs');
 * const { stdout } = execStreams(await pods.exec('web-0', ['cat', '/etc/hostname']));
 * stdout.pipe(process.stdout);
 * ```
 *
 * @module
 */
export { type ArchiveEntry, ArchiveEntryCheck, unsafeEntry } from './archive-entry-check.js';
export { CopyError, type CopyErrorReason, isCopyError } from './copy-error.js';
export { copyFromPod } from './copy-from-pod.js';
export { copyToPod, padToRecord, TAR_RECORD_SIZE } from './copy-to-pod.js';
export { type ExecStreams, execStreams } from './exec-streams.js';
export { DEFAULT_NODE_HIGH_WATER_MARK, type NodeStreamOptions } from './observable-readable.js';
export { type CopyOptions, type CopyResult } from './pod-tar.js';
export { portStream } from './port-stream.js';
