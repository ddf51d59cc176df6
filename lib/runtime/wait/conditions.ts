/**
 * Conditions for {@link awaitCondition}: predicates on an object's state (`undefined` when it
 * does not exist), with the `and`/`or`/`not` combinators.
 *
 * @module
 */
import type { CustomResourceDefinition } from '../../core/api/apiextensions/v1.js';
import type { Deployment } from '../../core/api/apps/v1.js';
import type { Job } from '../../core/api/batch/v1.js';
import type { Pod, Service } from '../../core/api/core/v1.js';
import type { Ingress } from '../../core/api/networking/v1.js';
import type { KubeObject } from '../../core/resource.js';

/**
 * A condition on an object's current state; `undefined` means the object does not exist.
 *
 * ## Example
 * ```ts
 * const hasData: Condition<ConfigMap> = (cm) => cm?.data?.ready === 'true';
 * ```
 */
export type Condition<K> = (object: K | undefined) => boolean;

function named<K>(name: string, fn: Condition<K>): Condition<K> {
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

function conditionTrue(conditions: readonly { type: string; status: string }[] | undefined, type: string): boolean {
  return conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}

/**
 * The object is gone, or replaced by another of the same name (a different uid).
 *
 * ## Example
 * ```ts
 * await awaitCondition(api, 'web', isDeleted(pod.metadata!.uid!));
 * ```
 */
export function isDeleted<K extends KubeObject>(uid: string): Condition<K> {
  return named(`isDeleted(${uid})`, (o) => o === undefined || o.metadata?.uid !== uid);
}

/**
 * The object exists.
 *
 * ## Example
 * ```ts
 * await awaitCondition(api, 'settings', isCreated());
 * ```
 */
export function isCreated<K>(): Condition<K> {
  return named('isCreated', (o) => o !== undefined);
}

/**
 * The CRD is `Established` (its API is served).
 *
 * ## Example
 * ```ts
 * await awaitCondition(crdApi, 'widgets.example.com', isCrdEstablished(), { timeout: 10_000 });
 * ```
 */
export function isCrdEstablished(): Condition<CustomResourceDefinition> {
  return named('isCrdEstablished', (crd) => conditionTrue(crd?.status?.conditions, 'Established'));
}

/**
 * The pod's phase is `Running`.
 *
 * ## Example
 * ```ts
 * await awaitCondition(podApi, 'web-0', isPodRunning());
 * ```
 */
export function isPodRunning(): Condition<Pod> {
  return named('isPodRunning', (pod) => pod?.status?.phase === 'Running');
}

/**
 * The job has the `Complete` condition.
 *
 * ## Example
 * ```ts
 * await awaitCondition(jobApi, 'migrate', isJobCompleted());
 * ```
 */
export function isJobCompleted(): Condition<Job> {
  return named('isJobCompleted', (job) => conditionTrue(job?.status?.conditions, 'Complete'));
}

/**
 * The rollout is complete, as `kubectl rollout status` judges it: the controller observed the
 * latest generation and every desired replica is updated and available.
 *
 * ## Example
 * ```ts
 * await awaitCondition(deployApi, 'web', isDeploymentCompleted(), { timeout: 120_000 });
 * ```
 */
export function isDeploymentCompleted(): Condition<Deployment> {
  return named('isDeploymentCompleted', (d) => {
    if (d === undefined) return false;
    const s = d.status;
    if (s === undefined || (s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return false;
    const desired = d.spec?.replicas ?? 1;
    const updated = s.updatedReplicas ?? 0;
    if (updated < desired) return false;
    if ((s.replicas ?? 0) > updated) return false;
    return (s.availableReplicas ?? 0) >= updated;
  });
}

/**
 * A `LoadBalancer` service got an address (other service types count as provisioned).
 *
 * ## Example
 * ```ts
 * await awaitCondition(svcApi, 'web', isServiceLoadBalancerProvisioned());
 * ```
 */
export function isServiceLoadBalancerProvisioned(): Condition<Service> {
  return named('isServiceLoadBalancerProvisioned', (svc) => {
    if (svc === undefined) return false;
    if (svc.spec?.type !== 'LoadBalancer') return true;
    return (svc.status?.loadBalancer?.ingress?.length ?? 0) > 0;
  });
}

/**
 * The ingress got an address.
 *
 * ## Example
 * ```ts
 * await awaitCondition(ingressApi, 'web', isIngressProvisioned());
 * ```
 */
export function isIngressProvisioned(): Condition<Ingress> {
  return named('isIngressProvisioned', (ing) => (ing?.status?.loadBalancer?.ingress?.length ?? 0) > 0);
}

/**
 * Combinators of conditions.
 *
 * ## Example
 * ```ts
 * const done = Conditions.or(isJobCompleted(), isDeleted(uid));
 * const notRunning = Conditions.not(isPodRunning());
 * ```
 */
export const Conditions = Object.freeze({
  /** Every condition holds. */
  and<K>(...conditions: Condition<K>[]): Condition<K> {
    return named(`and(${conditions.map((c) => c.name).join(', ')})`, (o) => conditions.every((c) => c(o)));
  },
  /** At least one condition holds. */
  or<K>(...conditions: Condition<K>[]): Condition<K> {
    return named(`or(${conditions.map((c) => c.name).join(', ')})`, (o) => conditions.some((c) => c(o)));
  },
  /** The condition does not hold. */
  not<K>(condition: Condition<K>): Condition<K> {
    return named(`not(${condition.name})`, (o) => !condition(o));
  },
});
