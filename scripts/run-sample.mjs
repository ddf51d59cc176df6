// Runs a TypeScript sample without a separate build step: bundles it with esbuild for Node (with `rxkube/*`
// resolved to this repository's lib/, packages from node_modules left external), then runs the bundle in this
// process's Node with the remaining arguments. Signals reach the sample, so Ctrl+C shuts it down gracefully.
//
//   node scripts/run-sample.mjs samples/pod-watcher.ts [args...]
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-sample.mjs <sample.ts> [args...]');
  process.exit(2);
}

// One bundle per entry, under the entry's own folder: bench/exec.ts and samples/exec.ts must not overwrite
// each other's bundle while both run (an e2e test of the samples next to a benchmark).
const outDir = join(root, '.cache', 'samples', relative(root, dirname(resolve(entry))).replace(/\.\.[\\/]?/g, '_'));
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, `${basename(entry).replace(/\.[cm]?tsx?$/, '')}.cjs`);
const layers = ['core', 'client', 'config', 'runtime', 'derive', 'admission', 'webhook', 'node', 'testing'];
await build({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  packages: 'external',
  logLevel: 'warning',
  alias: Object.fromEntries([
    ['rxkube', join(root, 'lib/index.ts')],
    ...layers.map((l) => [`rxkube/${l}`, join(root, `lib/${l}/index.ts`)]),
  ]),
});

const child = spawn(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit' });
// The child gets Ctrl+C from the terminal itself (same process group); forward SIGTERM explicitly.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
