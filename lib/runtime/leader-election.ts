/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go does it: candidates try to
 * take or renew the Lease with optimistic concurrency (create, or replace at the resourceVersion
 * they read); a Lease whose holder has not renewed for its duration may be taken; the leader
 * releases it on shutdown so a standby takes over at its next retry. Exposed as an
 * `Observable<boolean>` of leadership, for `controller.run(..., { leader$ })`.
 *
 * @module
 */
import {
  EMPTY,
  Observable,
  asyncScheduler,
  catchError,
  map,
  mergeMap,
  of,
  throwError,
  timeout,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { Lease } from '../core/api/coordination/v1.js';
import { isConflict, isNotFound } from '../client/errors.js';
import { METRICS, noopMetrics, type MetricsSink } from './metrics.js';

export type { Lease };

/** What leader election needs from an `Api<Lease>` in the Lease's namespace. */
export interface LeaseApi {
  get$(name: string): Observable<Lease>;
  create$(lease: Lease): Observable<Lease>;
  replace$(name: string, lease: Lease): Observable<Lease>;
}

/**
 * Settings of {@link leaderElection}; durations default to client-go's.
 *
 * ## Example
 * ```ts
 * const options: LeaderElectionOptions = { leaseName: 'widget-controller', identity: process.env.POD_NAME ?? 'local' };
 * ```
 */
export interface LeaderElectionOptions {
  /** Name of the Lease object (in the namespace of the `LeaseApi`). */
  leaseName: string;
  /** This candidate's unique identity (e.g. the pod name). */
  identity: string;
  /** How long a Lease stays valid after its last renewal; standbys wait this long. @default 15_000 */
  leaseDurationMs?: number;
  /** A leader that cannot renew for this long steps down. Must be below the lease duration. @default 10_000 */
  renewDeadlineMs?: number;
  /** Pause between attempts to acquire or renew. @default 2_000 */
  retryPeriodMs?: number;
  /** Release the Lease when unsubscribed while leading. @default true */
  releaseOnCancel?: boolean;
  /** Records `leader_election_master_status{name}`. @default noopMetrics */
  metrics?: MetricsSink;
  /** Told about failed attempts (network errors, conflicts); leadership logic handles them. */
  onError?: (error: unknown) => void;
  /** Clock and timers. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

type Attempt = 'held' | 'heldByOther' | 'failed';

/**
 * Campaigns for the Lease while subscribed: emits `false` at once, `true` when this candidate
 * becomes leader, and `false` when it loses the Lease (it could not renew within the renew
 * deadline, or someone else holds it), then campaigns again. Unsubscribing releases a held Lease
 * (holder cleared, duration 1 s) so a standby takes over at its next retry.
 *
 * ## Example
 * ```ts
 * const leases = Api.namespaced(client, LeaseType, 'operators');
 * const leader$ = leaderElection(leases, { leaseName: 'widgets', identity: podName }).pipe(share());
 * controller.run(reconcile, ErrorPolicy.backoff(), ctx, { leader$ }).subscribe();
 * ```
 */
export function leaderElection(api: LeaseApi, options: LeaderElectionOptions): Observable<boolean> {
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  if (!(renewDeadlineMs < leaseDurationMs) || !(retryPeriodMs < renewDeadlineMs)) {
    throw new RangeError(
      `leaderElection: need retryPeriodMs (${retryPeriodMs}) < renewDeadlineMs (${renewDeadlineMs}) < leaseDurationMs (${leaseDurationMs})`,
    );
  }
  const clock = options.scheduler ?? asyncScheduler;
  const metrics = options.metrics ?? noopMetrics;
  const labels = { name: options.leaseName };
  const { leaseName: name, identity } = options;
  const durationSeconds = Math.max(1, Math.round(leaseDurationMs / 1000));

  return new Observable<boolean>((subscriber) => {
    let leading = false;
    let lastRenew = 0;
    let known: Lease | undefined;
    let observed = '';
    let observedAt = 0;
    let active: Subscription | undefined;
    let timer: Subscription | undefined;
    let closed = false;

    const setLeading = (value: boolean): void => {
      if (leading === value) return;
      leading = value;
      metrics.set(METRICS.leaderElectionMasterStatus, labels, value ? 1 : 0);
      subscriber.next(value);
    };

    const attempt = (): Observable<Attempt> =>
      api.get$(name).pipe(
        catchError((e: unknown) => (isNotFound(e) ? of(undefined) : throwError(() => e))),
        mergeMap((lease): Observable<Attempt> => {
          const now = clock.now();
          if (lease === undefined) {
            const fresh: Lease = {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name },
              spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
            };
            return api.create$(fresh).pipe(map((created) => ((known = created), 'held' as const)));
          }
          known = lease;
          const spec = lease.spec ?? {};
          const fingerprint = `${spec.holderIdentity ?? ''}|${spec.renewTime ?? ''}|${spec.leaseDurationSeconds ?? ''}`;
          if (fingerprint !== observed) {
            observed = fingerprint;
            observedAt = now;
          }
          const holder = spec.holderIdentity ?? '';
          const validMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
          if (holder !== '' && holder !== identity && observedAt + validMs > now) return of('heldByOther' as const);
          const mine = holder === identity;
          const next: Lease = {
            ...lease,
            spec: {
              ...spec,
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
              renewTime: microTime(now),
              leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
            },
          };
          return api.replace$(name, next).pipe(map((replaced) => ((known = replaced), 'held' as const)));
        }),
        timeout({ first: renewDeadlineMs, scheduler: clock }),
        catchError((e: unknown) => {
          options.onError?.(e);
          return of('failed' as const);
        }),
      );

    const tick = (): void => {
      timer = undefined;
      active = attempt().subscribe((result) => {
        const now = clock.now();
        if (result === 'held') {
          lastRenew = now;
          setLeading(true);
        } else if (leading && (result === 'heldByOther' || now - lastRenew >= renewDeadlineMs)) {
          setLeading(false);
        }
        if (!closed) timer = clock.schedule(tick, retryPeriodMs);
      });
    };

    metrics.set(METRICS.leaderElectionMasterStatus, labels, 0);
    subscriber.next(false);
    tick();

    return () => {
      closed = true;
      active?.unsubscribe();
      timer?.unsubscribe();
      if (leading && known !== undefined && options.releaseOnCancel !== false) {
        metrics.set(METRICS.leaderElectionMasterStatus, labels, 0);
        const now = microTime(clock.now());
        const releasedOf = (lease: Lease): Lease => {
          const { holderIdentity: _released, ...rest } = lease.spec ?? {};
          void _released;
          return { ...lease, spec: { ...rest, leaseDurationSeconds: 1, acquireTime: now, renewTime: now } };
        };
        // A renewal in flight when we were cancelled may have changed the Lease after `known` was read:
        // on 409, read it again and release it if it still names us. Fire and forget: the subscriber is
        // gone; a failed release only delays the handover until the Lease expires.
        api
          .replace$(name, releasedOf(known))
          .pipe(
            catchError((e: unknown) =>
              isConflict(e)
                ? api.get$(name).pipe(mergeMap((current) => (current.spec?.holderIdentity === identity ? api.replace$(name, releasedOf(current)) : EMPTY)))
                : throwError(() => e),
            ),
          )
          .subscribe({ error: (e: unknown) => options.onError?.(e) });
      }
    };
  });
}

/** RFC 3339 with microseconds, as `MicroTime` fields need. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
