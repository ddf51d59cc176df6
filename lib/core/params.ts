/**
 * Parameters of every verb, and the checks that reject impossible combinations before a request
 * is built. Names follow the Kubernetes query parameters; `continueToken` stands for `continue`.
 *
 * @module
 */
import type { Preconditions } from './api/meta/v1.js';
import { InvalidRequestError } from './errors.js';
import { ShardSelector } from './shard-selector.js';

export type { Preconditions };

/**
 * How `resourceVersion` on a LIST is interpreted.
 * - `NotOlderThan`: any state at least as new (the watch cache may serve it).
 * - `Exact`: exactly that version (needs `resourceVersion`, not `"0"`).
 */
export type VersionMatch = 'NotOlderThan' | 'Exact';

/** The server's field validation mode for writes. */
export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** Parameters shared by LIST and WATCH. */
export interface SelectorParams {
  /** A label selector, e.g. `app=web,tier in (fe,be)`. */
  labelSelector?: string;
  /** A field selector, e.g. `metadata.name=web`. */
  fieldSelector?: string;
  /** Server-side timeout. For WATCH it must be below 295 (the server rejects longer ones). */
  timeoutSeconds?: number;
  /**
   * Only objects whose hashed uid (or namespace) falls in these ranges, e.g.
   * `ShardSelector.slice(0, 3).print()` (KEP-5866; needs the `ShardedListAndWatch` feature gate on
   * the server — without it the server ignores the parameter and a LIST answer has no
   * `metadata.shardInfo`). Checked with {@link ShardSelector.parse} before a request is built.
   */
  shardSelector?: string;
}

/**
 * Parameters of a LIST (one page).
 *
 * ## Example
 * ```ts
 * const params: ListParams = { labelSelector: 'app=web', limit: 500 };
 * ```
 */
export interface ListParams extends SelectorParams {
  /** Page size. */
  limit?: number;
  /** The `continue` token of the previous page. */
  continueToken?: string;
  /** `"0"` means any version (served from the watch cache); other values need a match rule. */
  resourceVersion?: string;
  /** How `resourceVersion` is matched. */
  resourceVersionMatch?: VersionMatch;
}

/**
 * Parameters of a WATCH.
 *
 * ## Example
 * ```ts
 * const params: WatchParams = { resourceVersion: '123', bookmarks: true, timeoutSeconds: 290 };
 * ```
 */
export interface WatchParams extends SelectorParams {
  /** Start after this resourceVersion. */
  resourceVersion?: string;
  /** Ask for BOOKMARK events (`allowWatchBookmarks`). */
  bookmarks?: boolean;
  /** Streaming list: the current state first as ADDED events, ended by an annotated BOOKMARK. */
  sendInitialEvents?: boolean;
  /** Needed with `sendInitialEvents` (`NotOlderThan`). */
  resourceVersionMatch?: VersionMatch;
}

/** Parameters of a GET. */
export interface GetParams {
  /** `"0"` lets the watch cache answer. */
  resourceVersion?: string;
}

/**
 * Parameters of CREATE and REPLACE.
 *
 * ## Example
 * ```ts
 * await api.create(cm, { dryRun: true, fieldManager: 'my-operator' });
 * ```
 */
export interface PostParams {
  /** Validate and admit, but do not persist. */
  dryRun?: boolean;
  /** The field manager recorded in managedFields. */
  fieldManager?: string;
  /** What the server does with unknown or duplicate fields. */
  fieldValidation?: FieldValidation;
}

/**
 * Parameters of PATCH. Server-side apply needs `fieldManager`; `force` is only for apply.
 *
 * ## Example
 * ```ts
 * const pp: PatchParams = { fieldManager: 'my-operator', force: true };
 * ```
 */
export interface PatchParams extends PostParams {
  /** Take ownership of conflicting fields (server-side apply only). */
  force?: boolean;
}

/** How dependents are handled when an owner is deleted. */
export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

/**
 * Parameters of DELETE and DELETE collection.
 *
 * ## Example
 * ```ts
 * await api.delete('web', { propagationPolicy: 'Foreground', preconditions: { uid } });
 * ```
 */
export interface DeleteParams {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  preconditions?: Preconditions;
}

/**
 * Parameters of a pod log request.
 *
 * ## Example
 * ```ts
 * const lp: LogParams = { container: 'app', tailLines: 100, timestamps: true };
 * ```
 */
export interface LogParams {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  tailLines?: number;
  timestamps?: boolean;
  limitBytes?: number;
  insecureSkipTLSVerifyBackend?: boolean;
}

/** The longest WATCH timeout the API server accepts is below this many seconds. */
export const MAX_WATCH_TIMEOUT_SECONDS = 295;

function fail(message: string, context: Record<string, unknown>): never {
  throw new InvalidRequestError('invalidParams', message, { context });
}

function checkNonNegativeInteger(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    fail(`${name} must be a non-negative integer, got ${String(value)}`, { [name]: value });
  }
}

/** An empty string means "no shard selector" (as the server reads it); anything else must parse. */
function checkShardSelector(selector: string | undefined): void {
  if (selector !== undefined && selector !== '') ShardSelector.parse(selector);
}

/**
 * Checks LIST parameters. Throws {@link InvalidRequestError} naming the offending field.
 *
 * ## Example
 * ```ts
 * validateListParams({ resourceVersionMatch: 'Exact' }); // throws: Exact needs a resourceVersion
 * ```
 */
export function validateListParams(p: ListParams): void {
  checkNonNegativeInteger('limit', p.limit);
  checkShardSelector(p.shardSelector);
  checkNonNegativeInteger('timeoutSeconds', p.timeoutSeconds);
  // The server treats an empty resourceVersion as absent, so `''` cannot carry a match rule.
  if (p.resourceVersionMatch !== undefined && (p.resourceVersion === undefined || p.resourceVersion === '')) {
    fail(`resourceVersionMatch=${p.resourceVersionMatch} requires a resourceVersion`, { resourceVersionMatch: p.resourceVersionMatch });
  }
  if (p.resourceVersionMatch === 'Exact' && p.resourceVersion === '0') {
    fail('resourceVersionMatch=Exact cannot be used with resourceVersion "0"', { resourceVersion: p.resourceVersion });
  }
  if (p.continueToken) {
    // The server refuses a match rule with `continue`, and any resourceVersion except "0" (which it ignores).
    if (p.resourceVersionMatch !== undefined) {
      fail('resourceVersionMatch cannot be combined with continueToken', { resourceVersionMatch: p.resourceVersionMatch });
    }
    if (p.resourceVersion !== undefined && p.resourceVersion !== '' && p.resourceVersion !== '0') {
      fail('continueToken cannot be combined with a resourceVersion other than "0"', { resourceVersion: p.resourceVersion });
    }
  }
}

/**
 * Checks WATCH parameters: the timeout must stay below 295 s, and `sendInitialEvents` needs
 * bookmarks and `resourceVersionMatch=NotOlderThan`.
 *
 * ## Example
 * ```ts
 * validateWatchParams({ timeoutSeconds: 300 }); // throws
 * ```
 */
export function validateWatchParams(p: WatchParams): void {
  checkNonNegativeInteger('timeoutSeconds', p.timeoutSeconds);
  checkShardSelector(p.shardSelector);
  if (p.timeoutSeconds !== undefined && p.timeoutSeconds >= MAX_WATCH_TIMEOUT_SECONDS) {
    fail(`timeoutSeconds must be below ${MAX_WATCH_TIMEOUT_SECONDS} for a watch, got ${p.timeoutSeconds}`, { timeoutSeconds: p.timeoutSeconds });
  }
  if (p.sendInitialEvents) {
    if (p.bookmarks === false) fail('sendInitialEvents requires bookmarks', { bookmarks: p.bookmarks });
    if (p.resourceVersionMatch !== 'NotOlderThan') {
      fail('sendInitialEvents requires resourceVersionMatch=NotOlderThan', { resourceVersionMatch: p.resourceVersionMatch });
    }
  } else if (p.resourceVersionMatch !== undefined) {
    fail('resourceVersionMatch on a watch is only allowed with sendInitialEvents', { resourceVersionMatch: p.resourceVersionMatch });
  }
}

/**
 * Checks PATCH parameters against the patch type: apply needs a field manager, force needs apply.
 *
 * ## Example
 * ```ts
 * validatePatchParams('merge', { force: true }); // throws: force is only for apply
 * ```
 */
export function validatePatchParams(patchType: 'apply' | 'merge' | 'strategic' | 'json', p: PatchParams): void {
  if (patchType === 'apply' && !p.fieldManager) {
    fail('server-side apply requires a fieldManager', { patchType });
  }
  if (p.force && patchType !== 'apply') {
    fail(`force is only valid with server-side apply, not a ${patchType} patch`, { patchType, force: p.force });
  }
  validatePostParams(p);
}

/**
 * Checks CREATE/REPLACE parameters (field manager length, as the server limits it to 128).
 *
 * ## Example
 * ```ts
 * validatePostParams({ fieldManager: 'x'.repeat(200) }); // throws
 * ```
 */
export function validatePostParams(p: PostParams): void {
  if (p.fieldManager !== undefined && (p.fieldManager.length === 0 || p.fieldManager.length > 128)) {
    fail(`fieldManager must be 1 to 128 characters, got ${p.fieldManager.length}`, { fieldManager: p.fieldManager });
  }
}

/**
 * Checks DELETE parameters.
 *
 * ## Example
 * ```ts
 * validateDeleteParams({ gracePeriodSeconds: -1 }); // throws
 * ```
 */
export function validateDeleteParams(p: DeleteParams): void {
  checkNonNegativeInteger('gracePeriodSeconds', p.gracePeriodSeconds);
}
