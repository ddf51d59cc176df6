import { inspect } from 'node:util';
import { KubeError } from '../../lib/core/errors.js';
import {
  ApiError,
  isAlreadyExists,
  isApiError,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isTooManyRequests,
  isUnauthorized,
  statusFromBody,
  synthesizeStatus,
} from '../../lib/client/errors.js';

const put = { verb: 'replace', method: 'PUT', path: '/api/v1/namespaces/x/configmaps/y' } as const;

function apiError(code: number, reason: string, message = 'msg'): ApiError {
  return new ApiError(put, code, { kind: 'Status', code, reason, message });
}

describe('ApiError', () => {
  it('names method, path, code, reason and the Status message', () => {
    const e = apiError(409, 'Conflict', 'Operation cannot be fulfilled on configmaps "y"');
    expect(e).toBeInstanceOf(KubeError);
    expect(e.name).toBe('ApiError');
    expect(e.message).toBe('PUT /api/v1/namespaces/x/configmaps/y: 409 Conflict: Operation cannot be fulfilled on configmaps "y"');
    expect(e.context).toMatchObject({ verb: 'replace', code: 409, reason: 'Conflict' });
  });

  it('keeps the sent body for code but out of JSON and inspect output', () => {
    const sent = { kind: 'Secret', data: { password: 'aHVudGVyMg==' } };
    const e = new ApiError(put, 422, { kind: 'Status', code: 422, reason: 'Invalid' }, sent);
    expect(e.sent).toBe(sent);
    expect(JSON.stringify(e)).not.toContain('aHVudGVyMg==');
    expect(inspect(e, { depth: 10 })).not.toContain('aHVudGVyMg==');
  });

  it('falls back to the HTTP reason when the Status has none', () => {
    expect(new ApiError(put, 404, { kind: 'Status' }).message).toBe('PUT /api/v1/namespaces/x/configmaps/y: 404 NotFound');
  });
});

describe('statusFromBody', () => {
  it('reads a Status body and fills in a missing code', () => {
    expect(statusFromBody(403, '{"kind":"Status","reason":"Forbidden","message":"no"}')).toEqual({ kind: 'Status', reason: 'Forbidden', message: 'no', code: 403 });
  });

  it('synthesizes a Status from HTML, an empty body, or JSON that is not a Status', () => {
    expect(statusFromBody(503, '<h1>down</h1>')).toMatchObject({ code: 503, reason: 'ServiceUnavailable', message: '<h1>down</h1>' });
    expect(statusFromBody(500, '')).toMatchObject({ code: 500, reason: 'InternalError', message: 'the server answered 500 with no body' });
    expect(statusFromBody(404, '{"kind":"Pod"}')).toMatchObject({ code: 404, reason: 'NotFound' });
  });

  it('cuts long bodies to an excerpt', () => {
    expect(synthesizeStatus(502, 'x'.repeat(1000)).message).toHaveLength(201);
  });
});

describe('guards', () => {
  const cases: [string, (e: unknown) => boolean, ApiError][] = [
    ['isNotFound', isNotFound, apiError(404, 'NotFound')],
    ['isConflict', isConflict, apiError(409, 'Conflict')],
    ['isAlreadyExists', isAlreadyExists, apiError(409, 'AlreadyExists')],
    ['isForbidden', isForbidden, apiError(403, 'Forbidden')],
    ['isUnauthorized', isUnauthorized, apiError(401, 'Unauthorized')],
    ['isGone', isGone, apiError(410, 'Expired')],
    ['isInvalid', isInvalid, apiError(422, 'Invalid')],
    ['isTooManyRequests', isTooManyRequests, apiError(429, 'TooManyRequests')],
  ];

  it.each(cases)('%s matches its own error and no other', (_name, guard, own) => {
    expect(guard(own)).toBe(true);
    for (const [, , other] of cases) if (other !== own) expect(guard(other)).toBe(false);
    expect(guard(new Error('x'))).toBe(false);
    expect(isApiError(own)).toBe(true);
  });
});
