// Controller.shard against the real API server: three replicas (in this process, each with its own Client) over
// 3,000 ConfigMaps. Every object is reconciled; each replica's primary watch receives about a third of the events
// when the server filters by shard selector (KEP-5866, gate ShardedListAndWatch on, a private plane) and all of them
// when it does not (the shared plane, gate off: client-side fallback); a replica killed without releasing its Lease
// has its objects reconciled by the others within lease duration + a stated bound; a fourth replica takes buckets
// over while objects change, and no object is ever reconciled by two replicas at once (start/end recorded per key).
import { NEVER, defer, type Observable, type Subscription } from 'rxjs';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { ConfigMap, Lease, Namespace } from '../../../lib/core/builtins.js';
import { Action, ErrorPolicy } from '../../../lib/runtime/action.js';
import { Controller } from '../../../lib/runtime/controller.js';
import { InMemoryMetrics } from '../../../lib/runtime/metrics.js';
import { SHARD_METRICS, type ShardLeaseApi, type ShardState } from '../../../lib/runtime/shard-membership.js';
import { shardBucketOf } from '../../../lib/runtime/sharded-reflector.js';
import { kubeconfigPath } from '../support/cluster.js';
import { usePrivatePlane } from '../support/private-plane.js';

const OBJECTS = Number(process.env.RXKUBE_TEST_SHARD_OBJECTS ?? 3_000);
const TIMINGS = { leaseDurationMs: 6_000, renewDeadlineMs: 4_000, retryPeriodMs: 1_000 };
/** Takeover after a kill: lease duration + 2 retry periods (docs/sharding.md) + this for round trips, restart delay and the relist. */
const TAKEOVER_SLACK_MS = 4_000;
const GROUP = 'e2e-shard';

interface Interval {
  key: string;
  replica: string;
  rv: string;
  start: number;
  end?: number;
}

class Replica {
  dead = false;
  state: (ShardState & { filtering: string }) | undefined;
  readonly metrics = new InMemoryMetrics();
  private sub: Subscription | undefined;

  constructor(
    readonly id: string,
    private readonly kubeconfig: string,
    private readonly ns: string,
    private readonly log: Interval[],
  ) {}

  start(): void {
    const client = new Client(configFromKubeconfig({ path: this.kubeconfig }));
    const leaseApi = Api.namespaced(client, Lease, this.ns);
    // A killed process sends nothing more: its requests never leave.
    const alive = <T>(call: () => Observable<T>): Observable<T> => defer(() => (this.dead ? NEVER : call()));
    const leases: ShardLeaseApi = {
      list$: (p) => alive(() => leaseApi.list$(p)),
      create$: (l) => alive(() => leaseApi.create$(l)),
      replace$: (n, l) => alive(() => leaseApi.replace$(n, l)),
      delete$: (n, p) => alive(() => leaseApi.delete$(n, p)),
    };
    const reconcile = async (cm: ConfigMap): Promise<Action> => {
      const interval: Interval = { key: cm.metadata?.name ?? '', replica: this.id, rv: cm.metadata?.resourceVersion ?? '', start: Date.now() };
      this.log.push(interval);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15)));
      interval.end = Date.now();
      return Action.awaitChange();
    };
    this.sub = Controller.for(Api.namespaced(client, ConfigMap, this.ns), { name: GROUP, metrics: this.metrics, watcher: { labelSelector: 'set=shard' } })
      .shard({ leases, identity: this.id, ...TIMINGS, onState: (s) => (this.state = s) })
      .run(reconcile, ErrorPolicy.backoff(), {})
      .subscribe();
  }

  received(): number {
    const filtering = this.state?.filtering ?? 'unknown';
    return this.metrics.value(SHARD_METRICS.eventsReceived, { group: GROUP, filtering });
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  /** SIGKILL: no request leaves any more, nothing new starts, the Lease stays behind. */
  kill(): void {
    this.dead = true;
    this.sub?.unsubscribe();
  }
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Keys reconciled by two replicas at once. */
function overlaps(log: Interval[]): string[] {
  const byKey = new Map<string, Interval[]>();
  for (const i of log) byKey.set(i.key, [...(byKey.get(i.key) ?? []), i]);
  const out: string[] = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const cur = list[i]!;
      if (prev.replica !== cur.replica && cur.start < (prev.end ?? Infinity)) out.push(`${key}: ${prev.replica} and ${cur.replica}`);
    }
  }
  return out;
}

async function inBatches<T>(items: T[], size: number, f: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(f));
}

function scenario(filtering: 'server' | 'client', kubeconfig: () => string): void {
  const log: Interval[] = [];
  const replicas: Replica[] = [];
  let client: Client;
  let ns: string;
  let configMaps: Api<ConfigMap, 'Namespaced'>;
  const names = Array.from({ length: OBJECTS }, (_, i) => `cm-${i}`);
  const latest = new Map<string, string>();

  const partitioned = (n: number): boolean => {
    const live = replicas.filter((r) => !r.dead);
    return (
      live.length === n &&
      live.every((r) => r.state !== undefined && r.state.members.length === n && r.state.active.equals(r.state.target) && r.state.filtering !== 'unknown') &&
      live.reduce((sum, r) => sum + r.state!.active.size, 0) === 64
    );
  };
  const reconciledAtLatest = (keys: readonly string[]): boolean => {
    const done = new Set(log.filter((i) => i.end !== undefined && latest.get(i.key) === i.rv).map((i) => i.key));
    return keys.every((k) => done.has(k));
  };

  beforeAll(async () => {
    client = new Client(configFromKubeconfig({ path: kubeconfig() }));
    ns = `e2e-shard-${filtering}-${Math.random().toString(36).slice(2, 7)}`;
    await Api.cluster(client, Namespace).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    configMaps = Api.namespaced(client, ConfigMap, ns);
  });
  afterAll(async () => {
    for (const r of replicas) r.stop();
    await Api.cluster(client, Namespace).delete(ns).catch(() => undefined);
  });

  it(`reconciles every object once, in the replica that owns it, each watch receiving ${filtering === 'server' ? 'about a third' : 'every one'} of the events`, async () => {
    for (let i = 0; i < 3; i++) replicas.push(new Replica(`r${i}`, kubeconfig(), ns, log));
    for (const r of replicas) r.start();
    await until(() => partitioned(3), 30_000, 'three replicas sharing the buckets');
    expect(replicas.map((r) => r.state!.filtering)).toEqual([filtering, filtering, filtering]);
    const t0 = Date.now();
    await inBatches(names, 50, async (name) => {
      const cm = await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { set: 'shard' } }, data: { v: '0' } });
      latest.set(name, cm.metadata?.resourceVersion ?? '');
    });
    await until(() => reconciledAtLatest(names), 120_000, `all ${OBJECTS} objects reconciled`);
    const received = replicas.map((r) => r.received());
    const reconciles = replicas.map((r) => log.filter((i) => i.replica === r.id).length);
    process.stderr.write(
      `sharding e2e (${filtering}): ${OBJECTS} objects created and reconciled in ${Date.now() - t0} ms; events received per replica ${received.join(' / ')}; reconciles ${reconciles.join(' / ')}; buckets ${replicas.map((r) => r.state!.active.size).join(' / ')}\n`,
    );
    for (const n of reconciles) expect(n).toBeGreaterThan(OBJECTS * 0.2);
    expect(reconciles.reduce((a, b) => a + b, 0)).toBe(OBJECTS); // each object once
    for (const n of received) {
      if (filtering === 'server') {
        expect(n).toBeGreaterThan(OBJECTS * 0.2);
        expect(n).toBeLessThan(OBJECTS * 0.5);
      } else expect(n).toBeGreaterThanOrEqual(OBJECTS);
    }
    expect(overlaps(log)).toEqual([]);
  }, 240_000);

  it('hands a killed replica’s objects to the others within lease duration + 2 retry periods + a bound', async () => {
    const victim = replicas[1]!;
    const owned = victim.state!.active;
    const theirs = new Set(
      (await configMaps.list({ labelSelector: 'set=shard' })).items.filter((cm) => owned.has(bucketOf(cm))).map((cm) => cm.metadata?.name ?? ''),
    );
    expect(theirs.size).toBeGreaterThan(OBJECTS * 0.2);
    const killedAt = Date.now();
    victim.kill();
    const firstAfter = new Map<string, number>();
    const bound = TIMINGS.leaseDurationMs + 2 * TIMINGS.retryPeriodMs + TAKEOVER_SLACK_MS;
    await until(
      () => {
        for (const i of log) if (i.start >= killedAt && i.replica !== victim.id && theirs.has(i.key) && !firstAfter.has(i.key)) firstAfter.set(i.key, i.start);
        return firstAfter.size === theirs.size;
      },
      bound + 20_000,
      `the killed replica's ${theirs.size} objects reconciled elsewhere`,
    );
    const takeover = Math.max(...firstAfter.values()) - killedAt;
    process.stderr.write(`sharding e2e (${filtering}): killed r1 (${theirs.size} objects); all reconciled by r0/r2 after ${takeover} ms (bound ${bound} ms)\n`);
    expect(takeover).toBeLessThanOrEqual(bound);
    expect(takeover).toBeGreaterThanOrEqual(TIMINGS.leaseDurationMs - TIMINGS.retryPeriodMs);
    await until(() => partitioned(2), 20_000, 'two replicas sharing the buckets');
    expect(overlaps(log)).toEqual([]);
  }, 120_000);

  it('moves buckets to a fourth replica while objects change, without any object reconciled by two replicas at once', async () => {
    const newcomer = new Replica('r3', kubeconfig(), ns, log);
    replicas.push(newcomer);
    newcomer.start();
    // Changes all through the hand-over, so moving buckets meet running reconciles.
    const changed = names.filter((_, i) => i % 10 === 0);
    let round = 0;
    // At least three rounds, and on until the hand-over is complete (at most 15).
    while (round < 3 || (!partitioned(3) && round < 15)) {
      round++;
      await inBatches(changed, 25, async (name) => {
        const cm = await configMaps.patch(name, { type: 'merge', body: { data: { v: `${round}` } } });
        latest.set(name, cm.metadata?.resourceVersion ?? '');
      });
    }
    await until(() => partitioned(3), 30_000, 'r0, r2 and r3 sharing the buckets');
    await until(() => reconciledAtLatest(changed), 30_000, 'the changed objects reconciled at their last version');
    const byNewcomer = log.filter((i) => i.replica === 'r3').length;
    const buckets = replicas.filter((r) => !r.dead).map((r) => `${r.id}:${r.state!.active.size}`);
    process.stderr.write(`sharding e2e (${filtering}): r3 joined; ${round} rounds of ${changed.length} changes; r3 ran ${byNewcomer} reconciles; buckets ${buckets.join(' ')}; ${log.length} reconciles in all\n`);
    expect(byNewcomer).toBeGreaterThan(0);
    expect(overlaps(log)).toEqual([]);
    expect(reconciledAtLatest(names)).toBe(true);
  }, 120_000);
}

function bucketOf(cm: ConfigMap): number {
  return shardBucketOf(cm, 64);
}

describe('Controller.shard (e2e)', () => {
  describe('client-side filtering (the shared plane, ShardedListAndWatch off)', () => {
    scenario('client', kubeconfigPath);
  });

  describe('server-side filtering (a private plane with ShardedListAndWatch on)', () => {
    const suite = usePrivatePlane({ featureGates: { ShardedListAndWatch: true } }, 600_000);
    scenario('server', () => suite.plane.kubeconfig);
  });
});
