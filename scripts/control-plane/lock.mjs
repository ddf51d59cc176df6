// A small cross-process lock (an atomically created folder holding the owner's pid), so that several
// `cluster:up`/`cluster:build` runs on one machine (e.g. parallel Jest runs) do not race each other.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlPlaneError } from './errors.mjs';
import { isAlive } from './process.mjs';

/**
 * Runs `fn` while holding the lock folder `dir`. A lock whose owner process is gone is taken over.
 *
 * ## Example
 * ```js
 * await withLock('/tmp/x.lock', async () => doWork(), { timeoutMs: 60_000 });
 * ```
 * @template T
 * @param {string} dir
 * @param {() => Promise<T>} fn
 * @param {{ timeoutMs?: number, log?: (line: string) => void, what?: string }} [options]
 * @returns {Promise<T>}
 */
export async function withLock(dir, fn, options = {}) {
  const { timeoutMs = 20 * 60_000, log = () => {}, what = 'lock' } = options;
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
      const owner = readOwner(dir);
      if (owner !== undefined && owner !== process.pid && !isAlive(owner)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (owner === undefined) {
        // Created but pid not yet written; give the owner a moment, then treat as stale.
        await sleep(500);
        if (readOwner(dir) === undefined) rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new ControlPlaneError(`timed out waiting for the ${what} held by pid ${owner} (${dir})`);
      }
      if (!announced) log(`waiting for pid ${owner}, which holds the ${what}`);
      announced = true;
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** @param {string} dir */
function readOwner(dir) {
  try {
    const pid = Number.parseInt(readFileSync(join(dir, 'pid'), 'utf8'), 10);
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}
