// Leader election on a real coordination.k8s.io/v1 Lease: two instances of the ConfigMap-generator
// operator (controller-operator.ts) gated by leaderElection(); only the leader reconciles, and when it
// stops the other one takes over — at its next retry when the Lease is released, and within the lease
// duration when the leader vanishes without releasing it.
import { join } from 'node:path';
import { share, type Observable, type Subscription } from 'rxjs';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { ConfigMap, Lease } from '../../../lib/core/builtins.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { leaderElection } from '../../../lib/runtime/leader-election.js';
import { eventually, kubeconfigPath, kubectl, useNamespace } from '../support/cluster.js';
import { ConfigMapGeneratorType, configMapGenerator, type OperatorLog } from './controller-operator.js';

const CRD = join(__dirname, 'controller-fixtures', 'configmapgenerator-crd.yaml');
const TIMING = { leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 };

describe('leader election (e2e)', () => {
  const ns = useNamespace('leader');
  let client: Client;
  const running: Subscription[] = [];
  beforeAll(async () => {
    await kubectl(['apply', '-f', CRD]);
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/configmapgenerators.e2e-controller.rxkube.test']);
    client = new Client(configFromKubeconfig({ path: kubeconfigPath() }));
  }, 90_000);
  afterAll(() => running.forEach((s) => s.unsubscribe()));

  /** Starts one operator instance gated by its own leader election; returns its leadership and a stop. */
  function instance(identity: string, leaseName: string, log: OperatorLog[], releaseOnCancel = true) {
    const state = { leading: false };
    const leader$: Observable<boolean> = leaderElection(Api.namespaced(client, Lease, ns), { leaseName, identity, releaseOnCancel, ...TIMING }).pipe(share());
    const watch = leader$.subscribe((leading) => (state.leading = leading));
    const run = configMapGenerator(client, ns, { identity, log, leader$ }).subscribe();
    const stop = () => {
      run.unsubscribe();
      watch.unsubscribe();
    };
    running.push(run, watch);
    return { state, stop };
  }

  const generators = () => Api.namespaced(client, ConfigMapGeneratorType, ns);
  const contentOf = async (name: string) => (await Api.namespaced(client, ConfigMap, ns).getOpt(`${name}-generated`))?.data?.content;
  const holder = async (leaseName: string) => (await Api.namespaced(client, Lease, ns).getOpt(leaseName))?.spec?.holderIdentity;

  it('lets only the leader reconcile, and hands over at the next retry when the leader stops', async () => {
    const log: OperatorLog[] = [];
    const a = instance('a', 'gen-release', log);
    await eventually(() => a.state.leading || undefined, { timeoutMs: 15_000 });
    const b = instance('b', 'gen-release', log);
    await generators().create({ apiVersion: 'e2e-controller.rxkube.test/v1', kind: 'ConfigMapGenerator', metadata: { name: 'g1' }, spec: { content: 'from-a' } });
    await eventually(async () => (await contentOf('g1')) === 'from-a' || undefined, { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 2 * TIMING.retryPeriodMs));
    expect(b.state.leading).toBe(false);
    expect(await holder('gen-release')).toBe('a');
    expect(log.length).toBeGreaterThan(0);
    expect(new Set(log.map((l) => l.identity))).toEqual(new Set(['a']));

    const stopped = Date.now();
    a.stop();
    await eventually(() => b.state.leading || undefined, { timeoutMs: TIMING.leaseDurationMs, intervalMs: 50 });
    const handover = Date.now() - stopped;
    expect(handover).toBeLessThan(TIMING.leaseDurationMs);
    expect(await holder('gen-release')).toBe('b');

    await kubectl(['patch', 'configmapgenerators.e2e-controller.rxkube.test', 'g1', '-n', ns, '--type=merge', '-p', '{"spec":{"content":"from-b"}}']);
    await eventually(async () => (await contentOf('g1')) === 'from-b' || undefined, { timeoutMs: 30_000 });
    // the operator logs after its status update, a moment after the ConfigMap changed
    await eventually(() => log.some((l) => l.content === 'from-b') || undefined, { timeoutMs: 10_000 });
    expect(log.filter((l) => l.content === 'from-b').every((l) => l.identity === 'b')).toBe(true);

    await generators().delete('g1');
    await eventually(async () => (await generators().getOpt('g1')) === undefined || undefined, { timeoutMs: 30_000 });
    b.stop();
  }, 90_000);

  it('takes over within the lease duration when the leader vanishes without releasing the Lease', async () => {
    const log: OperatorLog[] = [];
    const a = instance('a', 'gen-crash', log, false);
    await eventually(() => a.state.leading || undefined, { timeoutMs: 15_000 });
    const b = instance('b', 'gen-crash', log);
    await new Promise((r) => setTimeout(r, 2 * TIMING.retryPeriodMs));
    expect(b.state.leading).toBe(false);
    const stopped = Date.now();
    a.stop(); // as a crash: the Lease still names 'a' until it expires
    expect(await holder('gen-crash')).toBe('a');
    await eventually(() => b.state.leading || undefined, { timeoutMs: TIMING.leaseDurationMs + 6 * TIMING.retryPeriodMs, intervalMs: 50 });
    const handover = Date.now() - stopped;
    // b may take the Lease once it has seen no renewal for a lease duration (counted from when it
    // saw a's last renewal, up to one retry before the stop), at its next attempt; the upper bound
    // leaves room for timers delayed on a loaded machine.
    expect(handover).toBeGreaterThanOrEqual(TIMING.leaseDurationMs - 2 * TIMING.retryPeriodMs);
    expect(handover).toBeLessThan(TIMING.leaseDurationMs + 4 * TIMING.retryPeriodMs);
    expect(await holder('gen-crash')).toBe('b');
    b.stop();
  }, 60_000);
});
