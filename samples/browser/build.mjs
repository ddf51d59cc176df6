// Bundles the browser sample with esbuild into samples/browser/dist (or the folder given as the first
// argument): index.html, main.js (with `rxkube/*` resolved to this repository's sources, xterm.js bundled in) and
// xterm.js's stylesheet.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const out = resolve(process.argv[2] ?? join(here, 'dist'));

mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [join(here, 'main.ts')],
  outfile: join(out, 'main.js'),
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  alias: {
    rxkube: join(root, 'lib/index.ts'),
    'rxkube/core': join(root, 'lib/core/index.ts'),
    'rxkube/client': join(root, 'lib/client/index.ts'),
    'rxkube/runtime': join(root, 'lib/runtime/index.ts'),
  },
});
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
copyFileSync(createRequire(import.meta.url).resolve('@xterm/xterm/css/xterm.css'), join(out, 'xterm.css'));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundled samples/browser into ${out} (${(bytes / 1024).toFixed(0)} KiB with source map)`);
