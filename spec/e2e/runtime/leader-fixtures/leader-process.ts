// One operator instance in its own process, for the leader-election e2e test that kills (SIGKILL) and freezes
// (SIGSTOP) processes. It campaigns for a Lease and, while leading, reconciles the ConfigMaps labelled
// `e2e-leader=yes` of its namespace again and again (a short reconcile, then a requeue). Every leadership change
// and every reconcile start and end is appended, synchronously, to its log file as one line
// `<event> <identity> <name> <Date.now()>`, so the test sees exactly what happened up to a SIGKILL.
//
// Environment: KUBECONFIG_PATH, NAMESPACE, IDENTITY, LEASE_NAME, LOG_FILE.
import { appendFileSync } from 'node:fs';
import { Api } from '../../../../lib/client/api.js';
import { Client } from '../../../../lib/client/client.js';
import { ConfigMap, Lease } from '../../../../lib/core/builtins.js';
import { configFromKubeconfig } from '../../../../lib/config/from-kubeconfig.js';
import { Action, ErrorPolicy } from '../../../../lib/runtime/action.js';
import { Controller } from '../../../../lib/runtime/controller.js';
import { leaseLeadership } from '../../../../lib/runtime/leader-election.js';
import { shutdownOnSignal } from '../../../../lib/runtime/shutdown-on-signal.js';
import { LEADER_TIMING, RECONCILE_MS, REQUEUE_MS } from './timing.js';


function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`leader-process: ${name} is not set`);
  return value;
}

function main(): void {
  const ns = env('NAMESPACE');
  const identity = env('IDENTITY');
  const logFile = env('LOG_FILE');
  const log = (event: string, name = '-'): void => appendFileSync(logFile, `${event} ${identity} ${name} ${Date.now()}\n`);
  const client = new Client(configFromKubeconfig({ path: env('KUBECONFIG_PATH') }));
  const leadership = leaseLeadership(Api.namespaced(client, Lease, ns), { leaseName: env('LEASE_NAME'), identity, ...LEADER_TIMING });
  leadership.leader$.subscribe((leading) => log(leading ? 'leading' : 'standby'));

  const reconcile = async (cm: ConfigMap, _ctx: unknown, info: { signal: AbortSignal }): Promise<Action> => {
    const name = cm.metadata?.name ?? '';
    log('start', name);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, RECONCILE_MS);
      info.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    log('end', name);
    return Action.requeue(REQUEUE_MS);
  };
  Controller.for(Api.namespaced(client, ConfigMap, ns), { name: 'leader-e2e', watcher: { labelSelector: 'e2e-leader=yes' } })
    .shutdownOn(shutdownOnSignal())
    .run(reconcile, ErrorPolicy.backoff(), {}, { leadership })
    // run() completes after the reconciles drained and the Lease was released
    .subscribe({ complete: () => (log('exit'), process.exit(0)) });
  log('started');
}

main();
