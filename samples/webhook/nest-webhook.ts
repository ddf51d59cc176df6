// A NestJS app that serves rxkube admission and conversion webhooks through Nest's own HTTPS server:
// `webhookHandler(routes)` is a plain (req, res) handler, mounted here under /webhooks as middleware, so Nest's
// body parser, lifecycle and other routes stay as they are. Run it with
// `npm run sample -- samples/webhook/nest-webhook.ts [port]` (development certificates are made in a temp folder).
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Admission } from 'rxkube/admission';
import { ConfigMap } from 'rxkube/core';
import { createDevCertificates, silentLogger, Webhook, webhookHandler, type WebhookLogger } from 'rxkube/webhook';
import { widgetConversion } from './widget';

@Controller()
class HealthController {
  @Get('health')
  health(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [HealthController] })
class WebhookAppModule {}

/** The webhook routes of the sample: deny ConfigMaps holding `password`, label the others, convert Widgets. */
export const routes = [
  Webhook.validating('/validate', ConfigMap, (r) => (r.object?.data?.password !== undefined ? Admission.deny(r, 'use a Secret for passwords', { field: 'data.password' }) : Admission.allow(r))),
  Webhook.mutating('/mutate', ConfigMap, (r) => Admission.mutate(r, { ...r.object!, metadata: { ...r.object!.metadata, labels: { ...r.object!.metadata?.labels, 'rxkube.dev/seen-by': 'nest' } } })),
  Webhook.conversion('/convert', widgetConversion),
];

/** Creates the Nest app over HTTPS with the webhooks under /webhooks; the caller listens and closes it. */
export async function createWebhookApp(tls: { certFile: string; keyFile: string }, logger: WebhookLogger = silentLogger): Promise<INestApplication> {
  const [cert, key] = await Promise.all([readFile(tls.certFile), readFile(tls.keyFile)]);
  const app = await NestFactory.create(WebhookAppModule, { httpsOptions: { cert, key }, logger: false });
  app.use('/webhooks', webhookHandler(routes, { logger }));
  return app;
}

async function main(): Promise<void> {
  const [port = '9443'] = process.argv.slice(2);
  const certs = await createDevCertificates({ dir: mkdtempSync(join(tmpdir(), 'rxkube-nest-webhook-')) });
  const app = await createWebhookApp(certs, undefined);
  app.enableShutdownHooks();
  await app.listen(Number(port), '127.0.0.1');
  console.log(`webhooks on https://127.0.0.1:${port}/webhooks/{validate,mutate,convert}; CA: ${certs.caCertFile}`);
}

if (require.main === module) void main();
