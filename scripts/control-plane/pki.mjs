// Throw-away credentials for one control plane, made with the `openssl` command: a CA, a serving certificate for
// localhost/127.0.0.1, an admin client certificate (CN=admin, O=system:masters), kwok's kubelet serving certificate
// and kube-apiserver's kubelet client certificate, a service-account key pair and a static token file with an admin token and an RBAC-less user.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ControlPlaneError } from './errors.mjs';

/**
 * @typedef {object} Pki
 * @property {string} caCert @property {string} caKey
 * @property {string} serverCert @property {string} serverKey
 * @property {string} adminCert @property {string} adminKey
 * @property {string} kubeletCert @property {string} kubeletKey serving certificate of kwok's kubelet endpoint
 * @property {string} kubeletClientCert @property {string} kubeletClientKey kube-apiserver's client certificate for it
 * @property {string} saKey @property {string} saPub
 * @property {string} tokenFile
 * @property {string} adminToken token of user `admin-token` (group system:masters)
 * @property {string} nobodyToken token of user `nobody` (no RBAC bindings)
 */

/**
 * Creates all credentials in `dir` (files are mode 0600 where they hold secrets).
 *
 * ## Example
 * ```js
 * const pki = createPki('/root/.cache/rxkube/run/pki');
 * ```
 * @param {string} dir
 * @returns {Pki}
 */
export function createPki(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (name) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '30', '-subj', '/CN=rxkube-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  const signed = (name, subj, ext) =>
    openssl(['req', '-x509', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.crt`), '-days', '30', '-subj', subj,
      '-CA', f('ca.crt'), '-CAkey', f('ca.key'),
      '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', ...ext.flatMap((e) => ['-addext', e])]);
  signed('apiserver', '/CN=kube-apiserver', [
    'extendedKeyUsage=serverAuth',
    'subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1',
  ]);
  signed('admin', '/O=system:masters/CN=admin', ['extendedKeyUsage=clientAuth']);
  // kwok's kubelet endpoint (every fake node's address is 127.0.0.1) and the client certificate kube-apiserver
  // presents to it, as with a real kubelet (--kubelet-client-certificate, --kubelet-certificate-authority).
  signed('kubelet', '/CN=rxkube-kwok-kubelet', ['extendedKeyUsage=serverAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  signed('apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', ['extendedKeyUsage=clientAuth']);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f('sa.key')]);
  openssl(['pkey', '-in', f('sa.key'), '-pubout', '-out', f('sa.pub')]);

  const adminToken = randomBytes(24).toString('hex');
  const nobodyToken = randomBytes(24).toString('hex');
  writeFileSync(
    f('tokens.csv'),
    `${adminToken},admin-token,uid-admin-token,"system:masters"\n${nobodyToken},nobody,uid-nobody\n`,
    { mode: 0o600 },
  );
  return {
    caCert: f('ca.crt'), caKey: f('ca.key'),
    serverCert: f('apiserver.crt'), serverKey: f('apiserver.key'),
    adminCert: f('admin.crt'), adminKey: f('admin.key'),
    kubeletCert: f('kubelet.crt'), kubeletKey: f('kubelet.key'),
    kubeletClientCert: f('apiserver-kubelet-client.crt'), kubeletClientKey: f('apiserver-kubelet-client.key'),
    saKey: f('sa.key'), saPub: f('sa.pub'),
    tokenFile: f('tokens.csv'), adminToken, nobodyToken,
  };
}

/** Fails with a one-line reason when the `openssl` command is missing. */
export function checkOpenssl() {
  const out = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) {
    throw new ControlPlaneError('the openssl command is missing; install it (Debian: apt-get install openssl)');
  }
}

/** @param {string[]} args */
function openssl(args) {
  const out = spawnSync('openssl', args, { encoding: 'utf8' });
  if (out.error || out.status !== 0) {
    throw new ControlPlaneError(`openssl ${args[0]} failed while creating test credentials`, {
      details: out.error ? out.error.message : (out.stderr ?? '').trim(),
    });
  }
}
