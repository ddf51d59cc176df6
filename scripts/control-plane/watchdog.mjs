#!/usr/bin/env node
// Watchdog of a plane started for lease holders (Jest runs, startTestCluster()): every 2 s it checks whether any
// lease holder is still alive and stops the plane when none is, so a test process that crashed (and never called
// release()) does not leave etcd, kube-apiserver and friends running forever. It exits when the plane is gone or
// pinned (`npm run cluster:up` took it over).
//
//   node scripts/control-plane/watchdog.mjs <runDir>     (started by up(); RXKUBE_CP_RUN_DIR=<runDir> in its env)
import { setTimeout as sleep } from 'node:timers/promises';
import { reapIfUnused } from './plane.mjs';

const intervalMs = Number(process.env.RXKUBE_CP_WATCHDOG_INTERVAL_MS ?? 2000);
const log = (line) => process.stdout.write(`${new Date().toISOString()} watchdog: ${line}\n`);

for (;;) {
  await sleep(intervalMs);
  try {
    const { stopped, gone } = await reapIfUnused({ log });
    if (stopped) log('no lease holder alive any more; stopped the plane');
    if (gone) break;
  } catch (err) {
    log(`check failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
