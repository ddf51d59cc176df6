/**
 * An in-memory Lease collection with the API server's rules that matter to shard membership —
 * resourceVersions, 409 on create of an existing Lease and on replace at a stale version, 404,
 * delete preconditions, label selectors on LIST, consistent (linearizable) reads — and a network
 * in between: every request waits a random latency before it is applied and again before the
 * answer arrives, and a client can be cut off (its requests hang; some are applied, the answer
 * lost) or killed.
 */
import { Observable, Subscription, type SchedulerLike } from 'rxjs';
import type { Lease } from '../../../lib/core/api/coordination/v1.js';
import { ApiError } from '../../../lib/client/errors.js';
import type { ObjectList } from '../../../lib/core/object.js';
import type { ListParams } from '../../../lib/core/params.js';
import type { ShardLeaseApi } from '../../../lib/runtime/shard-membership.js';

/** A seeded PRNG (mulberry32), so a failing property run replays exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LeaseClient extends ShardLeaseApi {
  /** Requests hang (never answered); half of them are still applied. */
  partitioned: boolean;
  /** Requests are neither applied nor answered. */
  dead: boolean;
}

export class LeaseServer {
  readonly leases = new Map<string, Lease>();
  private rv = 0;
  /** Requests applied, by verb. */
  readonly counts = { create: 0, replace: 0, list: 0, delete: 0 };

  constructor(
    private readonly clock: SchedulerLike,
    private readonly random: () => number = () => 0,
    private readonly maxLatencyMs = 0,
  ) {}

  client(): LeaseClient {
    const client: LeaseClient = {
      partitioned: false,
      dead: false,
      list$: (params: ListParams) => this.request(client, 'list', () => this.list(params)),
      create$: (lease: Lease) => this.request(client, 'create', () => this.create(lease)),
      replace$: (name: string, lease: Lease) => this.request(client, 'replace', () => this.replace(name, lease)),
      delete$: (name: string, params) => this.request(client, 'delete', () => this.delete(name, params?.preconditions?.resourceVersion)),
    };
    return client;
  }

  private request<T>(client: LeaseClient, verb: 'list' | 'create' | 'replace' | 'delete', apply: () => T): Observable<T> {
    return new Observable<T>((subscriber) => {
      const cutOff = client.partitioned;
      const applyIt = !cutOff || this.random() < 0.5;
      const timers = new Subscription();
      timers.add(
        this.clock.schedule(() => {
          if (client.dead || !applyIt) return;
          let result: { ok: true; value: T } | { ok: false; error: unknown };
          try {
            result = { ok: true, value: apply() };
            this.counts[verb]++;
          } catch (error) {
            result = { ok: false, error };
          }
          if (cutOff || client.partitioned || client.dead) return;
          timers.add(
            this.clock.schedule(() => {
              if (client.dead) return;
              if (result.ok) {
                subscriber.next(structuredClone(result.value));
                subscriber.complete();
              } else subscriber.error(result.error);
            }, this.latency()),
          );
        }, this.latency()),
      );
      return timers;
    });
  }

  private latency(): number {
    return Math.floor(this.random() * this.maxLatencyMs);
  }

  private fail(verb: string, method: string, name: string, code: number): never {
    throw new ApiError({ verb: verb as 'get', method: method as 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/ns/leases/${name}` }, code, { code });
  }

  private list(params: ListParams): ObjectList<Lease> {
    const [key, value] = (params.labelSelector ?? '').split('=');
    const items = [...this.leases.values()].filter((l) => key === undefined || key === '' || l.metadata?.labels?.[key] === value);
    return { metadata: { resourceVersion: String(this.rv) }, items };
  }

  private create(lease: Lease): Lease {
    const name = lease.metadata?.name ?? '';
    if (this.leases.has(name)) this.fail('create', 'POST', name, 409);
    const stored = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
    this.leases.set(name, stored);
    return stored;
  }

  private replace(name: string, lease: Lease): Lease {
    const current = this.leases.get(name);
    if (current === undefined) this.fail('replace', 'PUT', name, 404);
    if (lease.metadata?.resourceVersion !== current.metadata?.resourceVersion) this.fail('replace', 'PUT', name, 409);
    const stored = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
    this.leases.set(name, stored);
    return stored;
  }

  private delete(name: string, rv: string | undefined): Lease {
    const current = this.leases.get(name);
    if (current === undefined) this.fail('delete', 'DELETE', name, 404);
    if (rv !== undefined && current.metadata?.resourceVersion !== rv) this.fail('delete', 'DELETE', name, 409);
    this.leases.delete(name);
    return current;
  }
}
