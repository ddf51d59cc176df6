// Benchmark: the rxkube webhook server, in one process, against the local kube-apiserver.
//   1. Reviews per second: AdmissionReviews POSTed over TLS (keep-alive, N in flight) to webhookServer with a
//      validating route that decodes, allows and answers; baseline in the same run: a bare Node https server
//      on the same certificate that reads the body and answers a fixed JSON (no parsing, no review).
//   2. The latency a webhook adds to a create: ConfigMap creates through rxkube's Api, alternating rounds with
//      the webhook off (objects the configuration does not select) and on (objects it selects), same client,
//      same namespace; medians and p95 of each, and the difference.
//
//   npm run bench:webhook [-- --seconds 5 --concurrency 16 --creates 200 --rounds 3 --kubeconfig <path>]
//
// Results go to bench/results/webhook.json with the machine's load average.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Admission, validatingWebhookConfiguration } from 'rxkube/admission';
import { Api, Client } from 'rxkube/client';
import { Config } from 'rxkube/config';
import { ConfigMap, Namespace, ValidatingWebhookConfiguration } from 'rxkube/core';
import { createDevCertificates, silentLogger, Webhook, webhookServer } from 'rxkube/webhook';

const argv = process.argv.slice(2);
const get = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const seconds = Number(get('seconds') ?? 5);
const concurrency = Number(get('concurrency') ?? 16);
const creates = Number(get('creates') ?? 200);
const rounds = Number(get('rounds') ?? 3);

function kubeconfig(): string {
  const given = get('kubeconfig') ?? process.env.RXKUBE_TEST_KUBECONFIG;
  if (given) return given;
  const out = execFileSync(process.execPath, [join(process.cwd(), 'scripts/control-plane/cli.mjs'), 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop() as string;
}

const review = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: '', version: 'v1', kind: 'ConfigMap' },
    resource: { group: '', version: 'v1', resource: 'configmaps' },
    name: 'x',
    namespace: 'ns',
    operation: 'CREATE',
    userInfo: { username: 'admin', groups: ['system:masters'] },
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns', labels: { a: 'b' } }, data: { key: 'v'.repeat(512) } },
    dryRun: false,
  },
});

/** POSTs the review for `seconds` with `concurrency` in flight; returns requests per second. */
async function load(url: string, ca: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca });
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(review);
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      await one();
      done += 1;
    }
  }));
  agent.destroy();
  return done / ((performance.now() - started) / 1000);
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rxkube-bench-webhook-'));
  const certs = await createDevCertificates({ dir, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const server = await webhookServer({ tls: certs, logger: silentLogger, routes: [Webhook.validating('/validate', ConfigMap, (r) => Admission.allow(r))] });
  const bare = createServer({ cert: readFileSync(certs.certFile), key: readFileSync(certs.keyFile) }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const body = '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","allowed":true}}';
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `https://127.0.0.1:${(bare.address() as AddressInfo).port}/validate`;

  const throughput: { rxkube: number[]; bare: number[] } = { rxkube: [], bare: [] };
  for (let i = 0; i < rounds; i++) {
    throughput.rxkube.push(await load(`${server.url}/validate`, certs.caPem));
    throughput.bare.push(await load(bareUrl, certs.caPem));
  }
  bare.close();

  const client = new Client(await Config.fromKubeconfig({ path: kubeconfig() }));
  const ns = `bench-webhook-${Date.now().toString(36)}`;
  await Api.all(client, Namespace).create({ metadata: { name: ns } });
  const configName = `rxkube-bench-${ns}`;
  await Api.all(client, ValidatingWebhookConfiguration).create(
    validatingWebhookConfiguration({
      name: configName,
      webhooks: [{ name: 'bench.rxkube.dev', endpoint: { url: `${server.url}/validate`, ca: certs.caPem }, rules: [{ type: ConfigMap, operations: ['CREATE'] }], objectSelector: { matchLabels: { hook: 'on' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }],
    }),
  );
  const api = Api.namespaced(client, ConfigMap, ns);
  await new Promise((r) => setTimeout(r, 2000)); // the API server's informer picks the configuration up
  const latency: { off: number[]; on: number[] } = { off: [], on: [] };
  let n = 0;
  for (let round = 0; round < rounds; round++) {
    for (const mode of ['off', 'on'] as const) {
      for (let i = 0; i < creates; i++) {
        const started = performance.now();
        await api.create({ metadata: { name: `cm-${n++}`, labels: { hook: mode } }, data: { key: 'v' } });
        if (i >= 10) latency[mode].push(performance.now() - started); // the first 10 of each round warm up
      }
    }
  }
  await Api.all(client, ValidatingWebhookConfiguration).delete(configName);
  await Api.all(client, Namespace).delete(ns);
  await server.close();
  rmSync(dir, { recursive: true, force: true });

  const median = (xs: number[]) => quantile(xs, 0.5);
  const result = {
    date: new Date().toISOString(),
    machine: { platform: platform(), release: release(), cpus: cpus().length, node: process.version, loadavg: loadavg() },
    options: { seconds, concurrency, creates, rounds },
    reviewsPerSecond: { rxkube: throughput.rxkube.map(Math.round), bareHttps: throughput.bare.map(Math.round), ratioMedian: +(median(throughput.rxkube) / median(throughput.bare)).toFixed(3) },
    createLatencyMs: {
      off: { p50: +median(latency.off).toFixed(2), p95: +quantile(latency.off, 0.95).toFixed(2), n: latency.off.length },
      on: { p50: +median(latency.on).toFixed(2), p95: +quantile(latency.on, 0.95).toFixed(2), n: latency.on.length },
      addedP50: +(median(latency.on) - median(latency.off)).toFixed(2),
    },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/webhook.json', `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
