/**
 * The error boundary for streams: one object that fails to decode or validate becomes a value
 * (`{ ok: false, error, raw }`) instead of an exception, so a single bad object never ends a
 * watch. Also a watch-line parser that never throws and never echoes a whole line.
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from './errors.js';
import type { WatchEvent } from './response.js';
import { withSourceText } from './source-text.js';

/**
 * What is known about the object that failed: kind, namespace and name, when present.
 *
 * ## Example
 * ```ts
 * const id: ObjectIdentity = { kind: 'Widget', namespace: 'ns', name: 'w1' };
 * ```
 */
export interface ObjectIdentity {
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/**
 * Options of {@link DecodeError}.
 *
 * ## Example
 * ```ts
 * throw new DecodeError('spec.size must be a number', { field: 'spec.size', object: identify(raw) });
 * ```
 */
export interface DecodeErrorOptions extends KubeErrorOptions {
  /** The object that failed, as far as known. */
  object?: ObjectIdentity;
  /** The field that failed (`spec.replicas`, `/spec/replicas`, `kind`), when known. */
  field?: string;
  /** A short, truncated preview of undecodable text (never the whole input). */
  excerpt?: string;
}

/**
 * Something could not be decoded or validated: a response body or stream line that is not JSON,
 * or an object that does not have the expected shape. `object` and `field` say where.
 *
 * ## Example
 * ```ts
 * const r = decodeGuard(raw, (o) => Widget.validator.assert(o));
 * if (!r.ok) console.warn(r.error.message, r.error.object, r.error.field);
 * ```
 */
export class DecodeError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.DecodeError';
  override readonly name: string = 'DecodeError';
  /** The object that failed, as far as known. */
  readonly object: ObjectIdentity | undefined;
  /** The field that failed, when known. */
  readonly field: string | undefined;

  constructor(message: string, options: DecodeErrorOptions = {}) {
    const { object, field, excerpt, context, cause } = options;
    super(message, {
      ...(cause === undefined ? {} : { cause }),
      context: { ...object, ...(field === undefined ? {} : { field }), ...(excerpt === undefined ? {} : { excerpt }), ...context },
    });
    this.object = object;
    this.field = field;
  }
}

/**
 * The outcome of decoding one object: the typed value, or the error with the raw input kept so
 * it can be logged, counted or skipped.
 *
 * ## Example
 * ```ts
 * function onItem(r: MaybeValid<Widget>) {
 *   if (r.ok) store.set(r.value); else metrics.decodeFailures++;
 * }
 * ```
 */
export type MaybeValid<K> = { readonly ok: true; readonly value: K } | { readonly ok: false; readonly error: DecodeError; readonly raw: unknown };

/**
 * How to check an object: either a type guard, or a function that returns the typed value and
 * throws when the input is not acceptable (a schema validator's `assert`, a zod `parse`, ...).
 *
 * ## Example
 * ```ts
 * const check: DecodeCheck<Widget> = (raw) => Widget.validator.assert(raw);
 * ```
 */
export type DecodeCheck<K> = ((raw: unknown) => raw is K) | ((raw: unknown) => K);

/**
 * The longest excerpt of undecodable text put into an error.
 *
 * ## Example
 * ```ts
 * excerptOf(line).length <= DECODE_EXCERPT_LENGTH + 30; // true
 * ```
 */
export const DECODE_EXCERPT_LENGTH = 120;

/**
 * A preview of `text` for error messages: at most {@link DECODE_EXCERPT_LENGTH} characters, with
 * the full length noted when cut.
 *
 * ## Example
 * ```ts
 * excerptOf('x'.repeat(1000)); // 'xxx…xxx… (1000 characters)'
 * ```
 */
export function excerptOf(text: string, max = DECODE_EXCERPT_LENGTH): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/**
 * Kind, namespace and name of an unknown value, as far as they can be read (strings only).
 *
 * ## Example
 * ```ts
 * identify({ kind: 'Pod', metadata: { name: 'x' } }); // { kind: 'Pod', name: 'x' }
 * ```
 */
export function identify(raw: unknown): ObjectIdentity {
  if (typeof raw !== 'object' || raw === null) return {};
  const o = raw as { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } | null };
  const id: { kind?: string; namespace?: string; name?: string } = {};
  if (typeof o.kind === 'string') id.kind = o.kind;
  const m = typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {};
  if (typeof m.namespace === 'string') id.namespace = m.namespace;
  if (typeof m.name === 'string') id.name = m.name;
  return id;
}

function describe(id: ObjectIdentity): string {
  const where = id.name === undefined ? undefined : id.namespace === undefined ? id.name : `${id.namespace}/${id.name}`;
  if (where === undefined) return id.kind === undefined ? 'an object' : `a ${id.kind} without a name`;
  return `${id.kind ?? 'object'} ${where}`;
}

/** Reads a failing field from well-known error shapes (DecodeError, schema validation issues). */
function fieldOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const err = e as { field?: unknown; issues?: ReadonlyArray<{ field?: unknown; pointer?: unknown }> };
  if (typeof err.field === 'string') return err.field;
  const first = Array.isArray(err.issues) ? err.issues[0] : undefined;
  if (typeof first?.field === 'string') return first.field;
  if (typeof first?.pointer === 'string') return first.pointer;
  return undefined;
}

/**
 * Runs `check` on one object and turns any failure (a `false` guard or a thrown error) into
 * `{ ok: false, error: DecodeError, raw }` naming the object and, when the check says so, the
 * field. Never throws.
 *
 * ## Example
 * ```ts
 * const isWidget = (o: unknown): o is Widget => typeof (o as Widget).spec?.size === 'number';
 * items.map((raw) => decodeGuard(raw, isWidget)).filter((r) => r.ok);
 * ```
 */
export function decodeGuard<K>(raw: unknown, check: DecodeCheck<K>): MaybeValid<K> {
  const object = identify(raw);
  let result: unknown;
  try {
    result = check(raw);
  } catch (e) {
    if (e instanceof DecodeError && e.object !== undefined) return { ok: false, error: e, raw };
    const field = fieldOf(e);
    const reason = e instanceof Error ? e.message : String(e);
    const error = new DecodeError(`${describe(object)} failed to decode${field === undefined ? '' : ` at ${field}`}: ${reason}`, {
      cause: e,
      object,
      ...(field === undefined ? {} : { field }),
    });
    return { ok: false, error, raw };
  }
  if (result === false) {
    return { ok: false, error: new DecodeError(`${describe(object)} failed validation`, { object }), raw };
  }
  return { ok: true, value: (result === true ? raw : result) as K };
}

const EVENT_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/**
 * Parses one line of a watch stream. Returns the event, or a {@link DecodeError} value (never
 * throws) when the line is not JSON, has no known `type`, or has no `object`. The error carries a
 * truncated preview of the line, never the whole line (lines can be megabytes, and hold secrets).
 *
 * ## Example
 * ```ts
 * const ev = parseWatchLine<Pod>(line);
 * if (ev instanceof DecodeError) report(ev); else handle(ev);
 * ```
 */
export function parseWatchLine<K>(line: string): WatchEvent<K> | DecodeError {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    const excerpt = excerptOf(line);
    return new DecodeError(`malformed watch event (not JSON): ${excerpt}`, { cause: e, excerpt });
  }
  const event = value as { type?: unknown; object?: unknown };
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof event.type !== 'string' || !EVENT_TYPES.has(event.type)) {
    const excerpt = excerptOf(line);
    return new DecodeError(`malformed watch event (no known type): ${excerpt}`, { field: 'type', excerpt });
  }
  if (typeof event.object !== 'object' || event.object === null || Array.isArray(event.object)) {
    const excerpt = excerptOf(line);
    return new DecodeError(`malformed watch event (${event.type} without an object): ${excerpt}`, { field: 'object', excerpt });
  }
  // The line rides along on the event (not on its object) for stores that keep text: see store({ compact }).
  return withSourceText(value as object, line) as WatchEvent<K>;
}

/**
 * Applies {@link decodeGuard} to the object of an ADDED, MODIFIED or DELETED event; BOOKMARK and
 * ERROR events pass through unchanged.
 *
 * ## Example
 * ```ts
 * const r = guardWatchEvent(ev, isWidget);
 * if (!r.ok) console.warn(`skipping ${r.error.message}`);
 * ```
 */
export function guardWatchEvent<K>(event: WatchEvent<unknown>, check: DecodeCheck<K>): MaybeValid<WatchEvent<K>> {
  if (event.type === 'BOOKMARK' || event.type === 'ERROR') return { ok: true, value: event };
  const r = decodeGuard(event.object, check);
  return r.ok ? { ok: true, value: { type: event.type, object: r.value } } : { ok: false, error: r.error, raw: event };
}
