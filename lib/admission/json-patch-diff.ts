/**
 * "Here is the object I want" → the JSON patch (RFC 6902) that turns the current object into it, as a
 * mutating webhook must answer. The patch is small: objects are compared key by key, arrays keep their
 * common head and tail and only the differing middle is patched, and a subtree whose operations would be
 * longer (as JSON) than one `replace` of it is replaced whole (never the root). Applying the patch to
 * `from` gives `to` exactly, and it is never longer than fast-json-patch's `compare` (both property-tested
 * against fast-json-patch).
 *
 * @module
 */
import { ERROR_BRAND, KubeError } from '../core/errors.js';
import type { JsonPatchOperation } from '../core/patch.js';

/**
 * A value that JSON cannot represent was found in an object to diff (a function, a symbol, a bigint, a
 * non-finite number, `undefined` in an array, or a cycle). `pointer` says where.
 *
 * ## Example
 * ```ts
 * try { jsonPatchDiff({}, { n: NaN }); } catch (e) { if (e instanceof JsonPatchError) console.log(e.pointer); } // '/n'
 * ```
 */
export class JsonPatchError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.JsonPatchError';
  override readonly name: string = 'JsonPatchError';
  constructor(
    message: string,
    /** JSON pointer of the value that failed. */
    readonly pointer: string,
  ) {
    super(message, { context: { pointer } });
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Escapes one reference token of a JSON pointer (`~` → `~0`, `/` → `~1`).
 *
 * ## Example
 * ```ts
 * `/metadata/labels/${escapePointerToken('app.kubernetes.io/name')}`; // '/metadata/labels/app.kubernetes.io~1name'
 * ```
 */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A JSON copy of `value` with JSON's rules (toJSON honoured, undefined object members dropped); throws on what JSON cannot hold. */
function toJson(value: unknown, pointer: string, seen: Set<object>): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new JsonPatchError(`${pointer || '(root)'}: ${value} is not a JSON number`, pointer);
    return value === 0 ? 0 : value; // -0 is 0 in JSON
  }
  if (typeof value !== 'object') throw new JsonPatchError(`${pointer || '(root)'}: a ${typeof value} is not JSON`, pointer);
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') return toJson((withToJson.toJSON as () => unknown)(), pointer, seen);
  if (seen.has(value)) throw new JsonPatchError(`${pointer || '(root)'}: the object contains itself (a cycle)`, pointer);
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item, i) => {
        if (item === undefined) throw new JsonPatchError(`${pointer}/${i}: undefined is not JSON`, `${pointer}/${i}`);
        return toJson(item, `${pointer}/${i}`, seen);
      });
    }
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      Object.defineProperty(out, key, { value: toJson(item, `${pointer}/${escapePointerToken(key)}`, seen), enumerable: true, writable: true, configurable: true });
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

const isObject = (v: Json): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (!equal(a[i] as Json, b[i] as Json)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !equal(a[k] as Json, b[k] as Json)) return false;
  return true;
}

const size = (ops: readonly JsonPatchOperation[]): number => ops.reduce((n, op) => n + JSON.stringify(op).length + 1, 0);

function diff(a: Json, b: Json, path: string, out: JsonPatchOperation[]): void {
  if (equal(a, b)) return;
  const mine: JsonPatchOperation[] = [];
  if (isObject(a) && isObject(b)) {
    for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) mine.push({ op: 'remove', path: `${path}/${escapePointerToken(key)}` });
    for (const key of Object.keys(b)) {
      const at = `${path}/${escapePointerToken(key)}`;
      if (Object.hasOwn(a, key)) diff(a[key] as Json, b[key] as Json, at, mine);
      else mine.push({ op: 'add', path: at, value: b[key] });
    }
  } else if (Array.isArray(a) && Array.isArray(b)) {
    let head = 0;
    while (head < a.length && head < b.length && equal(a[head] as Json, b[head] as Json)) head += 1;
    let tail = 0;
    while (tail < a.length - head && tail < b.length - head && equal(a[a.length - 1 - tail] as Json, b[b.length - 1 - tail] as Json)) tail += 1;
    const m = a.length - head - tail;
    const n = b.length - head - tail;
    for (let i = 0; i < Math.min(m, n); i += 1) diff(a[head + i] as Json, b[head + i] as Json, `${path}/${head + i}`, mine);
    // Removing at one index shifts the rest left, so the same index is removed m - n times.
    for (let i = n; i < m; i += 1) mine.push({ op: 'remove', path: `${path}/${head + n}` });
    for (let i = m; i < n; i += 1) mine.push({ op: 'add', path: `${path}/${head + i}`, value: b[head + i] });
  } else {
    out.push({ op: 'replace', path, value: b });
    return;
  }
  if (mine.length > 1 && path !== '') {
    const whole: JsonPatchOperation = { op: 'replace', path, value: b };
    if (size([whole]) < size(mine)) {
      out.push(whole);
      return;
    }
  }
  out.push(...mine);
}

/**
 * The RFC 6902 operations that turn `from` into `to` (both JSON-like values; `toJSON` is honoured and
 * object members that are `undefined` count as absent, as in `JSON.stringify`). Equal inputs give `[]`.
 * Throws {@link JsonPatchError} for values JSON cannot represent.
 *
 * ## Example
 * ```ts
 * jsonPatchDiff({ metadata: { name: 'a' } }, { metadata: { name: 'a', labels: { team: 'x' } } });
 * // [{ op: 'add', path: '/metadata/labels', value: { team: 'x' } }]
 * ```
 */
export function jsonPatchDiff(from: unknown, to: unknown): JsonPatchOperation[] {
  const out: JsonPatchOperation[] = [];
  diff(toJson(from, '', new Set()), toJson(to, '', new Set()), '', out);
  return out;
}
