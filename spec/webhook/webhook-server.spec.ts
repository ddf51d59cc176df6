/**
 * webhookServer over real TLS with development certificates from openssl: the CA verifies the server,
 * a rotated certificate is served without a restart, a half-rotated pair (new certificate, old key) is
 * refused and the old pair kept, health endpoints answer, and close() lets the process exit.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { Admission } from '../../lib/admission';
import { ConfigMap } from '../../lib/core/builtins';
import { createDevCertificates, issueServingCertificate, serviceDnsNames, Webhook, webhookServer, WebhookError, type DevCertificates, type RunningWebhookServer, type WebhookLogEntry } from '../../lib/webhook';
import { configMapReview } from '../admission/support/reviews';

jest.setTimeout(60_000);

let dir: string;
let certs: DevCertificates;
let server: RunningWebhookServer;
let logs: WebhookLogEntry[];

/** POSTs over TLS trusting only the dev CA; resolves with the status, the body and the served certificate's fingerprint. */
function post(path: string, body: unknown, ca: string | null = certs.caPem): Promise<{ status: number; body: Record<string, unknown>; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${server.url}${path}`, { method: 'POST', ...(ca === null ? {} : { ca }), agent: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerX509Certificate()?.fingerprint256 ?? '';
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>, fingerprint }));
    });
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rxkube-webhook-'));
  certs = await createDevCertificates({ dir, dnsNames: ['localhost', ...serviceDnsNames('hooks', 'ops')] });
});

beforeEach(async () => {
  logs = [];
  server = await webhookServer({
    routes: [Webhook.validating('/validate', ConfigMap, (r) => Admission.deny(r, 'denied over TLS'))],
    tls: certs,
    logger: (e) => logs.push(e),
    reloadIntervalMs: 60_000,
  });
});

afterEach(async () => {
  await server.close();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('webhookServer', () => {
  it('serves reviews over TLS that the dev CA verifies, and health endpoints', async () => {
    const reply = await post('/validate', configMapReview());
    expect(reply.body.response).toMatchObject({ allowed: false, status: { message: 'denied over TLS' } });
    expect(reply.fingerprint).toBe(server.fingerprint());
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await new Promise<number>((resolve, reject) => httpsRequest(`${server.url}/healthz`, { ca: certs.caPem }, (res) => resolve(res.statusCode ?? 0)).on('error', reject).end());
    expect(health).toBe(200);
  });

  it('is not trusted without the CA (TLS verification stays on)', async () => {
    await expect(post('/validate', configMapReview(), null)).rejects.toThrow(/self-signed|unable to verify|self signed/);
  });

  it('serves a rotated certificate without a restart', async () => {
    const before = (await post('/validate', configMapReview())).fingerprint;
    await issueServingCertificate({ dir, caCertFile: certs.caCertFile, caKeyFile: certs.caKeyFile });
    expect(await server.reloadCertificates()).toBe(true);
    const after = await post('/validate', configMapReview());
    expect(after.status).toBe(200);
    expect(after.fingerprint).not.toBe(before);
    expect(after.fingerprint).toBe(server.fingerprint());
    expect(await server.reloadCertificates()).toBe(false); // nothing changed since
    expect(logs.filter((l) => l.event === 'certificateReloaded')).toHaveLength(1);
  });

  it('picks up a rotation by polling', async () => {
    await server.close();
    server = await webhookServer({ routes: [Webhook.validating('/validate', ConfigMap, (r) => Admission.allow(r))], tls: certs, logger: (e) => logs.push(e), reloadIntervalMs: 50 });
    const before = server.fingerprint();
    await issueServingCertificate({ dir, caCertFile: certs.caCertFile, caKeyFile: certs.caKeyFile });
    for (let i = 0; i < 100 && server.fingerprint() === before; i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(server.fingerprint()).not.toBe(before);
    expect((await post('/validate', configMapReview())).fingerprint).toBe(server.fingerprint());
  });

  it('keeps the last good pair when the files do not match (mid-rotation) and logs why, without key material', async () => {
    const served = server.fingerprint();
    const other = mkdtempSync(join(tmpdir(), 'rxkube-webhook-other-'));
    try {
      const fresh = await issueServingCertificate({ dir: other, caCertFile: certs.caCertFile, caKeyFile: certs.caKeyFile });
      const keyBefore = readFileSync(certs.keyFile, 'utf8');
      copyFileSync(fresh.certFile, certs.certFile); // new certificate, old key
      expect(await server.reloadCertificates()).toBe(false);
      expect(server.fingerprint()).toBe(served);
      expect((await post('/validate', configMapReview())).fingerprint).toBe(served);
      const failed = logs.filter((l) => l.event === 'certificateReloadFailed');
      expect(failed).toEqual([expect.objectContaining({ level: 'warn', message: expect.stringMatching(/do not load: .*key values mismatch/) })]);
      expect(JSON.stringify(logs)).not.toContain(keyBefore.split('\n')[1]);
      copyFileSync(fresh.keyFile, certs.keyFile); // the rotation completes
      expect(await server.reloadCertificates()).toBe(true);
      expect((await post('/validate', configMapReview())).fingerprint).not.toBe(served);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('fails to start with a typed error naming the file', async () => {
    await expect(webhookServer({ routes: [], tls: { certFile: join(dir, 'missing.crt'), keyFile: certs.keyFile }, logger: () => undefined })).rejects.toThrow(WebhookError);
    await expect(webhookServer({ routes: [], tls: { certFile: join(dir, 'missing.crt'), keyFile: certs.keyFile }, logger: () => undefined })).rejects.toThrow(/missing\.crt/);
    await expect(webhookServer({ routes: [], tls: certs, port: server.port, logger: () => undefined })).rejects.toThrow(/cannot listen on 127\.0\.0\.1/);
  });
});
