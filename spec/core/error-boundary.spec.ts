/**
 * The error boundary: decodeGuard, DecodeError, parseWatchLine and guardWatchEvent.
 */
import { DecodeError, decodeGuard, excerptOf, guardWatchEvent, identify, parseWatchLine } from '../../lib/core/error-boundary.js';
import { KubeError } from '../../lib/core/errors.js';
import type { WatchEvent } from '../../lib/core/response.js';

interface Widget {
  kind: 'Widget';
  metadata: { name: string; namespace?: string };
  spec: { size: number };
}

const isWidget = (o: unknown): o is Widget => typeof (o as Widget | undefined)?.spec?.size === 'number';

function assertWidget(o: unknown): Widget {
  if (!isWidget(o)) {
    throw new DecodeError('spec.size must be a number', { field: 'spec.size' });
  }
  return o;
}

const good = { kind: 'Widget', metadata: { name: 'w1', namespace: 'ns' }, spec: { size: 3 } };
const bad = { kind: 'Widget', metadata: { name: 'w2', namespace: 'ns' }, spec: { size: 'big' } };

describe('decodeGuard', () => {
  it('passes a valid object through a type guard', () => {
    expect(decodeGuard(good, isWidget)).toEqual({ ok: true, value: good });
  });

  it('passes the value returned by a decoder', () => {
    const r = decodeGuard(good, (o) => ({ ...assertWidget(o), decoded: true }));
    expect(r.ok && r.value).toEqual({ ...good, decoded: true });
  });

  it('turns a failed guard into a value naming the object, keeping the raw input', () => {
    const r = decodeGuard(bad, isWidget);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.raw).toBe(bad);
    expect(r.error).toBeInstanceOf(DecodeError);
    expect(r.error).toBeInstanceOf(KubeError);
    expect(r.error.message).toBe('Widget ns/w2 failed validation');
    expect(r.error.object).toEqual({ kind: 'Widget', namespace: 'ns', name: 'w2' });
    expect(r.error.context).toEqual({ kind: 'Widget', namespace: 'ns', name: 'w2' });
  });

  it('names the field a throwing decoder reports', () => {
    const r = decodeGuard(bad, assertWidget);
    if (r.ok) throw new Error('expected a failure');
    expect(r.error.message).toBe('Widget ns/w2 failed to decode at spec.size: spec.size must be a number');
    expect(r.error.field).toBe('spec.size');
    expect(r.error.context).toMatchObject({ name: 'w2', field: 'spec.size' });
    expect(r.error.cause).toBeInstanceOf(DecodeError);
  });

  it('reads the field from schema validation issues', () => {
    const schemaError = Object.assign(new Error('is invalid'), { issues: [{ field: 'spec.size', pointer: '/spec/size', message: 'must be number' }] });
    const r = decodeGuard(bad, () => {
      throw schemaError;
    });
    if (r.ok) throw new Error('expected a failure');
    expect(r.error.field).toBe('spec.size');
    expect(r.error.cause).toBe(schemaError);
  });

  it('never throws, whatever the input or the check throws', () => {
    for (const raw of [null, undefined, 42, 'x', [], { metadata: null }, { kind: 7, metadata: { name: {} } }]) {
      const r = decodeGuard(raw, () => {
        throw 'not even an Error';
      });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toBe('an object failed to decode: not even an Error');
    }
  });

  it('describes objects without a name', () => {
    const r = decodeGuard({ kind: 'Widget' }, isWidget);
    expect(!r.ok && r.error.message).toBe('a Widget without a name failed validation');
  });
});

describe('identify', () => {
  it('reads only string identity fields', () => {
    expect(identify({ kind: 'Pod', metadata: { name: 'x', namespace: 'ns', uid: 'u' } })).toEqual({ kind: 'Pod', name: 'x', namespace: 'ns' });
    expect(identify({ kind: 1, metadata: { name: 2 } })).toEqual({});
    expect(identify('Pod')).toEqual({});
  });
});

describe('parseWatchLine', () => {
  it('parses every event type', () => {
    for (const type of ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']) {
      const ev = parseWatchLine(JSON.stringify({ type, object: { kind: 'X', metadata: { resourceVersion: '1' } } }));
      expect(ev).not.toBeInstanceOf(DecodeError);
      expect((ev as WatchEvent<unknown>).type).toBe(type);
    }
  });

  it('returns a DecodeError for malformed JSON instead of throwing', () => {
    const ev = parseWatchLine('{"type":"ADDED","object":{');
    expect(ev).toBeInstanceOf(DecodeError);
    expect((ev as DecodeError).message).toBe('malformed watch event (not JSON): {"type":"ADDED","object":{');
    expect((ev as DecodeError).cause).toBeInstanceOf(SyntaxError);
  });

  it('returns a DecodeError for unknown types and missing objects', () => {
    expect((parseWatchLine('{"type":"CHANGED","object":{}}') as DecodeError).field).toBe('type');
    expect((parseWatchLine('[1,2]') as DecodeError).field).toBe('type');
    expect((parseWatchLine('null') as DecodeError).message).toMatch(/no known type/);
    expect((parseWatchLine('{"type":"ADDED"}') as DecodeError).message).toBe('malformed watch event (ADDED without an object): {"type":"ADDED"}');
    expect((parseWatchLine('{"type":"ADDED","object":"x"}') as DecodeError).field).toBe('object');
  });

  it('shows a truncated preview, never the whole line', () => {
    const secret = 'S'.repeat(5000);
    const line = `{"type":"ADDED","object":{"data":{"token":"${secret}"}`;
    const ev = parseWatchLine(line) as DecodeError;
    expect(ev).toBeInstanceOf(DecodeError);
    expect(ev.message.length).toBeLessThan(200);
    expect(ev.message).toContain(`(${line.length} characters)`);
    expect(JSON.stringify(ev.context).length).toBeLessThan(200);
    expect(ev.message).not.toContain(secret);
  });
});

describe('excerptOf', () => {
  it('keeps short text and cuts long text', () => {
    expect(excerptOf('short')).toBe('short');
    expect(excerptOf('abcdef', 3)).toBe('abc… (6 characters)');
  });
});

describe('guardWatchEvent', () => {
  it('checks object events and passes bookmarks and errors through', () => {
    expect(guardWatchEvent({ type: 'ADDED', object: good }, isWidget)).toEqual({ ok: true, value: { type: 'ADDED', object: good } });
    const bookmark = { type: 'BOOKMARK', object: { metadata: { resourceVersion: '5' } } } as const;
    expect(guardWatchEvent(bookmark, isWidget)).toEqual({ ok: true, value: bookmark });
    const r = guardWatchEvent({ type: 'MODIFIED', object: bad }, isWidget);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.raw).toEqual({ type: 'MODIFIED', object: bad });
      expect(r.error.object?.name).toBe('w2');
    }
  });
});
