/**
 * The Kubernetes v1.36.3 API types, one namespace per API package (`coreV1`, `appsV1`, `metaV1`, ...), generated
 * from the API server's OpenAPI v3 documents by `scripts/gen-builtins.mjs`; do not edit by hand. The object type
 * of each kind is also exported under the name of its descriptor (`Pod`, `Deployment`, ...).
 *
 * ## Example
 * ```ts
 * import type { coreV1 } from 'rxkube/core';
 *
 * const container: coreV1.Container = { name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] };
 * ```
 *
 * @module
 */

/** Types of `admissionregistration/v1`. */
export type * as admissionregistrationV1 from './admissionregistration/v1.js';

/** Types of `api/resource`. */
export type * as apiResource from './api/resource.js';

/** Types of `apiextensions/v1`. */
export type * as apiextensionsV1 from './apiextensions/v1.js';

/** Types of `apiregistration/v1`. */
export type * as apiregistrationV1 from './apiregistration/v1.js';

/** Types of `apps/v1`. */
export type * as appsV1 from './apps/v1.js';

/** Types of `authentication/v1`. */
export type * as authenticationV1 from './authentication/v1.js';

/** Types of `authorization/v1`. */
export type * as authorizationV1 from './authorization/v1.js';

/** Types of `autoscaling/v1`. */
export type * as autoscalingV1 from './autoscaling/v1.js';

/** Types of `autoscaling/v2`. */
export type * as autoscalingV2 from './autoscaling/v2.js';

/** Types of `batch/v1`. */
export type * as batchV1 from './batch/v1.js';

/** Types of `certificates/v1`. */
export type * as certificatesV1 from './certificates/v1.js';

/** Types of `coordination/v1`. */
export type * as coordinationV1 from './coordination/v1.js';

/** Types of `core/v1`. */
export type * as coreV1 from './core/v1.js';

/** Types of `discovery/v1`. */
export type * as discoveryV1 from './discovery/v1.js';

/** Types of `events/v1`. */
export type * as eventsV1 from './events/v1.js';

/** Types of `flowcontrol/v1`. */
export type * as flowcontrolV1 from './flowcontrol/v1.js';

/** Types of `meta/v1`. */
export type * as metaV1 from './meta/v1.js';

/** Types of `networking/v1`. */
export type * as networkingV1 from './networking/v1.js';

/** Types of `node/v1`. */
export type * as nodeV1 from './node/v1.js';

/** Types of `policy/v1`. */
export type * as policyV1 from './policy/v1.js';

/** Types of `rbac/v1`. */
export type * as rbacV1 from './rbac/v1.js';

/** Types of `resource/v1`. */
export type * as resourceV1 from './resource/v1.js';

/** Types of `runtime`. */
export type * as runtime from './runtime.js';

/** Types of `scheduling/v1`. */
export type * as schedulingV1 from './scheduling/v1.js';

/** Types of `storage/v1`. */
export type * as storageV1 from './storage/v1.js';

/** Types of `util/intstr`. */
export type * as utilIntstr from './util/intstr.js';
