/**
 * Makes sure `dist/` is built from the current sources before a package test reads it: rebuilds
 * (`node scripts/build.mjs`) when any input is newer than the last build, under a lock so that two
 * test files running in parallel never build over each other.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root. */
export const REPO = resolve(__dirname, '..', '..', '..');

const INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', join('scripts', 'build.mjs')];
// build.mjs writes these two last, after both compilations succeeded.
const MARKERS = [join('dist', 'esm', 'package.json'), join('dist', 'cjs', 'package.json')];
const LOCK = join(tmpdir(), `rxkube-build-${createHash('sha256').update(REPO).digest('hex').slice(0, 12)}.lock`);
const STALE_LOCK_MS = 5 * 60_000;

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs);
}

/** True when both halves of dist/ exist and were built after the last change to lib/ or the build setup. */
export function distIsFresh(): boolean {
  const markers = MARKERS.map((m) => join(REPO, m));
  if (!markers.every((m) => existsSync(m))) return false;
  const built = Math.min(...markers.map((m) => statSync(m).mtimeMs));
  const sources = Math.max(newestMtime(join(REPO, 'lib')), ...INPUTS.map((i) => statSync(join(REPO, i)).mtimeMs));
  return built >= sources;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds dist/ unless it is already fresh. Throws with the compiler output when the build fails. */
export function ensureFreshDist(): void {
  if (distIsFresh()) return;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = statSync(LOCK, { throwIfNoEntry: false });
      if (held !== undefined && Date.now() - held.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else sleep(250);
    }
  }
  try {
    if (distIsFresh()) return;
    try {
      execFileSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`scripts/build.mjs failed:\n${stdout}\n${stderr}`, { cause: error });
    }
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
