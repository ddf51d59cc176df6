/**
 * An event recorder for `events.k8s.io/v1`: publishes what a controller did to an object as
 * Kubernetes Events. Repeats of the same event within 6 minutes become a series (one Event whose
 * `series.count` and `series.lastObservedTime` are updated by a PATCH) instead of new objects, and
 * a token bucket per object stops one misbehaving object from flooding the API.
 *
 * @module
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { ObjectReference } from '../core/api/core/v1.js';
import type { Event as KubeEvent } from '../core/api/events/v1.js';
import { ERROR_BRAND, KubeError } from '../core/errors.js';
import { Patch } from '../core/patch.js';
import type { RequestOptions } from '../client/client.js';
import { isNotFound } from '../client/errors.js';
import type { PatchParams, PostParams } from '../core/params.js';

export type { KubeEvent };

/**
 * One event to publish.
 *
 * ## Example
 * ```ts
 * const event: EventInput = { type: 'Normal', reason: 'Created', action: 'Reconcile', note: 'created ConfigMap web-config' };
 * ```
 */
export interface EventInput {
  /** `Normal` for routine events, `Warning` for problems. */
  type: 'Normal' | 'Warning';
  /** Why the action was taken, UpperCamelCase, at most 128 characters (e.g. `Created`). */
  reason: string;
  /** What was done or failed, UpperCamelCase, at most 128 characters (e.g. `Reconcile`). */
  action: string;
  /** Human-readable details, at most 1 kB. */
  note?: string;
  /** A second object involved (e.g. the ConfigMap a Widget created). */
  secondary?: ObjectReference;
}

/**
 * What an events API must offer, in one namespace (an `Api<Event>` satisfies it). `options.signal`
 * is the one given to {@link EventRecorder.publish}.
 *
 * ## Example
 * ```ts
 * const events: EventApi = Api.namespaced(client, Event, 'default');
 * ```
 */
export interface EventApi {
  create(event: KubeEvent, params?: PostParams, options?: RequestOptions): Promise<KubeEvent>;
  patch(name: string, patch: Patch, params?: PatchParams, options?: RequestOptions): Promise<KubeEvent>;
}

/** Settings of {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** The controller's name, e.g. `example.com/widget-controller`. Required by the API. */
  reportingController: string;
  /** This replica, e.g. the pod name. Required by the API. */
  reportingInstance: string;
  /** Repeats within this many ms join a series. @default 360_000 (6 minutes) */
  seriesWindowMs?: number;
  /** Events one object may publish at once before the rate limit applies. @default 25 (client-go) */
  burst?: number;
  /** One more event is allowed per object every this many ms. @default 300_000 (client-go) */
  refillMs?: number;
  /** Clock of timestamps, series windows and the rate limit. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * What happened to a published event.
 * - `created`: a new Event object; `series`: an existing one got `series.count` = `count`;
 * - `dropped`: the object's rate limit was exhausted and nothing was sent.
 */
export type PublishResult =
  | { readonly type: 'created'; readonly name: string }
  | { readonly type: 'series'; readonly name: string; readonly count: number }
  | { readonly type: 'dropped' };

/**
 * A failure to write an Event (`cause` is the API error); names the regarding object and reason.
 *
 * ## Example
 * ```ts
 * recorder.publish(event, ref).catch((e: EventRecorderError) => log.warn(e.message));
 * ```
 */
export class EventRecorderError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.EventRecorderError';
  override readonly name: string = 'EventRecorderError';
}

interface SeriesEntry {
  name: string;
  namespace: string;
  count: number;
  lastSeen: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Publishes `events.k8s.io/v1` Events about objects.
 *
 * ## Example
 * ```ts
 * const recorder = new EventRecorder((ns) => Api.namespaced(client, EventType, ns), {
 *   reportingController: 'example.com/widgets',
 *   reportingInstance: process.env.POD_NAME ?? 'local',
 * });
 * await recorder.publish({ type: 'Normal', reason: 'Created', action: 'Reconcile', note: 'made web-config' }, objectReference(widget));
 * ```
 */
export class EventRecorder {
  private readonly series = new Map<string, SeriesEntry>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly clock: SchedulerLike;
  private readonly windowMs: number;
  private readonly burst: number;
  private readonly refillMs: number;
  private sequence = 0;
  private lastSweep = 0;

  /**
   * @param eventsApi Gives the events API of a namespace.
   * @param options Reporting identity, series window and rate limit.
   */
  constructor(
    private readonly eventsApi: (namespace: string) => EventApi,
    private readonly options: EventRecorderOptions,
  ) {
    if (!options.reportingController || !options.reportingInstance) {
      throw new EventRecorderError('EventRecorder needs reportingController and reportingInstance (the API rejects events without them)');
    }
    this.clock = options.scheduler ?? asyncScheduler;
    this.windowMs = options.seriesWindowMs ?? 360_000;
    this.burst = options.burst ?? 25;
    this.refillMs = options.refillMs ?? 300_000;
  }

  /**
   * Publishes `event` about `regarding`. Publishes about the same object are sent one at a time,
   * in order. A repeat (same regarding object, type, reason, action, reporting controller and
   * secondary object; the note may differ, as in client-go and kube-rs) within the series window
   * PATCHes the earlier Event's series (the API keeps an Event's note immutable, so the series
   * shows the first note); otherwise a new Event is created in the object's namespace (`default`
   * for cluster-scoped objects). `options.signal` (a reconcile's `info.signal`, say) cancels the
   * request; the rejection is an `EventRecorderError` whose `cause` is the `AbortedError`.
   *
   * ## Example
   * ```ts
   * await recorder.publish({ type: 'Warning', reason: 'Failed', action: 'Reconcile', note: String(error) }, objectReference(widget));
   * ```
   */
  publish(event: EventInput, regarding: ObjectReference, options: RequestOptions = {}): Promise<PublishResult> {
    const objectKey = `${regarding.apiVersion ?? ''}/${regarding.kind ?? ''}/${regarding.namespace ?? ''}/${regarding.name ?? ''}`;
    const previous = this.queues.get(objectKey) ?? Promise.resolve();
    const next = previous.then(
      () => this.send(event, regarding, objectKey, options),
      () => this.send(event, regarding, objectKey, options),
    );
    this.queues.set(objectKey, next);
    void next.finally(() => {
      if (this.queues.get(objectKey) === next) this.queues.delete(objectKey);
    }).catch(() => undefined);
    return next;
  }

  private async send(event: EventInput, regarding: ObjectReference, objectKey: string, options: RequestOptions): Promise<PublishResult> {
    const now = this.clock.now();
    this.forgetOld(now);
    if (!this.take(objectKey, now)) return { type: 'dropped' };
    const namespace = regarding.namespace || 'default';
    const api = this.eventsApi(namespace);
    const seriesKey = seriesKeyOf(event, regarding, this.options.reportingController);
    const found = this.series.get(seriesKey);
    const existing = found !== undefined && now - found.lastSeen <= this.windowMs ? found : undefined;
    const context = { regarding: objectKey, reason: event.reason };
    if (existing !== undefined) {
      const count = existing.count + 1;
      try {
        await api.patch(existing.name, Patch.merge({ series: { count, lastObservedTime: microTime(now) } }), {}, options);
        existing.count = count;
        existing.lastSeen = now;
        return { type: 'series', name: existing.name, count };
      } catch (cause) {
        if (!isNotFound(cause)) {
          throw new EventRecorderError(`updating the series of event ${existing.name} (${event.reason}) about ${objectKey} failed`, { cause, context });
        }
        this.series.delete(seriesKey); // the Event expired or was deleted: start a new one
      }
    }
    const name = `${regarding.name ?? 'object'}.${(now * 1000 + (this.sequence++ % 1000)).toString(16)}`;
    const body: KubeEvent = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: microTime(now),
      reportingController: this.options.reportingController,
      reportingInstance: this.options.reportingInstance,
      regarding,
      type: event.type,
      reason: event.reason,
      action: event.action,
      ...(event.note !== undefined ? { note: event.note } : {}),
      ...(event.secondary !== undefined ? { related: event.secondary } : {}),
    };
    try {
      await api.create(body, {}, options);
    } catch (cause) {
      throw new EventRecorderError(`creating event ${event.reason} about ${objectKey} failed`, { cause, context });
    }
    this.series.set(seriesKey, { name, namespace, count: 1, lastSeen: now });
    return { type: 'created', name };
  }

  /** Token bucket per object: `burst` tokens, one more every `refillMs`. */
  private take(objectKey: string, now: number): boolean {
    const bucket = this.buckets.get(objectKey) ?? { tokens: this.burst, at: now };
    const refill = this.refillMs > 0 ? Math.floor((now - bucket.at) / this.refillMs) : Infinity;
    if (refill > 0) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + refill);
      bucket.at = refill === Infinity ? now : bucket.at + refill * this.refillMs;
    }
    this.buckets.set(objectKey, bucket);
    if (bucket.tokens <= 0) return false;
    bucket.tokens--;
    return true;
  }

  /** Drops series older than the window and full buckets that have been idle: memory stays bounded. */
  private forgetOld(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, entry] of this.series) if (now - entry.lastSeen > this.windowMs) this.series.delete(key);
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens >= this.burst && now - bucket.at > this.refillMs) this.buckets.delete(key);
    }
  }
}

/** The fields of an object reference that identify it, in a fixed order. */
function refKey(ref: ObjectReference | undefined): readonly string[] | null {
  if (ref === undefined) return null;
  return [ref.apiVersion ?? '', ref.kind ?? '', ref.namespace ?? '', ref.name ?? '', ref.uid ?? '', ref.fieldPath ?? ''];
}

/**
 * What makes repeats one series: the regarding and related objects, the type, reason, action and
 * reporting controller. Not the note: a note that names a changing detail (an error message, a
 * count) must not split the series (client-go's `getKey` and kube-rs's `EventKey` leave it out too;
 * both keep the type, so a Warning never joins a Normal series).
 */
function seriesKeyOf(event: EventInput, regarding: ObjectReference, reportingController: string): string {
  return JSON.stringify([refKey(regarding), refKey(event.secondary), event.type, event.reason, event.action, reportingController]);
}

/** RFC 3339 with microseconds, as `MicroTime` fields need. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
