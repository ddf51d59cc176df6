/**
 * Checks of the PEM a kubeconfig names (CA bundle, client certificate and key) when it is loaded, so a bad one
 * is a `ConfigError` naming the file and the field, not a TLS failure at the first request.
 *
 * @module
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { ConfigError } from './config-error.js';

/** What a PEM field must hold: one or more certificates, or one private key. */
export type PemKind = 'certificates' | 'privateKey';

/** Where a PEM came from, for the error: the kubeconfig file, the field's path, the entry, and the PEM file if any. */
export interface PemSource {
  readonly file: string;
  readonly field: string;
  readonly entry: string;
  readonly path?: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

function invalid(at: PemSource, problem: string, cause?: unknown): ConfigError {
  const where = at.path === undefined ? at.field : `${at.field} (${at.path})`;
  return new ConfigError('invalidKubeconfig', `kubeconfig ${at.file}: ${where}: ${problem}`, {
    ...(cause === undefined ? {} : { cause }),
    context: { file: at.file, field: at.field, entry: at.entry, ...(at.path === undefined ? {} : { path: at.path }) },
  });
}

/** OpenSSL's reason, which names what failed and never the bytes it read. */
function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Throws a `ConfigError` (`invalidKubeconfig`) unless `text` holds what `kind` says: for `certificates`, at least
 * one PEM certificate and every one of them parseable; for `privateKey`, a private key Node can read (PKCS#8,
 * PKCS#1 or SEC1, not encrypted). A key's bytes never reach the message.
 *
 * ## Example
 * ```ts
 * checkPem(readFileSync(caFile, 'utf8'), 'certificates', { file: kubeconfigFile, field: 'clusters[0].cluster.certificate-authority', entry: 'prod' });
 * ```
 */
export function checkPem(text: string, kind: PemKind, at: PemSource): void {
  if (kind === 'privateKey') {
    privateKey(text, at);
    return;
  }
  const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) throw invalid(at, 'no PEM certificate in it (-----BEGIN CERTIFICATE-----)');
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (e) {
      throw invalid(at, `certificate ${i + 1} of ${blocks.length} cannot be parsed: ${reasonOf(e)}`, e);
    }
  });
}

function privateKey(text: string, at: PemSource): KeyObject {
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch (e) {
    // The cause stays attached for debugging; the message names the field only.
    throw invalid(at, 'not a private key that can be read (PEM: PKCS#8, PKCS#1 or SEC1, not encrypted)', e);
  }
}

/**
 * Throws a `ConfigError` (`invalidKubeconfig`) when the client certificate (its first certificate) and the key
 * do not belong together, as client-go refuses such a pair when it builds the transport. `at.field` is the user
 * entry's path (`users[0].user`).
 *
 * ## Example
 * ```ts
 * checkKeyPair(certPem, keyPem, { file: kubeconfigFile, field: 'users[0].user', entry: 'admin' });
 * ```
 */
export function checkKeyPair(certificate: string, key: string, at: PemSource): void {
  const first = certificate.match(CERTIFICATE_BLOCK)?.[0] ?? certificate;
  if (!new X509Certificate(first).checkPrivateKey(privateKey(key, at))) {
    throw invalid(at, 'client-certificate and client-key do not belong together (the key is not the certificate\'s)');
  }
}
