/**
 * The JSON text a decoded value came from, kept beside it (not in it) so that a compact store can
 * keep that text instead of the decoded tree, without encoding the object again.
 *
 * @module
 */

const SOURCE_TEXT: unique symbol = Symbol('rxkube.sourceText');

type WithSource = { readonly [SOURCE_TEXT]?: string };

/**
 * Records `text` as the JSON `target` was decoded from, in a property that is neither enumerable
 * nor a string key: `JSON.stringify`, spreading, `Object.keys` and Jest's `toEqual` do not see it.
 * Does nothing when `text` is undefined. Returns `target`.
 *
 * The watch decoder records each event's line on the event (never on the object inside it, so a
 * store that keeps objects does not keep their text too); the watcher carries it over to the event
 * it makes; a `compact` store keeps it. An event that an application keeps after use keeps its line
 * as well (as many bytes again as the object's JSON); the objects inside events do not.
 *
 * ## Example
 * ```ts
 * const line = '{"type":"ADDED","object":{"metadata":{"name":"a"}}}';
 * const event = withSourceText(JSON.parse(line), line);
 * sourceTextOf(event) === line; // true
 * ```
 */
export function withSourceText<T extends object>(target: T, text: string | undefined): T {
  if (text !== undefined) Object.defineProperty(target, SOURCE_TEXT, { value: text, enumerable: false, writable: false, configurable: false });
  return target;
}

/**
 * The JSON text recorded by {@link withSourceText}, or undefined. The text is what was decoded: a
 * watch line is a whole event (`{"type":…,"object":…}`), and it says nothing about changes made to
 * the decoded value since.
 *
 * ## Example
 * ```ts
 * const text = sourceTextOf(event);
 * if (text !== undefined) keep(text);
 * ```
 */
export function sourceTextOf(value: object): string | undefined {
  return (value as WithSource)[SOURCE_TEXT];
}
