// The NestJS webhook sample in-process: Nest's HTTPS server (dev certificates), its JSON body parser in front,
// and rxkube's handler under /webhooks answering validating, mutating and conversion reviews; Nest's own
// routes keep working.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { base64Decode } from 'rxkube/admission';
import { createDevCertificates, type DevCertificates } from 'rxkube/webhook';
import { configMapReview } from '../../spec/admission/support/reviews';
import { createWebhookApp } from './nest-webhook';

jest.setTimeout(60_000);

let dir: string;
let certs: DevCertificates;
let app: INestApplication;
let base: string;

function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, ca: certs.caPem, agent: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rxkube-nest-webhook-'));
  certs = await createDevCertificates({ dir });
  app = await createWebhookApp(certs);
  await app.listen(0, '127.0.0.1');
  base = `https://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('NestJS webhook sample', () => {
  it('denies and mutates ConfigMaps behind Nest, after its body parser', async () => {
    const denied = await call('POST', '/webhooks/validate', configMapReview({ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { password: 'p' } } }));
    expect(denied.body.response).toMatchObject({ allowed: false, status: { message: 'use a Secret for passwords' } });
    const mutated = await call('POST', '/webhooks/mutate', configMapReview());
    const patch = JSON.parse(base64Decode((mutated.body.response as { patch: string }).patch)) as unknown;
    expect(patch).toEqual([{ op: 'add', path: '/metadata/labels', value: { 'rxkube.dev/seen-by': 'nest' } }]);
  });

  it('converts Widgets and keeps Nest routes working', async () => {
    const converted = await call('POST', '/webhooks/convert', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: { uid: 'u', desiredAPIVersion: 'conversion.rxkube.dev/v1', objects: [{ apiVersion: 'conversion.rxkube.dev/v2', kind: 'Widget', metadata: { name: 'w' }, spec: { dimensions: { size: 1 }, tags: ['a'] } }] },
    });
    expect(converted.body.response).toMatchObject({ result: { status: 'Success' }, convertedObjects: [{ apiVersion: 'conversion.rxkube.dev/v1', spec: { size: 1 } }] });
    expect(await call('GET', '/health')).toEqual({ status: 200, body: { ok: true } });
  });
});
