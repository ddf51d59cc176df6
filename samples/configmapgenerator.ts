// The custom resource of the samples and the demo, defined once with rxkube/derive: its TypeScript type, its
// ResourceType (for Api and the runtime), its CRD manifest and a client-side validator all come from here.
import type { ObjectOf } from 'rxkube/core';
import { defineCustomResource } from 'rxkube/derive';

/**
 * A ConfigMapGenerator asks for a ConfigMap named `<name>-gen` holding `spec.content` under the key `content`,
 * `spec.copies` times (`content`, `content-1`, ...). The controller reports what it made in `status`.
 */
export const ConfigMapGenerator = defineCustomResource({
  group: 'samples.rxkube.dev',
  version: 'v1',
  kind: 'ConfigMapGenerator',
  scope: 'Namespaced',
  shortNames: ['cmg'],
  spec: {
    type: 'object',
    required: ['content'],
    properties: {
      content: { type: 'string', maxLength: 4096, description: 'What the generated ConfigMap holds.' },
      copies: { type: 'integer', minimum: 1, maximum: 5, default: 1, description: 'How many keys carry the content.' },
    },
    'x-kubernetes-validations': [{ rule: "self.content != 'forbidden'", message: 'content must not be "forbidden"' }],
  },
  status: {
    type: 'object',
    properties: {
      configMap: { type: 'string' },
      observedGeneration: { type: 'integer', format: 'int64' },
    },
  },
  printerColumns: [
    { name: 'Content', type: 'string', jsonPath: '.spec.content' },
    { name: 'ConfigMap', type: 'string', jsonPath: '.status.configMap' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
});

/** A ConfigMapGenerator object, as the schema says. */
export type ConfigMapGenerator = ObjectOf<typeof ConfigMapGenerator>;
