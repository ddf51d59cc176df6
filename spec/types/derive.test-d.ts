// Type tests of rxkube/derive: the object type inferred from a definition's schema is what a user
// expects, and wrong fields are compile errors. Checked by `npm run typecheck`.
import { expectTypeOf } from 'expect-type';
import { Api } from '../../lib/client/api.js';
import type { Client } from '../../lib/client/client.js';
import type { ObjectMeta } from '../../lib/core/object.js';
import type { ObjectOf, ResourceType, ScopeOf } from '../../lib/core/resource.js';
import { type InferSchema, defineCustomResource } from '../../lib/derive/index.js';
import { Widget, WidgetV1alpha1 } from '../derive/fixtures/widget.js';

type W = ObjectOf<typeof Widget>;

// The whole object: literal apiVersion and kind, metadata, a required spec, an optional status.
expectTypeOf<W['apiVersion']>().toEqualTypeOf<'derive.rxkube.test/v1'>();
expectTypeOf<W['kind']>().toEqualTypeOf<'Widget'>();
expectTypeOf<W['metadata']>().toEqualTypeOf<ObjectMeta>();
expectTypeOf<ScopeOf<typeof Widget>>().toEqualTypeOf<'Namespaced'>();

// spec: required fields required, enums as unions, int-or-string, maps, map lists, sets,
// an embedded resource, a nullable preserve-unknown-fields object.
expectTypeOf<W['spec']>().toEqualTypeOf<{
  size: 'small' | 'large';
  replicas: number;
  port?: number | string;
  color?: string;
  labels?: Record<string, string>;
  ports?: { name: string; port?: number }[];
  tags?: string[];
  template?: { [field: string]: unknown; apiVersion: string; kind: string; metadata?: ObjectMeta };
  extra?: { [field: string]: unknown } | null;
}>();

// status is optional and inferred from its own schema.
expectTypeOf<W['status']>().toEqualTypeOf<{ replicas?: number; selector?: string; phase?: 'Pending' | 'Ready' } | undefined>();

// A version without a status schema has no status field.
type Old = ObjectOf<typeof WidgetV1alpha1>;
expectTypeOf<Old>().toEqualTypeOf<{
  apiVersion: 'derive.rxkube.test/v1alpha1';
  kind: 'Widget';
  metadata: ObjectMeta;
  spec: { count?: number };
}>();

// The definition is a ResourceType of that object and scope (what Api.namespaced(...) takes).
expectTypeOf(Widget).toMatchTypeOf<ResourceType<W, 'Namespaced'>>();
const Gadget = defineCustomResource({
  group: 'derive.rxkube.test',
  version: 'v1',
  kind: 'Gadget',
  scope: 'Cluster',
  spec: { type: 'object', properties: { on: { type: 'boolean' } } },
});
expectTypeOf(Gadget.scope).toEqualTypeOf<'Cluster'>();
// @ts-expect-error a cluster-scoped kind is not a namespaced ResourceType
const namespaced: ResourceType<ObjectOf<typeof Gadget>, 'Namespaced'> = Gadget;
void namespaced;

// ...and Api takes it as it is: typed objects in and out, scope checked.
declare const client: Client;
const widgets = Api.namespaced(client, Widget, 'default');
expectTypeOf(widgets.get('w')).resolves.toEqualTypeOf<W>();
expectTypeOf(Api.cluster(client, Gadget).get('g')).resolves.toEqualTypeOf<ObjectOf<typeof Gadget>>();
// @ts-expect-error Gadget is cluster-scoped
Api.namespaced(client, Gadget, 'default');
// @ts-expect-error Widget is namespaced
Api.cluster(client, Widget);

// Objects typed W catch mistakes at compile time.
const ok: W = {
  apiVersion: 'derive.rxkube.test/v1',
  kind: 'Widget',
  metadata: { name: 'w' },
  spec: { size: 'small', replicas: 1, port: 'http' },
};
void ok;

const wrongField: W = {
  apiVersion: 'derive.rxkube.test/v1',
  kind: 'Widget',
  metadata: { name: 'w' },
  // @ts-expect-error `sise` is not a field of the spec
  spec: { sise: 'small', replicas: 1 },
};
void wrongField;

const wrongEnum: W = {
  apiVersion: 'derive.rxkube.test/v1',
  kind: 'Widget',
  metadata: {},
  // @ts-expect-error 'medium' is not one of the enum values
  spec: { size: 'medium', replicas: 1 },
};
void wrongEnum;

const wrongType: W['spec'] = {
  size: 'large',
  // @ts-expect-error replicas is an integer, not a string
  replicas: '3',
};
void wrongType;

// @ts-expect-error replicas is required
const missing: W['spec'] = { size: 'large' };
void missing;

const wrongVersion: W = {
  // @ts-expect-error the apiVersion is the definition's
  apiVersion: 'derive.rxkube.test/v2',
  kind: 'Widget',
  metadata: {},
  spec: { size: 'large', replicas: 1 },
};
void wrongVersion;

// validate() narrows to W.
const result = Widget.validate(JSON.parse('{}') as unknown);
if (result.valid) expectTypeOf(result.value).toEqualTypeOf<W>();

// InferSchema on its own, for schemas kept in a constant.
const schema = {
  type: 'object',
  required: ['a'],
  properties: {
    a: { type: 'array', items: { type: 'number' } },
    b: { type: 'string', nullable: true },
    c: { type: 'object', additionalProperties: { type: 'object', properties: { d: { type: 'boolean' } } } },
    e: { 'x-kubernetes-preserve-unknown-fields': true },
    f: { type: 'object', properties: { g: { type: 'integer' } }, 'x-kubernetes-preserve-unknown-fields': true },
  },
} as const;
void schema;
expectTypeOf<InferSchema<typeof schema>>().toEqualTypeOf<{
  a: number[];
  b?: string | null;
  c?: Record<string, { d?: boolean }>;
  e?: unknown;
  f?: { [field: string]: unknown; g?: number };
}>();

// A schema field of the wrong shape is rejected by defineCustomResource itself.
defineCustomResource({
  group: 'derive.rxkube.test',
  version: 'v1',
  kind: 'Broken',
  scope: 'Namespaced',
  // @ts-expect-error `type: 'text'` is not a JSON Schema type
  spec: { type: 'text' },
});

defineCustomResource({
  group: 'derive.rxkube.test',
  version: 'v1',
  kind: 'Broken',
  // @ts-expect-error scope is 'Namespaced' or 'Cluster'
  scope: 'Global',
  spec: { type: 'object' },
});
