// Type tests of rxkube/runtime's watch side: an Api satisfies WatchSource, events narrow by type,
// stores and stream utilities keep the object type, conditions are typed per kind.
import type { ConfigMap, Pod } from '../../lib/core/api/core/v1.js';
import type { Observable } from 'rxjs';
import { expectTypeOf } from 'expect-type';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { ConfigMap as ConfigMapType, Pod as PodType } from '../../lib/core/builtins.js';
import type { PartialObjectMetadata } from '../../lib/core/object.js';
import { metadataWatcher } from '../../lib/runtime/metadata-watcher.js';
import { Predicates } from '../../lib/runtime/predicates.js';
import { reflector } from '../../lib/runtime/reflector.js';
import { store, type Store } from '../../lib/runtime/store.js';
import { appliedObjects } from '../../lib/runtime/utils/applied-objects.js';
import { predicateFilter } from '../../lib/runtime/utils/predicate-filter.js';
import { awaitCondition } from '../../lib/runtime/wait/await-condition.js';
import { Conditions, isCrdEstablished, isDeleted, isPodRunning } from '../../lib/runtime/wait/conditions.js';
import { watchObject } from '../../lib/runtime/watch-object.js';
import { watcher, watcherWithErrors, type WatchSource } from '../../lib/runtime/watcher.js';
import type { WatcherError } from '../../lib/runtime/watcher-error.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';

const client = new Client({ server: 'http://127.0.0.1:8001' });
const cms = Api.namespaced(client, ConfigMapType, 'default');
const pods = Api.namespaced(client, PodType, 'default');

// Every Api is a WatchSource of its kind.
expectTypeOf(cms).toMatchTypeOf<WatchSource<ConfigMap>>();
expectTypeOf(watcher(cms)).toEqualTypeOf<Observable<WatcherEvent<ConfigMap>>>();
expectTypeOf(metadataWatcher(pods)).toEqualTypeOf<Observable<WatcherEvent<PartialObjectMetadata>>>();
expectTypeOf(watchObject(cms, 'x')).toEqualTypeOf<Observable<ConfigMap | undefined>>();

// Events narrow on `type`: only object-carrying variants have `object`.
declare const e: WatcherEvent<ConfigMap>;
if (e.type === 'apply' || e.type === 'initApply' || e.type === 'delete') expectTypeOf(e.object).toEqualTypeOf<ConfigMap>();
// @ts-expect-error `init` carries no object
if (e.type === 'init') void e.object;

// Errors come as their own variant of watcherWithErrors.
watcherWithErrors(cms).subscribe((item) => {
  if (item.type === 'error') expectTypeOf(item.error).toEqualTypeOf<WatcherError>();
});

// Stores keep the kind; the reflector passes the events on unchanged.
const { reader, writer } = store<ConfigMap>();
expectTypeOf(reader).toEqualTypeOf<Store<ConfigMap>>();
expectTypeOf(reader.get({ name: 'x', namespace: 'ns' })).toEqualTypeOf<ConfigMap | undefined>();
expectTypeOf(reflector(writer, watcher(cms))).toEqualTypeOf<Observable<WatcherEvent<ConfigMap>>>();
// @ts-expect-error a Pod stream cannot feed a ConfigMap store
reflector(writer, watcher(pods));

// Stream utilities and predicates keep the object type.
expectTypeOf(watcher(pods).pipe(predicateFilter(Predicates.generation), appliedObjects())).toEqualTypeOf<Observable<Pod>>();

// Conditions are typed per kind.
expectTypeOf(awaitCondition(pods, 'web', isPodRunning())).toEqualTypeOf<Promise<Pod | undefined>>();
awaitCondition(pods, 'web', Conditions.or(isPodRunning(), isDeleted<Pod>('uid')));
// @ts-expect-error a CRD condition does not apply to pods
awaitCondition(pods, 'web', isCrdEstablished());
