/**
 * `shardMembership(leases, gate, options)`: the replicas of one controller find each other through
 * `coordination.k8s.io/v1` Leases (one per replica, labelled with the group) and hand buckets of
 * the hash space to each other without two of them ever working on one bucket at once.
 *
 * The protocol (docs/sharding.md has the argument and the timings): every `retryPeriodMs` a
 * replica (1) writes its Lease — renewing it and publishing its *claims*, the buckets it is
 * active in, draining, or about to take — then (2) lists the group's Leases with a consistent
 * read, (3) computes the assignment from the live members ({@link assignBuckets}), (4) stops
 * starting work at once for buckets no longer its own (they stay claimed until their running work
 * has ended: {@link ShardGate}), and (5) becomes active in a bucket only if its claim was written
 * *before* that read and no other live Lease claims the bucket. Two replicas cannot both pass (5)
 * for one bucket: each would have had to read before the other's write. A replica that cannot
 * renew for `renewDeadlineMs` stops all work (fenced) before any other replica can consider its
 * Lease expired (`leaseDurationMs` after it last saw it change), which is how a dead replica's
 * buckets are taken over.
 *
 * @module
 */
import {
  EMPTY,
  Observable,
  asyncScheduler,
  catchError,
  concat,
  defer,
  map,
  mergeMap,
  of,
  tap,
  timeout,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { Lease } from '../core/api/coordination/v1.js';
import { labelValueProblem } from '../core/label-validation.js';
import type { ObjectList } from '../core/object.js';
import type { DeleteParams, ListParams } from '../core/params.js';
import { isConflict, isNotFound } from '../client/errors.js';
import { BucketSet, bucketRange, checkBucketCount } from './bucket-set.js';
import { noopMetrics, type MetricsSink } from './metrics.js';
import { assignBuckets } from './shard-assignment.js';
import { ShardError } from './shard-error.js';
import type { ShardGate } from './shard-gate.js';

/** The label that puts a Lease in a shard group (its value is the group). */
export const SHARD_GROUP_LABEL = 'shard.rxkube.io/group';
/** The annotation with the bucket count the member uses. */
export const SHARD_BUCKETS_ANNOTATION = 'shard.rxkube.io/buckets';
/** The annotation with the member's claims: a hex bitmap of buckets ({@link BucketSet.encode}). */
export const SHARD_CLAIMS_ANNOTATION = 'shard.rxkube.io/claims';

/**
 * Metric names of sharding (gauges and counters, label `group`).
 *
 * ## Example
 * ```ts
 * sink.set(SHARD_METRICS.ownedBuckets, { group: 'widgets' }, 21);
 * ```
 */
export const SHARD_METRICS = Object.freeze({
  /** Buckets this replica is active in. */
  ownedBuckets: 'rxkube_shard_owned_buckets',
  /** The hash-space fraction owned, 0..1. */
  ownedFraction: 'rxkube_shard_owned_fraction',
  /** Live members seen in the group. */
  members: 'rxkube_shard_members',
  /** Buckets taken over (`direction="acquired"`) or given up after draining (`direction="released"`). */
  handoversTotal: 'rxkube_shard_handovers_total',
  /** Objects of the primary kind in this replica's shard (set by the controller). */
  objects: 'rxkube_shard_objects',
  /** Object events the controller's primary watch received, label `filtering` (`server` or `client`). */
  eventsReceived: 'rxkube_shard_watch_events_total',
});

/** What membership needs from an `Api<Lease>` in the group's namespace. */
export interface ShardLeaseApi {
  list$(params: ListParams): Observable<ObjectList<Lease>>;
  create$(lease: Lease): Observable<Lease>;
  replace$(name: string, lease: Lease): Observable<Lease>;
  delete$(name: string, params?: DeleteParams): Observable<unknown>;
}

/**
 * Settings of {@link shardMembership}; the timings have leader election's meaning and defaults.
 *
 * ## Example
 * ```ts
 * const options: ShardMembershipOptions = { group: 'widgets', identity: `${podName}-${podUid}` };
 * ```
 */
export interface ShardMembershipOptions {
  /** The group: the controller's name, the same in every replica (a label value). */
  group: string;
  /**
   * This replica's identity, unique among live replicas (e.g. the pod name). Its Lease is
   * `<group>-<identity>`; a restarted replica with the same identity takes its old Lease over.
   */
  identity: string;
  /** Buckets the hash space is cut into (a power of two, the same in every replica). @default 64 */
  buckets?: number;
  /** How long a Lease stays valid after its last renewal, as others see it. @default 15_000 */
  leaseDurationMs?: number;
  /** A replica that cannot renew for this long stops all work. Below the lease duration. @default 10_000 */
  renewDeadlineMs?: number;
  /** Pause between rounds. Below the renew deadline. @default 2_000 */
  retryPeriodMs?: number;
  /**
   * Delete another member's Lease once it has been expired for this long (a replica killed
   * without a clean leave leaves its Lease behind). @default leaseDurationMs
   */
  deleteExpiredAfterMs?: number;
  /** Where to report {@link SHARD_METRICS}. @default noopMetrics */
  metrics?: MetricsSink;
  /** Told about failed rounds and bad Leases; the protocol handles them. */
  onError?: (error: ShardError) => void;
  /** Clock and timers. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * What a replica knows about its shard, emitted by {@link shardMembership} on every change.
 * - `active`: buckets it may start work for (the gate's set).
 * - `target`: buckets the assignment gives it; `active` catches up as others let go.
 * - `members`: the live identities it sees, itself included, sorted.
 * - `fenced`: it could not renew in time and stopped all work.
 * - `handovers`: buckets acquired plus buckets released so far.
 *
 * ## Example
 * ```ts
 * shardMembership(leases, gate, opts).subscribe((s) => console.log(s.active.toString(), s.members));
 * ```
 */
export interface ShardState {
  readonly identity: string;
  readonly active: BucketSet;
  readonly target: BucketSet;
  readonly members: readonly string[];
  readonly fenced: boolean;
  readonly handovers: number;
}

interface Observation {
  rv: string;
  observedAt: number;
}

/**
 * Joins the group while subscribed and drives `gate`: a cold Observable of {@link ShardState}
 * (the first value at once, with nothing active). Unsubscribing leaves: the gate closes at once,
 * and the Lease is deleted once the work still running has ended, so the others take over at
 * their next round.
 *
 * ## Example
 * ```ts
 * const gate = new ShardGate(64);
 * const leases = Api.namespaced(client, Lease, 'operators');
 * shardMembership(leases, gate, { group: 'widgets', identity: podName }).subscribe((s) => console.log(`${s.active}`));
 * ```
 */
export function shardMembership(api: ShardLeaseApi, gate: ShardGate, options: ShardMembershipOptions): Observable<ShardState> {
  const total = options.buckets ?? 64;
  checkBucketCount(total);
  if (gate.total !== total) throw new ShardError('invalidOptions', `the gate has ${gate.total} buckets, the options ${total}`, { buckets: total });
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  if (!(retryPeriodMs > 0 && retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new ShardError(
      'invalidOptions',
      `shardMembership: need 0 < retryPeriodMs (${retryPeriodMs}) < renewDeadlineMs (${renewDeadlineMs}) < leaseDurationMs (${leaseDurationMs})`,
      { retryPeriodMs, renewDeadlineMs, leaseDurationMs },
    );
  }
  const { group, identity } = options;
  const groupProblem = labelValueProblem(group);
  if (group === '' || groupProblem !== undefined) {
    throw new ShardError('invalidOptions', `shard group ${JSON.stringify(group)} must be a non-empty label value: ${groupProblem ?? 'empty'}`, { group });
  }
  const leaseName = `${group}-${identity}`.toLowerCase();
  if (identity === '' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(leaseName) || leaseName.length > 253) {
    throw new ShardError('invalidOptions', `shard identity ${JSON.stringify(identity)} does not make a valid Lease name (${JSON.stringify(leaseName)})`, {
      identity,
    });
  }
  const clock = options.scheduler ?? asyncScheduler;
  const metrics = options.metrics ?? noopMetrics;
  const labels = { group };
  const durationSeconds = Math.max(1, Math.ceil(leaseDurationMs / 1000));
  const deleteExpiredAfterMs = options.deleteExpiredAfterMs ?? leaseDurationMs;
  const empty = BucketSet.empty(total);
  const report = (e: ShardError): void => options.onError?.(e);

  return new Observable<ShardState>((subscriber) => {
    let own: Lease | undefined;
    let pending = empty;
    let target = empty;
    let members: readonly string[] = [];
    let fenced = false;
    let handovers = 0;
    let lastRenewAt: number | undefined;
    const seen = new Map<string, Observation>();
    let closed = false;
    let round: Subscription | undefined;
    let timer: Subscription | undefined;
    let fenceTimer: Subscription | undefined;
    let again = false;
    let last: ShardState | undefined;

    const emit = (): void => {
      const state: ShardState = { identity, active: gate.active, target, members, fenced, handovers };
      if (
        last !== undefined &&
        last.active.equals(state.active) &&
        last.target.equals(state.target) &&
        last.fenced === state.fenced &&
        last.handovers === state.handovers &&
        last.members.join('\n') === state.members.join('\n')
      ) {
        return;
      }
      last = state;
      metrics.set(SHARD_METRICS.ownedBuckets, labels, state.active.size);
      metrics.set(SHARD_METRICS.ownedFraction, labels, state.active.size / total);
      metrics.set(SHARD_METRICS.members, labels, members.length);
      subscriber.next(state);
    };

    const setActive = (next: BucketSet): void => {
      const acquired = next.minus(gate.active).size;
      if (acquired > 0) {
        handovers += acquired;
        metrics.inc(SHARD_METRICS.handoversTotal, { ...labels, direction: 'acquired' }, acquired);
      }
      gate.setActive(next);
    };

    const claims = (): BucketSet => gate.active.union(pending).union(gate.draining);

    const leaseOf = (claimed: BucketSet, now: number): Lease => {
      const base: Lease = own ?? { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: leaseName } };
      return {
        ...base,
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          ...base.metadata,
          name: leaseName,
          labels: { ...base.metadata?.labels, [SHARD_GROUP_LABEL]: group },
          annotations: { ...base.metadata?.annotations, [SHARD_BUCKETS_ANNOTATION]: String(total), [SHARD_CLAIMS_ANNOTATION]: claimed.encode() },
        },
        spec: {
          ...base.spec,
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: own?.spec?.acquireTime ?? microTime(now),
          renewTime: microTime(now),
        },
      };
    };

    const fence = (): void => {
      fenceTimer = undefined;
      if (fenced || closed) return;
      fenced = true;
      pending = empty;
      setActive(empty);
      report(new ShardError('fenced', `shard member ${identity} could not renew its Lease within ${renewDeadlineMs} ms and stopped all work`, { identity, group }));
      emit();
    };

    /** Write the Lease with the current claims; resolves to the claims written, or undefined on failure. */
    const write = (started: number): Observable<BucketSet | undefined> => {
      const claimed = claims();
      const lease = leaseOf(claimed, started);
      const send$ = own === undefined ? api.create$(lease) : api.replace$(leaseName, lease);
      return send$.pipe(
        timeout({ first: renewDeadlineMs, scheduler: clock }),
        map((written) => {
          own = written;
          lastRenewAt = started;
          fenceTimer?.unsubscribe();
          fenceTimer = clock.schedule(fence, Math.max(0, started + renewDeadlineMs - clock.now()));
          if (fenced) fenced = false;
          return claimed as BucketSet | undefined;
        }),
        catchError((e: unknown) => {
          // 404: our Lease was deleted (we were taken for dead) — create it again. 409: it changed
          // behind our back (a release racing a renewal, or a create of a Lease left from an earlier
          // life) — the list that follows tells us its resourceVersion.
          if (isNotFound(e) || isConflict(e)) own = undefined;
          report(new ShardError('renewFailed', `shard member ${identity} could not write Lease ${leaseName}`, { identity, group, lease: leaseName }, e));
          return of(undefined);
        }),
      );
    };

    const decide = (list: ObjectList<Lease>, written: BucketSet | undefined, now: number): void => {
      let othersClaims = empty;
      const live: string[] = [];
      const names = new Set<string>();
      for (const lease of list.items) {
        const name = lease.metadata?.name ?? '';
        names.add(name);
        const rv = lease.metadata?.resourceVersion ?? '';
        if (name === leaseName) {
          // The list is at least as new as our write; take its version if we lost track (409).
          if (own === undefined && lease.spec?.holderIdentity === identity) own = lease;
          continue;
        }
        const obs = seen.get(name);
        if (obs === undefined || obs.rv !== rv) seen.set(name, { rv, observedAt: now });
        const observedAt = seen.get(name)!.observedAt;
        const holder = lease.spec?.holderIdentity ?? '';
        const validMs = (lease.spec?.leaseDurationSeconds ?? durationSeconds) * 1000;
        if (holder === '') continue;
        if (now - observedAt >= validMs) {
          if (now - observedAt >= validMs + deleteExpiredAfterMs) {
            // Fire and forget: only if nobody renewed it since we looked.
            api.delete$(name, { preconditions: { resourceVersion: rv } }).subscribe({ error: () => undefined });
          }
          continue;
        }
        live.push(holder);
        othersClaims = othersClaims.union(claimsOf(lease, name));
      }
      for (const name of seen.keys()) if (!names.has(name)) seen.delete(name);
      members = [...new Set([...live, ...(fenced || own === undefined ? [] : [identity])])].sort();
      target = fenced || own === undefined ? empty : (assignBuckets(members, total).get(identity) ?? empty);
      if (fenced) {
        emit();
        return;
      }
      let next = gate.active.intersect(target);
      if (written !== undefined) {
        // Claimed before this read, and nobody else claims it: ours. This covers pending buckets
        // and draining ones that came back to us (claimed without a break).
        const confirmed = written.intersect(pending.union(gate.draining)).intersect(target).minus(othersClaims);
        next = next.union(confirmed);
      }
      pending = target.minus(next).minus(gate.draining).minus(othersClaims).union(pending.intersect(target).minus(next));
      setActive(next);
      emit();
      // New claims are confirmed by a write and a read: do that now rather than a period later.
      if (!pending.minus(written ?? empty).isEmpty) again = true;
    };

    const claimsOf = (lease: Lease, name: string): BucketSet => {
      const annotations = lease.metadata?.annotations ?? {};
      const theirTotal = Number(annotations[SHARD_BUCKETS_ANNOTATION] ?? total);
      const text = annotations[SHARD_CLAIMS_ANNOTATION] ?? '';
      try {
        checkBucketCount(theirTotal);
        const theirs = BucketSet.decode(text, theirTotal);
        if (theirTotal === total) return theirs;
        report(new ShardError('bucketMismatch', `Lease ${name} uses ${theirTotal} buckets, this replica ${total}`, { lease: name, buckets: total, theirs: theirTotal }));
        return overlapping(theirs, total);
      } catch (e) {
        // Unreadable claims: take it as claiming everything (safe), and say so.
        report(new ShardError('invalidClaims', `Lease ${name} has unreadable shard claims: ${(e as Error).message}`, { lease: name }, e));
        return BucketSet.all(total);
      }
    };

    const runRound = (): void => {
      timer = undefined;
      if (closed) return;
      again = false;
      const started = clock.now();
      round = write(started)
        .pipe(
          mergeMap((written) =>
            api.list$({ labelSelector: `${SHARD_GROUP_LABEL}=${group}` }).pipe(
              timeout({ first: renewDeadlineMs, scheduler: clock }),
              tap((list) => decide(list, written, clock.now())),
              catchError((e: unknown) => {
                report(new ShardError('renewFailed', `shard member ${identity} could not list the Leases of group ${group}`, { identity, group }, e));
                return EMPTY;
              }),
            ),
          ),
        )
        .subscribe({
          complete: () => {
            round = undefined;
            if (closed) return;
            const wait = again ? 0 : Math.max(0, started + retryPeriodMs - clock.now());
            timer = clock.schedule(runRound, wait);
          },
        });
    };

    // A bucket that finished draining is released by the next write: make it now.
    const drainedSub = gate.drained$.subscribe((buckets) => {
      handovers += buckets.size;
      metrics.inc(SHARD_METRICS.handoversTotal, { ...labels, direction: 'released' }, buckets.size);
      emit();
      if (round === undefined && timer !== undefined && !closed) {
        timer.unsubscribe();
        timer = clock.schedule(runRound, 0);
      } else again = true;
    });

    emit();
    timer = clock.schedule(runRound, 0);

    return () => {
      closed = true;
      drainedSub.unsubscribe();
      round?.unsubscribe();
      timer?.unsubscribe();
      fenceTimer?.unsubscribe();
      pending = empty;
      setActive(empty);
      if (own === undefined && lastRenewAt === undefined) return;
      // Leave: once nothing runs any more, delete the Lease (the others take over at their next
      // round). Fire and forget; if it fails, the Lease expires and is taken over then.
      concat(
        gate.whenIdle(gate.busy),
        defer(() => api.delete$(leaseName)),
      ).subscribe({ error: (e: unknown) => (isNotFound(e) ? undefined : report(new ShardError('renewFailed', `could not delete Lease ${leaseName} on leave`, { lease: leaseName }, e))) });
    };
  });
}

/** The buckets of `total` whose ranges overlap any bucket of `theirs` (a set over another count). */
function overlapping(theirs: BucketSet, total: number): BucketSet {
  const ranges = theirs.ranges();
  const out: number[] = [];
  for (let b = 0; b < total; b++) {
    const r = bucketRange(b, total);
    if (ranges.some((t) => t.start < r.end && r.start < t.end)) out.push(b);
  }
  return BucketSet.of(total, out);
}

/** RFC 3339 with microseconds, as `MicroTime` fields need. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
