// A custom resource with two versions and the typed conversion between them, for the conversion webhook:
// v1 (the storage version) has `spec.size` and `spec.color`; v2 moved size to `spec.dimensions.size` and added
// `spec.tags`. v1 has nowhere to keep tags, so converting v2 → v1 parks them in an annotation and v1 → v2 takes
// them back: an object written as v2, stored as v1 and read as v2 comes back unchanged.
import { Conversion } from 'rxkube/admission';
import type { ObjectMeta, ObjectOf } from 'rxkube/core';
import { defineCustomResource, mergeCrdVersions } from 'rxkube/derive';

const common = { group: 'conversion.rxkube.dev', kind: 'Widget', scope: 'Namespaced' } as const;

/** Widget v1, the version stored in etcd. */
export const WidgetV1 = defineCustomResource({
  ...common,
  version: 'v1',
  storage: true,
  spec: {
    type: 'object',
    required: ['size'],
    properties: { size: { type: 'integer', minimum: 0 }, color: { type: 'string' } },
  },
});
export type WidgetV1 = ObjectOf<typeof WidgetV1>;

/** Widget v2: size moved under `dimensions`, and `tags` added. */
export const WidgetV2 = defineCustomResource({
  ...common,
  version: 'v2',
  storage: false,
  spec: {
    type: 'object',
    required: ['dimensions'],
    properties: {
      dimensions: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 0 } } },
      color: { type: 'string' },
      tags: { type: 'array', items: { type: 'string' } },
    },
  },
});
export type WidgetV2 = ObjectOf<typeof WidgetV2>;

/** The annotation that carries v2's tags while the object is stored as v1. */
export const TAGS_ANNOTATION = 'conversion.rxkube.dev/v2-tags';

/** Widget v1 ↔ v2, typed by the two descriptors. */
export const widgetConversion = Conversion.between(WidgetV1, WidgetV2).using({
  forward: (v1) => {
    const { [TAGS_ANNOTATION]: tags, ...annotations } = v1.metadata.annotations ?? {};
    const metadata: ObjectMeta = { ...v1.metadata, annotations };
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
    return {
      ...v1,
      apiVersion: 'conversion.rxkube.dev/v2', // the type checker holds this to WidgetV2's apiVersion
      metadata,
      spec: {
        dimensions: { size: v1.spec.size },
        ...(v1.spec.color === undefined ? {} : { color: v1.spec.color }),
        ...(tags === undefined ? {} : { tags: JSON.parse(tags) as string[] }),
      },
    };
  },
  backward: (v2) => {
    const annotations = { ...v2.metadata.annotations };
    if (v2.spec.tags !== undefined) annotations[TAGS_ANNOTATION] = JSON.stringify(v2.spec.tags);
    return {
      ...v2,
      apiVersion: 'conversion.rxkube.dev/v1',
      metadata: { ...v2.metadata, ...(Object.keys(annotations).length === 0 ? {} : { annotations }) },
      spec: { size: v2.spec.dimensions.size, ...(v2.spec.color === undefined ? {} : { color: v2.spec.color }) },
    };
  },
});

/** The CRD with both versions (add the conversion webhook with `withConversionWebhook`). */
export const widgetCrd = () => mergeCrdVersions(WidgetV1, WidgetV2);
