/**
 * Parses one line of a watch stream into a `WatchEvent`. A line that is not JSON, or not an event
 * (`type` one of ADDED, MODIFIED, DELETED, BOOKMARK, ERROR with an `object`), is a
 * {@link DecodeError} naming a short excerpt of the line, never the whole line.
 *
 * @module
 */
import type { WatchEvent } from '../core/response.js';
import { DecodeError } from './errors.js';

const EVENT_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);
const EXCERPT = 120;

function excerpt(line: string): string {
  return line.length > EXCERPT ? `${line.slice(0, EXCERPT)}… (${line.length} characters)` : line;
}

/**
 * Parses a watch line; throws {@link DecodeError} when it is not a watch event.
 *
 * ## Example
 * ```ts
 * parseWatchEvent<Pod>('{"type":"ADDED","object":{"kind":"Pod"}}').type; // 'ADDED'
 * parseWatchEvent('{"type":'); // throws DecodeError: malformed watch event: ...
 * ```
 */
export function parseWatchEvent<K>(line: string, path = 'watch'): WatchEvent<K> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new DecodeError(`${path}: malformed watch event (not JSON): ${excerpt(line)}`, { cause: error, context: { path, excerpt: excerpt(line) } });
  }
  const event = value as { type?: unknown; object?: unknown };
  if (typeof value !== 'object' || value === null || typeof event.type !== 'string' || !EVENT_TYPES.has(event.type)) {
    throw new DecodeError(`${path}: malformed watch event (no known type): ${excerpt(line)}`, { context: { path, excerpt: excerpt(line) } });
  }
  if (typeof event.object !== 'object' || event.object === null) {
    throw new DecodeError(`${path}: malformed watch event (${event.type} without an object): ${excerpt(line)}`, { context: { path, excerpt: excerpt(line) } });
  }
  return value as WatchEvent<K>;
}
