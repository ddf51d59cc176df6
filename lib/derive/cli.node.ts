/**
 * The `rxkube` command line: `rxkube crd <module>...` prints, as YAML documents separated by
 * `---`, the CRD of every custom resource the modules export, ready for `kubectl apply -f -`.
 *
 * Modules are loaded with `import()`, so `.js`, `.mjs` and `.cjs` files work as Node loads them.
 * TypeScript modules need a loader registered in Node (for example
 * `node --import tsx node_modules/rxkube/bin/rxkube.mjs crd ./crds.ts`) or compiling first.
 *
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { collectCrds, customResourcesIn } from './collectCrds.js';
import { toYaml } from './yaml.js';

/** Where the command writes and how it loads modules (replaceable in tests). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Loads a module by absolute path; default: `import()` of its file URL. */
  importModule?(path: string): Promise<unknown>;
  /** Directory relative module paths are resolved from; default: `process.cwd()`. */
  cwd?: string;
}

const USAGE = `usage: rxkube crd <module>...

Prints the CustomResourceDefinition of every definition (defineCustomResource) the modules
export, as YAML separated by ---. Versions of the same CRD are merged into one.

  npx rxkube crd ./dist/crds.js | kubectl apply -f -
`;

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs the command line and resolves with the exit code (0 on success, 1 on a failure, 2 on a
 * usage error). Failures are written to `stderr` with the module they concern.
 *
 * ## Example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2));
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...modules] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (command !== 'crd' || modules.length === 0) {
    io.stderr(command === undefined || command === 'crd' ? USAGE : `rxkube: unknown command ${command}\n${USAGE}`);
    return 2;
  }
  const load = io.importModule ?? ((path: string) => import(pathToFileURL(path).href) as Promise<unknown>);
  const namespaces: unknown[] = [];
  for (const module of modules) {
    const path = resolve(io.cwd ?? process.cwd(), module);
    let namespace: unknown;
    try {
      namespace = await load(path);
    } catch (error) {
      io.stderr(`rxkube: cannot load ${module}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    if (customResourcesIn(namespace).length === 0) {
      io.stderr(`rxkube: ${module} exports no custom resource (made with defineCustomResource)\n`);
      return 1;
    }
    namespaces.push(namespace);
  }
  try {
    io.stdout(toYaml(...collectCrds(...namespaces)));
  } catch (error) {
    io.stderr(`rxkube: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  return 0;
}
