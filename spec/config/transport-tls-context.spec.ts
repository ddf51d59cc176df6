/**
 * The https agent of `transportFor` builds its TLS context (CA bundle, client certificate and key parsed)
 * once, not once per connection: every pod-stream WebSocket opens a new connection, and building the
 * context took about a third of a port-forward listener's CPU under a load of new connections.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import tls from 'node:tls';
import { transportFor } from '../../lib/config/transport';

describe('transportFor https agent TLS context', () => {
  let server: https.Server;
  let ca: string;
  let url: string;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rxkube-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      ca = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
      const key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
      server = https.createServer({ cert: ca, key }, (_req, res) => res.end('ok'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('should build one TLS context for many new connections, and still verify the server with the CA', async () => {
    const agent = transportFor({ server: url, tls: { ca } }).httpsAgent as https.Agent;
    const spy = jest.spyOn(tls, 'createSecureContext');
    try {
      const get = () =>
        new Promise<string>((resolve, reject) => {
          // `Connection: close`: each request needs a new TLS connection, as each WebSocket does.
          https
            .get(`${url}/`, { agent, headers: { connection: 'close' } }, (res) => {
              let body = '';
              res.on('data', (d: Buffer) => (body += d.toString()));
              res.on('end', () => resolve(body));
            })
            .on('error', reject);
        });
      for (let i = 0; i < 5; i++) expect(await get()).toBe('ok');
      // Before: one context per connection (5).
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
    // The shared context still carries the CA: a server it does not vouch for is refused.
    const other = transportFor({ server: url, tls: { ca: tls.rootCertificates[0] as string } }).httpsAgent as https.Agent;
    await expect(
      new Promise((resolve, reject) => {
        https.get(`${url}/`, { agent: other }, resolve).on('error', reject);
      }),
    ).rejects.toThrow(/self[- ]signed/);
  });
});
