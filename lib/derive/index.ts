/**
 * `rxkube/derive`: custom resources from a JSON Schema. One definition gives the TypeScript type
 * (inferred from the schema), the `ResourceType`, the CRD manifest and YAML, structural checks
 * and an ajv validator.
 *
 * @module
 */
export * from './collectCrds.js';
export * from './crd.js';
export * from './defineCustomResource.js';
export * from './errors.js';
export * from './infer.js';
export * from './pluralize.js';
export * from './schema.js';
export * from './structural.js';
export * from './validator.js';
export * from './yaml.js';
