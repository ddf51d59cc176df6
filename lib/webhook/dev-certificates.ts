/**
 * Development certificates for webhooks, made with the `openssl` command (which the local control plane
 * needs anyway): a throw-away CA and a serving certificate for loopback and in-cluster Service DNS names.
 * Files are written to a temporary name and renamed into place, key first and then certificate, so a
 * server re-reading them sees either the old pair, the new pair, or a mismatched pair it will refuse
 * (and retry) — never half a file. Keys are mode 0600. For production, use cert-manager or your own PKI.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WebhookError } from './webhook-error.js';

/**
 * Options of {@link createDevCertificates}.
 *
 * ## Example
 * ```ts
 * const certs = await createDevCertificates({ dir: '/tmp/hooks', dnsNames: ['localhost', ...serviceDnsNames('hooks', 'ops')] });
 * ```
 */
export interface DevCertificateOptions {
  /** Folder for the files (created with mode 0700). */
  dir: string;
  /** DNS names of the serving certificate. @default ['localhost'] */
  dnsNames?: readonly string[];
  /** IP addresses of the serving certificate. @default ['127.0.0.1', '::1'] */
  ipAddresses?: readonly string[];
  /** Validity in days. @default 30 */
  days?: number;
}

/**
 * The files made, and the CA as PEM text for a webhook's `caBundle` (`endpoint.ca`).
 *
 * ## Example
 * ```ts
 * const { certFile, keyFile, caPem } = await createDevCertificates({ dir });
 * ```
 */
export interface DevCertificates {
  readonly caCertFile: string;
  readonly caKeyFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caPem: string;
}

/**
 * The DNS names a Service is reached by from inside the cluster.
 *
 * ## Example
 * ```ts
 * serviceDnsNames('hooks', 'ops'); // ['hooks', 'hooks.ops', 'hooks.ops.svc', 'hooks.ops.svc.cluster.local']
 * ```
 */
export function serviceDnsNames(service: string, namespace: string, clusterDomain = 'cluster.local'): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`];
}

function openssl(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { encoding: 'utf8' }, (error, _stdout, stderr) => {
      if (error === null) {
        resolve();
        return;
      }
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new WebhookError('openssl', missing ? 'the openssl command is missing (Debian: apt-get install openssl)' : `openssl ${args[0]} failed: ${stderr.trim().split('\n').slice(-2).join(' ')}`, { cause: error }));
    });
  });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const NAME = /^[A-Za-z0-9*.-]+$/;
const IP = /^[0-9a-fA-F:.]+$/;

/**
 * Makes a CA (`ca.crt`, `ca.key`) and a serving certificate signed by it (`tls.crt`, `tls.key`) in `dir`.
 * Throws {@link WebhookError} (`openssl`) when openssl is missing or fails.
 *
 * ## Example
 * ```ts
 * const certs = await createDevCertificates({ dir: mkdtempSync(join(tmpdir(), 'hooks-')) });
 * const server = await webhookServer({ routes, tls: certs });
 * ```
 */
export async function createDevCertificates(options: DevCertificateOptions): Promise<DevCertificates> {
  const { dir } = options;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const caCertFile = join(dir, 'ca.crt');
  const caKeyFile = join(dir, 'ca.key');
  await openssl(['req', '-x509', ...EC, '-keyout', caKeyFile, '-out', caCertFile, '-days', String(options.days ?? 30), '-subj', '/CN=rxkube-webhook-dev-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  await chmod(caKeyFile, 0o600);
  const serving = await issueServingCertificate({ ...options, caCertFile, caKeyFile });
  return { caCertFile, caKeyFile, ...serving, caPem: await readFile(caCertFile, 'utf8') };
}

/**
 * Issues a (new) serving certificate from an existing CA into `dir` (`tls.crt`, `tls.key` by default):
 * how a test or a cron job rotates the files a running webhook server re-reads.
 *
 * ## Example
 * ```ts
 * await issueServingCertificate({ dir, caCertFile: certs.caCertFile, caKeyFile: certs.caKeyFile });
 * await server.reloadCertificates(); // or wait for the next poll
 * ```
 */
export async function issueServingCertificate(options: DevCertificateOptions & { caCertFile: string; caKeyFile: string; name?: string }): Promise<{ certFile: string; keyFile: string }> {
  const dns = options.dnsNames ?? ['localhost'];
  const ips = options.ipAddresses ?? ['127.0.0.1', '::1'];
  for (const n of dns) if (!NAME.test(n)) throw new WebhookError('openssl', `${JSON.stringify(n)} is not a DNS name`);
  for (const ip of ips) if (!IP.test(ip)) throw new WebhookError('openssl', `${JSON.stringify(ip)} is not an IP address`);
  if (dns.length + ips.length === 0) throw new WebhookError('openssl', 'a serving certificate needs at least one DNS name or IP address');
  const name = options.name ?? 'tls';
  const certFile = join(options.dir, `${name}.crt`);
  const keyFile = join(options.dir, `${name}.key`);
  const tmp = `.${name}-${process.pid}-${Date.now()}`;
  const tmpCert = join(options.dir, `${tmp}.crt`);
  const tmpKey = join(options.dir, `${tmp}.key`);
  const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(',');
  try {
    await openssl(['req', '-x509', ...EC, '-keyout', tmpKey, '-out', tmpCert, '-days', String(options.days ?? 30), '-subj', `/CN=${dns[0] ?? ips[0]}`,
      '-CA', options.caCertFile, '-CAkey', options.caKeyFile,
      '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
      '-addext', 'extendedKeyUsage=serverAuth', '-addext', `subjectAltName=${san}`]);
    await chmod(tmpKey, 0o600);
    await rename(tmpKey, keyFile);
    await rename(tmpCert, certFile);
  } finally {
    await rm(tmpKey, { force: true });
    await rm(tmpCert, { force: true });
  }
  return { certFile, keyFile };
}
