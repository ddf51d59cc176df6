import type { KubeRequest } from '../../../lib/core/request.js';
import { Client } from '../../../lib/client/client.js';
import type { AuthProvider } from '../../../lib/client/config.js';
import { isUnauthorized } from '../../../lib/client/errors.js';
import { json, type ScriptedServer, startServer, status } from '../support/scripted-server.js';

const create: KubeRequest = { verb: 'create', method: 'POST', path: '/api/v1/namespaces/a/configmaps', query: {}, headers: {}, body: { a: 1 } };

/** A provider whose token changes each time it is invalidated. */
function rotatingProvider(withInvalidate = true): AuthProvider & { invalidations: number } {
  const provider = {
    kind: 'test',
    invalidations: 0,
    headers: async () => ({ Authorization: `Bearer token-${provider.invalidations}` }),
    ...(withInvalidate ? { invalidate: () => void provider.invalidations++ } : {}),
  };
  return provider;
}

describe('auth', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startServer((req, res) => {
      if (req.headers.authorization === 'Bearer token-1') json(res, 201, { ok: true });
      else json(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    });
  });
  afterEach(async () => {
    await server.close();
  });

  it('after a 401, invalidates the credentials and retries once with fresh ones', async () => {
    const provider = rotatingProvider();
    await expect(new Client({ server: server.url, auth: provider }).request(create)).resolves.toEqual({ ok: true });
    expect(provider.invalidations).toBe(1);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-0', 'Bearer token-1']);
    expect(server.requests[1]?.body).toBe('{"a":1}');
  });

  it('retries only once', async () => {
    server.handle((_req, res) => json(res, 401, status(401, 'Unauthorized', 'Unauthorized')));
    const provider = rotatingProvider();
    const e = await new Client({ server: server.url, auth: provider }).request(create).catch((x: unknown) => x);
    expect(isUnauthorized(e)).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(provider.invalidations).toBe(1);
  });

  it('does not retry with a provider that cannot refresh', async () => {
    const e = await new Client({ server: server.url, auth: rotatingProvider(false) }).request(create).catch((x: unknown) => x);
    expect(isUnauthorized(e)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });
});
