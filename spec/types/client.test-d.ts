// Type tests of rxkube/client: scopes of Api handles, Promise/Observable twins, typed results.
import type { ConfigMap, Node } from '../../lib/core/api/core/v1.js';
import type { Observable } from 'rxjs';
import { expectTypeOf } from 'expect-type';
import type { ObjectList, PartialObjectMetadata } from '../../lib/core/object.js';
import { resourceType } from '../../lib/core/resource.js';
import type { WatchEvent } from '../../lib/core/response.js';
import { ApiResource } from '../../lib/core/api-resource.js';
import type { DynamicObject } from '../../lib/core/dynamic.js';
import { GroupVersionKind } from '../../lib/core/gvk.js';
import { type AllNamespacesApi, Api, type DeleteResult } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { type AbortedError, type ApiError, ApiError as ApiErrorClass, isAbortedError, isNotFound } from '../../lib/client/errors.js';
import type { RequestOptions } from '../../lib/client/client.js';
import { type ErrorContext, KubeError } from '../../lib/core/errors.js';
import { Patch } from '../../lib/core/patch.js';

const ConfigMapType = resourceType<ConfigMap, 'Namespaced'>({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', scope: 'Namespaced' });
const NodeType = resourceType<Node, 'Cluster'>({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', scope: 'Cluster' });
const client = new Client({ server: 'http://127.0.0.1:8001' });

// Scopes: a cluster-scoped kind cannot get a namespaced handle, nor a namespaced kind a cluster one.
// @ts-expect-error Node is cluster-scoped
Api.namespaced(client, NodeType, 'ns');
// @ts-expect-error Node is cluster-scoped
Api.defaultNamespaced(client, NodeType);
// @ts-expect-error ConfigMap is namespaced
Api.cluster(client, ConfigMapType);
expectTypeOf(Api.namespaced(client, ConfigMapType, 'ns')).toEqualTypeOf<Api<ConfigMap, 'Namespaced'>>();
expectTypeOf(Api.cluster(client, NodeType)).toEqualTypeOf<Api<Node, 'Cluster'>>();
expectTypeOf(Api.all(client, ConfigMapType)).toEqualTypeOf<AllNamespacesApi<ConfigMap>>();
expectTypeOf(Api.all(client, NodeType)).toEqualTypeOf<Api<Node, 'Cluster'>>();
// An all-namespaces handle of a namespaced kind lists and watches only: item methods do not compile.
const everyCm = Api.all(client, ConfigMapType);
expectTypeOf(everyCm.list()).resolves.toEqualTypeOf<ObjectList<ConfigMap>>();
expectTypeOf(everyCm.watch()).toEqualTypeOf<Observable<WatchEvent<ConfigMap>>>();
// @ts-expect-error no item URL without a namespace
void everyCm.get('a');
// @ts-expect-error no item URL without a namespace
void everyCm.get$('a');
// @ts-expect-error no item URL without a namespace
void everyCm.patch('a', Patch.merge({}));
// @ts-expect-error create needs a namespace
void everyCm.create({ metadata: { name: 'a' } });
// @ts-expect-error the server has no delete collection across namespaces
void everyCm.deleteCollection();
// A cluster-scoped kind keeps its item methods.
expectTypeOf(Api.all(client, NodeType).get('n')).resolves.toEqualTypeOf<Node>();

// Every Promise method takes { signal } last; AbortedError is recognised by its guard.
expectTypeOf(Api.namespaced(client, ConfigMapType, 'ns').get).parameter(2).toEqualTypeOf<RequestOptions | undefined>();
expectTypeOf(Api.namespaced(client, ConfigMapType, 'ns').delete).parameter(2).toEqualTypeOf<RequestOptions | undefined>();
expectTypeOf(Api.namespaced(client, ConfigMapType, 'ns').getStatus).parameter(1).toEqualTypeOf<RequestOptions | undefined>();
declare const unknownError: unknown;
if (isAbortedError(unknownError)) expectTypeOf(unknownError).toEqualTypeOf<AbortedError>();
// instanceof still narrows (the classes define Symbol.hasInstance for the dual-package case).
if (unknownError instanceof ApiErrorClass) expectTypeOf(unknownError.code).toEqualTypeOf<number>();
if (unknownError instanceof KubeError) expectTypeOf(unknownError.context).toEqualTypeOf<ErrorContext>();
const Widgets = ApiResource.fromGvk(GroupVersionKind.of('example.com', 'v1', 'Widget'), 'widgets');
expectTypeOf(Api.dynamic(client, Widgets, 'ns')).toEqualTypeOf<Api<DynamicObject, 'Namespaced'>>();
expectTypeOf(Api.dynamic(client, Widgets).get('w')).resolves.toEqualTypeOf<DynamicObject>();

// Promise methods and their Observable twins.
const cms = Api.namespaced(client, ConfigMapType, 'ns');
expectTypeOf(cms.get('a')).resolves.toEqualTypeOf<ConfigMap>();
expectTypeOf(cms.get$('a')).toEqualTypeOf<Observable<ConfigMap>>();
expectTypeOf(cms.getOpt('a')).resolves.toEqualTypeOf<ConfigMap | undefined>();
expectTypeOf(cms.list$()).toEqualTypeOf<Observable<ObjectList<ConfigMap>>>();
expectTypeOf(cms.listMetadata$()).toEqualTypeOf<Observable<ObjectList<PartialObjectMetadata>>>();
expectTypeOf(cms.watch()).toEqualTypeOf<Observable<WatchEvent<ConfigMap>>>();
expectTypeOf(cms.watchMetadata()).toEqualTypeOf<Observable<WatchEvent<PartialObjectMetadata>>>();
expectTypeOf(cms.delete('a')).resolves.toEqualTypeOf<DeleteResult<ConfigMap>>();

// Server-side apply needs a field manager, and takes partial objects.
// @ts-expect-error fieldManager is required
void cms.apply('a', { data: { k: 'v' } }, {});
void cms.apply('a', { data: { k: 'v' } }, { fieldManager: 'me' });
// @ts-expect-error a ConfigMap has no spec
void cms.apply('a', { spec: {} }, { fieldManager: 'me' });

// Guards narrow to ApiError.
const e: unknown = new Error();
if (isNotFound(e)) expectTypeOf(e).toEqualTypeOf<ApiError>();
