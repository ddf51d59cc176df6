// The ConfigMap-generator operator run as three replicas that share the generators instead of electing a leader
// (`controller.shard()`, docs/sharding.md): each replica keeps a Lease in the namespace, owns about a third of the
// hash space of the generators' uids, and reconciles only those. Stop one and the others take its share over (at
// once after a clean stop, after the Lease expires after a kill). The API server filters each replica's watch
// when it supports shard selectors (feature gate ShardedListAndWatch); otherwise each replica filters its own.
//
//   npm run sample -- samples/crd-define.ts --apply                          # once, to install the CRD
//   npm run sample -- samples/configmapgen-sharded.ts <namespace>            # three replicas in this process
//   npm run sample -- samples/configmapgen-sharded.ts <namespace> --replicas 5
//   npm run sample -- samples/configmapgen-sharded.ts <namespace> --identity a   # one replica; start three
import { Api, Client } from 'rxkube/client';
import { Config } from 'rxkube/config';
import { Lease } from 'rxkube/core';
import { shutdownOnSignal, type ControllerResult } from 'rxkube/runtime';
import { merge, share, type Observable } from 'rxjs';
import { configMapGeneratorController } from './configmapgen-controller';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

/** One replica: its own client, its identity, its log prefix. */
async function replica(identity: string, namespace: string, shutdown$: Observable<unknown>): Promise<Observable<ControllerResult>> {
  const client = new Client(await Config.infer());
  const log = (line: string): void => console.log(`[${identity}] ${line}`);
  return configMapGeneratorController(client, {
    namespace,
    shutdown$,
    log,
    shard: {
      leases: Api.namespaced(client, Lease, namespace),
      identity,
      // Shorter than the defaults (15 s / 10 s / 2 s), so that a killed replica is replaced quickly in a demo.
      leaseDurationMs: 6_000,
      renewDeadlineMs: 4_000,
      retryPeriodMs: 1_000,
      onState: (s) => log(`shard: ${s.active.size}/${s.active.total} buckets (target ${s.target.size}), ${s.members.length} members, filtering ${s.filtering}`),
      onError: (e) => (e.reason === 'renewFailed' ? undefined : log(`shard: ${e.reason}: ${e.message}`)),
    },
  });
}

async function main(): Promise<void> {
  const namespace = process.argv[2] ?? 'default';
  const one = arg('identity');
  const identities = one !== undefined ? [one] : Array.from({ length: Number(arg('replicas') ?? 3) }, (_, i) => `replica-${i}`);
  console.log(`configmapgen-sharded: ${identities.join(', ')} sharing the generators of namespace ${namespace}; Ctrl+C to stop`);
  const shutdown$ = shutdownOnSignal().pipe(share());
  const runs = await Promise.all(identities.map((id) => replica(id, namespace, shutdown$)));
  merge(...runs).subscribe({
    next: (r) => {
      if (r.type === 'failed') console.warn(`failed    ${r.ref.namespace}/${r.ref.name}: ${String(r.error)}`);
    },
    complete: () => console.log('stopped: every replica drained and left its shard'),
  });
}

void main();
