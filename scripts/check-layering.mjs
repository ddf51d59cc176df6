#!/usr/bin/env node
// Layering check for rxkube: reads every source file under lib/ and fails (exit 1) when an import
// crosses the layer map in docs/architecture.md — core importing any package, a
// lower layer importing a higher one, a package a layer may not use, or a Node built-in outside the
// Node-only code (lib/config/** and files named *.node.ts). One line per violation:
//   lib/core/request.ts:3: core-purity: lib/core may import no packages (plus lib/core), not 'rxjs'
//
// Usage: node scripts/check-layering.mjs [root]   (root defaults to the repository holding this script)
//
// Imports are found with TypeScript's own pre-processor (ts.preProcessFile), which sees static
// imports, `export ... from`, `import x = require()`, `require()`, `import()` (also inside types)
// and ignores comments and strings; `/// <reference types="node" />` is checked as well. Type-only
// imports count: the emitted .d.ts files keep them, so a browser user's type check would see them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The layer map. `layers`: the lib/ folders a layer may import (its own included); `packages`: the
 * npm packages it may import; `node`: whether every file of the layer may use Node built-ins (other
 * layers may only in files named *.node.ts, and core never). Keep in sync with docs/architecture.md.
 */
export const LAYERS = {
  core: { layers: ['core'], packages: [], node: false },
  client: { layers: ['core', 'client'], packages: ['axios', 'rxjs'], node: false },
  config: { layers: ['core', 'client', 'config'], packages: ['js-yaml', 'rxjs', 'socks', 'ws'], node: true },
  runtime: { layers: ['core', 'client', 'runtime'], packages: ['rxjs'], node: false },
  derive: { layers: ['core', 'derive'], packages: ['ajv', 'ajv-formats', 'js-yaml'], node: false },
  // rxkube/metrics/prometheus: the prom-client adapter of the runtime's MetricsSink (prom-client is an optional peer).
  'metrics-prometheus': { layers: ['core', 'runtime', 'metrics-prometheus'], packages: ['prom-client'], node: false },
  // rxkube/admission: AdmissionReview/ConversionReview types, response builders, JSON patch diff, conversions,
  // webhook configurations and admission policies (browser-safe; verifying a policy uses the client).
  admission: { layers: ['core', 'client', 'admission'], packages: ['rxjs'], node: false },
  // rxkube/webhook: the Node-only HTTPS server for admission and conversion webhooks, and development certificates.
  webhook: { layers: ['core', 'client', 'runtime', 'admission', 'webhook'], packages: ['rxjs'], node: true },
  // rxkube/node: Node-only adapters of the pod streams (Node streams with back-pressure; copy to/from a pod with tar).
  node: { layers: ['core', 'client', 'node'], packages: ['rxjs', 'tar'], node: true },
  // rxkube/testing: Node-only test clusters (drives scripts/control-plane through its command line).
  testing: { layers: ['core', 'client', 'config', 'testing'], packages: [], node: true },
  // lib/index.ts, the `rxkube` facade: the browser-safe layers, never config.
  facade: { layers: ['core', 'client', 'runtime', 'derive'], packages: [], node: false },
};

const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js)$/;
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** `lib/client/x.ts` → 'client'; `lib/index.ts` → 'facade'; anything else under lib/ → undefined. */
function layerOf(libRelative) {
  const parts = libRelative.split('/');
  if (parts.length === 1) return /^index\.[cm]?[tj]s$/.test(parts[0]) ? 'facade' : undefined;
  return Object.hasOwn(LAYERS, parts[0]) && parts[0] !== 'facade' ? parts[0] : undefined;
}

/**
 * Node-only files: everything in a layer whose rule has `node: true` (lib/config, lib/webhook, lib/node, lib/testing) and any
 * file whose name ends in `.node` before the extension.
 */
function isNodeOnly(libRelative) {
  const layer = LAYERS[libRelative.split('/')[0]];
  return (layer !== undefined && libRelative.includes('/') && layer.node) || /\.node(?:\.d)?(?:\.[cm]?[tj]sx?)?$/.test(libRelative);
}

/** 'rxjs/operators' → 'rxjs', '@scope/pkg/x' → '@scope/pkg'. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (SOURCE.test(entry.name)) out.push(path);
  }
  return out;
}

/**
 * Checks every source file under `<root>/lib` and returns the violations, each
 * `{ file, line, rule, message }` with `file` relative to root and a 1-based line.
 */
export function checkLayering(root) {
  const libDir = join(root, 'lib');
  const pkgPath = join(root, 'package.json');
  const pkg = existsSync(pkgPath) ? JSON.parse(readFileSync(pkgPath, 'utf8')) : {};
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const violations = [];
  const files = existsSync(libDir) ? walk(libDir).sort() : [];

  for (const path of files) {
    const file = relative(root, path).split(sep).join('/');
    const libRelative = relative(libDir, path).split(sep).join('/');
    const source = readFileSync(path, 'utf8');
    const lineAt = (pos) => source.slice(0, pos).split('\n').length;
    const report = (pos, rule, message) => violations.push({ file, line: lineAt(pos), rule, message });
    const layer = layerOf(libRelative);
    if (layer === undefined) {
      report(0, 'unknown-layer', `no layer rule covers ${file}; add its folder to LAYERS in scripts/check-layering.mjs and to docs/architecture.md`);
      continue;
    }
    const rule = LAYERS[layer];
    const where = layer === 'facade' ? 'lib/index.ts (the rxkube facade)' : `lib/${layer}`;
    const nodeAllowed = layer !== 'core' && (rule.node || isNodeOnly(libRelative));
    const info = ts.preProcessFile(source, true, true);

    for (const ref of info.typeReferenceDirectives) {
      if (ref.fileName === 'node' && !nodeAllowed) {
        report(ref.pos, 'node-builtins', `${file} references Node types (/// <reference types="node" />); only Node-only layers (lib/config/**, lib/webhook/**, lib/node/**, lib/testing/**) and *.node.ts files may`);
      }
    }

    for (const { fileName: spec, pos } of info.importedFiles) {
      if (spec.startsWith('.')) {
        const target = relative(libDir, resolve(dirname(path), spec)).split(sep).join('/');
        if (target.startsWith('..') || target === '') {
          report(pos, 'outside-lib', `${where} imports '${spec}', which is outside lib/; the package ships lib/ only`);
          continue;
        }
        const targetLayer = target.includes('/') ? layerOf(target) : (layerOf(`${target}/x`) ?? layerOf(`${target}.ts`));
        if (targetLayer === undefined) continue; // reported where that file is checked
        if (!rule.layers.includes(targetLayer)) {
          const rulename = layer === 'core' ? 'core-purity' : 'layer-order';
          report(pos, rulename, `${where} may import ${rule.layers.map((l) => `lib/${l}`).join(', ')} only, not '${spec}' (lib/${targetLayer})`);
          continue;
        }
        if (!isNodeOnly(libRelative) && isNodeOnly(target)) {
          report(pos, 'node-only-import', `${file} is browser-safe but imports the Node-only '${spec}'; only Node-only layers (lib/config/**, lib/webhook/**, lib/node/**, lib/testing/**) and *.node.ts files may`);
        }
        continue;
      }
      if (BUILTINS.has(spec) || BUILTINS.has(packageName(spec)) || spec.startsWith('node:')) {
        if (layer === 'core') {
          report(pos, 'core-purity', `lib/core may import only lib/core, not the Node built-in '${spec}'`);
        } else if (!nodeAllowed) {
          report(pos, 'node-builtins', `${file} imports the Node built-in '${spec}'; only lib/config/** and files named *.node.ts may`);
        }
        continue;
      }
      const name = packageName(spec);
      if (name === pkg.name && pkg.name !== undefined) {
        report(pos, 'self-import', `${file} imports '${spec}' by package name; import rxkube's own files by relative path`);
      } else if (!rule.packages.includes(name)) {
        const rulename = layer === 'core' ? 'core-purity' : 'layer-packages';
        const allowed = rule.packages.length > 0 ? rule.packages.join(', ') : 'no packages';
        report(pos, rulename, `${where} may import ${allowed} (plus ${rule.layers.map((l) => `lib/${l}`).join(', ')}), not '${spec}'`);
      } else if (!declared.has(name)) {
        report(pos, 'undeclared-package', `${file} imports '${spec}', which is not in package.json dependencies`);
      }
    }
  }
  return { files: files.length, violations };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const { files, violations } = checkLayering(root);
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.rule}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`layering: ${violations.length} violation(s) in ${files} files (rules: scripts/check-layering.mjs, docs/architecture.md)`);
    process.exit(1);
  }
  console.log(`layering: ${files} files under lib/ checked, no violations`);
}
