// Writes the kubeconfig files of the local control plane: one for tests and people (three users/contexts) and
// one for kube-controller-manager (file references, admin certificate).
import { readFileSync, writeFileSync } from 'node:fs';

const b64 = (file) => readFileSync(file).toString('base64');

/**
 * Writes the user-facing kubeconfig with embedded credentials and these contexts:
 * - `rxkube-admin` (current): client certificate CN=admin, O=system:masters
 * - `rxkube-token`: bearer token of user `admin-token` (group system:masters)
 * - `rxkube-nobody`: bearer token of user `nobody`, who has no RBAC bindings
 *
 * ## Example
 * ```js
 * writeKubeconfig('/root/.cache/rxkube/run/kubeconfig', 'https://127.0.0.1:41234', pki);
 * ```
 * @param {string} file
 * @param {string} server
 * @param {import('./pki.mjs').Pki} pki
 */
export function writeKubeconfig(file, server, pki) {
  const text = `apiVersion: v1
kind: Config
clusters:
- name: rxkube
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(pki.caCert)}
users:
- name: admin
  user:
    client-certificate-data: ${b64(pki.adminCert)}
    client-key-data: ${b64(pki.adminKey)}
- name: admin-token
  user:
    token: ${pki.adminToken}
- name: nobody
  user:
    token: ${pki.nobodyToken}
contexts:
- name: rxkube-admin
  context: {cluster: rxkube, user: admin, namespace: default}
- name: rxkube-token
  context: {cluster: rxkube, user: admin-token, namespace: default}
- name: rxkube-nobody
  context: {cluster: rxkube, user: nobody, namespace: default}
current-context: rxkube-admin
preferences: {}
`;
  writeFileSync(file, text, { mode: 0o600 });
}

/**
 * Writes a kubeconfig that references the admin certificate files (used by kube-controller-manager).
 *
 * ## Example
 * ```js
 * writeComponentKubeconfig('/run/cm.kubeconfig', 'https://127.0.0.1:41234', pki);
 * ```
 * @param {string} file
 * @param {string} server
 * @param {import('./pki.mjs').Pki} pki
 */
export function writeComponentKubeconfig(file, server, pki) {
  const text = `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: '${server}', certificate-authority: '${pki.caCert}'}
users:
- name: admin
  user: {client-certificate: '${pki.adminCert}', client-key: '${pki.adminKey}'}
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
`;
  writeFileSync(file, text, { mode: 0o600 });
}
