// Builds the dual package: dist/esm (ES modules) and dist/cjs (CommonJS), each with declarations.
// Sources import siblings with '.js' extensions, so the ESM output runs in Node as is.
// The build goes to a temporary folder that replaces dist/ only once both halves compiled, so a failed
// build keeps the previous dist/ and nothing ever reads a half-written one.
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.chdir(join(dirname(fileURLToPath(import.meta.url)), '..'));
const tscBin = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const tsc = (args) => execFileSync(process.execPath, [tscBin, '-p', 'tsconfig.build.json', ...args], { stdio: 'inherit' });

// Same depth as dist/ so the relative paths in source and declaration maps stay right.
const out = `dist.tmp-${process.pid}`;
try {
  tsc(['--outDir', `${out}/esm`, '--module', 'esnext', '--moduleResolution', 'bundler']);
  tsc(['--outDir', `${out}/cjs`, '--module', 'nodenext', '--moduleResolution', 'nodenext']);
  writeFileSync(`${out}/esm/package.json`, JSON.stringify({ type: 'module', sideEffects: false }) + '\n');
  writeFileSync(`${out}/cjs/package.json`, JSON.stringify({ type: 'commonjs', sideEffects: false }) + '\n');
  rmSync('dist', { recursive: true, force: true });
  renameSync(out, 'dist');
} catch (error) {
  console.error(`build failed; dist/ left as it was (${error.message.split('\n')[0]})`);
  process.exitCode = 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
