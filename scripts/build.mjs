// Builds the dual package: dist/esm (ES modules) and dist/cjs (CommonJS), each with declarations.
// Sources import siblings with '.js' extensions, so the ESM output runs in Node as is.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

const tsc = (args) => execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', ...args], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
tsc(['--outDir', 'dist/esm', '--module', 'esnext', '--moduleResolution', 'bundler']);
tsc(['--outDir', 'dist/cjs', '--module', 'nodenext', '--moduleResolution', 'nodenext']);
mkdirSync('dist/esm', { recursive: true });
writeFileSync('dist/esm/package.json', JSON.stringify({ type: 'module', sideEffects: false }) + '\n');
writeFileSync('dist/cjs/package.json', JSON.stringify({ type: 'commonjs', sideEffects: false }) + '\n');
