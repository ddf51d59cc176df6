import { parseWatchLine } from '../../lib/core/error-boundary.js';
import { sourceTextOf, withSourceText } from '../../lib/core/source-text.js';

describe('withSourceText / sourceTextOf', () => {
  it('keeps the text beside the value where JSON, spreading, keys and toEqual do not see it', () => {
    const value = { a: 1 };
    expect(withSourceText(value, '{"a":1}')).toBe(value);
    expect(sourceTextOf(value)).toBe('{"a":1}');
    expect(JSON.stringify(value)).toBe('{"a":1}');
    expect(Object.keys(value)).toEqual(['a']);
    expect(Reflect.ownKeys({ ...value })).toEqual(['a']);
    expect(value).toEqual({ a: 1 });
  });

  it('leaves the value alone when there is no text', () => {
    const value = { a: 1 };
    withSourceText(value, undefined);
    expect(sourceTextOf(value)).toBeUndefined();
    expect(Reflect.ownKeys(value)).toEqual(['a']);
  });

  it('is recorded by parseWatchLine on the event, not on its object', () => {
    const line = '{"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"7"}}}';
    const event = parseWatchLine<{ metadata: { name: string } }>(line);
    if (!('type' in event)) throw event;
    expect(sourceTextOf(event)).toBe(line);
    expect(sourceTextOf(event.object as object)).toBeUndefined();
    expect(event).toEqual({ type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '7' } } });
  });
});
