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
import { Api, type DeleteResult } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { type ApiError, isNotFound } from '../../lib/client/errors.js';

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
expectTypeOf(Api.all(client, ConfigMapType)).toEqualTypeOf<Api<ConfigMap, 'Namespaced'>>();
expectTypeOf(Api.all(client, NodeType)).toEqualTypeOf<Api<Node, 'Cluster'>>();
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
