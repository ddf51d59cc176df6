#!/usr/bin/env node
// `npm run docs`: the API reference, rendered by TypeDoc from the sources of every subpath `package.json` exports
// into docs/api/ (not committed). One TypeDoc module per subpath, named as users import it (`rxkube/core`, ...),
// with the TSDoc of every export and its `## Example`. Any warning (a broken {@link}, an exported API that refers
// to a type that is not exported, a link in the README that does not resolve) fails the run, so CI fails on it.
//
//   npm run docs                       writes docs/api/index.html
//   node scripts/docs.mjs --out DIR    somewhere else
//   node scripts/docs.mjs --root DIR   document another package folder (used by the script's own test)
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, Converter, ReflectionKind } from 'typedoc';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const opts = { root: join(here, '..'), out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--out') opts.out = resolve(value());
    else if (flag === '--root') opts.root = resolve(value());
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  opts.out ??= join(opts.root, 'docs', 'api');
  return opts;
}

/**
 * The entry point of every exported subpath: `{ name: 'rxkube/core', source: '<root>/lib/core/index.ts' }`, read
 * from the `types` of each `exports` entry (`./dist/esm/core/index.d.ts` → `lib/core/index.ts`).
 */
export function subpaths(root) {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const out = [];
  for (const [key, target] of Object.entries(manifest.exports ?? {})) {
    const types = typeof target === 'object' ? target.import?.types : undefined;
    if (!types) continue;
    const source = join(root, types.replace(/^\.\/dist\/esm\//, 'lib/').replace(/\.d\.ts$/, '.ts'));
    out.push({ name: key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`, source });
  }
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const entries = subpaths(opts.root);
  process.chdir(opts.root); // TypeDoc also reads typedoc.json and tsconfig.json from the working folder
  const app = await Application.bootstrapWithPlugins({
    name: JSON.parse(readFileSync(join(opts.root, 'package.json'), 'utf8')).name,
    // The package's own settings (typedoc.json, if any), then the ones every run needs.
    ...(existsSync(join(opts.root, 'typedoc.json')) ? { options: join(opts.root, 'typedoc.json') } : {}),
    entryPoints: entries.map((e) => e.source),
    entryPointStrategy: 'resolve',
    tsconfig: join(opts.root, 'tsconfig.build.json'),
    readme: join(opts.root, 'README.md'),
    out: opts.out,
    treatWarningsAsErrors: true,
    validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: false },
    excludePrivate: true,
    excludeInternal: true,
    sort: ['kind', 'alphabetical'],
    navigation: { includeCategories: false, includeGroups: true },
    githubPages: false,
    hideGenerator: true,
  });
  // Name each module after the subpath users import (TypeDoc would call lib/core/index.ts "core" and the facade
  // "index"), matching modules to entry points by their source file.
  const bySource = new Map(entries.map((e) => [e.source, e.name]));
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getChildrenByKind(ReflectionKind.Module)) {
      const symbol = context.getSymbolFromReflection(module);
      const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
      const name = file && bySource.get(resolve(file));
      if (!name) throw new Error(`docs: module ${module.name} does not come from an exported subpath (${file ?? 'no source'})`);
      module.name = name;
    }
  });
  const project = await app.convert();
  if (!project) process.exit(1);
  app.validate(project);
  if (app.logger.hasErrors() || app.logger.hasWarnings()) {
    process.stderr.write(`docs: failed with ${app.logger.errorCount} errors and ${app.logger.warningCount} warnings (warnings are errors here)\n`);
    process.exit(1);
  }
  await app.generateDocs(project, opts.out);
  if (app.logger.hasErrors() || app.logger.hasWarnings()) process.exit(1);
  process.stderr.write(`docs: ${entries.length} subpaths documented in ${opts.out}/index.html (${basename(opts.out)})\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((e) => {
    process.stderr.write(`docs failed: ${e.message}\n`);
    process.exit(1);
  });
}
