// TLS settings of a kubeconfig cluster against the real API server: verification is on by default
// (an unknown CA or a wrong server name fails), `tls-server-name` chooses the name the serving
// certificate is checked against, and only `insecure-skip-tls-verify` turns checking off.
import { NetworkError } from '../../../lib/client/errors.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { listNamespaces, tempDir, testUser, writeKubeconfig } from './support.js';

const env = {};

/** A config for the admin token on the test cluster with `cluster` fields overriding the real ones. */
function configWith(cluster: Record<string, unknown>) {
  return configFromKubeconfig({ path: writeKubeconfig(tempDir(), testUser('admin-token'), cluster), env });
}

async function networkError(p: Promise<unknown>): Promise<NetworkError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(NetworkError);
  return e as NetworkError;
}

describe('cluster TLS settings (e2e)', () => {
  it('rejects a server whose certificate does not chain to a trusted CA', async () => {
    const e = await networkError(listNamespaces(configWith({ 'certificate-authority-data': null })));
    expect(e.code).toMatch(/SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/);
  });

  it('checks the serving certificate against tls-server-name', async () => {
    expect(await listNamespaces(configWith({ 'tls-server-name': 'kubernetes.default.svc' }))).toMatchObject({ ok: true });
    const e = await networkError(listNamespaces(configWith({ 'tls-server-name': 'not-in-the-certificate.example' })));
    expect(e.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('skips verification only with insecure-skip-tls-verify', async () => {
    const config = configWith({ 'certificate-authority-data': null, 'insecure-skip-tls-verify': true });
    expect(config.tls?.insecureSkipTLSVerify).toBe(true);
    expect(await listNamespaces(config)).toMatchObject({ ok: true });
  });
});
