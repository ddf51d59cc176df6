// Type tests of rxkube/core: scope literal types of the built-in descriptors, the object types they
// carry (generated from the API server's OpenAPI), dynamic resources, ObjectRef, selectors and the error boundary.
// Checked by `npm run typecheck`; nothing here runs.
import { expectTypeOf } from 'expect-type';
import type * as appsV1 from '../../lib/core/api/apps/v1.js';
import type * as coreV1 from '../../lib/core/api/core/v1.js';
import type * as eventsV1 from '../../lib/core/api/events/v1.js';
import { ApiResource } from '../../lib/core/api-resource.js';
import type { apiregistrationV1, networkingV1, resourceV1 } from '../../lib/core/index.js';
import {
  APIService,
  ConfigMap,
  CoreEvent,
  CustomResourceDefinition,
  Deployment,
  Event,
  Namespace,
  Node,
  Pod,
  ResourceClaim,
  ServiceCIDR,
} from '../../lib/core/builtins.js';
import type { DynamicObject } from '../../lib/core/dynamic.js';
import { DynamicObject as DynamicObjectHelpers } from '../../lib/core/dynamic.js';
import { decodeGuard, type DecodeError, type MaybeValid, parseWatchLine } from '../../lib/core/error-boundary.js';
import { GroupVersionKind } from '../../lib/core/gvk.js';
import { LabelSelector, type LabelRequirement } from '../../lib/core/label-selector.js';
import type { IntOrString, KubeResource, Quantity } from '../../lib/core/object.js';
import { ObjectRef } from '../../lib/core/object-ref.js';
import { resourceType, type KubeObject, type ObjectOf, type ResourceType, type Scope, type ScopeOf } from '../../lib/core/resource.js';
import type { WatchEvent } from '../../lib/core/response.js';

// Scope literals.
expectTypeOf<ScopeOf<typeof Pod>>().toEqualTypeOf<'Namespaced'>();
expectTypeOf<ScopeOf<typeof Deployment>>().toEqualTypeOf<'Namespaced'>();
expectTypeOf<ScopeOf<typeof Node>>().toEqualTypeOf<'Cluster'>();
expectTypeOf<ScopeOf<typeof Namespace>>().toEqualTypeOf<'Cluster'>();
expectTypeOf<ScopeOf<typeof CustomResourceDefinition>>().toEqualTypeOf<'Cluster'>();
expectTypeOf(Pod.scope).toEqualTypeOf<'Namespaced'>();
// @ts-expect-error Node is not namespaced
expectTypeOf<ScopeOf<typeof Node>>().toEqualTypeOf<'Namespaced'>();

// Object types are generated from the server's OpenAPI v3; the descriptor name is also the type.
expectTypeOf<ObjectOf<typeof Pod>>().toEqualTypeOf<coreV1.Pod>();
expectTypeOf<ObjectOf<typeof Node>>().toEqualTypeOf<coreV1.Node>();
expectTypeOf<ObjectOf<typeof ConfigMap>>().toEqualTypeOf<coreV1.ConfigMap>();
expectTypeOf<ObjectOf<typeof Deployment>>().toEqualTypeOf<appsV1.Deployment>();
expectTypeOf<ObjectOf<typeof Event>>().toEqualTypeOf<eventsV1.Event>();
expectTypeOf<ObjectOf<typeof CoreEvent>>().toEqualTypeOf<coreV1.Event>();
expectTypeOf<Pod>().toEqualTypeOf<coreV1.Pod>();
// Kinds newer than kubernetes-types 1.30 are typed too (they were KubeResource before), through the public namespaces.
expectTypeOf<ObjectOf<typeof ServiceCIDR>>().toEqualTypeOf<networkingV1.ServiceCIDR>();
expectTypeOf<ObjectOf<typeof APIService>>().toEqualTypeOf<apiregistrationV1.APIService>();
expectTypeOf<ObjectOf<typeof ResourceClaim>>().toEqualTypeOf<resourceV1.ResourceClaim>();
expectTypeOf<ServiceCIDR>().not.toEqualTypeOf<KubeResource>();
// apiVersion and kind are literals of the kind; a wrong pair does not compile.
expectTypeOf<NonNullable<Pod['apiVersion']>>().toEqualTypeOf<'v1'>();
expectTypeOf<NonNullable<Deployment['kind']>>().toEqualTypeOf<'Deployment'>();
// @ts-expect-error a Deployment is apps/v1
const wrongVersion: Deployment = { apiVersion: 'v1', kind: 'Deployment' };
void wrongVersion;
// int-or-string and quantity as the API defines them.
expectTypeOf<IntOrString>().toEqualTypeOf<number | string>();
expectTypeOf<Quantity>().toEqualTypeOf<string | number>();
expectTypeOf<NonNullable<coreV1.ServicePort['targetPort']>>().toEqualTypeOf<IntOrString>();
expectTypeOf<NonNullable<coreV1.ResourceRequirements['limits']>>().toEqualTypeOf<{ [key: string]: Quantity }>();
// Required fields are required: a container needs a name.
// @ts-expect-error name is required
const noName: coreV1.Container = { image: 'nginx' };
void noName;
const pod: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
// @ts-expect-error a ConfigMap has no spec
const badCm: ConfigMap = { metadata: { name: 'c' }, spec: {} };
void pod;
void badCm;

// Hand-written descriptors keep their literal scope too.
const Widget = resourceType<KubeResource<{ size: number }>, 'Cluster'>({ group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', scope: 'Cluster' });
expectTypeOf<ScopeOf<typeof Widget>>().toEqualTypeOf<'Cluster'>();
expectTypeOf<ObjectOf<typeof Widget>>().toEqualTypeOf<KubeResource<{ size: number }>>();

// Dynamic resources are ResourceTypes of DynamicObject.
const widgets = ApiResource.fromGvk(GroupVersionKind.of('example.com', 'v1', 'Widget'), 'widgets');
expectTypeOf(widgets).toMatchTypeOf<ResourceType<DynamicObject, 'Namespaced'>>();
expectTypeOf(ApiResource.fromGvk(GroupVersionKind.of('', 'v1', 'Node'), 'nodes', 'Cluster').scope).toEqualTypeOf<'Cluster'>();
expectTypeOf(ApiResource.fromResourceType(Node).scope).toEqualTypeOf<'Cluster'>();
expectTypeOf<ObjectOf<typeof widgets>>().toEqualTypeOf<DynamicObject>();
expectTypeOf<DynamicObject>().toMatchTypeOf<KubeObject>();
expectTypeOf(DynamicObjectHelpers.tryParse({}, Pod)).toEqualTypeOf<coreV1.Pod>();
expectTypeOf(ApiResource.fromDiscovery('v1', [])).toEqualTypeOf<ApiResource<DynamicObject, Scope>[]>();

// ObjectRef carries the object type.
expectTypeOf(ObjectRef.from(Deployment, 'web', 'ns')).toEqualTypeOf<ObjectRef<appsV1.Deployment>>();
expectTypeOf(ObjectRef.fromObject(pod)).toEqualTypeOf<ObjectRef<coreV1.Pod>>();
expectTypeOf(ObjectRef.key).returns.toEqualTypeOf<string>();
const anyRef: ObjectRef = ObjectRef.from(Pod, 'p');
void anyRef;

// Label requirements are a discriminated union on operator.
const r = {} as LabelRequirement;
if (r.operator === 'In') expectTypeOf(r.values).toEqualTypeOf<readonly string[]>();
if (r.operator === 'Equals') expectTypeOf(r.value).toEqualTypeOf<string>();
// @ts-expect-error Exists has no values
const exists: LabelRequirement = { key: 'a', operator: 'Exists', values: ['x'] };
void exists;
expectTypeOf(LabelSelector.parse('a=b').matches).parameter(0).toEqualTypeOf<Readonly<Record<string, string>> | undefined>();

// The error boundary returns values, not exceptions.
const isPod = (o: unknown): o is coreV1.Pod => typeof o === 'object';
expectTypeOf(decodeGuard({}, isPod)).toEqualTypeOf<MaybeValid<coreV1.Pod>>();
expectTypeOf(decodeGuard({}, (o) => o as { a: 1 })).toEqualTypeOf<MaybeValid<{ a: 1 }>>();
expectTypeOf(parseWatchLine<coreV1.Pod>('')).toEqualTypeOf<WatchEvent<coreV1.Pod> | DecodeError>();
const m = decodeGuard({}, isPod);
if (m.ok) expectTypeOf(m.value).toEqualTypeOf<coreV1.Pod>();
else expectTypeOf(m.error).toEqualTypeOf<DecodeError>();
