import { inspect } from 'node:util';
import { BasicAuth, StaticTokenAuth } from '../../lib/config/static-auth';

describe('StaticTokenAuth', () => {
  it('sends the token as a bearer token and hides it from inspect and JSON', async () => {
    const auth = new StaticTokenAuth('tok-123-secret');
    expect(await auth.headers()).toEqual({ Authorization: 'Bearer tok-123-secret' });
    expect(auth.kind).toBe('token');
    expect(inspect(auth)).toBe("{ kind: 'token', token: '<redacted, 14 chars>' }");
    expect(JSON.stringify({ auth })).toBe('{"auth":{"kind":"token","token":"<redacted, 14 chars>"}}');
  });
});

describe('BasicAuth', () => {
  it('sends RFC 7617 basic credentials (UTF-8) and hides the password', async () => {
    const auth = new BasicAuth('jürgen', 'pa:ss-secret');
    expect(await auth.headers()).toEqual({ Authorization: `Basic ${Buffer.from('jürgen:pa:ss-secret', 'utf8').toString('base64')}` });
    expect(inspect(auth)).not.toContain('pa:ss-secret');
    expect(JSON.stringify(auth)).toBe('{"kind":"basic","username":"jürgen","password":"<redacted>"}');
  });
});
