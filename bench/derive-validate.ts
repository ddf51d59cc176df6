// Benchmark: the costs of rxkube/derive for a representative custom resource (the Widget of the
// derive tests): defining it (structural checks included), the first validate() (ajv compiles the
// schema, once), validate() per object afterwards (valid and invalid objects), and crdYaml().
//
//   node scripts/run-sample.mjs bench/derive-validate.ts [-- --objects 100000]
//
// Results go to bench/results/derive-validate.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { defineCustomResource } from 'rxkube/derive';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const OBJECTS = arg('objects', 100_000);

const init = {
  group: 'derive.rxkube.test',
  version: 'v1',
  kind: 'Widget',
  scope: 'Namespaced',
  spec: {
    type: 'object',
    required: ['size', 'replicas'],
    properties: {
      size: { type: 'string', enum: ['small', 'large'] },
      replicas: { type: 'integer', format: 'int32', minimum: 0, maximum: 10 },
      port: { 'x-kubernetes-int-or-string': true },
      color: { type: 'string', default: 'blue', maxLength: 20 },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      ports: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer', minimum: 1, maximum: 65535 } } },
      },
      template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
    },
    'x-kubernetes-validations': [{ rule: "self.size == 'large' || self.replicas <= 5", message: 'small widgets have at most 5 replicas' }],
  },
  status: { type: 'object', properties: { replicas: { type: 'integer' }, phase: { type: 'string', enum: ['Pending', 'Ready'] } } },
  subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
} as const;

function widget(i: number, valid: boolean): unknown {
  return {
    apiVersion: 'derive.rxkube.test/v1',
    kind: 'Widget',
    metadata: { name: `w-${i}`, namespace: 'default', labels: { app: 'bench' } },
    spec: {
      size: valid ? 'small' : 'medium',
      replicas: valid ? i % 5 : String(i),
      port: i % 2 === 0 ? 8080 : 'http',
      labels: { tier: 'web', index: String(i) },
      ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: valid ? 9090 : 0 }],
      template: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [] } },
    },
    status: { replicas: i % 5, phase: 'Ready' },
  };
}

function time<T>(run: () => T): [T, number] {
  const start = performance.now();
  const value = run();
  return [value, performance.now() - start];
}

const [Widget, defineMs] = time(() => defineCustomResource(init));
const [, firstValidateMs] = time(() => Widget.validate(widget(0, true)));
const [, secondValidateMs] = time(() => Widget.validate(widget(1, true)));
const validObjects = Array.from({ length: OBJECTS }, (_, i) => widget(i, true));
const invalidObjects = Array.from({ length: OBJECTS / 10 }, (_, i) => widget(i, false));
const countValid = () => validObjects.filter((o) => Widget.validate(o).valid).length;
const countIssues = () => invalidObjects.reduce((n: number, o) => n + (Widget.validate(o) as { issues?: unknown[] }).issues!.length, 0);
// One warm-up pass each, so the JIT has seen both paths; the second pass is measured.
countValid();
countIssues();
const [validCount, validMs] = time(countValid);
const [issueCount, invalidMs] = time(countIssues);
const [yaml, yamlMs] = time(() => Widget.crdYaml());
if (validCount !== validObjects.length) throw new Error(`only ${validCount} of ${validObjects.length} valid objects passed`);

const results = {
  'defineCustomResource (structural checks), ms': +defineMs.toFixed(2),
  'first validate() (ajv compile), ms': +firstValidateMs.toFixed(1),
  'second validate(), ms': +secondValidateMs.toFixed(3),
  'valid objects/s': Math.round(validObjects.length / (validMs / 1000)),
  'invalid objects/s': Math.round(invalidObjects.length / (invalidMs / 1000)),
  'issues per invalid object': issueCount / invalidObjects.length,
  'crdYaml(), ms': +yamlMs.toFixed(2),
  'crdYaml() bytes': yaml.length,
};
console.table(results);
const out = {
  date: new Date().toISOString(),
  machine: { node: process.version, platform: `${platform()} ${release()}`, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg: loadavg() },
  options: { objects: OBJECTS },
  results,
};
mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
writeFileSync(join(process.cwd(), 'bench', 'results', 'derive-validate.json'), `${JSON.stringify(out, null, 2)}\n`);
