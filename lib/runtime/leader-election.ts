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
  ReplaySubject,
  Subject,
  asyncScheduler,
  catchError,
  defer,
  finalize,
  map,
  mergeMap,
  of,
  share,
  take,
  throwError,
  timeout,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { Lease } from '../core/api/coordination/v1.js';
import { isConflict, isNotFound } from '../client/errors.js';
import { LeaderElectionError } from './leader-election-error.js';
import { METRICS, noopMetrics, type MetricsSink } from './metrics.js';

export type { Lease };
export { LeaderElectionError, isLeaderElectionError, type LeaderElectionErrorReason } from './leader-election-error.js';

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
 * Leadership on a Lease with an explicit, awaitable end: `leader$` is shared by every subscriber
 * (one campaign), and `resign()` stops campaigning, releases a held Lease and resolves once the
 * release has been answered, so a process may exit right after. This is what
 * `Controller.run(..., { leadership })` uses to release the Lease only after its reconciles have
 * drained.
 *
 * ## Example
 * ```ts
 * const leadership = leaseLeadership(Api.namespaced(client, Lease, 'operators'), { leaseName: 'widgets', identity: podName });
 * controller.shutdownOn(shutdownOnSignal())
 *   .run(reconcile, ErrorPolicy.backoff(), ctx, { leadership })
 *   .subscribe({ complete: () => process.exit(0) }); // the Lease is released by then
 * ```
 */
export interface Leadership {
  /**
   * `false` at once, then `true` while this candidate leads. Shared: every subscriber sees the same
   * campaign (a late one gets the current value first); it starts with the first subscriber and stops (releasing a held Lease, without
   * waiting) when the last one leaves. Completes after {@link Leadership.resign}.
   */
  readonly leader$: Observable<boolean>;
  /**
   * How long work may go on after `leader$` turned `false` before another candidate can lead:
   * `leaseDurationMs − renewDeadlineMs`. Work still running after that may overlap with a new
   * leader's.
   */
  readonly stepDownGraceMs: number;
  /**
   * Whether this candidate leads right now, judged by the clock, not by the last value of
   * `leader$`: `true` only while less than `renewDeadlineMs` have passed since the start of the last
   * successful renewal. Ask it right before starting work: a process that was frozen (SIGSTOP, a
   * paused VM) runs its overdue timers in order when it resumes, and work scheduled on one of them
   * may come before the timer that makes `leader$` turn `false`.
   */
  isLeader(): boolean;
  /**
   * Stops campaigning for good: no more renewals, `leader$` emits `false` (if leading) and
   * completes, and a held Lease is released. Resolves when the release is answered (or failed: it
   * then expires by itself); never rejects. Idempotent.
   */
  resign(): Promise<void>;
}

/**
 * Campaigns for the Lease while subscribed: emits `false` at once, `true` when this candidate
 * becomes leader, and `false` when it loses the Lease, then campaigns again. It loses the Lease when
 * someone else holds it, or when `renewDeadlineMs` have passed since the start of its last
 * successful renewal: that deadline bounds all renewal attempts together, and an attempt still
 * running then is aborted, so the step-down comes at `leaseDurationMs − renewDeadlineMs` before any
 * standby may take the Lease. Unsubscribing releases a held Lease (holder cleared, duration 1 s),
 * without waiting for the answer, so a standby takes over at its next retry; use
 * {@link leaseLeadership} to wait for the release (and `run(..., { leadership })` to have the
 * controller check the Lease's validity before each reconcile).
 *
 * ## Example
 * ```ts
 * const leases = Api.namespaced(client, LeaseType, 'operators');
 * const leader$ = leaderElection(leases, { leaseName: 'widgets', identity: podName }).pipe(share());
 * controller.run(reconcile, ErrorPolicy.backoff(), ctx, { leader$ }).subscribe();
 * ```
 */
export function leaderElection(api: LeaseApi, options: LeaderElectionOptions): Observable<boolean> {
  return campaign(api, options, {});
}

/**
 * A {@link Leadership} on a Lease: {@link leaderElection} shared, with an awaitable `resign()`.
 *
 * ## Example
 * ```ts
 * const leadership = leaseLeadership(leases, { leaseName: 'widgets', identity: podName });
 * leadership.leader$.subscribe((leading) => console.log('leading:', leading));
 * process.once('SIGTERM', () => void leadership.resign().then(() => process.exit(0)));
 * ```
 */
export function leaseLeadership(api: LeaseApi, options: LeaderElectionOptions): Leadership {
  const timings = timingsOf(options);
  const resign$ = new Subject<void>();
  let resigned: Promise<void> | undefined;
  let live = false;
  let ended: (() => void) | undefined;
  let validUntil = 0;
  const clock = options.scheduler ?? asyncScheduler;
  const leader$ = defer(() => {
    if (resigned !== undefined) return EMPTY;
    live = true;
    return campaign(api, options, { resign$, validUntil: (t) => (validUntil = t) }).pipe(
      finalize(() => {
        live = false;
        validUntil = 0;
        ended?.();
      }),
    );
  }).pipe(share({ connector: () => new ReplaySubject<boolean>(1) }));
  return {
    leader$,
    stepDownGraceMs: timings.leaseDurationMs - timings.renewDeadlineMs,
    isLeader: () => clock.now() < validUntil,
    resign(): Promise<void> {
      resigned ??= new Promise<void>((resolve) => {
        if (!live) return resolve();
        ended = resolve;
        resign$.next();
      });
      return resigned;
    },
  };
}

function timingsOf(options: LeaderElectionOptions): { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number } {
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  if (!(renewDeadlineMs < leaseDurationMs) || !(retryPeriodMs < renewDeadlineMs)) {
    throw new RangeError(
      `leaderElection: need retryPeriodMs (${retryPeriodMs}) < renewDeadlineMs (${renewDeadlineMs}) < leaseDurationMs (${leaseDurationMs})`,
    );
  }
  return { leaseDurationMs, renewDeadlineMs, retryPeriodMs };
}

/** How {@link leaseLeadership} steers a campaign: ends it, and learns until when leadership is valid. */
interface CampaignControl {
  readonly resign$?: Observable<void>;
  /** Told the instant until which this candidate may act as leader (0: not leading). */
  readonly validUntil?: (t: number) => void;
}

function campaign(api: LeaseApi, options: LeaderElectionOptions, control: CampaignControl): Observable<boolean> {
  const { resign$ } = control;
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = timingsOf(options);
  const clock = options.scheduler ?? asyncScheduler;
  const metrics = options.metrics ?? noopMetrics;
  const labels = { name: options.leaseName };
  const { leaseName: name, identity } = options;
  const durationSeconds = Math.max(1, Math.round(leaseDurationMs / 1000));

  /** Clears the holder (duration 1 s); on 409, re-reads and releases if the Lease still names us. */
  const release$ = (known: Lease): Observable<unknown> => {
    const now = microTime(clock.now());
    const releasedOf = (lease: Lease): Lease => {
      const { holderIdentity: _released, ...rest } = lease.spec ?? {};
      void _released;
      return { ...lease, spec: { ...rest, leaseDurationSeconds: 1, acquireTime: now, renewTime: now } };
    };
    // A renewal in flight when we stopped may have changed the Lease after `known` was read.
    return api.replace$(name, releasedOf(known)).pipe(
      catchError((e: unknown) =>
        isConflict(e)
          ? api.get$(name).pipe(mergeMap((current) => (current.spec?.holderIdentity === identity ? api.replace$(name, releasedOf(current)) : EMPTY)))
          : throwError(() => e),
      ),
      catchError((e: unknown) => {
        options.onError?.(e);
        return EMPTY;
      }),
    );
  };

  return new Observable<boolean>((subscriber) => {
    let leading = false;
    /** Start time of the last successful renewal: the server wrote its renewTime after this. */
    let lastRenew = 0;
    let known: Lease | undefined;
    let observed = '';
    let observedAt = 0;
    let active: Subscription | undefined;
    let timer: Subscription | undefined;
    let deadline: Subscription | undefined;
    let closed = false;

    const setLeading = (value: boolean): void => {
      if (!value) control.validUntil?.(0);
      if (leading === value) return;
      leading = value;
      metrics.set(METRICS.leaderElectionMasterStatus, labels, value ? 1 : 0);
      if (!value) {
        deadline?.unsubscribe();
        deadline = undefined;
      }
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

    const schedule = (): void => {
      if (!closed && timer === undefined) timer = clock.schedule(tick, retryPeriodMs);
    };

    // The renew deadline bounds every renewal attempt together: when it passes, the attempt still
    // running is aborted and leadership ends at once, whatever the attempt would have said.
    const stepDownAtDeadline = (): void => {
      deadline = undefined;
      if (!leading) return;
      active?.unsubscribe();
      active = undefined;
      options.onError?.(
        new LeaderElectionError('renewDeadlineExceeded', `could not renew Lease ${name} within ${renewDeadlineMs} ms; stepped down`, { lease: name, identity, renewDeadlineMs }),
      );
      setLeading(false);
      schedule();
    };

    const tick = (): void => {
      timer = undefined;
      const started = clock.now();
      active = attempt().subscribe((result) => {
        active = undefined;
        // An answer that comes after the deadline (the process was frozen, its timers late) counts as a failure.
        if (result === 'held' && clock.now() - started >= renewDeadlineMs) result = 'failed';
        if (result === 'held') {
          lastRenew = started;
          control.validUntil?.(lastRenew + renewDeadlineMs);
          setLeading(true);
          deadline?.unsubscribe();
          deadline = clock.schedule(stepDownAtDeadline, Math.max(0, lastRenew + renewDeadlineMs - clock.now()));
        } else if (leading && (result === 'heldByOther' || clock.now() - lastRenew >= renewDeadlineMs)) {
          setLeading(false);
        }
        schedule();
      });
    };

    const stop = (): void => {
      closed = true;
      active?.unsubscribe();
      timer?.unsubscribe();
      deadline?.unsubscribe();
    };

    metrics.set(METRICS.leaderElectionMasterStatus, labels, 0);
    subscriber.next(false);
    if (resign$ !== undefined) {
      subscriber.add(
        resign$.pipe(take(1)).subscribe(() => {
          stop();
          const held = leading ? known : undefined;
          setLeading(false);
          if (held === undefined) subscriber.complete();
          else subscriber.add(release$(held).subscribe({ complete: () => subscriber.complete() }));
        }),
      );
    }
    tick();

    return () => {
      const held = leading && !closed ? known : undefined;
      stop();
      if (held !== undefined && options.releaseOnCancel !== false) {
        metrics.set(METRICS.leaderElectionMasterStatus, labels, 0);
        // Fire and forget: the subscriber is gone; a failed release only delays the handover until
        // the Lease expires.
        release$(held).subscribe();
      }
    };
  });
}

/** RFC 3339 with microseconds, as `MicroTime` fields need. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
