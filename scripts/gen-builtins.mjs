#!/usr/bin/env node
// Generates the built-in kinds of rxkube/core from the API server itself:
// - lib/core/api/**: the object types of every built-in API package, from the OpenAPI v3 documents
//   (GET /openapi/v3/<group version>) of every built-in group version (scripts/gen-types.mjs renders them);
// - lib/core/builtins.ts: one `resourceType<K, Scope>(...)` descriptor for every built-in kind the server serves at
//   the preferred version of each group, read from discovery (GET /version, /api/v1, /apis, /apis/<group version>),
//   its object type `K` taken from the generated types by apiVersion and kind.
// Everything is read through kubectl.
//
// Usage:
//   npm run gen:builtins                      (brings up / reuses the local control plane, like cluster:up)
//   node scripts/gen-builtins.mjs [--kubeconfig PATH] [--kubectl PATH] [--out-dir DIR]
//   (defaults: $KUBECONFIG, else the local control plane; $RXKUBE_TEST_KUBECTL, else the plane's kubectl,
//   else `kubectl`; lib/core — builtins.ts and api/ are written there)
//
// What counts as built-in: everything discovery lists, minus resources served by a CustomResourceDefinition
// and group versions served by an aggregated APIService (spec.service set), so CRDs that tests installed
// never leak into the output. The output is sorted and has no timestamps, so the same server always gives the same
// bytes (the e2e drift test relies on it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeSchemas, renderIndex, renderTypes } from './gen-types.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = {
    kubeconfig: process.env.KUBECONFIG,
    kubectl: process.env.RXKUBE_TEST_KUBECTL || undefined,
    outDir: join(ROOT, 'lib/core'),
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--kubeconfig') opts.kubeconfig = value();
    else if (flag === '--kubectl') opts.kubectl = value();
    else if (flag === '--out-dir') opts.outDir = value();
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return opts;
}

/** GET a path of the API server through kubectl and parse the JSON. */
function getRaw(opts, path) {
  const out = execFileSync(opts.kubectl, [`--kubeconfig=${opts.kubeconfig}`, 'get', '--raw', path], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out);
}

/** Reads discovery and returns the server version and the built-in resources (subresources attached). */
export function discover(opts) {
  const version = getRaw(opts, '/version').gitVersion;
  const crdServed = new Set(
    getRaw(opts, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions').items.map((c) => `${c.spec.group}/${c.spec.names.plural}`),
  );
  const aggregated = new Set(
    getRaw(opts, '/apis/apiregistration.k8s.io/v1/apiservices')
      .items.filter((s) => s.spec.service != null)
      .map((s) => `${s.spec.group}/${s.spec.version}`),
  );
  const groupVersions = [{ group: '', version: 'v1', path: '/api/v1' }];
  const served = ['api/v1'];
  for (const g of getRaw(opts, '/apis').groups) {
    const { groupVersion, version: v } = g.preferredVersion;
    if (!aggregated.has(groupVersion)) groupVersions.push({ group: g.name, version: v, path: `/apis/${groupVersion}` });
    for (const other of g.versions) if (!aggregated.has(other.groupVersion)) served.push(`apis/${other.groupVersion}`);
  }
  const resources = [];
  for (const gv of groupVersions) {
    const list = getRaw(opts, gv.path).resources;
    const subs = new Map();
    for (const r of list) {
      const [parent, sub] = r.name.split('/');
      if (sub !== undefined) subs.set(parent, [...(subs.get(parent) ?? []), sub]);
    }
    for (const r of list) {
      if (r.name.includes('/') || crdServed.has(`${gv.group}/${r.name}`)) continue;
      resources.push({
        group: gv.group,
        version: gv.version,
        kind: r.kind,
        plural: r.name,
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singular: r.singularName || undefined,
        shortNames: [...(r.shortNames ?? [])].sort(),
        subresources: [...(subs.get(r.name) ?? [])].sort(),
      });
    }
  }
  // A group served only by CRDs (every resource of it CRD-served) has no built-in types.
  const crdGroups = new Set([...crdServed].map((gr) => gr.split('/')[0]));
  const builtinGroups = new Set(resources.map((r) => r.group));
  const openapi = served.filter((p) => {
    const group = p === 'api/v1' ? '' : p.split('/')[1];
    return builtinGroups.has(group) || !crdGroups.has(group);
  });
  return { version, resources, openapi: openapi.sort() };
}

/** The OpenAPI v3 documents of the built-in group versions: `[path, document]` pairs. */
export function openApiDocuments(opts, paths) {
  return paths.map((p) => [p, getRaw(opts, `/openapi/v3/${p}`)]);
}

const pascal = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Descriptor names: the kind. When several groups serve one kind, the core group's descriptor is prefixed
 * `Core` (core/v1 Event → `CoreEvent`, events.k8s.io/v1 Event → `Event`); if several named groups remain,
 * each is prefixed with its group's first DNS label in PascalCase (`NetworkingFoo`, `StorageFoo`).
 */
function assignNames(resources) {
  const byKind = new Map();
  for (const r of resources) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  for (const [kind, list] of byKind) {
    if (list.length === 1) {
      list[0].name = kind;
      continue;
    }
    const named = list.filter((r) => r.group !== '');
    for (const r of list) {
      if (r.group === '') r.name = `Core${kind}`;
      else r.name = named.length === 1 ? kind : `${pascal(r.group.split('.')[0])}${kind}`;
    }
  }
  return resources;
}

/** Joins words into lines of at most `width` characters. */
function wrap(words, width) {
  const lines = [];
  for (const w of words) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + w.length <= width) lines[last] += ` ${w}`;
    else lines.push(w);
  }
  return lines;
}

const quote = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const list = (xs) => `[${xs.map(quote).join(', ')}]`;
const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function example(r) {
  const ns = r.scope === 'Cluster' ? '' : ", 'default'";
  return `const req = RequestBuilder.for(${r.name}${ns}).get('x'); // the response body is a ${r.name}`;
}

/** Renders lib/core/builtins.ts. */
export function render({ version, resources }, kinds) {
  const named = assignNames(resources.map((r) => ({ ...r }))).sort(byName);
  const modules = new Map();
  for (const r of named) {
    const t = kinds.get(`${r.group === '' ? r.version : `${r.group}/${r.version}`}|${r.kind}`);
    if (t) {
      const alias = t.module.replace(/[^A-Za-z0-9]/g, '_');
      modules.set(t.module, alias);
      r.type = `${alias}.${t.name}`;
    } else {
      r.type = 'KubeResource';
    }
  }
  const untyped = named.filter((r) => r.type === 'KubeResource').map((r) => r.name);
  const out = [];
  out.push('/**');
  out.push(` * Descriptors of every built-in kind served by the Kubernetes ${version} API server, at the preferred`);
  out.push(' * version of each group, with short names and subresources. Each name is both the descriptor (a value)');
  out.push(' * and its object type: `const p: Pod = ...` and `RequestBuilder.for(Pod, ns)`.');
  out.push(' *');
  out.push(" * GENERATED by `scripts/gen-builtins.mjs` from the API server's discovery; do not edit by hand. The e2e");
  out.push(' * test `spec/e2e/core/builtins.spec.ts` regenerates it and fails on drift.');
  out.push(' *');
  out.push(" * - Object types are generated from the server's OpenAPI v3 documents into `./api/` (by the same script);");
  out.push(' *   kinds without a schema of their own are typed `KubeResource`:');
  const untypedWords = untyped.length === 0 ? ['none.'] : untyped.map((n, i) => (i === untyped.length - 1 ? `${n}.` : `${n},`));
  for (const line of wrap(untypedWords, 100)) out.push(` *   ${line}`);
  out.push(" * - Names are the kind. When several groups serve a kind, the core group's descriptor gets the prefix");
  out.push(' *   `Core` (core/v1 Event is `CoreEvent`, events.k8s.io/v1 Event is `Event`); if several named groups');
  out.push(" *   still share it, each gets its group's first DNS label in PascalCase as prefix.");
  out.push(' *');
  out.push(' * @module');
  out.push(' */');
  for (const [module, alias] of [...modules].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    out.push(`import type * as ${alias} from './api/${module}.js';`);
  }
  if (untyped.length > 0) out.push("import type { KubeResource } from './object.js';");
  out.push("import { resourceType, type ResourceType } from './resource.js';");
  for (const r of named) {
    const fields = [
      `group: ${quote(r.group)}`,
      `version: ${quote(r.version)}`,
      `kind: ${quote(r.kind)}`,
      `plural: ${quote(r.plural)}`,
      `scope: ${quote(r.scope)}`,
    ];
    if (r.singular) fields.push(`singular: ${quote(r.singular)}`);
    if (r.shortNames.length > 0) fields.push(`shortNames: ${list(r.shortNames)}`);
    if (r.subresources.length > 0) fields.push(`subresources: ${list(r.subresources)}`);
    const facts = [r.scope];
    if (r.shortNames.length > 0) facts.push(`short names: ${r.shortNames.join(', ')}`);
    if (r.subresources.length > 0) facts.push(`subresources: ${r.subresources.join(', ')}`);
    out.push('');
    out.push('/**');
    out.push(` * \`${r.plural}\` of \`${r.group === '' ? r.version : `${r.group}/${r.version}`}\` (${facts.join('; ')}).`);
    out.push(' *');
    out.push(' * ## Example');
    out.push(' * ```ts');
    out.push(` * ${example(r)}`);
    out.push(' * ```');
    out.push(' */');
    out.push(`export const ${r.name} = /*#__PURE__*/ resourceType<${r.name}, ${quote(r.scope)}>({`);
    for (const f of fields) out.push(`  ${f},`);
    out.push('});');
    out.push(`/** The object type of {@link ${r.name}}. */`);
    out.push(`export type ${r.name} = ${r.type};`);
  }
  out.push('');
  out.push('/**');
  out.push(' * Every descriptor above, sorted by name (for lookups by kind, plural or short name).');
  out.push(' *');
  out.push(' * ## Example');
  out.push(' * ```ts');
  out.push(" * BUILTIN_RESOURCE_TYPES.find((r) => r.shortNames?.includes('deploy'))?.kind; // 'Deployment'");
  out.push(' * ```');
  out.push(' */');
  out.push('export const BUILTIN_RESOURCE_TYPES: readonly ResourceType[] = /*#__PURE__*/ Object.freeze([');
  for (const r of named) out.push(`  ${r.name},`);
  out.push(']);');
  out.push('');
  return out.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts.kubeconfig) {
    // Same as `npm run cluster:up`: start the local control plane or reuse the running one.
    const { up } = await import('./control-plane/plane.mjs');
    const plane = await up({ log: (line) => process.stderr.write(`[control-plane] ${line}\n`) });
    opts.kubeconfig = plane.kubeconfig;
    opts.kubectl ??= plane.kubectl;
  }
  opts.kubectl ??= 'kubectl';
  const discovered = discover(opts);
  const schemas = mergeSchemas(openApiDocuments(opts, discovered.openapi));
  const { files, kinds } = renderTypes(schemas, discovered);
  const apiDir = join(opts.outDir, 'api');
  rmSync(apiDir, { recursive: true, force: true });
  for (const [module, text] of files) {
    mkdirSync(dirname(join(apiDir, `${module}.ts`)), { recursive: true });
    writeFileSync(join(apiDir, `${module}.ts`), text);
  }
  writeFileSync(join(apiDir, 'index.ts'), renderIndex(files.keys(), discovered));
  const text = render(discovered, kinds);
  writeFileSync(join(opts.outDir, 'builtins.ts'), text);
  const count = (text.match(/^export const /gm) ?? []).length - 1;
  const where = relative(process.cwd(), opts.outDir) || opts.outDir;
  process.stderr.write(`gen-builtins: ${schemas.size} schemas of ${discovered.openapi.length} group versions in ${files.size} modules under ${where}/api, ${count} descriptors in ${where}/builtins.ts\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((e) => {
    process.stderr.write(`gen-builtins failed: ${e.stderr ? String(e.stderr).trim() : e.message}\n`);
    process.exit(1);
  });
}
