// The NestJS sample end to end: boot the app against the real API server, wait for /health to report the
// controller's store ready, see a reconcile stamp a labelled ConfigMap, then close the app and check that it
// drained (the controller's stream completed) and that nothing is reconciled afterwards.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { Config } from 'rxkube/config';
import { AppModule } from '../../../samples/nestjs/app.module';
import { ControllerHost } from '../../../samples/nestjs/rxkube.module';
import { eventually, kubeconfigPath, kubectl, useNamespace } from '../support/cluster';

async function greeting(ns: string, name: string): Promise<string | undefined> {
  const cm = JSON.parse(await kubectl(['get', 'configmap', name, '-n', ns, '-o', 'json'])) as { data?: Record<string, string> };
  return cm.data?.greeting;
}

async function createLabelled(ns: string, name: string): Promise<void> {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { 'rxkube.dev/greet': 'true' } }, data: { a: '1' } };
  await kubectl(['create', '-n', ns, '-f', '-'], { input: JSON.stringify(cm) });
}

describe('samples/nestjs', () => {
  const ns = useNamespace('nestjs');
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    app = await NestFactory.create(AppModule.register(Config.fromKubeconfig({ path: kubeconfigPath() }), ns), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close().catch(() => undefined);
  });

  it('reports readiness, reconciles a labelled ConfigMap, and drains on shutdown', async () => {
    const health = await eventually(async () => {
      const res = await fetch(`${url}/health`);
      return res.status === 200 ? ((await res.json()) as { ready: boolean; controllers: Record<string, boolean> }) : undefined;
    }, { timeoutMs: 20_000 });
    expect(health).toEqual({ ready: true, controllers: { greeter: true } });

    await createLabelled(ns, 'hello');
    await expect(eventually(async () => (await greeting(ns, 'hello')) ?? undefined, { timeoutMs: 15_000 })).resolves.toBe('hello, hello');
    const host = app.get(ControllerHost);
    expect(host.results.some((r) => r.type === 'reconciled' && r.ref.name === 'hello')).toBe(true);

    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(10_000);

    // After the drain nothing watches any more: a new labelled ConfigMap stays unstamped.
    await createLabelled(ns, 'after-close');
    await new Promise((r) => setTimeout(r, 1500));
    await expect(greeting(ns, 'after-close')).resolves.toBeUndefined();
  });
});
