// The object types of every built-in kind, generated from the API server's OpenAPI v3 documents (GET /openapi/v3/...),
// the role k8s-openapi plays for kube-rs. Used by scripts/gen-builtins.mjs, which writes the files; this module only
// reads schemas and renders TypeScript, so the same schemas always give the same bytes.
//
// - One module per API package, named after the schema names: `io.k8s.api.core.v1.Pod` → `core/v1` (file
//   lib/core/api/core/v1.ts), `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` → `meta/v1`,
//   `io.k8s.apimachinery.pkg.util.intstr.IntOrString` → `util/intstr`, `io.k8s.apiextensions-apiserver.pkg.apis.
//   apiextensions.v1.X` → `apiextensions/v1`. One interface (or type alias) per schema, named after its last segment.
// - Types follow the schema: `required` fields are required, the rest optional; `oneOf` is a union (IntOrString is
//   `number | string`, Quantity `string | number`, as the API says both are accepted); `additionalProperties` is an
//   index signature; a schema without a type (apiextensions JSON, JSONSchemaPropsOrArray) is `unknown`; enums stay
//   `string` (servers add values; the values are in the descriptions); `nullable` adds `| null`.
// - A schema of exactly one kind (`x-kubernetes-group-version-kind`) gets literal `apiVersion` and `kind` types, so
//   `const p: Pod = { apiVersion: 'v1', kind: 'Pod' }` checks the pair.
// - Every schema and field keeps the server's description as its doc comment.

/** `io.k8s.api.core.v1.PodSpec` → `{ module: 'core/v1', name: 'PodSpec' }`. */
export function schemaLocation(schemaName) {
  const dot = schemaName.lastIndexOf('.');
  const pkg = schemaName.slice(0, dot);
  const name = schemaName.slice(dot + 1);
  let module;
  if (pkg.includes('.pkg.apis.')) module = pkg.slice(pkg.indexOf('.pkg.apis.') + '.pkg.apis.'.length);
  else if (pkg.startsWith('io.k8s.api.')) module = pkg.slice('io.k8s.api.'.length);
  else if (pkg.includes('.pkg.')) module = pkg.slice(pkg.indexOf('.pkg.') + '.pkg.'.length);
  else throw new Error(`gen-types: cannot place schema ${schemaName} in a module`);
  return { module: module.replace(/\./g, '/'), name };
}

/** `core/v1` → `coreV1`, `util/intstr` → `utilIntstr`: the namespace a module is exported as. */
export function namespaceName(module) {
  return module
    .split(/[/-]/)
    .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');
}

/** `core/v1` → `core_v1`: the alias a generated file imports another module under. */
const alias = (module) => module.replace(/[^A-Za-z0-9]/g, '_');

/**
 * Merges the `components.schemas` of several OpenAPI v3 documents. Each document lists, in
 * `x-kubernetes-group-version-kind`, the kinds a shared schema has in its own group version (DeleteOptions is
 * `v1` in one and also `admissionregistration.k8s.io/v1` in another): those lists are joined. Any other difference
 * between two documents is an error, so the output never depends on the order they were read in.
 */
export function mergeSchemas(documents) {
  const GVK = 'x-kubernetes-group-version-kind';
  const merged = new Map();
  for (const [source, doc] of documents) {
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      const { [GVK]: gvks = [], ...rest } = schema;
      const text = JSON.stringify(rest);
      const seen = merged.get(name);
      if (seen === undefined) merged.set(name, { source, text, rest, gvks: new Map(gvks.map((g) => [JSON.stringify(g), g])) });
      else if (seen.text !== text) throw new Error(`gen-types: schema ${name} differs between ${seen.source} and ${source}`);
      else for (const g of gvks) seen.gvks.set(JSON.stringify(g), g);
    }
  }
  const order = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  return new Map(
    [...merged]
      .sort((a, b) => order(a[0], b[0]))
      .map(([name, { rest, gvks }]) => {
        const list = [...gvks.values()].sort((a, b) => order(`${a.group}/${a.version}/${a.kind}`, `${b.group}/${b.version}/${b.kind}`));
        return [name, list.length > 0 ? { ...rest, [GVK]: list } : rest];
      }),
  );
}

/** A doc comment from a description, indented; `*\/` and tag-like `@` are escaped. */
function doc(description, indent, extra = []) {
  const lines = [];
  if (description) {
    const text = description.replace(/\*\//g, '*\\/').replace(/(^|\s)@/g, '$1\\@');
    // A fence followed by code on the same line (Quantity's "``` <quantity> ::= ...") would read as a language name.
    // A fence followed by code on the same line (Quantity's "``` <quantity> ::= ...") would read as a language name,
    // and one after code at the end of a line would not close the block: give each fence a line of its own.
    const fences = (l) => {
      if (/^```\s*[^\w\s]/.test(l)) return ['```', ...fences(l.replace(/^```\s*/, ''))];
      if (/\S\s*```$/.test(l)) return [l.replace(/\s*```$/, ''), '```'];
      return [l];
    };
    lines.push(...text.split('\n').flatMap(fences));
  }
  if (extra.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(...extra);
  }
  if (lines.length === 0) return [];
  return [`${indent}/**`, ...lines.map((l) => (l.trim() === '' ? `${indent} *` : `${indent} * ${l.replace(/\s+$/, '')}`)), `${indent} */`];
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k) => (IDENT.test(k) ? k : `'${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);

/** Renders modules: `Map<module, text>`, plus the `apiVersion|kind` → type index used by the descriptors. */
export function renderTypes(schemas, { version }) {
  const byModule = new Map();
  for (const [name, schema] of schemas) {
    const loc = schemaLocation(name);
    if (!byModule.has(loc.module)) byModule.set(loc.module, []);
    byModule.get(loc.module).push({ schemaName: name, name: loc.name, schema });
  }
  const kinds = new Map();
  const files = new Map();
  for (const [module, entries] of [...byModule].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const imports = new Set();
    const ref = (target) => {
      const schemaName = target.replace(/^#\/components\/schemas\//, '');
      if (!schemas.has(schemaName)) throw new Error(`gen-types: ${module} refers to ${schemaName}, which no document defines`);
      const loc = schemaLocation(schemaName);
      if (loc.module === module) return loc.name;
      imports.add(loc.module);
      return `${alias(loc.module)}.${loc.name}`;
    };
    const body = [];
    for (const { schemaName, name, schema } of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const gvks = schema['x-kubernetes-group-version-kind'] ?? [];
      const only = gvks.length === 1 ? gvks[0] : undefined;
      const apiVersion = only && (only.group === '' ? only.version : `${only.group}/${only.version}`);
      if (only) kinds.set(`${apiVersion}|${only.kind}`, { module, name });
      body.push('');
      body.push(...doc(schema.description, '', [`OpenAPI: \`${schemaName}\``]));
      const literal = only ? { apiVersion: `'${apiVersion}'`, kind: `'${only.kind}'` } : {};
      if (isObjectWithProperties(schema)) {
        body.push(`export interface ${name} {`);
        body.push(...members(schema, '  ', ref, literal));
        body.push('}');
      } else {
        body.push(`export type ${name} = ${typeOf(schema, '', ref)};`);
      }
    }
    const header = [
      '/**',
      ` * Kubernetes ${version} API types of \`${module}\`, generated from the API server's OpenAPI v3 documents by`,
      ' * `scripts/gen-builtins.mjs`; do not edit by hand (the e2e test `spec/e2e/core/builtins.spec.ts` regenerates',
      ' * them and fails on drift).',
      ' *',
      ' * @module',
      ' */',
    ];
    const importLines = [...imports]
      .sort()
      .map((m) => `import type * as ${alias(m)} from '${relativeModule(module, m)}';`);
    files.set(module, [...header, ...importLines, ...(importLines.length === 0 ? ['export {};'] : []), ...body, ''].join('\n'));
  }
  return { files, kinds };
}

/** The import path of module `to` from module `from` (`core/v1` → `meta/v1` is `../meta/v1.js`). */
export function relativeModule(from, to) {
  const up = from.split('/').length - 1;
  return `${up === 0 ? './' : '../'.repeat(up)}${to}.js`;
}

function isObjectWithProperties(schema) {
  return schema.properties !== undefined && (schema.type === 'object' || schema.type === undefined);
}

/** The members of an object schema, each with its doc comment. */
function members(schema, indent, ref, literal = {}) {
  const required = new Set(schema.required ?? []);
  const out = [];
  for (const [name, prop] of Object.entries(schema.properties).sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    out.push(...doc(prop.description, indent));
    const type = literal[name] ?? typeOf(prop, indent, ref);
    out.push(`${indent}${key(name)}${required.has(name) ? '' : '?'}: ${type};`);
  }
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
    out.push(`${indent}[key: string]: unknown;`);
  }
  return out;
}

/** The TypeScript type of a schema node (a nested object becomes an inline type literal). */
export function typeOf(schema, indent, ref) {
  const base = baseType(schema, indent, ref);
  return schema.nullable === true ? `${base} | null` : base;
}

function baseType(schema, indent, ref) {
  if (schema.$ref) return ref(schema.$ref);
  if (schema.allOf?.length === 1 && Object.keys(schema.allOf[0]).length === 1 && schema.allOf[0].$ref) return ref(schema.allOf[0].$ref);
  if (schema.oneOf || schema.anyOf) {
    const parts = [...new Set((schema.oneOf ?? schema.anyOf).map((s) => typeOf(s, indent, ref)))];
    return parts.length === 1 ? parts[0] : parts.map((p) => (p.includes('=>') ? `(${p})` : p)).join(' | ');
  }
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = schema.items ? typeOf(schema.items, indent, ref) : 'unknown';
      return /^[\w.]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'object':
    case undefined: {
      if (schema.properties) return `{\n${members(schema, `${indent}  `, ref).join('\n')}\n${indent}}`;
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        return `{ [key: string]: ${typeOf(schema.additionalProperties, indent, ref)} }`;
      }
      return schema.type === 'object' ? '{ [key: string]: unknown }' : 'unknown';
    }
    default:
      throw new Error(`gen-types: unknown schema type ${JSON.stringify(schema.type)}`);
  }
}

/** lib/core/api/index.ts: every module as a namespace, and the two API value types by name. */
export function renderIndex(modules, { version }) {
  const out = [
    '/**',
    ` * The Kubernetes ${version} API types, one namespace per API package (\`coreV1\`, \`appsV1\`, \`metaV1\`, ...), generated`,
    " * from the API server's OpenAPI v3 documents by `scripts/gen-builtins.mjs`; do not edit by hand. The object type",
    ' * of each kind is also exported under the name of its descriptor (`Pod`, `Deployment`, ...).',
    ' *',
    ' * ## Example',
    ' * ```ts',
    " * import type { coreV1 } from 'rxkube/core';",
    ' *',
    " * const container: coreV1.Container = { name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] };",
    ' * ```',
    ' *',
    ' * @module',
    ' */',
  ];
  for (const module of [...modules].sort()) {
    out.push('');
    out.push(`/** Types of \`${module}\`. */`);
    out.push(`export type * as ${namespaceName(module)} from './${module}.js';`);
  }
  out.push('');
  return out.join('\n');
}
